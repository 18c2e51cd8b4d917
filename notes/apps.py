from django.apps import AppConfig


class NotesConfig(AppConfig):
    """What the candidate sends: notes per interviewer, the coach, brag book, value-add library.

    Reads ``interviews``; never imported by it.
    """

    name = "notes"
