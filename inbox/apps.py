from django.apps import AppConfig


class InboxConfig(AppConfig):
    """What the employer sends: raw mail, calendar invitations, their reading and matching.

    Reads ``interviews`` and ``notes``; ``reminders`` and ``tracking`` read it.
    """

    name = "inbox"

    def ready(self) -> None:
        from django.core import checks

        from inbox.board import card_clocks
        from inbox.checks import encryption_keys_configured
        from interviews import board

        if card_clocks not in board.CARD_EXTRAS:
            board.CARD_EXTRAS.append(card_clocks)
        checks.register(encryption_keys_configured, checks.Tags.security, "deploy", deploy=True)
