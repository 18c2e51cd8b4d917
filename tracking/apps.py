from django.apps import AppConfig


class TrackingConfig(AppConfig):
    """The pages that compose every app, like healthchecks' ``hc/front``: the top floor.

    Dashboard, applications list, board, the application and interview pages, timeline,
    insights, the calendar feed and "Your data" (export, import), and the demo data. It
    reads ``interviews``, ``notes``, ``inbox`` and ``reminders``; none of them imports it
    (``core`` ← ``interviews`` ← ``notes`` ← ``inbox`` ← ``reminders`` ← ``tracking``).
    """

    name = "tracking"
    label = "tracking"
