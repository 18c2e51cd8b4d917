"""The dashboard says what is urgent: windows closing today count as today's, a card says
"closes in 5 h", a debrief left half-way says which step, and thank-yous are one task."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import DebriefDraft
from reminders.models import FollowUp, Status
from tests.factories import ApplicationFactory, InterviewerFactory, InterviewFactory
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    frozen,  # noqa: F401 — a fixture
)
from tracking import dashboard

pytestmark = pytest.mark.usefixtures("frozen")


def _section(response, bucket: str) -> str:
    found = re.search(rf'<section class="[^"]*bucket-{bucket}".*?</section>',
                      response.content.decode(), re.S)
    assert found, bucket
    return found.group(0)


def _count(response, bucket: str) -> int:
    return int(re.search(r'bucket-count">(\d+)<', _section(response, bucket)).group(1))


def thank_you_rows(owner, interview, people, status=Status.REMINDED):
    rows = []
    for person in people:
        for rule in ("R2", "R3"):
            rows.append(FollowUp.objects.create(
                owner=owner, application=interview.application, interview=interview,
                interviewer=person, rule=rule, key=f"{rule}:{interview.pk}:{person.pk}",
                due_at=interview.ends_at + timedelta(hours=2), status=status,
            ))
    return rows


@pytest.fixture
def closing_today(owner):
    """Three people met two days ago, at 20:30 UTC: the thank-you emails' 48 hours end
    today at 20:30, five hours from now."""
    application = ApplicationFactory(owner=owner, company="Monzo")
    ended = CURRENT_TIME.replace(day=16, hour=20, minute=30)
    interview = InterviewFactory(application=application, starts_at=ended - timedelta(hours=1),
                                 ends_at=ended, format="on_site")
    people = [InterviewerFactory(application=application, name=name)
              for name in ("Siobhán Kelly", "Raj Patel", "Ann Lee")]
    return interview, thank_you_rows(owner, interview, people)


def test_thank_yous_closing_today_count_as_today_and_say_how_long_is_left(
    owner_client, closing_today
):
    interview, _ = closing_today

    response = owner_client.get(reverse("home"))

    today = _section(response, "today")
    assert f'id="action-thanks-{interview.pk}"' in today
    assert _count(response, "today") == 1  # one task, not six rows
    assert "action-thanks-" not in _section(response, "overdue")
    assert "Thank the 3 people you met" in today
    assert "closes in 5 h" in today
    # The exact time stays on the element, in the candidate's zone (London: UTC in Nov).
    assert 'title="Wed 18 Nov, 20:30"' in today


def test_one_card_for_the_thank_yous_and_one_line_per_person_with_both_channels(
    owner_client, closing_today
):
    interview, rows = closing_today
    FollowUp.objects.filter(pk=rows[0].pk).update(status=Status.DONE)

    response = owner_client.get(reverse("home"))

    html = response.content.decode()
    assert html.count(f'id="action-thanks-{interview.pk}"') == 1
    assert "Send a thank-you email — Siobhán" not in html
    lines = re.findall(r'<span class="person">([^<]+)</span>', html)
    assert lines == ["Ann Lee", "Raj Patel", "Siobhán Kelly"]  # by name
    assert "0 of 3 people thanked" in html
    # Siobhán's email is ticked, her card or letter still to do.
    cell = html[html.index(f'id="followup-{rows[0].pk}"'):]
    assert ">Done<" in cell[:cell.index("</div>")]
    cell = html[html.index(f'id="followup-{rows[1].pk}"'):]
    assert ">To do<" in cell[:cell.index("</div>")]


def test_the_task_leaves_the_dashboard_when_every_line_is_done_or_skipped(
    owner_client, closing_today
):
    interview, rows = closing_today
    for n, row in enumerate(rows):
        owner_client.post(reverse("followup_action", args=[row.pk, "done" if n % 2 else
                                                            "dismiss"]), {"next": "/"})

    response = owner_client.get(reverse("home"))

    assertNotContains(response, f'id="action-thanks-{interview.pk}"')
    assert set(FollowUp.objects.values_list("status", flat=True)) == {
        Status.DONE, Status.DISMISSED}


def test_a_half_done_debrief_says_which_step_to_finish(owner_client, owner):
    application = ApplicationFactory(owner=owner)
    started = InterviewFactory(application=application,
                               starts_at=CURRENT_TIME - timedelta(hours=4),
                               ends_at=CURRENT_TIME - timedelta(hours=3))
    untouched = InterviewFactory(application=application, round_number=2,
                                 starts_at=CURRENT_TIME - timedelta(hours=3),
                                 ends_at=CURRENT_TIME - timedelta(hours=2))
    DebriefDraft.objects.create(interview=started,
                                data={"step": "answers", "step_data": {"notes": {}}})

    response = owner_client.get(reverse("home"))

    debrief = reverse("debrief", args=[started.pk])
    assertContains(response, f'href="{debrief}">Finish debrief (step 3 of 4)</a>')
    assertContains(response, f'href="{reverse("debrief", args=[untouched.pk])}">Debrief now</a>')


def test_the_debrief_steps_are_the_wizards():
    from interviews.drafts import STEPS
    from interviews.views import DEBRIEF_STEPS

    assert tuple(name for name, _, _ in DEBRIEF_STEPS) == STEPS


@pytest.mark.parametrize(("due", "closes", "said"), [
    (timedelta(hours=-30), timedelta(hours=5), "closes in 5 h"),
    (timedelta(hours=-30), timedelta(minutes=40), "closes in 40 min"),
    (timedelta(hours=3), None, "due in 3 h"),
    (timedelta(hours=-2), None, "due 2 h ago"),
    (timedelta(hours=-2), timedelta(days=2), "due 2 h ago"),
    (timedelta(days=3), None, ""),
    (timedelta(days=-3), None, ""),
])
def test_how_soon_is_said_within_a_day(due, closes, said):
    now = CURRENT_TIME
    assert dashboard.when_text(
        due_at=now + due, closes_at=now + closes if closes else None, now=now
    ) == said


def test_badges_keep_their_height_when_a_title_wraps(owner_client, closing_today):
    response = owner_client.get(reverse("home"))

    badges = re.findall(r'<span class="badge[^"]*action-kind[^"]*"', response.content.decode())
    assert badges and all("align-self-start" in badge for badge in badges)
