"""Planning, dispatch, the user's actions and the signed links, on the database.

Emails are asserted on ``mail.outbox`` (``mailoutbox``); the real SMTP server, broker and
worker are exercised in ``test_integration.py``.
"""

from __future__ import annotations

import itertools
import re
import smtplib
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews import services as interview_services
from interviews.models import ApplicationStatus
from notes import services as note_services
from reminders import links, rules, services
from reminders.models import FollowUp, ReminderSettings, Status
from tests.factories import CandidateFactory
from tests.reminders.conftest import INTERVIEW_END, INTERVIEW_START, log_interview

# Half an hour after the interview ended; nothing is due yet.
CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
# Just after the thank-you duties fell due at 18:00 (London is on UTC in November).
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


def rows(application) -> dict[str, FollowUp]:
    return {row.key: row for row in FollowUp.objects.filter(application=application)}


def of_rule(application, rule: str, **filters) -> list[FollowUp]:
    return list(FollowUp.objects.filter(application=application, rule=rule, **filters))


def one(application, rule: str, **filters) -> FollowUp:
    found = of_rule(application, rule, **filters)
    assert len(found) == 1, found
    return found[0]


def planned(logged) -> dict[str, FollowUp]:
    services.plan_application(application_id=logged.application.pk)
    return rows(logged.application)


# --- Planning -----------------------------------------------------------------------------


def test_planning_a_logged_interview_creates_a_row_per_rule_and_attendee(logged):
    services.plan_application(application_id=logged.application.pk)

    app = logged.application
    assert one(app, "R1").due_at == INTERVIEW_END + timedelta(hours=1)
    thank_you = of_rule(app, "R2") + of_rule(app, "R3")
    assert {(row.rule, row.interviewer) for row in thank_you} == {
        ("R2", logged.ada), ("R2", logged.grace), ("R3", logged.ada), ("R3", logged.grace),
    }
    assert {row.due_at for row in thank_you} == {datetime(2026, 11, 18, 18, 0, tzinfo=UTC)}
    assert all(row.status == Status.PENDING for row in thank_you)
    # Grace has no email: complete her details; Ada's are complete: nothing to do for her.
    assert one(app, "R13", interviewer=logged.grace).status == Status.PENDING
    assert not of_rule(app, "R13", interviewer=logged.ada)
    assert one(app, "R5").status == Status.PENDING
    assert one(app, "R7").status == Status.PENDING  # no decision date given
    assert one(app, "R8").status == Status.PENDING
    # A Wednesday interview: R4 (before a weekend) does not apply; round 1: no R12; no R6,
    # R9-R11 while interviewing without a decision date.
    assert not FollowUp.objects.filter(rule__in=["R4", "R6", "R9", "R10", "R11", "R12"])
    assert all(row.owner == logged.owner for row in rows(app).values())


def test_planning_twice_creates_nothing_new(logged):
    first = services.plan_application(application_id=logged.application.pk)
    before = {key: (row.status, row.due_at) for key, row in rows(logged.application).items()}

    second = services.plan_application(application_id=logged.application.pk)
    services.plan_all()

    assert first.created == len(before) > 0
    assert (second.created, second.updated, second.closed) == (0, 0, 0)
    after = {key: (row.status, row.due_at) for key, row in rows(logged.application).items()}
    assert after == before


def test_rejection_skips_outreach_and_plans_r9_and_r10(logged):
    planned(logged)

    interview_services.application_set_status(
        application=logged.application, status=ApplicationStatus.REJECTED, at=CURRENT_TIME
    )
    services.plan_application(application_id=logged.application.pk)

    app = logged.application
    for rule in ("R5", "R7", "R8"):
        row = one(app, rule)
        assert row.status == Status.SKIPPED
        assert row.status_note == "Skipped: no longer applies after what you recorded."
    assert one(app, "R9").status == Status.PENDING
    r10 = one(app, "R10")
    assert r10.status == Status.PENDING
    assert r10.due_at.date() == (CURRENT_TIME + timedelta(days=30)).date()


def test_on_hold_plans_r11_four_weeks_on(logged):
    planned(logged)

    interview_services.application_set_status(
        application=logged.application, status=ApplicationStatus.ON_HOLD, at=CURRENT_TIME
    )
    services.plan_application(application_id=logged.application.pk)

    r11 = one(logged.application, "R11")
    assert r11.status == Status.PENDING
    assert r11.due_at.date() == (CURRENT_TIME + timedelta(weeks=4)).date()
    assert one(logged.application, "R7").status == Status.SKIPPED


@pytest.mark.parametrize(
    ("status", "label"),
    [("accepted", "accepted"), ("withdrawn", "withdrawn"), ("filled", "position filled")],
)
def test_ended_application_skips_every_open_follow_up(logged, status, label):
    before = planned(logged)
    done_already = {key for key, row in before.items() if row.status == Status.DONE}

    interview_services.application_set_status(application=logged.application, status=status)
    services.plan_application(application_id=logged.application.pk)

    for key, row in rows(logged.application).items():
        if key in done_already:
            assert row.status == Status.DONE  # history stays as it was
        else:
            assert row.status == Status.SKIPPED, key
            assert row.status_note == f"Skipped: the application ended ({label})."


def test_ending_sweep_skips_rows_of_ended_applications(logged):
    planned(logged)
    # A status written without the signal (an admin edit, say): the hourly sweep catches it.
    type(logged.application).objects.filter(pk=logged.application.pk).update(status="accepted")

    services.plan_all()

    assert not FollowUp.objects.filter(application=logged.application).open().exists()


def test_thank_you_email_closes_r2_for_that_interviewer_only(
    logged, django_capture_on_commit_callbacks
):
    planned(logged)

    with django_capture_on_commit_callbacks(execute=True):
        note_services.correspondence_record(
            application=logged.application, interview=logged.interview,
            interviewer=logged.ada, kind="thank_you", channel="email", sent_at=CURRENT_TIME,
        )

    app = logged.application
    r2_ada = one(app, "R2", interviewer=logged.ada)
    assert r2_ada.status == Status.DONE
    assert r2_ada.status_note == "Done: you recorded it."
    assert one(app, "R2", interviewer=logged.grace).status == Status.PENDING
    # An email is not the mailed card.
    assert one(app, "R3", interviewer=logged.ada).status == Status.PENDING


def test_editing_the_interview_time_replans_pending_rows_but_not_reminded_ones(
    logged, mailoutbox, django_capture_on_commit_callbacks
):
    planned(logged)
    services.dispatch_due(now=INTERVIEW_END + timedelta(hours=1, minutes=5))  # R1 emailed
    r1 = one(logged.application, "R1")
    assert r1.status == Status.REMINDED

    with django_capture_on_commit_callbacks(execute=True):
        interview_services.interview_update(
            interview=logged.interview,
            starts_at=INTERVIEW_START + timedelta(days=1),
            ends_at=INTERVIEW_END + timedelta(days=1),
        )

    r1_after = one(logged.application, "R1")
    assert (r1_after.status, r1_after.due_at) == (Status.REMINDED, r1.due_at)
    moved = of_rule(logged.application, "R2")
    assert {row.due_at for row in moved} == {datetime(2026, 11, 19, 18, 0, tzinfo=UTC)}


def test_entering_a_decision_date_plans_r6_and_a_new_date_replans_it(
    logged, django_capture_on_commit_callbacks
):
    planned(logged)

    with django_capture_on_commit_callbacks(execute=True):
        interview_services.application_update(
            application=logged.application, decision_date=date(2026, 11, 27)
        )

    app = logged.application
    first = one(app, "R6")
    assert first.status == Status.PENDING
    assert first.due_at.date() >= date(2026, 11, 29)  # the decision date + 2 days
    assert one(app, "R7").status == Status.SKIPPED  # a date was given: no blind check-in

    with django_capture_on_commit_callbacks(execute=True):
        interview_services.application_update(
            application=logged.application, decision_date=date(2026, 12, 4)
        )

    first.refresh_from_db()
    assert first.status == Status.SKIPPED
    second = one(app, "R6", status=Status.PENDING)
    assert second.key != first.key
    assert second.due_at.date() >= date(2026, 12, 6)


def test_booking_a_second_round_plans_r12(logged, django_capture_on_commit_callbacks):
    planned(logged)

    with django_capture_on_commit_callbacks(execute=True):
        second = interview_services.interview_create(
            application=logged.application, round_number=2, format="on_site",
            starts_at=INTERVIEW_START + timedelta(days=7),
            ends_at=INTERVIEW_END + timedelta(days=7),
        )

    r12 = one(logged.application, "R12")
    assert r12.interview == second
    assert r12.status == Status.PENDING
    assert CURRENT_TIME <= r12.due_at < second.starts_at


def test_a_switched_off_rule_is_skipped_and_not_planned_again(
    logged, django_capture_on_commit_callbacks
):
    planned(logged)

    with django_capture_on_commit_callbacks(execute=True):
        services.settings_update(candidate=logged.owner, paused=False, disabled_rules=["R3"])

    for row in of_rule(logged.application, "R3"):
        assert row.status == Status.SKIPPED
        assert row.status_note == "Skipped: you switched this rule off."
    other = log_interview(logged.owner, company="Other Co")
    services.plan_application(application_id=other.application.pk)
    assert not of_rule(other.application, "R3")
    assert of_rule(other.application, "R2")


def test_switching_a_rule_back_on_plans_it_again(logged, django_capture_on_commit_callbacks):
    planned(logged)
    with django_capture_on_commit_callbacks(execute=True):
        services.settings_update(candidate=logged.owner, paused=False, disabled_rules=["R3"])

    with django_capture_on_commit_callbacks(execute=True):
        services.settings_update(candidate=logged.owner, paused=False, disabled_rules=[])

    assert {row.status for row in of_rule(logged.application, "R3")} == {Status.PENDING}


def test_snooze_moves_due_two_days_and_survives_replanning(logged):
    planned(logged)
    # R13 has no window that closes (R2's would stop the snooze short: test_snooze_window).
    r13 = one(logged.application, "R13", interviewer=logged.grace)

    assert services.followup_snooze(followup=r13, at=EVENING)
    services.plan_application(application_id=logged.application.pk, now=EVENING)
    services.plan_all(now=EVENING)

    r13.refresh_from_db()
    assert r13.due_at == EVENING + timedelta(days=2)
    assert r13.status == Status.PENDING
    assert r13.snoozed
    assert r13.display_state(EVENING) == "snoozed"


def test_the_cap_postpones_outreach_visibly(logged, owner_client):
    planned(logged)

    r7, r8 = one(logged.application, "R7"), one(logged.application, "R8")
    assert r8.postponed_from is not None
    assert r8.due_at - r8.postponed_from > timedelta(0)
    assert r8.due_at - r7.due_at >= timedelta(days=7)
    outreach = FollowUp.objects.filter(
        application=logged.application, rule__in=["R5", "R6", "R7", "R8", "R10", "R11"],
        status=Status.PENDING,
    ).order_by("due_at")
    dues = [row.due_at for row in outreach]
    assert all(b - a >= timedelta(days=7) for a, b in itertools.pairwise(dues))
    page = owner_client.get(reverse("application_detail", args=[logged.application.pk]))
    assertContains(page, "postponed from")


def test_logging_an_interview_plans_it_once_the_transaction_commits(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        logged = log_interview(owner)
    assert callbacks, "the services announce on commit"
    assert not FollowUp.objects.exists(), "nothing is planned before the commit"

    for callback in callbacks:
        with django_capture_on_commit_callbacks(execute=True):
            callback()

    assert one(logged.application, "R1").status == Status.PENDING
    assert len(of_rule(logged.application, "R2")) == 2


def test_a_debrief_completes_r1(logged, django_capture_on_commit_callbacks):
    planned(logged)

    with django_capture_on_commit_callbacks(execute=True):
        interview_services.debrief_save(
            interview=logged.interview, answers={"went_well": "Mostly."}, at=CURRENT_TIME
        )

    assert one(logged.application, "R1").status == Status.DONE


def test_adding_the_missing_email_completes_r13(logged, django_capture_on_commit_callbacks):
    planned(logged)

    with django_capture_on_commit_callbacks(execute=True):
        interview_services.interviewer_update(
            interviewer=logged.grace, email="grace@acme.example"
        )

    assert one(logged.application, "R13", interviewer=logged.grace).status == Status.DONE


def test_R13_never_shows_as_done_for_people_complete_from_the_start(logged, owner_client):
    planned(logged)

    page = owner_client.get(reverse("interview_detail", args=[logged.interview.pk]))

    assert not FollowUp.objects.filter(rule="R13", interviewer=logged.ada).exists()
    assertContains(page, "Complete the contact details — Grace Hopper")
    assertNotContains(page, "Complete the contact details — Ada Lovelace")


def test_R6_keeps_decision_date_when_R8_collides_on_the_database(
    logged, django_capture_on_commit_callbacks
):
    planned(logged)

    with django_capture_on_commit_callbacks(execute=True):
        interview_services.application_update(
            application=logged.application, decision_date=date(2026, 11, 24)
        )
    services.plan_application(application_id=logged.application.pk)

    r5, r6, r8 = (one(logged.application, rule, status=Status.PENDING)
                  for rule in ("R5", "R6", "R8"))
    # Decision Tue 24 + 2 = Thu 26 Nov at 09:00 (London is on UTC in November).
    assert (r6.due_at, r6.postponed_from) == (datetime(2026, 11, 26, 9, 0, tzinfo=UTC), None)
    assert r8.postponed_from == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert r8.due_at == r6.due_at + timedelta(days=7)
    assert r5.postponed_from is None


def _on_hold_r11(logged) -> FollowUp:
    planned(logged)
    interview_services.application_set_status(
        application=logged.application, status=ApplicationStatus.ON_HOLD, at=CURRENT_TIME
    )
    services.plan_application(application_id=logged.application.pk)
    return one(logged.application, "R11")


def test_R11_done_from_the_email_plans_the_next_touch_four_weeks_on(
    logged, client, mailoutbox, time_machine
):
    first = _on_hold_r11(logged)
    time_machine.move_to(first.due_at + timedelta(minutes=5), tick=False)
    services.dispatch_due()
    first.refresh_from_db()
    assert first.status == Status.REMINDED

    client.post(_email_link(mailoutbox, first, "done"))
    services.plan_requested()

    first.refresh_from_db()
    assert first.status == Status.DONE
    following = one(logged.application, "R11", status=Status.PENDING)
    assert following.due_at.date() == (first.due_at + timedelta(weeks=4)).date()


def test_R11_done_in_the_app_plans_the_next_touch(logged, owner_client, time_machine):
    first = _on_hold_r11(logged)
    time_machine.move_to(first.due_at - timedelta(days=1), tick=False)
    owner_client.force_login(logged.owner, backend=MODEL_BACKEND)  # a month on: sign in again

    owner_client.post(reverse("followup_action", args=[first.pk, "done"]))
    services.plan_requested()

    # Four weeks from when it was marked done, a day early.
    following = one(logged.application, "R11", status=Status.PENDING)
    assert following.due_at == first.due_at - timedelta(days=1) + timedelta(weeks=4)


def test_R11_a_stay_in_touch_note_closes_it_as_done_and_plans_the_next(
    logged, time_machine, django_capture_on_commit_callbacks
):
    first = _on_hold_r11(logged)
    sent_at = first.due_at + timedelta(hours=3)
    time_machine.move_to(sent_at, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        note_services.correspondence_record(
            application=logged.application, kind="stay_in_touch", channel="email",
            sent_at=sent_at,
        )
    services.plan_application(application_id=logged.application.pk)

    first.refresh_from_db()
    assert (first.status, first.status_note) == (Status.DONE, "Done: you recorded it.")
    following = one(logged.application, "R11", status=Status.PENDING)
    assert following.due_at.date() == (sent_at + timedelta(weeks=4)).date()


def test_R2_emailed_thank_you_reads_reminded_on_after_its_window_closes(
    logged, mailoutbox, owner_client, time_machine
):
    planned(logged)
    services.dispatch_due(now=EVENING)
    later = INTERVIEW_END + timedelta(hours=49)
    time_machine.move_to(later, tick=False)

    services.plan_application(application_id=logged.application.pk)

    r2 = one(logged.application, "R2", interviewer=logged.ada)
    assert r2.status == Status.SKIPPED  # closed: the app reminds no more
    assert r2.status_note == (
        "Reminded on Wed 18 Nov 2026, 18:05; its window closed on Fri 20 Nov 2026, 15:00."
    )
    page = owner_client.get(reverse("interview_detail", args=[logged.interview.pk]))
    html = page.content.decode()
    item = html[html.index(f'id="followup-{r2.pk}"'):]
    item = item[:item.index("</li>")]
    assert "reminded" in item and ">skipped<" not in item


def test_R2_closed_window_is_told_in_the_candidates_zone(db, time_machine):
    new_yorker = CandidateFactory(time_zone="America/New_York", country="US")
    logged = log_interview(new_yorker)
    services.plan_application(application_id=logged.application.pk)
    time_machine.move_to(INTERVIEW_END + timedelta(hours=49), tick=False)

    services.plan_application(application_id=logged.application.pk)

    r2 = one(logged.application, "R2", interviewer=logged.ada)
    # 48 hours after 15:00 UTC on Wednesday: Friday 10:00 in New York.
    assert r2.status_note == "Skipped: its window closed on Fri 20 Nov 2026, 10:00."
    assert "UTC" not in r2.status_note


def test_R1_debrief_now_is_offered_only_after_the_interview_ended(owner, owner_client,
                                                                  time_machine):
    logged = log_interview(owner)
    time_machine.move_to(INTERVIEW_START + timedelta(minutes=10), tick=False)
    owner_client.force_login(owner, backend=MODEL_BACKEND)
    during = owner_client.get(reverse("interview_detail", args=[logged.interview.pk]))
    assertNotContains(during, "Debrief now")
    assertNotContains(during, reverse("debrief", args=[logged.interview.pk]))
    assertContains(during, "The debrief opens when the interview ends, at 15:00")

    time_machine.move_to(INTERVIEW_END + timedelta(minutes=1), tick=False)
    after = owner_client.get(reverse("interview_detail", args=[logged.interview.pk]))
    assertContains(after, "Debrief now")


def test_an_interview_crossing_midnight_shows_both_dates(db, client):
    candidate = CandidateFactory(time_zone="America/New_York", country="US")
    application = interview_services.application_create(
        owner=candidate, company="Night Co", role_title="Analyst"
    )
    # 23:30–00:30 in New York: 04:30–05:30 UTC on the 19th.
    interview = interview_services.interview_create(
        application=application, round_number=1, format="video",
        starts_at=datetime(2026, 11, 19, 4, 30, tzinfo=UTC),
        ends_at=datetime(2026, 11, 19, 5, 30, tzinfo=UTC),
    )
    client.force_login(candidate, backend=MODEL_BACKEND)

    page = client.get(reverse("interview_detail", args=[interview.pk]))

    assertContains(page, "Wednesday 18 November 2026, 23:30–Thursday 19 November 2026, 00:30")


def test_R2_R3_R5_plan_says_when_a_window_closes_in_the_candidates_zone(db, client):
    new_yorker = CandidateFactory(time_zone="America/New_York", country="US")
    logged = log_interview(new_yorker)
    services.plan_application(application_id=logged.application.pk)
    client.force_login(new_yorker, backend=MODEL_BACKEND)

    page = client.get(reverse("interview_detail", args=[logged.interview.pk]))

    # The thank-you and the value-add close 48 hours after 15:00 UTC: Fri 10:00 there. The
    # thank-yous of the interview are one task (one window said), then the value-add and
    # the debrief.
    assert len(of_rule(logged.application, "R2")) > 1
    assertContains(page, "window closes <time", count=1 + 2)
    assertContains(page, "Fri 20 Nov, 10:00")
    assertNotContains(page, "UTC")


def test_R5_after_a_friday_is_emailed_on_saturday_with_its_window_said(owner, mailoutbox):
    friday = log_interview(owner, later=timedelta(days=2))  # Friday 20 Nov, 14:00–15:00
    services.plan_application(application_id=friday.application.pk)
    r5 = one(friday.application, "R5")
    assert r5.due_at == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # Saturday, not Monday

    services.dispatch_due(now=r5.due_at + timedelta(minutes=5))

    r5.refresh_from_db()
    assert r5.status == Status.REMINDED  # sent, not silently skipped
    text, html = _text_and_html(mailoutbox[-1])
    assert "Its window closes Sun 22 Nov, 15:00: do it before then." in text
    assert "Its window closes Sun 22 Nov, 15:00</strong>" in html


# --- Dispatch -----------------------------------------------------------------------------


def _text_and_html(message) -> tuple[str, str]:
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return message.body, html


def test_due_reminders_of_one_user_arrive_as_one_email(logged, mailoutbox):
    planned(logged)

    batches = services.dispatch_due(now=EVENING)

    assert batches == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["owner@example.com"]
    text, html = _text_and_html(message)
    for body in (text, html):
        assert "Send a thank-you email" in body  # the rule's title
        assert "personalised thank-you email the same day" in body  # its reason
        assert rules.RULES["R2"].why in body and rules.RULES["R13"].why in body  # the advice
        assert "Ada Lovelace" in body and "Grace Hopper" in body
        assert "Acme Analytics" in body
    for action in ("done", "snooze", "dismiss"):
        assert len(re.findall(rf"http://testserver/r/{action}/[^/\s\"]+/", text)) == 6
        assert f"/r/{action}/" in html
    reminded = FollowUp.objects.filter(status=Status.REMINDED)
    assert {row.rule for row in reminded} == {"R1", "R2", "R3", "R13"}
    assert {row.sent_at for row in reminded} == {EVENING}
    assert not FollowUp.objects.filter(claim_token__isnull=False).exists(), "nothing left claimed"


def test_several_users_each_get_their_own_email(logged, outsider, mailoutbox):
    planned(logged)
    theirs = log_interview(outsider, company="Globex")
    services.plan_application(application_id=theirs.application.pk)

    services.dispatch_due(now=EVENING)

    assert sorted(message.to[0] for message in mailoutbox) == [
        "outsider@example.com", "owner@example.com",
    ]
    by_address = {message.to[0]: message.body for message in mailoutbox}
    assert "Globex" not in by_address["owner@example.com"]
    assert "Acme" not in by_address["outsider@example.com"]


def test_dispatch_run_five_times_sends_one_email(logged, mailoutbox):
    planned(logged)

    for minute in range(5):
        services.dispatch_due(now=EVENING + timedelta(minutes=minute))

    assert len(mailoutbox) == 1


def test_the_management_command_dispatches_at_the_given_time(logged, mailoutbox):
    planned(logged)
    out = StringIO()

    call_command("followups", "dispatch", "--now", "2026-11-18T18:05:00+00:00", stdout=out)
    call_command("followups", "dispatch", "--now", "2026-11-18T18:06:00+00:00", stdout=out)

    assert out.getvalue().splitlines() == ["Candidates handled: 1.", "Candidates handled: 0."]
    assert len(mailoutbox) == 1


def test_the_management_command_plans(logged):
    out = StringIO()

    call_command("followups", "plan", stdout=out)
    call_command("followups", "plan", "--application", str(logged.application.pk), stdout=out)

    first, second = out.getvalue().splitlines()
    assert first == "Planned 1 applications."
    assert second.startswith("Planned ") and second.endswith("0 new, 0 moved, 0 closed.")
    assert one(logged.application, "R1").status == Status.PENDING


@pytest.mark.parametrize(
    "value",
    ["tomorrow", "2026-11-18T18:05:00", "2026-02-30T09:00:00+00:00", "2026-11-18T25:00:00Z"],
)
def test_the_management_command_rejects_a_bad_now(logged, mailoutbox, value):
    planned(logged)

    with pytest.raises(CommandError, match="--now"):
        call_command("followups", "dispatch", "--now", value)
    assert not mailoutbox
    assert not FollowUp.objects.filter(status=Status.REMINDED).exists()


def test_a_paused_user_gets_nothing(logged, outsider, mailoutbox):
    planned(logged)
    theirs = log_interview(outsider, company="Globex")
    services.plan_application(application_id=theirs.application.pk)
    ReminderSettings.objects.create(candidate=logged.owner, paused=True)

    services.dispatch_due(now=EVENING)

    assert [message.to for message in mailoutbox] == [["outsider@example.com"]]
    assert not FollowUp.objects.filter(owner=logged.owner, status=Status.REMINDED).exists()


def test_the_most_overdue_candidate_is_claimed_first(logged, outsider):
    planned(logged)
    earlier = log_interview(outsider, company="Globex", later=-timedelta(days=1))
    services.plan_application(application_id=earlier.application.pk, now=EVENING)

    both = services.claim_batch(now=EVENING)

    assert both.owner_ids == [outsider.pk, logged.owner.pk]
    assert services.claim_batch(now=EVENING) is None


def test_a_claim_takes_the_most_overdue_candidates_first(logged, outsider):
    planned(logged)
    earlier = log_interview(outsider, company="Globex", later=-timedelta(days=1))
    services.plan_application(application_id=earlier.application.pk, now=EVENING)

    first = services.claim_batch(now=EVENING, candidates=1)
    second = services.claim_batch(now=EVENING, candidates=1)

    assert (first.owner_ids, second.owner_ids) == ([outsider.pk], [logged.owner.pk])
    assert services.claim_batch(now=EVENING, candidates=1) is None


def test_paused_candidates_do_not_crowd_out_the_others(logged, outsider, mailoutbox, monkeypatch):
    # The owner's six due rows are older than all of the outsider's, and more than the
    # claim looks at: pausing the owner must still let the outsider's email through.
    monkeypatch.setattr(services, "OWNER_WINDOW", 2)
    planned(logged)
    ReminderSettings.objects.create(candidate=logged.owner, paused=True)
    theirs = log_interview(outsider, company="Globex", later=timedelta(hours=3))
    services.plan_application(application_id=theirs.application.pk)

    services.dispatch_due(now=EVENING + timedelta(hours=3))

    assert [message.to for message in mailoutbox] == [["outsider@example.com"]]


def test_rows_overdue_by_more_than_an_hour_are_labelled_late(logged, mailoutbox):
    planned(logged)

    services.dispatch_due(now=EVENING)

    text, html = _text_and_html(mailoutbox[0])
    assert mailoutbox[0].subject.startswith("[Late] ")
    # R1 was due at 16:00, two hours ago; the thank-you duties five minutes ago.
    late_lines = [line for line in text.splitlines() if "[late: was due" in line]
    assert len(late_lines) == 1
    assert "Debrief while it is fresh" in late_lines[0]
    assert "was due Wed 18 Nov, 16:00" in late_lines[0]
    assert "arriving late" in html


def test_reminders_on_time_are_not_labelled_late(logged, mailoutbox):
    planned(logged)

    services.dispatch_due(now=INTERVIEW_END + timedelta(hours=1, minutes=30))

    assert not mailoutbox[0].subject.startswith("[Late]")
    assert "late" not in mailoutbox[0].body.lower()


def test_times_in_the_email_are_in_the_candidates_zone(db, mailoutbox):
    new_yorker = CandidateFactory(
        email="ny@example.com", time_zone="America/New_York", country="US"
    )
    logged = log_interview(new_yorker)
    services.plan_application(application_id=logged.application.pk)

    # R1 was due at 16:00 UTC, which is 11:00 in New York.
    services.dispatch_due(now=datetime(2026, 11, 18, 18, 0, tzinfo=UTC))

    text, html = _text_and_html(mailoutbox[0])
    assert "was due Wed 18 Nov, 11:00" in text
    assert "was due Wed 18 Nov, 11:00" in html


def test_a_candidate_without_email_gets_no_send_attempt_and_an_in_app_warning(
    db, client, flaky_mailer
):
    no_email = CandidateFactory(email="")
    logged = log_interview(no_email)
    services.plan_application(application_id=logged.application.pk)

    services.dispatch_due(now=EVENING)

    assert not mail.outbox
    failed = FollowUp.objects.filter(owner=no_email, status=Status.FAILED)
    assert failed.count() == 6  # R1, R2 and R3 for each interviewer, R13 for Grace
    assert set(failed.values_list("status_note", flat=True)) == {
        "Not emailed: your account has no email address."
    }
    client.force_login(no_email, backend=MODEL_BACKEND)
    home = client.get(reverse("home"))
    assertContains(home, "Your account has no email address")
    assertContains(home, "could not be delivered")


def test_a_newline_in_a_company_name_never_reaches_a_header(owner, mailoutbox):
    logged = log_interview(owner, company="Evil Corp\nBcc: evil@example.com")
    services.plan_application(application_id=logged.application.pk)

    # Only R1 is due: the subject names the company.
    services.dispatch_due(now=INTERVIEW_END + timedelta(hours=1, minutes=5))

    (message,) = mailoutbox
    assert message.recipients() == ["owner@example.com"]
    assert message.subject == "Debrief while it is fresh (Evil Corp Bcc: evil@example.com)"
    rendered = message.message()
    assert rendered["Bcc"] is None
    assert "\n" not in rendered["Subject"] and "\r" not in rendered["Subject"]
    headers = rendered.as_bytes().split(b"\n\n", 1)[0]
    assert b"evil@example.com" in headers  # folded into the subject, as text
    assert b"\nBcc:" not in headers


def test_the_subject_is_plain_text_not_html_escaped(owner, mailoutbox):
    logged = log_interview(owner, company="Smith & O'Brien")
    services.plan_application(application_id=logged.application.pk)

    services.dispatch_due(now=INTERVIEW_END + timedelta(hours=1, minutes=5))

    assert mailoutbox[0].subject == "Debrief while it is fresh (Smith & O'Brien)"
    assert "Smith & O'Brien" in mailoutbox[0].body
    assert "Smith &amp; O&#x27;Brien" in mailoutbox[0].alternatives[0][0]


def test_a_stale_row_is_closed_not_sent(logged, mailoutbox):
    planned(logged)
    # Recorded without its announcement: the plan is stale until dispatch re-checks it.
    note_services.correspondence_record(
        application=logged.application, interviewer=logged.ada, kind="thank_you",
        channel="email", sent_at=CURRENT_TIME,
    )

    services.dispatch_due(now=EVENING)

    r2_ada = one(logged.application, "R2", interviewer=logged.ada)
    assert r2_ada.status == Status.DONE
    assert r2_ada.sent_at is None
    assert "Ada Lovelace" in mailoutbox[0].body  # her card (R3) is still to do
    assert mailoutbox[0].body.count("Send a thank-you email") == 1  # Grace's only


def test_a_row_whose_window_closed_is_skipped_not_sent_late(logged, mailoutbox):
    planned(logged)

    services.dispatch_due(now=INTERVIEW_END + timedelta(hours=49))

    r2 = of_rule(logged.application, "R2")
    assert {row.status for row in r2} == {Status.SKIPPED}
    assert "Send a thank-you email" not in mailoutbox[0].body


# --- Failures, retries and the lease ------------------------------------------------------


def test_a_temporary_smtp_error_is_retried_with_backoff(logged, flaky_mailer):
    planned(logged)
    flaky_mailer.errors = [smtplib.SMTPDataError(451, b"4.3.0 Try again later")]

    services.dispatch_due(now=EVENING)

    due = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING).open()
    assert {row.status for row in due} == {Status.PENDING}
    assert {row.attempts for row in due} == {1}
    assert {row.retry_at for row in due} == {EVENING + services.BACKOFF[0]}
    assert all("451" in row.last_error for row in due)
    assert not mail.outbox

    services.dispatch_due(now=EVENING + timedelta(seconds=30))  # still backing off
    assert not mail.outbox

    services.dispatch_due(now=EVENING + services.BACKOFF[0])
    assert len(mail.outbox) == 1
    due = FollowUp.objects.filter(pk__in=[row.pk for row in due])
    assert {(row.status, row.attempts, row.last_error, row.retry_at) for row in due} == {
        (Status.REMINDED, 2, "", None)
    }


def test_temporary_errors_give_up_after_max_attempts_and_show_in_the_app(
    logged, flaky_mailer, owner_client
):
    planned(logged)
    flaky_mailer.errors = [
        smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        for _ in range(services.MAX_ATTEMPTS)
    ]
    moment = EVENING
    for attempt in range(services.MAX_ATTEMPTS):
        services.dispatch_due(now=moment)
        moment += services.BACKOFF[min(attempt, len(services.BACKOFF) - 1)]

    r1 = one(logged.application, "R1")
    assert r1.status == Status.FAILED
    assert r1.attempts == services.MAX_ATTEMPTS
    assert "451" in r1.last_error
    assert not mail.outbox
    services.dispatch_due(now=moment + timedelta(days=1))
    assert all("Debrief while it is fresh" not in message.body for message in mail.outbox)
    r1.refresh_from_db()
    assert r1.status == Status.FAILED, "a failed row is not retried"
    page = owner_client.get(reverse("interview_detail", args=[logged.interview.pk]))
    assertContains(page, "Email failed")


def test_a_permanent_smtp_error_fails_the_rows_at_once(logged, flaky_mailer, owner_client):
    planned(logged)
    flaky_mailer.errors = [
        smtplib.SMTPRecipientsRefused({"owner@example.com": (550, b"5.1.1 No such user")})
    ]

    services.dispatch_due(now=EVENING)

    failed = FollowUp.objects.filter(status=Status.FAILED)
    assert failed.count() == 6
    assert {row.attempts for row in failed} == {1}
    assert all("550" in row.last_error for row in failed)
    home = owner_client.get(reverse("home"))
    assertContains(home, "6 reminder emails could not be delivered")


def test_an_unreachable_mail_server_claims_nothing(logged, flaky_mailer, monkeypatch):
    planned(logged)

    def refuse(self):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(flaky_mailer, "open", refuse)

    assert services.dispatch_due(now=EVENING) == 0
    due = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING).open()
    assert {(row.status, row.attempts) for row in due} == {(Status.PENDING, 0)}


def test_an_unexpected_error_while_building_the_email_fails_the_rows_visibly(
    logged, outsider, mailoutbox, monkeypatch
):
    planned(logged)
    theirs = log_interview(outsider, company="Globex")
    services.plan_application(application_id=theirs.application.pk)
    real = services.build_reminder_email

    def broken_for_owner(*, owner, followups, now, **kwargs):
        if owner == logged.owner:
            raise RuntimeError("template bug")
        return real(owner=owner, followups=followups, now=now, **kwargs)

    monkeypatch.setattr(services, "build_reminder_email", broken_for_owner)

    services.dispatch_due(now=EVENING)

    assert [message.to for message in mailoutbox] == [["outsider@example.com"]]
    assert not FollowUp.objects.filter(claim_token__isnull=False).exists(), "nothing left claimed"
    mine = FollowUp.objects.filter(owner=logged.owner, due_at__lte=EVENING).exclude(
        status=Status.DONE
    )
    assert {row.status for row in mine} == {Status.FAILED}
    assert all("template bug" in row.last_error for row in mine)


def test_rows_abandoned_by_a_dead_dispatcher_are_sent_once_after_the_lease(logged, mailoutbox):
    planned(logged)
    batch = services.claim_batch(now=EVENING)  # ... and the dispatcher dies here
    assert batch is not None and len(batch.ids) == 6

    services.dispatch_due(now=EVENING + timedelta(minutes=1))
    assert not mailoutbox, "the lease still holds"

    services.dispatch_due(now=EVENING + services.LEASE + timedelta(seconds=1))
    services.dispatch_due(now=EVENING + services.LEASE + timedelta(minutes=1))

    assert len(mailoutbox) == 1
    assert FollowUp.objects.filter(pk__in=batch.ids, status=Status.REMINDED).count() == 6


def test_rows_that_keep_killing_their_dispatcher_fail_after_max_attempts(logged, mailoutbox):
    planned(logged)
    moment = EVENING
    for _ in range(services.MAX_ATTEMPTS):
        assert services.claim_batch(now=moment) is not None  # ... and the dispatcher dies
        moment += services.LEASE + timedelta(seconds=1)
        services.release_expired_leases(now=moment)

    rows = FollowUp.objects.filter(application=logged.application, due_at__lte=EVENING)
    failed = rows.exclude(status=Status.DONE)
    assert {row.status for row in failed} == {Status.FAILED}
    assert all("dispatcher stopped" in row.last_error for row in failed)
    services.dispatch_due(now=moment)
    assert not mailoutbox


def test_a_row_closed_by_the_user_while_claimed_is_not_marked_reminded(logged, mailoutbox):
    planned(logged)
    batch = services.claim_batch(now=EVENING)
    row = FollowUp.objects.get(pk=batch.ids[0])

    services.followup_complete(followup=row, at=EVENING)
    services.dispatch_due(now=EVENING + services.LEASE + timedelta(seconds=1))

    row.refresh_from_db()
    assert row.status == Status.DONE
    assert len(mailoutbox) == 1
    assert FollowUp.objects.filter(pk__in=batch.ids, status=Status.REMINDED).count() == 5


def test_a_snoozed_row_is_reminded_again_two_days_later(logged, mailoutbox):
    planned(logged)
    services.dispatch_due(now=EVENING)
    r13 = one(logged.application, "R13", interviewer=logged.grace)
    about_r13 = "Complete the contact details — for Grace Hopper"
    assert about_r13 in mailoutbox[0].body

    services.followup_snooze(followup=r13, at=EVENING + timedelta(minutes=10))
    services.dispatch_due(now=EVENING + timedelta(days=1))
    assert sum(about_r13 in message.body for message in mailoutbox) == 1

    services.dispatch_due(now=EVENING + timedelta(days=2, minutes=10))
    assert sum(about_r13 in message.body for message in mailoutbox) == 2
    r13.refresh_from_db()
    assert r13.status == Status.REMINDED


# --- Signed links in the email ------------------------------------------------------------


@pytest.fixture
def reminded(logged, mailoutbox) -> FollowUp:
    planned(logged)
    services.dispatch_due(now=EVENING)
    return one(logged.application, "R2", interviewer=logged.ada)


def _link(followup: FollowUp, action: str) -> str:
    return links.action_path(followup_id=followup.pk, owner_id=followup.owner_id, action=action)


def _email_link(mailoutbox, followup: FollowUp, action: str) -> str:
    """The link for this follow-up and action, as it appears in the email's text."""
    body = mailoutbox[-1].body
    for match in re.finditer(rf"http://testserver(/r/{action}/[^/\s]+/)", body):
        path = match.group(1)
        token = path.split("/")[3]
        if links.read_token(token, action=action).followup_id == followup.pk:
            return path
    raise AssertionError(f"no {action} link for follow-up {followup.pk}")


@pytest.mark.parametrize("action", ["done", "snooze", "dismiss"])
def test_a_link_from_the_email_confirms_on_get_and_changes_nothing(
    client, reminded, mailoutbox, action
):
    response = client.get(_email_link(mailoutbox, reminded, action))

    assert response.status_code == 200
    assertContains(response, "Send a thank-you email")
    assertContains(response, "<form method=\"post\"")
    reminded.refresh_from_db()
    assert reminded.status == Status.REMINDED
    assert not reminded.snoozed


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("done", Status.DONE, "Marked done."),
        ("dismiss", Status.DISMISSED, "Dismissed."),
        # R2's window closes 48 hours after the interview: not two days, but 6 hours before.
        ("snooze", Status.PENDING, "Snoozed until Fri 20 Nov 2026, 09:00, not 2 days"),
    ],
)
def test_a_link_from_the_email_acts_on_post(client, reminded, mailoutbox, action, status, message):
    response = client.post(_email_link(mailoutbox, reminded, action))

    assert response.status_code == 200
    assertContains(response, message)
    reminded.refresh_from_db()
    assert reminded.status == status
    if action == "snooze":
        assert reminded.due_at == INTERVIEW_END + timedelta(hours=48) - rules.TIME_TO_ACT


def test_a_link_used_twice_says_it_changed_nothing(client, reminded):
    client.post(_link(reminded, "done"))

    response = client.post(_link(reminded, "dismiss"))

    assertContains(response, "It was already closed; nothing changed.")
    reminded.refresh_from_db()
    assert reminded.status == Status.DONE


def _unchanged(followup: FollowUp) -> None:
    before = (followup.status, followup.due_at, followup.snoozed, followup.closed_at)
    followup.refresh_from_db()
    assert (followup.status, followup.due_at, followup.snoozed, followup.closed_at) == before


def test_an_expired_link_changes_nothing_and_says_so(client, reminded, time_machine):
    path = _link(reminded, "done")
    time_machine.move_to(CURRENT_TIME + links.MAX_AGE + timedelta(minutes=1), tick=False)

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assertContains(response, "This link has expired. Nothing was changed.", status_code=400)
    _unchanged(reminded)


def test_a_link_two_weeks_old_still_works(client, reminded, time_machine):
    path = _link(reminded, "done")
    time_machine.move_to(CURRENT_TIME + links.MAX_AGE - timedelta(minutes=1), tick=False)

    assert client.post(path).status_code == 200
    reminded.refresh_from_db()
    assert reminded.status == Status.DONE


def test_a_tampered_link_changes_nothing_and_says_so(client, reminded):
    token = links.make_token(followup_id=reminded.pk, owner_id=reminded.owner_id, action="done")
    forged = links.make_token(followup_id=reminded.pk + 1, owner_id=reminded.owner_id,
                              action="done")
    # The payload of one token with the signature of another.
    tampered = forged.rsplit(":", 2)[0] + ":" + token.split(":", 1)[1]

    for path in (reverse("followup_link", args=["done", tampered]),
                 reverse("followup_link", args=["done", token[:-3] + "abc"])):
        response = client.post(path)
        assertContains(response, "This link is not valid. Nothing was changed.", status_code=400)
    _unchanged(reminded)


def test_a_token_for_another_action_changes_nothing(client, reminded):
    dismiss_token = links.make_token(
        followup_id=reminded.pk, owner_id=reminded.owner_id, action="dismiss"
    )

    response = client.post(reverse("followup_link", args=["done", dismiss_token]))

    assertContains(response, "Nothing was changed.", status_code=400)
    _unchanged(reminded)


def test_a_link_for_another_users_follow_up_is_refused_to_whoever_is_signed_in(
    outsider_client, reminded
):
    path = _link(reminded, "done")

    for response in (outsider_client.get(path), outsider_client.post(path)):
        assertContains(
            response, "belongs to another account than the one signed in", status_code=403
        )
    _unchanged(reminded)


def test_the_owner_signed_in_can_use_the_link(owner_client, reminded):
    assert owner_client.post(_link(reminded, "dismiss")).status_code == 200

    reminded.refresh_from_db()
    assert reminded.status == Status.DISMISSED


def test_a_link_to_a_deleted_follow_up_says_so(client, reminded):
    path = _link(reminded, "done")
    reminded.delete()

    assertContains(client.get(path), "no longer exists", status_code=404)


def test_a_link_post_needs_the_csrf_token(reminded):
    client = Client(enforce_csrf_checks=True)

    assert client.post(_link(reminded, "done")).status_code == 403
    _unchanged(reminded)


# --- In-app actions and settings ----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [("done", Status.DONE), ("dismiss", Status.DISMISSED), ("snooze", Status.PENDING)],
)
def test_owner_acts_on_a_follow_up_in_the_app(owner_client, logged, action, status):
    row = planned(logged)[f"R1:{logged.interview.pk}"]
    page = reverse("interview_detail", args=[logged.interview.pk])

    response = owner_client.post(
        reverse("followup_action", args=[row.pk, action]), {"next": page}
    )

    assert response.status_code == 302
    assert response["Location"] == page
    row.refresh_from_db()
    assert row.status == status
    if action == "snooze":
        assert row.due_at == CURRENT_TIME + services.SNOOZE


def test_the_plan_shows_on_the_interview_page_with_its_actions(owner_client, logged):
    row = planned(logged)[f"R1:{logged.interview.pk}"]

    page = owner_client.get(reverse("interview_detail", args=[logged.interview.pk]))

    assertContains(page, "Follow-up plan")
    assertContains(page, "Debrief while it is fresh")
    assertContains(page, "Grace Hopper")
    assertContains(page, reverse("followup_action", args=[row.pk, "snooze"]))


def test_an_action_never_redirects_off_site(owner_client, logged):
    row = planned(logged)[f"R1:{logged.interview.pk}"]

    response = owner_client.post(
        reverse("followup_action", args=[row.pk, "done"]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("interview_detail", args=[logged.interview.pk])


def test_outsider_gets_404_on_an_in_app_action_and_changes_nothing(outsider_client, logged):
    row = planned(logged)[f"R1:{logged.interview.pk}"]

    for action in ("done", "snooze", "dismiss"):
        response = outsider_client.post(reverse("followup_action", args=[row.pk, action]))
        assert response.status_code == 404
    _unchanged(row)


def test_in_app_actions_are_post_only(owner_client, logged):
    row = planned(logged)[f"R1:{logged.interview.pk}"]

    assert owner_client.get(reverse("followup_action", args=[row.pk, "done"])).status_code == 405
    _unchanged(row)


def test_reminder_settings_pause_and_switch_rules_off(
    owner_client, logged, django_capture_on_commit_callbacks
):
    planned(logged)
    enabled = [f"R{n}" for n in range(1, 14) if n != 3]

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("reminder_settings"), {"paused": "on", "enabled_rules": enabled}
        )

    assert response.status_code == 302
    prefs = ReminderSettings.objects.get(candidate=logged.owner)
    assert prefs.paused
    assert prefs.disabled_rules == ["R3"]
    assert {row.status for row in of_rule(logged.application, "R3")} == {Status.SKIPPED}
    page = owner_client.get(reverse("reminder_settings"))
    assertContains(page, 'name="paused"')
    assertNotContains(page, 'value="R3" checked')


def test_reminder_settings_can_switch_every_rule_off(owner_client, logged):
    response = owner_client.post(reverse("reminder_settings"), {})

    assert response.status_code == 302
    prefs = ReminderSettings.objects.get(candidate=logged.owner)
    assert (prefs.paused, len(prefs.disabled_rules)) == (False, 13)


# --- The ready draft in the reminder ---------------------------------------------------------


def test_the_reminder_includes_the_ready_draft_escaped_and_links_to_it(logged, mailoutbox):
    from notes import services as note_services

    note = note_services.note_create(
        application=logged.application, candidate=logged.owner, interviewer=logged.ada,
        kind="thank_you", channel="email",
    )
    body = "Dear Ada,\nthank you — <script>alert(1)</script> the analytics engine was fun."
    note_services.note_save(note=note, expected_version=note.version, body=body)
    planned(logged)

    services.dispatch_due(now=EVENING)

    text, html = _text_and_html(mailoutbox[0])
    assert body in text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"http://testserver{note.get_absolute_url()}" in text
    # Only Ada's thank-you email has a draft: Grace's reminder links to the notes page.
    assert text.count("Your draft, ready to check and send") == 1
    assert f"/interviews/{logged.interview.pk}/notes/" in text


def test_the_debrief_reminder_opens_the_debrief(logged, mailoutbox):
    planned(logged)

    services.dispatch_due(now=EVENING)

    text, _ = _text_and_html(mailoutbox[0])
    assert f"http://testserver/interviews/{logged.interview.pk}/debrief/" in text


# --- R11 recurs after Done in its email (issue 16.5) ----------------------------------------

R11_EMAILED = datetime(2026, 12, 16, 9, 5, tzinfo=UTC)  # four weeks into the freeze
NEXT_DAY = datetime(2026, 12, 17, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("web_clock_behind", [False, True])
def test_r11_done_from_its_email_plans_the_next_stay_in_touch_four_weeks_on(
    client, logged, mailoutbox, time_machine, web_clock_behind
):
    planned(logged)
    interview_services.application_set_status(
        application=logged.application, status=ApplicationStatus.ON_HOLD, at=CURRENT_TIME
    )
    services.plan_application(application_id=logged.application.pk)
    first = one(logged.application, "R11")
    assert first.due_at == datetime(2026, 12, 16, 9, 0, tzinfo=UTC)
    if web_clock_behind:
        # As in the drill: `followups dispatch --now` four weeks on, while the web server
        # keeps today's clock, so the Done is recorded on the freeze's own day.
        clicked = CURRENT_TIME + timedelta(minutes=5)
    else:
        time_machine.move_to(R11_EMAILED, tick=False)
        clicked = R11_EMAILED + timedelta(hours=1)
    services.dispatch_due(now=R11_EMAILED)
    assert "Stay in touch during the freeze" in mailoutbox[-1].body

    time_machine.move_to(clicked, tick=False)
    response = client.post(_email_link(mailoutbox, first, "done"))
    assertContains(response, "Marked done.")
    # The plan is rebuilt the next day (the outbox's request, then the hourly sweep).
    time_machine.move_to(NEXT_DAY, tick=False)
    services.plan_requested(now=NEXT_DAY)
    services.plan_all(now=NEXT_DAY)

    first.refresh_from_db()
    assert first.status == Status.DONE
    (following,) = of_rule(logged.application, "R11", status=Status.PENDING)
    # Four weeks after the email the Done was clicked in, on the day (London is on UTC).
    assert following.due_at == datetime(2027, 1, 13, 9, 0, tzinfo=UTC)
