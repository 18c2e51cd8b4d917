"""The Inbox in plain words (issue 18, point 11).

* A suggestion the user accepted reads "Done: interview added to your plan", never a green
  "Applied" that looks like the application's status.
* An invitation is listed with its interview's date, not only the day it arrived.
* "Hannah Okafor (Head of Design)" becomes Hannah Okafor, titled Head of Design, as the
  hiring manager; a video call never tips "check with reception".
* A cancelled interview offers no "Write notes" (nor a debrief).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from inbox import attendees, services
from inbox.models import ReceivedMessage
from interviews.models import Interview, InterviewerRole
from tests.factories import AttendanceFactory, InterviewFactory
from tests.inbox.conftest import CURRENT_TIME, make_email, make_ics

pytestmark = pytest.mark.django_db

HANNAH = ("Hannah Okafor (Head of Design)", "hannah.okafor@northwind.io")


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


def _invite(owner, **ics) -> ReceivedMessage:
    raw = make_email(subject="Interview invitation", ics=make_ics(**ics))
    return services.receive(owner=owner, raw=raw, source="upload").message


# --- Names and titles (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "expected"),
    [
        ("Hannah Okafor (Head of Design)", ("Hannah Okafor", "Head of Design")),
        ("Hannah Okafor – Head of Design", ("Hannah Okafor", "Head of Design")),
        ("Hannah Okafor | Talent Partner", ("Hannah Okafor", "Talent Partner")),
        ("Anna-Lena Schmidt", ("Anna-Lena Schmidt", "")),
        ("Okafor, Hannah", ("Okafor, Hannah", "")),
        ("  Marco   Verdi ", ("Marco Verdi", "")),
        ("(Head of Design)", ("(Head of Design)", "")),
        ("", ("", "")),
    ],
)
def test_a_title_in_the_display_name_is_split_off(display_name, expected):
    assert attendees.split_title(display_name) == expected


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Head of Design", InterviewerRole.HIRING_MANAGER),
        ("Director of Engineering", InterviewerRole.HIRING_MANAGER),
        ("VP Product", InterviewerRole.HIRING_MANAGER),
        ("Engineering Manager", InterviewerRole.HIRING_MANAGER),
        ("Talent Acquisition Manager", InterviewerRole.HR),
        ("Senior Recruiter", InterviewerRole.HR),
        ("Chief Technology Officer", InterviewerRole.MANAGERS_BOSS),
        ("CTO", InterviewerRole.MANAGERS_BOSS),
        ("Senior Software Engineer", InterviewerRole.COLLEAGUE),
        ("", InterviewerRole.OTHER),
        ("Friend of the family", InterviewerRole.OTHER),
    ],
)
def test_a_title_suggests_a_role_of_the_apps_choices(title, role):
    assert attendees.role_for(title) == role


# --- The invitation's people -------------------------------------------------------------


def test_an_invitations_person_gets_their_title_and_role(owner, application):
    message = _invite(owner, attendees=(HANNAH, ("Owner", "owner@example.com")))
    services.message_act(message=message, action="log_interview")
    hannah = Interview.objects.get().interviewers.get(email=HANNAH[1])
    assert (hannah.name, hannah.title) == ("Hannah Okafor", "Head of Design")
    assert hannah.role == InterviewerRole.HIRING_MANAGER
    # The recruiter recorded before keeps their role; an untitled name stays "Other".
    priya = Interview.objects.get().interviewers.get(email="priya.raman@northwind.io")
    assert priya.role == InterviewerRole.HR


def test_a_video_call_gives_no_reception_tip_an_on_site_one_does(owner_client, owner, application):
    message = _invite(owner, attendees=(("Marco Verdi", "marco.verdi@northwind.io"),))
    services.message_act(message=message, action="log_interview")
    interview = Interview.objects.get()
    assert interview.format == "video"
    page = owner_client.get(interview.get_absolute_url()).content.decode()
    assert "Missing title: look at their email signature or the invitation" in page
    assert "reception" not in page.split('id="attendees"')[1].split("</section>")[0]

    interview.format = "on_site"
    interview.save(update_fields=["format"])
    page = owner_client.get(interview.get_absolute_url()).content.decode()
    assert "Missing title: ask for their card or check with reception." in page


def test_in_person_means_on_site_or_a_panel_at_an_address():
    assert Interview(format="on_site").in_person
    assert Interview(format="panel", location="1 Main Street, Leeds").in_person
    assert not Interview(format="panel", location="https://meet.example/abc").in_person
    assert not Interview(format="panel", location="").in_person
    assert not Interview(format="video", location="1 Main Street").in_person
    assert not Interview(format="phone").in_person


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_an_invitations_interview_date(owner_client, owner, application):
    _invite(owner)
    page = owner_client.get(reverse("inbox")).content.decode()
    # 10:00 in New York on 8 December is 15:00 in London, the owner's zone.
    assert "Interview: <strong><time" in page
    assert "Tuesday 8 December 2026, 15:00</time>" in page
    assert "received <time" in page


def test_the_list_says_what_was_done_not_applied(owner_client, owner, application):
    message = _invite(owner)
    services.message_act(message=message, action="log_interview")
    rejection = services.receive(
        owner=owner, raw=make_email(message_id="<r@x>", subject="Decision"), source="upload"
    ).message
    services.message_file(message=rejection, application=application)
    services.message_act(message=rejection, action="reject")

    page = owner_client.get(reverse("inbox") + "?show=all").content.decode()
    assert '<span class="inbox-outcome">✓ Done: interview added to your plan</span>' in page
    assert '<span class="inbox-outcome">✓ Done: marked rejected</span>' in page
    assert ">Applied<" not in page and "text-bg-success" not in page

    detail = owner_client.get(message.get_absolute_url()).content.decode()
    assert "✓ Done on 1 Dec 2026: interview added to your plan." in detail
    assert ">Applied" not in detail


def test_a_message_without_an_invitation_shows_no_interview_line(owner_client, owner):
    services.receive(owner=owner, raw=make_email(), source="upload")
    page = owner_client.get(reverse("inbox")).content.decode()
    assert "Interview: <strong>" not in page and "received <time" not in page


def test_a_cancelled_invitation_says_so_in_the_list(owner_client, owner, application):
    message = _invite(owner)
    services.message_act(message=message, action="log_interview")
    raw = make_email(
        message_id="<cancel@x>", subject="Cancelled", method="CANCEL",
        ics=make_ics(method="CANCEL", sequence=1),
    )
    services.receive(owner=owner, raw=raw, source="upload")
    page = owner_client.get(reverse("inbox")).content.decode()
    assert "Cancelled: the interview on <strong><time" in page


# --- A cancelled interview -----------------------------------------------------------------


@pytest.fixture
def cancelled(owner, application):
    interview = InterviewFactory(
        application=application,
        starts_at=datetime(2026, 11, 30, 14, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
        cancelled_at=datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
    )
    AttendanceFactory(interview=interview, interviewer__name="Marco Verdi")
    return interview


def test_a_cancelled_interview_offers_no_write_notes_nor_debrief(owner_client, cancelled):
    page = owner_client.get(cancelled.get_absolute_url()).content.decode()
    assert "Write notes" not in page
    assert "no thank-you note is needed" in page
    assert reverse("debrief", args=[cancelled.pk]) not in page
    assert "nothing to debrief" in page

    notes_page = owner_client.get(reverse("interview_notes", args=[cancelled.pk]))
    text = notes_page.content.decode()
    assert 'id="cancelled"' in text and "Start the note" not in text


def test_starting_notes_for_a_cancelled_interview_drafts_nothing(owner_client, cancelled):
    from notes.models import Note

    response = owner_client.post(reverse("notes_start", args=[cancelled.pk]))
    assert response.status_code == 302
    assert not Note.objects.exists()


def test_an_interview_not_cancelled_still_offers_write_notes(owner_client, cancelled):
    Interview.objects.filter(pk=cancelled.pk).update(cancelled_at=None)
    page = owner_client.get(cancelled.get_absolute_url()).content.decode()
    assert "Write notes" in page
