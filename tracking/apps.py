from django.apps import AppConfig


class TrackingConfig(AppConfig):
    """The tracking pages: a UI room over the three apps, like healthchecks' ``hc/front``.

    Dashboard, applications list, timeline, insights, the calendar feed and "Your data"
    (export, import), and the demo data. It reads ``interviews``, ``notes`` and
    ``reminders``; none of them imports it (``interviews`` ← ``notes`` ← ``reminders`` ←
    ``tracking``).
    """

    name = "tracking"
    label = "tracking"
