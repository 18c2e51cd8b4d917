"""Domain announcements of the interviews app.

Sent from service functions (never from ``post_save``) so that other apps, such as
``reminders``, can react without this app importing them. Receivers are connected in the
subscribing app's ``AppConfig.ready()``.
"""

from django.dispatch import Signal

# kwargs: application_id — something the application's follow-up plan depends on changed
# (status, decision date, an interview, its people, a debrief). Sent INSIDE the writer's
# transaction, so that a receiver can record the work the change calls for in the same
# transaction (reminders' re-planning outbox): the change and that record commit or roll
# back together. A receiver must not talk to the outside world here; it defers that with
# ``transaction.on_commit``.
facts_changed = Signal()
