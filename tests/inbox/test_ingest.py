"""One pipeline: receive, ingest_one, matching, and the actions the user clicks (on PostgreSQL
in CI). Nothing changes an application or an interview until ``message_act`` runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from inbox import services
from inbox.models import CalendarInvite, InviteState, ReceivedMessage, Source, State
from interviews.models import ApplicationStatus, Interview, Interviewer
from reminders.models import FollowUp
from tests.factories import ApplicationFactory, InterviewerFactory
from tests.inbox.conftest import CURRENT_TIME, SAMPLES, make_email, make_ics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


def receive(owner, raw, source=Source.UPLOAD):
    return services.receive(owner=owner, raw=raw, source=source)


def test_it_files_a_message_from_a_recorded_interviewer(owner, application):
    result = receive(owner, make_email(body="We would like to invite you to a second round."))
    message = result.message
    assert result.created
    assert message.application == application
    assert message.state == State.FILED
    assert "priya.raman@northwind.io" in message.match_reason
    assert bytes(message.raw).startswith(b"From:") or b"Message-ID" in bytes(message.raw)


def test_the_same_message_id_twice_is_kept_once(owner, application):
    first = receive(owner, make_email())
    second = receive(owner, make_email(body="A different body, same Message-ID"))
    assert not second.created
    assert second.message.pk == first.message.pk
    assert ReceivedMessage.objects.filter(owner=owner).count() == 1


def test_it_matches_by_the_senders_domain_then_by_the_company_name(owner, application):
    other = ApplicationFactory(owner=owner, company="Globex", role_title="Analyst")
    by_domain = receive(
        owner, make_email(sender=("Ann", "ann@northwind.io"), message_id="<d@x>")
    ).message
    assert by_domain.application == application
    by_name = receive(
        owner,
        make_email(
            sender=("Recruiting", "no-reply@greenhouse.io"),
            subject="Your application to Globex",
            message_id="<n@x>",
        ),
    ).message
    assert by_name.application == other


def test_ties_and_unknowns_wait_in_the_inbox(owner):
    first = ApplicationFactory(owner=owner, company="Initech", role_title="PM")
    second = ApplicationFactory(owner=owner, company="Initech", role_title="Designer")
    tied = receive(
        owner, make_email(sender=("HR", "hr@initech.com"), message_id="<t@x>")
    ).message
    assert tied.application is None and tied.state == State.NEW
    assert set(tied.candidate_ids) == {first.pk, second.pk}
    unknown = receive(
        owner, make_email(sender=("Bob", "bob@gmail.com"), message_id="<u@x>")
    ).message
    assert unknown.application is None and unknown.candidate_ids == []


def test_a_message_is_never_filed_into_another_account(owner, outsider):
    theirs = ApplicationFactory(owner=outsider, company="Northwind")
    InterviewerFactory(application=theirs, email="priya.raman@northwind.io")
    message = receive(owner, make_email()).message
    assert message.application is None
    assert message.owner == owner
    with pytest.raises(ValueError):
        services.message_file(message=message, application=theirs)


def test_over_the_size_cap_or_the_quota_nothing_is_stored(owner, settings):
    settings.INBOX_MAX_BYTES = 2_000
    with pytest.raises(services.Refused) as refused:
        receive(owner, make_email(body="x" * 3_000))
    assert refused.value.smtp_code == 552
    settings.INBOX_MAX_BYTES = 10_000
    settings.INBOX_QUOTA_BYTES = 100
    with pytest.raises(services.Refused, match="full"):
        receive(owner, make_email())
    assert not ReceivedMessage.objects.exists()


def test_unreadable_input_is_refused_with_a_reason(owner):
    with pytest.raises(services.Refused) as refused:
        receive(owner, b"")
    assert refused.value.reason
    assert not ReceivedMessage.objects.exists()


def test_an_invitation_waits_for_the_users_click_then_logs_the_interview(
    owner, application, django_capture_on_commit_callbacks
):
    raw = make_email(subject="Invitation: technical interview", ics=make_ics())
    message = receive(owner, raw).message
    assert message.kind == "invitation"
    assert not Interview.objects.exists()  # nothing changes by itself
    invite = message.invites.get()
    assert invite.starts_at == datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # 10:00 New York
    assert services.invite_action(invite) == "log_interview"

    with django_capture_on_commit_callbacks(execute=True):
        interview = services.message_act(message=message, action="log_interview")
    assert isinstance(interview, Interview)
    assert interview.application == application
    assert (interview.starts_at, interview.ends_at) == (invite.starts_at, invite.ends_at)
    assert interview.location == "https://northwind.zoom.us/j/123456789"
    people = {p.email: p for p in interview.interviewers.all()}
    # The organizer was recorded already: linked, not duplicated; the candidate left out.
    assert set(people) == {"priya.raman@northwind.io", "marco.verdi@northwind.io"}
    assert Interviewer.objects.filter(email="priya.raman@northwind.io").count() == 1
    message.refresh_from_db()
    invite.refresh_from_db()
    assert message.state == State.APPLIED and invite.state == InviteState.APPLIED
    # The plan exists now (R1 debrief, R2 thank-you …), as for an interview typed in.
    assert FollowUp.objects.filter(interview=interview).exists()


def test_a_newer_sequence_reschedules_and_the_same_one_is_seen_once(owner, application):
    first = receive(owner, make_email(ics=make_ics(), message_id="<v0@x>")).message
    interview = services.message_act(message=first, action="log_interview")
    again = receive(owner, make_email(ics=make_ics(), message_id="<v0-copy@x>")).message
    assert CalendarInvite.objects.filter(owner=owner).count() == 1
    assert services.pending_invite(again) is None

    moved = receive(
        owner,
        make_email(
            ics=make_ics(sequence=1, start="20261209T140000", end="20261209T150000"),
            message_id="<v1@x>",
        ),
    ).message
    assert moved.application == application  # the known UID decides
    assert services.invite_action(services.pending_invite(moved)) == "reschedule"
    services.message_act(message=moved, action="reschedule")
    interview.refresh_from_db()
    assert interview.starts_at == datetime(2026, 12, 9, 19, 0, tzinfo=UTC)
    assert Interview.objects.count() == 1


def test_a_cancellation_marks_the_interview_cancelled_and_closes_its_reminders(
    owner, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(owner, make_email(ics=make_ics(), message_id="<c0@x>")).message
        interview = services.message_act(message=first, action="log_interview")
    assert FollowUp.objects.filter(interview=interview).exclude(status="skipped").exists()
    cancel = receive(
        owner,
        make_email(ics=make_ics(sequence=1, method="CANCEL"), message_id="<c1@x>",
                   method="CANCEL"),
    ).message
    assert services.invite_action(services.pending_invite(cancel)) == "cancel"
    with django_capture_on_commit_callbacks(execute=True):
        services.message_act(message=cancel, action="cancel")
    interview.refresh_from_db()
    assert interview.cancelled_at == CURRENT_TIME
    open_rows = FollowUp.objects.filter(interview=interview, status__in=["pending", "reminded"])
    assert not open_rows.exists()


def test_a_confirmed_rejection_changes_the_status_and_plans_R9_and_R10(
    owner, application, django_capture_on_commit_callbacks
):
    raw = (SAMPLES / "rejection_move_forward.eml").read_bytes()
    message = receive(owner, raw).message
    assert message.kind == "rejection"
    services.message_file(message=message, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEWING
    with django_capture_on_commit_callbacks(execute=True):
        services.message_act(message=message, action="reject")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    rules = set(FollowUp.objects.filter(application=application).values_list("rule", flat=True))
    assert {"R9", "R10"} <= rules


def test_set_decision_date_from_the_message(owner, application):
    raw = make_email(body="We will get back to you by Friday, December 11.")
    message = receive(owner, raw).message
    assert message.decision_date == date(2026, 12, 11)
    services.message_act(message=message, action="decision_date")
    application.refresh_from_db()
    assert application.decision_date == date(2026, 12, 11)


def test_actions_need_an_application_except_ignore(owner):
    message = receive(owner, make_email(sender=("Bob", "bob@gmail.com"))).message
    with pytest.raises(services.ActionRefused):
        services.message_act(message=message, action="reject")
    services.message_act(message=message, action="ignore")
    message.refresh_from_db()
    assert message.state == State.IGNORED


def test_employer_last_wrote_counts_filed_mail_and_not_future_dates(owner, application):
    receive(owner, make_email(date=datetime(2026, 11, 28, 9, 0, tzinfo=UTC), message_id="<a@x>"))
    receive(owner, make_email(date=datetime(2027, 1, 1, tzinfo=UTC), message_id="<b@x>"))
    last = services.employer_last_wrote([application.pk])
    assert last[application.pk] == CURRENT_TIME  # the future Date is not believed


def test_reparse_command_is_idempotent(owner, application):
    receive(owner, make_email(ics=make_ics()))
    ReceivedMessage.objects.update(kind="other", summary="")
    call_command("inbox", "reparse")
    call_command("inbox", "reparse")
    message = ReceivedMessage.objects.get()
    assert message.kind == "invitation" and message.summary
    assert CalendarInvite.objects.count() == 1
    assert message.application == application


def test_the_candidates_own_mail_is_not_the_employer_writing(owner, application):
    raw = make_email(sender=("Me", "owner@example.com"), to="priya.raman@northwind.io",
                     subject="Thank you, Northwind")
    message = receive(owner, raw).message
    assert message.application is None
    assert services.employer_last_wrote([application.pk]) == {}
