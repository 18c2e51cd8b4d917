from django.apps import AppConfig


class NotesConfig(AppConfig):
    """Correspondence: notes per interviewer, the coach, brag book, value-add library,
    and the Inbox (``notes.inbox``) for what the employer sends.

    Reads ``interviews``; never imported by it.
    """

    name = "notes"

    def ready(self) -> None:
        from django.core import checks

        from interviews import board
        from notes.inbox.board import card_clocks
        from notes.inbox.checks import encryption_keys_configured

        if card_clocks not in board.CARD_EXTRAS:
            board.CARD_EXTRAS.append(card_clocks)
        checks.register(encryption_keys_configured, checks.Tags.security, "deploy",
                        deploy=True)
