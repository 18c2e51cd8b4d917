from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """The follow-up cadence: pure rules, follow-up rows with state, tasks and emails.

    Reads ``interviews`` and ``notes``; neither imports it. It hears about their changes
    through their own domain signals, subscribed here. The tracking pages
    (``followup_site/tracking``) read it; it never imports them.
    """

    name = "reminders"

    def ready(self) -> None:
        from interviews import signals as interview_signals
        from notes import signals as note_signals
        from reminders import receivers

        connections = [
            (interview_signals.application_status_changed, receivers.on_application_changed),
            (interview_signals.application_decision_date_changed,
             receivers.on_application_changed),
            (interview_signals.interview_saved, receivers.on_interview_changed),
            (interview_signals.attendance_changed, receivers.on_interview_changed),
            (interview_signals.interviewer_saved, receivers.on_interviewer_saved),
            (interview_signals.debrief_saved, receivers.on_debrief_saved),
            (note_signals.correspondence_recorded, receivers.on_correspondence_recorded),
            (note_signals.employer_message_received, receivers.on_employer_message_received),
        ]
        for signal, receiver in connections:
            signal.connect(receiver, dispatch_uid=f"reminders.{receiver.__name__}.{id(signal)}")
