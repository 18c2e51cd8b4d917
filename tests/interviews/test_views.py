"""What the candidate sees and does with applications, interviews and interviewers."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from interviews.models import (
    LISTING_TEXT_MAX_CHARS,
    Application,
    ApplicationStatus,
    Attendance,
    DebriefDraft,
    Interview,
    Interviewer,
    StatusChange,
)
from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    CandidateFactory,
    InterviewerFactory,
    InterviewFactory,
)
from tests.interviews.factories import DebriefFactory

# A summer day: the owner (Europe/London) is on BST, one hour ahead of UTC.
CURRENT_TIME = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _history(response) -> list[str]:
    """The entries of the History list on the application page, oldest first."""
    timeline = re.search(r'<ol class="timeline[^"]*">(.*?)</ol>', response.content.decode(), re.S)
    assert timeline, "no History on the page"
    return [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", timeline.group(1), re.S)]


def _home_rows(response) -> list[list[str]]:
    """The cells of each application row on the applications list."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    if not body:
        return []
    return [
        [_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def _application_data(**overrides) -> dict:
    data = {
        "company": "Acme Robotics",
        "role_title": "Product Manager",
        "status": "applied",
        "listing_url": "https://jobs.acme.example/pm-42",
        "listing_text": "Lead the roadmap.\nWork with engineering.",
        "source": "referral",
        "decision_date": "2026-07-20",
        "notes": "Referred by Sam.",
    }
    return {**data, **overrides}


def _interview_data(**overrides) -> dict:
    data = {
        "round_number": "1",
        "format": "video",
        "starts_at": "2026-07-10T10:00",
        "ends_at": "2026-07-10T11:00",
        "location": "https://meet.example/abc",
        "q_most_important": "Ship the new onboarding.",
        "q_most_difficult": "",
        "q_rounds_remaining": "",
        "q_other_steps": "",
        "q_decision_by": "",
        "q_next_step": "",
        "q_preferred_contact": "",
    }
    return {**data, **overrides}


@pytest.fixture
def application(owner):
    return ApplicationFactory(owner=owner, company="Acme Robotics", created_at=CURRENT_TIME)


@pytest.fixture
def interview(application):
    return InterviewFactory(
        application=application,
        starts_at=datetime(2026, 7, 10, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 7, 10, 10, 0, tzinfo=UTC),
    )


# --- Creating an application ---------------------------------------------------------------


def test_owner_creates_application_with_every_field(owner_client, owner):
    response = owner_client.post(reverse("application_create"), _application_data())

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert application.owner == owner
    assert application.company == "Acme Robotics"
    assert application.role_title == "Product Manager"
    assert application.status == ApplicationStatus.APPLIED
    assert application.listing_url == "https://jobs.acme.example/pm-42"
    assert application.listing_text == "Lead the roadmap.\nWork with engineering."
    assert application.source == "referral"
    assert application.decision_date == date(2026, 7, 20)
    assert application.notes == "Referred by Sam."
    assert application.created_at == CURRENT_TIME


def test_new_application_page_shows_it_with_a_confirmation(owner_client):
    response = owner_client.post(reverse("application_create"), _application_data(), follow=True)

    assertContains(response, "Added Product Manager at Acme Robotics.")
    assertContains(response, "Decision expected 20 Jul 2026")
    assertContains(response, 'href="https://jobs.acme.example/pm-42"')


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company", "", "This field is required."),
        ("company", "   ", "This field is required."),
        ("role_title", "", "This field is required."),
        ("listing_url", "not a url", "Enter a valid URL."),
        ("listing_url", "javascript:alert(1)", "Enter a valid URL."),
        (
            "listing_text",
            "x" * (LISTING_TEXT_MAX_CHARS + 1),
            "Ensure this value has at most 100000 characters (it has 100001).",
        ),
        ("status", "hired", "Select a valid choice. hired is not one of the available choices."),
        ("decision_date", "next week", "Enter a valid date."),
    ],
    ids=[
        "no-company",
        "blank-company",
        "no-role",
        "bad-url",
        "script-url",
        "listing-too-long",
        "unknown-status",
        "bad-date",
    ],
)
def test_bad_application_input_reshows_form_with_message_and_creates_nothing(
    owner_client, field, value, message
):
    response = owner_client.post(reverse("application_create"), _application_data(**{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assertContains(response, html.escape(message))
    assert not Application.objects.exists()
    assert not StatusChange.objects.exists()


def test_listing_text_of_exactly_100000_characters_is_accepted(owner_client):
    listing = ("Lead the roadmap. " * 6000)[:LISTING_TEXT_MAX_CHARS]
    assert len(listing) == 100_000

    response = owner_client.post(
        reverse("application_create"), _application_data(listing_text=listing)
    )

    assert response.status_code == 302
    assert Application.objects.get().listing_text == listing


# --- Status history ------------------------------------------------------------------------


def test_creating_application_records_its_initial_status_with_time(owner_client):
    response = owner_client.post(reverse("application_create"), _application_data(), follow=True)

    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status) == ("", "applied")
    assert change.changed_at == CURRENT_TIME
    # Shown in the candidate's zone: 12:00 UTC is 13:00 in London in July.
    assert _history(response) == ["1 Jul 2026, 13:00 Created as Applied"]


def test_status_change_in_edit_form_is_recorded_in_history_with_its_time(
    owner_client, application, time_machine
):
    time_machine.move_to(datetime(2026, 7, 3, 8, 30, tzinfo=UTC), tick=False)

    response = owner_client.post(
        reverse("application_edit", args=[application.pk]),
        _application_data(status="offer"),
        follow=True,
    )

    application.refresh_from_db()
    assert application.status == "offer"
    last = application.status_changes.last()
    assert (last.from_status, last.to_status) == ("applied", "offer")
    assert last.changed_at == datetime(2026, 7, 3, 8, 30, tzinfo=UTC)
    assert _history(response) == [
        "1 Jul 2026, 13:00 Created as Applied",
        "3 Jul 2026, 09:30 Applied → Offer",
    ]


def test_quick_status_form_records_each_change_in_history_with_its_time(
    owner_client, application, time_machine
):
    url = reverse("application_status", args=[application.pk])
    time_machine.move_to(datetime(2026, 7, 2, 9, 0, tzinfo=UTC), tick=False)
    owner_client.post(url, {"status": "interviewing"})
    time_machine.move_to(datetime(2026, 7, 9, 16, 45, tzinfo=UTC), tick=False)

    response = owner_client.post(url, {"status": "rejected"}, follow=True)

    assertContains(response, "Status changed to rejected.")
    assert _history(response) == [
        "1 Jul 2026, 13:00 Created as Applied",
        "2 Jul 2026, 10:00 Applied → Interviewing",
        "9 Jul 2026, 17:45 Interviewing → Rejected",
    ]
    assert [change.changed_at for change in application.status_changes.all()] == [
        CURRENT_TIME,
        datetime(2026, 7, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 7, 9, 16, 45, tzinfo=UTC),
    ]


def test_saving_application_without_changing_status_adds_no_history(owner_client, application):
    owner_client.post(
        reverse("application_edit", args=[application.pk]), _application_data(notes="More notes")
    )
    owner_client.post(reverse("application_status", args=[application.pk]), {"status": "applied"})

    application.refresh_from_db()
    assert application.notes == "More notes"
    assert application.status_changes.count() == 1


def test_quick_status_form_refuses_an_unknown_status(owner_client, application):
    response = owner_client.post(
        reverse("application_status", args=[application.pk]), {"status": "hired"}, follow=True
    )

    assertContains(response, "Choose one of the listed statuses.")
    application.refresh_from_db()
    assert application.status == "applied"
    assert application.status_changes.count() == 1


# --- Logging interviews --------------------------------------------------------------------


def test_interview_times_are_read_in_candidate_zone_and_stored_in_utc(
    owner_client, owner, application
):
    owner.time_zone = "Asia/Tokyo"
    owner.save(update_fields=["time_zone"])

    response = owner_client.post(
        reverse("interview_create", args=[application.pk]), _interview_data(), follow=True
    )

    interview = Interview.objects.get()
    assert interview.starts_at == datetime(2026, 7, 10, 1, 0, tzinfo=UTC)
    assert interview.ends_at == datetime(2026, 7, 10, 2, 0, tzinfo=UTC)
    assertContains(response, "Friday 10 July 2026, 10:00–11:00")
    assertContains(response, "(Asia/Tokyo)")


@pytest.mark.parametrize("ends_at", ["2026-07-10T09:30", "2026-07-10T10:00"])
def test_interview_ending_before_it_starts_is_a_form_error(owner_client, application, ends_at):
    response = owner_client.post(
        reverse("interview_create", args=[application.pk]), _interview_data(ends_at=ends_at)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["The interview must end after it starts."]
    assertContains(response, "The interview must end after it starts.")
    assert not Interview.objects.exists()


def test_editing_interview_to_end_before_it_starts_is_a_form_error(owner_client, interview):
    response = owner_client.post(
        reverse("interview_edit", args=[interview.pk]),
        _interview_data(starts_at="2026-07-10T12:00", ends_at="2026-07-10T11:00"),
    )

    assert response.status_code == 200
    assertContains(response, "The interview must end after it starts.")
    interview.refresh_from_db()
    assert interview.starts_at == datetime(2026, 7, 10, 9, 0, tzinfo=UTC)


def test_logging_first_interview_moves_applied_application_to_interviewing(
    owner_client, application
):
    response = owner_client.post(
        reverse("interview_create", args=[application.pk]), _interview_data()
    )

    application.refresh_from_db()
    assert application.status == "interviewing"
    page = owner_client.get(application.get_absolute_url())
    assert _history(page)[-1] == "1 Jul 2026, 13:00 Applied → Interviewing"
    assert response["Location"] == Interview.objects.get().get_absolute_url()


def test_logging_interview_keeps_a_later_status(owner_client, owner):
    application = ApplicationFactory(owner=owner, status="offer")

    owner_client.post(reverse("interview_create", args=[application.pk]), _interview_data())

    application.refresh_from_db()
    assert application.status == "offer"
    assert application.status_changes.count() == 1


def test_decision_expected_by_on_interview_sets_application_decision_date(
    owner_client, application
):
    owner_client.post(
        reverse("interview_create", args=[application.pk]),
        _interview_data(q_decision_by="2026-07-24"),
    )

    application.refresh_from_db()
    assert application.decision_date == date(2026, 7, 24)
    assertContains(
        owner_client.get(application.get_absolute_url()), "Decision expected 24 Jul 2026"
    )


# --- Interviewers --------------------------------------------------------------------------


def _attendee_data(**overrides) -> dict:
    data = {
        "name": "  Jane   Doe ",
        "title": "VP Engineering",
        "role": "hiring_manager",
        "email": "Jane.Doe@Acme.example",
        "phone": "020 7946 0958",
        "topics": "Platform migration",
        "concerns": "Team size",
    }
    return {**data, **overrides}


def test_owner_adds_interviewer_from_interview_page(owner_client, interview):
    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]), _attendee_data(), follow=True
    )

    assert response.redirect_chain == [(interview.get_absolute_url(), 302)]
    person = Interviewer.objects.get()
    assert person.application == interview.application
    assert (person.name, person.email, person.phone) == (
        "Jane Doe",
        "jane.doe@acme.example",
        "+44 20 7946 0958",
    )
    attendance = Attendance.objects.get()
    assert (attendance.interview, attendance.interviewer) == (interview, person)
    assert (attendance.topics, attendance.concerns) == ("Platform migration", "Team size")
    assertContains(response, '<strong class="attendee-name">Jane Doe</strong>', html=True)


def test_confirmation_after_adding_interviewer_is_shown_once(owner_client, interview):
    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]), _attendee_data(), follow=True
    )

    assertContains(response, "Added Jane Doe.", count=1)


def test_htmx_add_returns_attendee_panel_with_new_name_and_fresh_form(owner_client, interview):
    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]), _attendee_data(), headers=HTMX
    )

    assert response.status_code == 200
    assertTemplateUsed(response, "interviews/_attendees.html")
    assertNotContains(response, "<html")
    assertContains(response, '<strong class="attendee-name">Jane Doe</strong>', html=True)
    # The form again, empty: a name field without a value.
    assertContains(
        response,
        '<input type="text" name="name" maxlength="200" required class="form-control" '
        'aria-describedby="id_name_helptext" id="id_name">',
        html=True,
    )
    assertContains(response, "Added Jane Doe.", count=1)
    form = response.context["new_attendee_form"]
    assert not form.is_bound
    assertNotContains(response, 'value="VP Engineering"')
    assert Interviewer.objects.filter(name="Jane Doe").count() == 1


BAD_CONTACT = {"email": "jane-at-acme", "phone": "call reception"}
BAD_CONTACT_ERRORS = {
    "email": ["Enter a valid email address."],
    "phone": ["This does not look like a phone number."],
}


def test_htmx_add_with_bad_email_and_phone_returns_panel_with_errors(owner_client, interview):
    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]),
        _attendee_data(**BAD_CONTACT),
        headers=HTMX,
    )

    # 200, not 4xx: htmx swaps only successful responses into the page.
    assert response.status_code == 200
    assertTemplateUsed(response, "interviews/_attendees.html")
    assertNotContains(response, "<html")
    assert response.context["new_attendee_form"].errors == BAD_CONTACT_ERRORS
    assertContains(response, "Enter a valid email address.")
    assertContains(response, "This does not look like a phone number.")
    assertContains(response, 'value="jane-at-acme"')
    assert not Interviewer.objects.exists()


def test_plain_add_with_bad_email_and_phone_reshows_page_with_errors_and_422(
    owner_client, interview
):
    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]), _attendee_data(**BAD_CONTACT)
    )

    assert response.status_code == 422
    assertTemplateUsed(response, "tracking/interview_detail.html")
    assertContains(response, "<html", status_code=422)
    assertContains(response, "Enter a valid email address.", status_code=422)
    assertContains(response, "This does not look like a phone number.", status_code=422)
    assert not Interviewer.objects.exists()


def test_local_phone_number_is_refused_when_candidate_has_no_country(
    owner_client, owner, interview
):
    owner.country = ""
    owner.save(update_fields=["country"])

    response = owner_client.post(
        reverse("interviewer_add", args=[interview.pk]), _attendee_data(), headers=HTMX
    )

    assert "Start with + and the country code" in str(
        response.context["new_attendee_form"].errors["phone"]
    )
    assert not Interviewer.objects.exists()


def test_interviewer_met_before_is_linked_to_second_interview(owner_client, application):
    first = AttendanceFactory(interview__application=application, topics="Roadmap")
    second_interview = InterviewFactory(application=application, round_number=2)
    person = first.interviewer

    page = owner_client.get(second_interview.get_absolute_url())
    assertContains(page, "Someone you already met for this application")
    assertContains(page, '<select name="interviewer" class="form-select"')
    assertContains(page, '<option value="" selected>Choose a person</option>', html=True)
    response = owner_client.post(
        reverse("interviewer_link", args=[second_interview.pk]),
        {"interviewer": person.pk},
        follow=True,
    )

    assertContains(response, f"{person.name} was at this interview too.")
    assert set(person.interviews.all()) == {first.interview, second_interview}
    assert Interviewer.objects.count() == 1
    detail = owner_client.get(application.get_absolute_url())
    assertContains(detail, f"With {person.name}", count=2)


@pytest.mark.parametrize("whose", ["owner's other application", "another candidate"])
def test_linking_interviewer_of_another_application_is_refused(
    owner_client, owner, interview, whose
):
    other_owner = owner if whose == "owner's other application" else CandidateFactory()
    stranger = InterviewerFactory(application=ApplicationFactory(owner=other_owner))

    response = owner_client.post(
        reverse("interviewer_link", args=[interview.pk]),
        {"interviewer": stranger.pk},
        follow=True,
    )

    assertContains(response, "Choose someone already met for this application.")
    assert not Attendance.objects.exists()
    assertNotContains(response, stranger.name)


def test_notes_are_edited_per_attendance(owner_client, application):
    first = AttendanceFactory(interview__application=application, topics="Roadmap")
    second = Attendance.objects.create(
        interview=InterviewFactory(application=application, round_number=2),
        interviewer=first.interviewer,
        topics="Team",
    )

    response = owner_client.post(
        reverse("attendance_edit", args=[second.pk]),
        {"topics": "Hiring plan\nBudget", "concerns": "Remote work"},
        follow=True,
    )

    assert response.redirect_chain == [(second.interview.get_absolute_url(), 302)]
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.topics, second.concerns) == ("Hiring plan\nBudget", "Remote work")
    assert (first.topics, first.concerns) == ("Roadmap", "No direct experience with Kafka")
    assertContains(response, "Hiring plan<br>Budget")
    assertContains(response, "Remote work")


def test_removing_attendance_keeps_interviewer(owner_client, application):
    attendance = AttendanceFactory(interview__application=application)

    response = owner_client.post(reverse("attendance_remove", args=[attendance.pk]), follow=True)

    assert not Attendance.objects.exists()
    assert Interviewer.objects.get() == attendance.interviewer
    assert Interview.objects.get() == attendance.interview
    assertContains(
        response, f"{attendance.interviewer.name} is no longer listed at this interview."
    )
    assertContains(owner_client.get(application.get_absolute_url()), attendance.interviewer.name)


# --- Deleting ------------------------------------------------------------------------------


@pytest.fixture
def full_application(application):
    """An application with two rounds; one interviewer at both, one at the first only."""
    both = AttendanceFactory(interview__application=application)
    Attendance.objects.create(
        interview=InterviewFactory(application=application, round_number=2),
        interviewer=both.interviewer,
    )
    AttendanceFactory(interview=both.interview)
    return application


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Application, StatusChange, Interview, Interviewer, Attendance)
    }


DELETIONS = {
    "application": (
        lambda app: app,
        "Its interviews, interviewers and history will be deleted too.",
        {"Application": 0, "StatusChange": 0, "Interview": 0, "Interviewer": 0, "Attendance": 0},
    ),
    "interview": (
        lambda app: app.interviews.get(round_number=1),
        "The interviewers stay on the application; their notes for this round are deleted.",
        {"Application": 1, "StatusChange": 1, "Interview": 1, "Interviewer": 2, "Attendance": 1},
    ),
    "interviewer": (
        lambda app: app.interviews.get(round_number=2).interviewers.get(),
        "They are removed from every interview of this application.",
        {"Application": 1, "StatusChange": 1, "Interview": 2, "Interviewer": 1, "Attendance": 1},
    ),
}


@pytest.mark.parametrize("what", DELETIONS)
def test_delete_asks_for_confirmation_on_get_and_deletes_nothing(
    owner_client, full_application, what
):
    target, consequence, _ = DELETIONS[what]
    before = _counts()

    response = owner_client.get(reverse(f"{what}_delete", args=[target(full_application).pk]))

    assert response.status_code == 200
    assertContains(response, f"Delete {html.escape(str(target(full_application)))}?")
    assertContains(response, html.escape(consequence))
    assertContains(response, "Yes, delete")
    assert _counts() == before


@pytest.mark.parametrize("what", DELETIONS)
def test_delete_on_post_removes_what_the_confirmation_said(owner_client, full_application, what):
    target, _, remaining = DELETIONS[what]
    obj = target(full_application)
    other = ApplicationFactory(owner=full_application.owner)
    AttendanceFactory(interview__application=other)

    response = owner_client.post(reverse(f"{what}_delete", args=[obj.pk]))

    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    # The other application and its rows are untouched.
    after = _counts()
    assert {name: after[name] - 1 for name in after} == remaining


# --- Applications list (the home page before the dashboard took its place) -----------------


def test_home_lists_applications_with_company_status_and_next_upcoming_interview(
    owner_client, owner
):
    acme = ApplicationFactory(owner=owner, company="Acme", status="interviewing")
    for starts_at in (
        CURRENT_TIME - timedelta(days=2),  # past: not next
        CURRENT_TIME + timedelta(days=9),
        CURRENT_TIME + timedelta(days=3, hours=2),  # the next one
    ):
        InterviewFactory(application=acme, starts_at=starts_at)
    ApplicationFactory(owner=owner, company="Globex", decision_date=date(2026, 8, 1))

    rows = _home_rows(owner_client.get(reverse("application_list")))

    assert sorted(rows) == [
        ["Acme", "Product Manager", "Interviewing", "Sat 4 Jul 2026, 15:00", "—"],
        ["Globex", "Product Manager", "Applied", "—", "1 Aug 2026"],
    ]


def test_home_lists_newest_application_first(owner_client, owner):
    for days_ago, company in ((3, "Oldest"), (1, "Newest"), (2, "Middle")):
        ApplicationFactory(
            owner=owner, company=company, created_at=CURRENT_TIME - timedelta(days=days_ago)
        )

    rows = _home_rows(owner_client.get(reverse("application_list")))

    assert [row[0] for row in rows] == ["Newest", "Middle", "Oldest"]


def test_home_paginates_at_25_applications(owner_client, owner):
    for index in range(30):
        ApplicationFactory(
            owner=owner,
            company=f"Company {index:02d}",
            created_at=CURRENT_TIME - timedelta(hours=index),
        )

    first = owner_client.get(reverse("application_list"))
    second = owner_client.get(reverse("application_list"), {"page": 2})

    assert len(_home_rows(first)) == 25
    assertContains(first, "Page 1 of 2")
    assertContains(first, 'href="?page=2"')
    assert second.status_code == 200
    assert [row[0] for row in _home_rows(second)] == [f"Company {i}" for i in range(25, 30)]
    companies = [row[0] for row in _home_rows(first) + _home_rows(second)]
    assert len(set(companies)) == 30


@pytest.mark.parametrize("page_number", ["abc", "0", "-1", "999", "1.5", "", "2%00"])
def test_home_with_bad_page_number_shows_a_page_instead_of_failing(
    owner_client, owner, page_number
):
    for _ in range(30):
        ApplicationFactory(owner=owner)

    response = owner_client.get(reverse("application_list"), {"page": page_number})

    assert response.status_code == 200
    assert len(_home_rows(response)) in (25, 5)


def test_home_shows_empty_state_to_new_candidate(owner_client):
    response = owner_client.get(reverse("application_list"))

    assertContains(response, "No applications yet")
    assertContains(response, "Add your first application")
    assert _home_rows(response) == []


def test_home_never_shows_another_candidates_applications(owner_client, owner, outsider):
    ApplicationFactory(owner=owner, company="Mine Inc")
    theirs = ApplicationFactory(owner=outsider, company="Theirs Ltd")
    InterviewFactory(application=theirs, starts_at=CURRENT_TIME + timedelta(days=1))

    response = owner_client.get(reverse("application_list"))

    assert [row[0] for row in _home_rows(response)] == ["Mine Inc"]
    assertNotContains(response, "Theirs Ltd")
    assertNotContains(response, theirs.get_absolute_url())


# --- Constant number of queries ------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    client.get(url)  # Warm caches (content types, session) so both counts compare like with like.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _client_for(client_class, user):
    client = client_class()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def _applications_with_interviews(owner, count: int) -> None:
    applications = Application.objects.bulk_create(
        Application(
            owner=owner,
            company=f"Company {n}",
            role_title="PM",
            created_at=CURRENT_TIME - timedelta(minutes=n),
        )
        for n in range(count)
    )
    Interview.objects.bulk_create(
        Interview(
            application=application,
            starts_at=CURRENT_TIME + timedelta(days=n + 1),
            ends_at=CURRENT_TIME + timedelta(days=n + 1, hours=1),
        )
        for n, application in enumerate(applications)
    )


def test_home_runs_same_number_of_queries_for_1_and_200_applications(db, client, capsys):
    small, large = CandidateFactory(), CandidateFactory()
    _applications_with_interviews(small, 1)
    _applications_with_interviews(large, 200)

    one = _count_queries(_client_for(type(client), small), reverse("application_list"))
    many = _count_queries(_client_for(type(client), large), reverse("application_list"))

    with capsys.disabled():
        print(f"\nhome page queries: {one} with 1 application, {many} with 200")
    assert one == many


def _application_with_people(owner, count: int) -> Application:
    application = ApplicationFactory(owner=owner)
    interviews = Interview.objects.bulk_create(
        Interview(
            application=application,
            round_number=min(n + 1, 20),
            starts_at=CURRENT_TIME + timedelta(days=n),
            ends_at=CURRENT_TIME + timedelta(days=n, hours=1),
        )
        for n in range(count)
    )
    people = Interviewer.objects.bulk_create(
        Interviewer(application=application, name=f"Person {n}", title="Engineer" if n % 2 else "")
        for n in range(count)
    )
    # Each person at their own round, and everyone at the first round (a panel).
    pairs = {(interviews[n], people[n]) for n in range(count)}
    pairs |= {(interviews[0], person) for person in people}
    Attendance.objects.bulk_create(
        Attendance(interview=interview, interviewer=person) for interview, person in pairs
    )
    return application


def test_application_page_runs_same_number_of_queries_for_1_and_50_interviews(db, client, capsys):
    owner = CandidateFactory()
    small = _application_with_people(owner, 1)
    large = _application_with_people(owner, 50)
    owner_client = _client_for(type(client), owner)

    one = _count_queries(owner_client, small.get_absolute_url())
    many = _count_queries(owner_client, large.get_absolute_url())

    with capsys.disabled():
        print(
            f"\napplication page queries: {one} with 1 interview and interviewer, "
            f"{many} with 50 of each"
        )
    assert one == many


# --- User text is escaped ------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile(owner):
    """An application, interview and interviewer whose texts try to inject HTML."""
    application = ApplicationFactory(owner=owner, company=SCRIPT, role_title=SCRIPT)
    attendance = AttendanceFactory(
        interview__application=application, interviewer__name=SCRIPT, topics=IMG, concerns=IMG
    )
    return attendance


def _assert_escaped(response, raw: str) -> None:
    content = response.content.decode()
    assert raw not in content
    assert html.escape(raw, quote=False) in content or html.escape(raw) in content


PAGES_SHOWING_COMPANY = {
    "application_list": lambda a: reverse("application_list"),
    "application_detail": lambda a: reverse(
        "application_detail", args=[a.interview.application_id]
    ),
    "application_edit": lambda a: reverse("application_edit", args=[a.interview.application_id]),
    "application_delete": lambda a: reverse(
        "application_delete", args=[a.interview.application_id]
    ),
    "interview_create": lambda a: reverse("interview_create", args=[a.interview.application_id]),
    "interview_detail": lambda a: reverse("interview_detail", args=[a.interview_id]),
    "interview_edit": lambda a: reverse("interview_edit", args=[a.interview_id]),
    "interviewer_edit": lambda a: reverse("interviewer_edit", args=[a.interviewer_id]),
    "interviewer_delete": lambda a: reverse("interviewer_delete", args=[a.interviewer_id]),
    "attendance_edit": lambda a: reverse("attendance_edit", args=[a.pk]),
}


@pytest.mark.parametrize("page_name", PAGES_SHOWING_COMPANY)
def test_company_name_is_escaped_on_every_page_that_shows_it(owner_client, hostile, page_name):
    response = owner_client.get(PAGES_SHOWING_COMPANY[page_name](hostile))

    assert response.status_code == 200
    _assert_escaped(response, SCRIPT)


@pytest.mark.parametrize("page_name", ["interview_detail", "attendance_edit"])
def test_interviewer_topics_are_escaped_on_every_page_that_shows_them(
    owner_client, hostile, page_name
):
    response = owner_client.get(PAGES_SHOWING_COMPANY[page_name](hostile))

    assert response.status_code == 200
    _assert_escaped(response, IMG)


def test_interviewer_topics_are_escaped_in_htmx_panel(owner_client, hostile):
    response = owner_client.post(
        reverse("interviewer_add", args=[hostile.interview_id]),
        {"name": SCRIPT, "role": "other", "topics": IMG},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert Attendance.objects.filter(topics=IMG).count() == 2
    _assert_escaped(response, IMG)
    _assert_escaped(response, SCRIPT)


def test_hostile_company_is_escaped_in_confirmation_messages(owner_client):
    response = owner_client.post(
        reverse("application_create"), _application_data(company=SCRIPT), follow=True
    )

    assertContains(response, f"Added Product Manager at {html.escape(SCRIPT)}.")
    _assert_escaped(response, SCRIPT)


# --- Django admin --------------------------------------------------------------------------

INTERVIEWS_MODELS = list(apps.get_app_config("interviews").get_models())


def test_every_interviews_model_is_registered_in_admin():
    missing = [model.__name__ for model in INTERVIEWS_MODELS if model not in admin.site._registry]

    assert {model.__name__ for model in INTERVIEWS_MODELS} >= {
        "Candidate",
        "Application",
        "StatusChange",
        "Interview",
        "Interviewer",
        "Attendance",
    }
    assert not missing


@pytest.fixture
def admin_client_with_data(client, db):
    superuser = CandidateFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    attendance = AttendanceFactory(interview__application__company=SCRIPT)
    DebriefFactory(interview=attendance.interview, went_well=SCRIPT)
    DebriefDraft.objects.create(
        interview=attendance.interview, data={"step": "notes", "step_data": {"notes": {}}}
    )
    client.force_login(superuser, backend=MODEL_BACKEND)
    return client


@pytest.mark.parametrize("model", INTERVIEWS_MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_and_change_page_load_for_every_model(admin_client_with_data, model):
    opts = model._meta
    changelist = admin_client_with_data.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    obj = model.objects.order_by("pk").first()
    change = admin_client_with_data.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    assert change.status_code == 200
    assert SCRIPT not in changelist.content.decode()
