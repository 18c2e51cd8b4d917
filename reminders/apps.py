from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """The follow-up cadence: pure rules, follow-up rows with state, tasks and emails.

    Reads ``interviews`` and ``notes``; neither imports it. It hears about their changes
    through their own domain signals, subscribed here. The tracking pages
    (``tracking``) read it; it never imports them.
    """

    name = "reminders"

    def ready(self) -> None:
        from django.core import checks

        from inbox import signals as inbox_signals
        from interviews import signals as interview_signals
        from notes import signals as note_signals
        from reminders import receivers
        from reminders import signals as reminder_signals
        from reminders.checks import push_keys_configured, site_url_is_https

        connections = [
            # Inside the writer's transaction: a re-planning request commits with the change.
            (interview_signals.facts_changed, receivers.on_facts_changed),
            (note_signals.facts_changed, receivers.on_facts_changed),
            # After it committed, for what the request did not plan itself: the task.
            (reminder_signals.plans_requested, receivers.on_plans_requested),
        ]
        for signal, receiver in connections:
            signal.connect(receiver, dispatch_uid=f"reminders.{receiver.__name__}.{id(signal)}")
        checks.register(site_url_is_https, checks.Tags.security, "deploy",
                        deploy=True)
        checks.register(push_keys_configured, "deploy", deploy=True)
        # ``manage.py inbox rotate-keys`` re-encrypts the Apprise URLs too: they share the key.
        inbox_signals.keys_rotated.connect(receivers.on_keys_rotated,
                                           dispatch_uid="reminders.on_keys_rotated")
