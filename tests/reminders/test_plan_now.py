"""A change is planned in the request that made it (issue 18.4): the page it lands on shows
the new plan, with no Celery worker running.

The outbox row (PlanRequest) stays the safety net: when planning in the request fails, the
save still succeeds, the row waits, and a sweep plans it later. The view tests commit
(``transaction=True``) so that the on-commit planning runs as in production; the planning
task is replaced by a recorder, so a plan on the page can only come from the request.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inbox import services as inbox_services
from interviews import services as interview_services
from interviews.models import ApplicationStatus, InterviewerRole
from notes import services as note_services
from notes.models import CorrespondenceKind
from reminders import rules, services, tasks
from reminders.models import FollowUp, PlanRequest, Status
from tests.inbox.conftest import SAMPLES
from tests.reminders.conftest import log_interview

# Friday 4 December 2026, 12:00 UTC (London is on GMT). The interview was on Monday 23
# November and the decision promised for Monday 30 November: two days later without news,
# the plan asks for a status update (R6).
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
INTERVIEW_START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DECISION_DATE = date(2026, 11, 30)

STATUS_UPDATE = rules.RULES["R6"].title  # "Ask for a status update"
VALUE_CONTACT = rules.RULES["R8"].title
CORDIAL_REPLY = rules.RULES["R9"].title
OTHER_OPENINGS = rules.RULES["R10"].title
DEBRIEF = rules.RULES["R1"].title
THANK_YOU_EMAIL = rules.RULES["R2"].title


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """The applications whose planning task was enqueued; none runs (no worker)."""
    calls: list[int] = []
    monkeypatch.setattr(
        tasks.plan_application_task, "apply_async", lambda args, **kwargs: calls.append(args[0])
    )
    return calls


class _Plan(HTMLParser):
    """The follow-up plan on a page: (text, open) per item, open when it offers actions."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[list] = []
        self._depth = 0  # <li> nesting inside the current item

    def handle_starttag(self, tag, attrs):
        if tag == "li" and (dict(attrs).get("id") or "").startswith("followup-"):
            self.items.append(["", False])
            self._depth = 1
        elif self._depth and tag == "li":
            self._depth += 1
        elif self._depth and tag == "form":
            self.items[-1][1] = True

    def handle_endtag(self, tag):
        if self._depth and tag == "li":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.items[-1][0] += data


def plan_on(response) -> tuple[str, str]:
    """(the text of the open items, the text of the closed ones) of the page's plan."""
    parser = _Plan()
    parser.feed(response.content.decode())
    return (
        " | ".join(" ".join(text.split()) for text, is_open in parser.items if is_open),
        " | ".join(" ".join(text.split()) for text, is_open in parser.items if not is_open),
    )


def _cell(response, pk: int) -> str:
    """One channel of a person's line in a thank-you task (an email, a card or letter)."""
    html = response.content.decode()
    cell = html[html.index(f'id="followup-{pk}"'):]
    return cell[:cell.index("</div>")]


def _waiting_for_news(owner):
    """An application whose decision date passed two days ago: R6 is on the plan."""
    application = interview_services.application_create(
        owner=owner,
        company="Acme Analytics",
        role_title="Product Manager",
        status=ApplicationStatus.INTERVIEWING,
        decision_date=DECISION_DATE,
        at=INTERVIEW_START - timedelta(days=7),
    )
    interview_services.interview_create(
        application=application,
        round_number=1,
        format="video",
        starts_at=INTERVIEW_START,
        ends_at=INTERVIEW_START + timedelta(hours=1),
    )
    application.refresh_from_db()
    return application


# --- Planning one application: a few queries, whatever else the candidate has ------------


def _planning_cost(owner, company: str) -> tuple[int, float]:
    """(queries, seconds) of planning, as the request does, an application just rejected."""
    logged = log_interview(owner, company=company)
    services.plan_requested()
    interview_services.application_set_status(
        application=logged.application, status=ApplicationStatus.REJECTED
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        assert services.plan_now(application_ids=[logged.application.pk]) == []
        seconds = time.perf_counter() - started
    assert FollowUp.objects.filter(application=logged.application, rule="R9").exists()
    assert not PlanRequest.objects.exists()
    return len(queries), seconds


@pytest.mark.django_db
def test_planning_one_application_takes_the_same_few_queries_however_many_others_there_are(
    owner,
):
    alone, _ = _planning_cost(owner, "First Co")
    for n in range(25):
        log_interview(owner, company=f"Other {n}")
    services.plan_requested()
    among_many, seconds = _planning_cost(owner, "Last Co")

    assert among_many == alone
    # Measured: 19 queries (three of them savepoints), 20 to 35 ms on PostgreSQL; the bound
    # leaves room for a new fact.
    assert alone <= 22
    assert seconds < 1.0


# --- The page the user lands on shows the new plan -----------------------------------------


commits = pytest.mark.django_db(transaction=True)


@commits
def test_after_mark_rejected_the_application_page_shows_the_rejections_plan(
    owner, owner_client, enqueued
):
    application = _waiting_for_news(owner)
    before, _ = plan_on(owner_client.get(application.get_absolute_url()))
    assert STATUS_UPDATE in before

    page = owner_client.post(
        reverse("application_status", args=[application.pk]),
        {"status": ApplicationStatus.REJECTED},
        follow=True,
    )

    assert page.status_code == 200
    assert page.redirect_chain == [(application.get_absolute_url(), 302)]
    open_items, closed_items = plan_on(page)
    assert STATUS_UPDATE not in open_items
    assert STATUS_UPDATE in closed_items  # shown as skipped: the application ended
    assert CORDIAL_REPLY in open_items
    assert OTHER_OPENINGS in open_items
    assert not PlanRequest.objects.exists()
    assert enqueued == []


@commits
def test_after_mark_rejected_from_the_inbox_the_page_shows_the_rejections_plan(
    owner, owner_client, enqueued
):
    application = _waiting_for_news(owner)
    raw = (SAMPLES / "rejection_move_forward.eml").read_bytes()
    message = inbox_services.receive(owner=owner, raw=raw, source="upload").message
    inbox_services.message_file(message=message, application=application)
    # Filing the employer's mail is news, planned at once: no status update asked for.
    before, _ = plan_on(owner_client.get(application.get_absolute_url()))
    assert STATUS_UPDATE not in before
    assert VALUE_CONTACT in before
    assert CORDIAL_REPLY not in before

    page = owner_client.post(
        reverse("inbox_message_act", args=[message.pk]), {"action": "reject"}, follow=True
    )

    assert page.status_code == 200
    assert page.redirect_chain == [(application.get_absolute_url(), 302)]
    open_items, _ = plan_on(page)
    assert VALUE_CONTACT not in open_items
    assert CORDIAL_REPLY in open_items and OTHER_OPENINGS in open_items
    assert not PlanRequest.objects.exists()
    assert enqueued == []


@commits
def test_after_adding_an_interview_its_page_shows_its_plan(owner, owner_client, enqueued):
    application = interview_services.application_create(
        owner=owner, company="Acme Analytics", role_title="Product Manager"
    )
    ended = NOW - timedelta(minutes=90)

    page = owner_client.post(
        reverse("interview_create", args=[application.pk]),
        {
            "round_number": "1",
            "format": "video",
            "starts_at": f"{ended - timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "ends_at": f"{ended:%Y-%m-%dT%H:%M}",
        },
        follow=True,
    )

    assert page.status_code == 200
    interview = application.interviews.get()
    assert page.redirect_chain == [(interview.get_absolute_url(), 302)]
    assert DEBRIEF in plan_on(page)[0]
    assert not PlanRequest.objects.exists()
    assert enqueued == []


@commits
def test_after_marking_a_note_sent_the_plan_ticks_its_thank_you(owner, owner_client, enqueued):
    ended = NOW - timedelta(hours=2)
    application = interview_services.application_create(
        owner=owner, company="Acme Analytics", role_title="Product Manager"
    )
    interview = interview_services.interview_create(
        application=application,
        round_number=1,
        format="video",
        starts_at=ended - timedelta(hours=1),
        ends_at=ended,
    )
    ada = interview_services.interviewer_add(
        interview=interview,
        name="Ada Lovelace",
        title="CTO",
        email="ada@acme.example",
        role=InterviewerRole.HIRING_MANAGER,
        topics="The analytics engine",
    ).interviewer
    r2 = FollowUp.objects.get(application=application, rule="R2")
    before = _cell(owner_client.get(interview.get_absolute_url()), r2.pk)
    assert "To do" in before and "<form" in before
    note = note_services.note_create(
        application=application,
        candidate=owner,
        interviewer=ada,
        kind=CorrespondenceKind.THANK_YOU,
        interview=interview,
    )

    landed = owner_client.post(
        reverse("note_mark_sent", args=[note.pk]),
        {
            "channel": "email",
            "subject": note.subject,
            "body": note.body,
            "attachment_description": "",
            "version": note.version,
            "editor": "tab-one",
            "sent_at": f"{NOW - timedelta(minutes=5):%Y-%m-%dT%H:%M}",
        },
        follow=True,
    )

    # The note's own page has no plan; the interview page, the next one read, has it.
    assert landed.status_code == 200
    assert b"as sent" in landed.content
    assert not PlanRequest.objects.exists()
    # The thank-you task's line for Ada: the email ticked, the card or letter still to do.
    page = owner_client.get(interview.get_absolute_url())
    after = _cell(page, r2.pk)
    assert ">Done<" in after and "<form" not in after
    r3 = FollowUp.objects.get(application=application, rule="R3")
    assert "To do" in _cell(page, r3.pk)
    assert FollowUp.objects.get(application=application, rule="R2").status == Status.DONE
    assert enqueued == []


# --- The outbox is the safety net ------------------------------------------------------------


@commits
def test_planning_that_fails_in_the_request_loses_no_save_and_the_sweep_plans_it(
    owner, owner_client, enqueued, monkeypatch, caplog
):
    application = _waiting_for_news(owner)

    def fails(**kwargs):
        raise RuntimeError("planning failed")

    with monkeypatch.context() as patched:
        patched.setattr(services, "plan_application", fails)
        page = owner_client.post(
            reverse("application_status", args=[application.pk]),
            {"status": ApplicationStatus.REJECTED},
            follow=True,
        )

    assert page.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert PlanRequest.objects.filter(application=application).exists()
    assert "waits in the outbox for the worker" in caplog.text
    assert enqueued == [application.pk]  # the worker is asked to plan it

    assert services.plan_requested() == 1  # the minute tick's sweep
    assert not PlanRequest.objects.exists()
    open_items, _ = plan_on(owner_client.get(application.get_absolute_url()))
    assert STATUS_UPDATE not in open_items
    assert CORDIAL_REPLY in open_items


@commits
def test_a_change_to_many_applications_plans_a_few_at_once_and_leaves_the_rest_to_the_task(
    owner, enqueued, monkeypatch
):
    monkeypatch.setattr(services, "PLAN_NOW_AT_MOST", 2)
    first, second, third = (
        interview_services.application_create(owner=owner, company=name, role_title="PM")
        for name in ("One", "Two", "Three")
    )

    services.settings_update(candidate=owner, paused=False, disabled_rules=["R3"])

    assert list(PlanRequest.objects.values_list("application_id", flat=True)) == [third.pk]
    assert enqueued == [third.pk]
    assert first.pk < second.pk < third.pk
