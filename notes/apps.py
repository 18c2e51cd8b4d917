from django.apps import AppConfig


class NotesConfig(AppConfig):
    """Correspondence: notes per interviewer, the coach, brag book, value-add library.

    Reads ``interviews``; never imported by it. Empty until the note editor lands.
    """

    name = "notes"
