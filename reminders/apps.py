from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """The follow-up cadence: pure rules, follow-up rows with state, tasks and emails.

    Reads ``interviews`` and ``notes``; subscribes to their domain signals in ``ready()``
    once the cadence engine lands.
    """

    name = "reminders"
