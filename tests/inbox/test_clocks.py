"""The two clocks (issue 13.5): the employer's last message beside the candidate's last touch,
on the application's page, the dashboard and the timeline; and the employer's reply as a
fact the rules read (R6, R7), through the Inbox's signal to reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from inbox import services
from notes.models import Correspondence, CorrespondenceKind
from reminders.models import FollowUp, PlanRequest
from reminders.services import application_facts
from tests.factories import InterviewFactory
from tests.inbox.conftest import make_email

pytestmark = pytest.mark.django_db

# Friday 4 December 2026, 12:00 UTC.
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_the_application_page_shows_both_clocks(owner_client, owner, application):
    services.receive(owner=owner, raw=make_email(date=NOW - timedelta(days=3)), source="smtp")
    Correspondence.objects.create(
        application=application, kind=CorrespondenceKind.THANK_YOU, sent_at=NOW - timedelta(days=5)
    )
    page = owner_client.get(application.get_absolute_url()).content.decode()
    clocks = page[page.index("two-clocks") :].split("</section>")[0]
    assert "The employer last wrote" in clocks and "3 days ago" in clocks
    assert "Your last touch" in clocks and "5 days ago" in clocks
    assert "Your application" in clocks  # the message, linked


def test_the_clocks_say_never_before_anything_was_written(owner_client, application):
    page = owner_client.get(application.get_absolute_url()).content.decode()
    clocks = page[page.index("two-clocks") :].split("</section>")[0]
    assert clocks.count("never") == 2


def test_the_dashboard_shows_the_clocks_and_what_waits_in_the_inbox(
    owner_client, owner, application
):
    services.receive(owner=owner, raw=make_email(date=NOW - timedelta(days=1)), source="smtp")
    services.receive(
        owner=owner,
        raw=make_email(sender=("X", "x@gmail.com"), message_id="<unfiled@x>"),
        source="smtp",
    )
    dashboard = owner_client.get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("inbox_clocks")}"' in dashboard  # loaded apart, by htmx
    page = owner_client.get(reverse("inbox_clocks")).content.decode()
    panel = page[page.index("dashboard-clocks") :].split("</section>")[0]
    assert "2 waiting for you" in panel  # neither acted on yet
    assert str(application) in panel and "yesterday" in panel


def test_the_dashboard_panel_says_what_it_will_show_before_any_open_application(owner_client):
    page = owner_client.get(reverse("inbox_clocks")).content.decode()

    assert "Each open application will show here" in page
    assert "<table" not in page


def test_a_received_message_is_inbound_correspondence_on_the_timeline(
    owner_client, owner, application
):
    message = services.receive(
        owner=owner, raw=make_email(subject="Next steps", date=NOW - timedelta(hours=2)),
        source="smtp",
    ).message
    page = owner_client.get(reverse("application_timeline", args=[application.pk]))
    text = page.content.decode()
    assert "Priya Raman wrote" in text and "Next steps" in text
    assert message.get_absolute_url() in text


def test_application_facts_carry_when_the_employer_last_wrote(owner, application):
    assert application_facts(application).employer_last_wrote_at is None
    services.receive(owner=owner, raw=make_email(date=NOW - timedelta(days=2)), source="smtp")
    assert application_facts(application).employer_last_wrote_at == NOW - timedelta(days=2)


def test_R7_check_in_recounts_from_the_employers_reply(
    owner, application, django_capture_on_commit_callbacks
):
    from reminders.services import plan_application

    InterviewFactory(
        application=application, starts_at=NOW - timedelta(days=3, hours=1),
        ends_at=NOW - timedelta(days=3),
    )
    plan_application(application_id=application.pk)
    [before] = FollowUp.objects.filter(application=application, rule="R7", status="pending")
    assert before.due_at < NOW + timedelta(days=5)  # a week after the interview
    PlanRequest.objects.all().delete()
    services.receive(owner=owner, raw=make_email(date=NOW), source="smtp")
    # Filing the message recorded a re-planning request in its transaction (the outbox).
    assert PlanRequest.objects.filter(application_id=application.pk).exists()
    plan_application(application_id=application.pk)
    pending = FollowUp.objects.filter(application=application, rule="R7", status="pending")
    # There is news now: the week is counted again from the reply.
    assert [row.due_at >= NOW + timedelta(days=6) for row in pending] == [True]


def test_the_board_cards_leave_who_wrote_last_to_the_application_page(
    owner_client, owner, application
):
    # A board card shows the next step instead (issue 18.9); the two clocks stay on the
    # application's page and the dashboard.
    services.receive(owner=owner, raw=make_email(date=NOW - timedelta(days=3)), source="smtp")
    page = owner_client.get(reverse("board")).content.decode()
    card = page[page.index(f'id="card-{application.pk}"') :].split("</li>")[0]
    assert "wrote" not in card and "never" not in card
    detail = owner_client.get(application.get_absolute_url()).content.decode()
    assert "The employer last wrote" in detail
