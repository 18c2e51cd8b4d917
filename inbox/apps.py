from django.apps import AppConfig


class InboxConfig(AppConfig):
    """What the employer sends: raw mail, calendar invitations, their reading and matching.

    Reads ``interviews`` and ``notes``; ``reminders`` and ``tracking`` read it.
    """

    name = "inbox"

    def ready(self) -> None:
        from django.core import checks

        from inbox.checks import encryption_keys_configured

        checks.register(encryption_keys_configured, checks.Tags.security, "deploy", deploy=True)
