"""How reminders hears that an application's facts changed, and plans it again.

1. ``on_facts_changed`` is connected (``RemindersConfig.ready()``) to the ``facts_changed``
   signals of ``interviews`` and ``notes``, which their services send *inside* the
   writer's transaction: it records a re-planning request in the same transaction (the
   outbox, ``services.plan_request``). The change and its request commit together.
2. Once they commit, the request plans them itself (``services.plan_now``).
   ``on_plans_requested`` hears of those it left (its planning failed, or there were too
   many) and enqueues the planning task for them. A broker that is down costs nothing but
   speed: the error is logged, never raised to the view, and the minute tick plans the
   request.
"""

from __future__ import annotations

import logging

from reminders import services
from reminders.tasks import plan_application_task

log = logging.getLogger(__name__)


def on_facts_changed(sender, application_id: int, **kwargs) -> None:
    services.plan_request(application_ids=[application_id])


def on_plans_requested(sender, application_ids: list[int], **kwargs) -> None:
    for application_id in application_ids:
        try:
            # No retry: a user's request must not wait for a broker coming back.
            plan_application_task.apply_async((application_id,), retry=False)
        except Exception as error:  # any broker or transport failure
            log.warning("Could not enqueue planning (%s: %s); the minute tick will plan "
                        "applications %s.", type(error).__name__, error, application_ids)
            return


def on_keys_rotated(sender, **kwargs) -> str:
    """``manage.py inbox rotate-keys``: the Apprise URLs are encrypted with the same keys
    (``inbox.crypto``), so they are re-encrypted with the first key at the same time. The
    sentence returned is what the command prints."""
    from reminders import channels

    done, problems = channels.apprise_rotate_keys()
    return "\n".join([f"Re-encrypted {done} notification URLs with the first key.", *problems])
