"""The post-interview debrief: the wizard, its saved progress, and what it writes back."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews import services
from interviews.models import TEXT_MAX_CHARS, Attendance, Debrief, Interview
from tests.factories import AttendanceFactory, InterviewFactory
from tests.interviews.factories import DebriefFactory

CURRENT_TIME = datetime(2026, 7, 10, 11, 0, tzinfo=UTC)  # an hour after the interview


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


def _url(interview: Interview) -> str:
    return reverse("debrief", args=[interview.pk])


def _step(interview: Interview, step: str, **fields) -> dict:
    """A POST of one wizard step, as the page sends it."""
    return {
        f"debrief_{interview.pk}-current_step": step,
        **{f"{step}-{name}": value for name, value in fields.items()},
    }


def _notes(attendance: Attendance, topics: str, concerns: str) -> dict:
    return {
        f"attendance_{attendance.pk}_topics": topics,
        f"attendance_{attendance.pk}_concerns": concerns,
    }


ANSWERS = {
    "went_well": "Yes, mostly: the case study landed.",
    "went_well_rating": "4",
    "excited_about": "The analytics engine.",
    "concerns": "On-call every other week.",
    "skills_match": "SQL and stakeholder work, yes; Kafka, not yet.",
    "did_well": "The roadmap story.",
    "did_not_do_well": "Forgot to mention the migration I led.",
    "awkward_moments": "Salary came up too early.",
    "could_do_better": "Ask Ada about her team's priorities.",
    "to_practise": "Why are you leaving your current job?",
    "top_candidate": "Probably: few have shipped a data platform.",
    "top_candidate_rating": "3",
    "fit": "Remote, product-minded, growth.",
}


def _step_shown(response) -> str:
    """The step the page shows, from its management form."""
    match = re.search(rb'name="debrief_\d+-current_step" value="(\w+)"', response.content)
    assert match, "no wizard step on the page"
    return match.group(1).decode()


def _textarea(response, name: str) -> str:
    match = re.search(
        rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).removeprefix("\n")


def _checked(response, name: str) -> str | None:
    """The value of the checked radio button of that name, if any."""
    for tag in re.findall(r"<input[^>]*>", response.content.decode()):
        if f'name="{name}"' in tag and re.search(r"\schecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def _complete(client, interview, attendances=(), questions=None, answers=None) -> None:
    """Go through the four steps, each POST followed by the redirect's GET."""
    notes = {"next_steps_said": "Ada will call by Friday."}
    for attendance in attendances:
        notes |= _notes(attendance, f"Topics with {attendance.interviewer.name}", "")
    for step, fields in (
        ("notes", notes),
        ("questions", questions or {}),
        ("answers", answers if answers is not None else ANSWERS),
        ("review", {}),
    ):
        response = client.post(_url(interview), _step(interview, step, **fields))
        assert response.status_code == 302, (step, response.status_code)


# --- Step by step ---------------------------------------------------------------------------


def test_wizard_starts_with_notes_prefilled_from_each_attendance(
    owner_client, debrief_interview, attendances
):
    ada, grace = attendances
    response = owner_client.get(_url(debrief_interview))

    assert response.status_code == 200
    assert _step_shown(response) == "notes"
    assertContains(response, "Step 1 of 4: Notes while fresh")
    assertContains(response, "Ada Lovelace")
    assertContains(response, "Grace Hopper")
    assert _textarea(response, f"notes-attendance_{ada.pk}_topics") == (
        "Roadmap for the analytics engine"
    )
    assert _textarea(response, f"notes-attendance_{ada.pk}_concerns") == (
        "Whether I have led a team of ten"
    )
    assert _textarea(response, f"notes-attendance_{grace.pk}_topics") == ""


def test_each_valid_step_redirects_to_the_wizard_which_shows_the_next_step(
    owner_client, debrief_interview, attendances
):
    url = _url(debrief_interview)

    response = owner_client.post(url, _step(debrief_interview, "notes", next_steps_said="x"))

    assert response.status_code == 302
    assert response["Location"] == url
    assert _step_shown(owner_client.get(url)) == "questions"


def test_every_textarea_has_the_5000_character_limit_for_the_counter(
    owner_client, debrief_interview, attendances
):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))

    page = owner_client.get(url).content.decode()

    textareas = re.findall(r"<textarea[^>]*>", page)
    assert len(textareas) == 11
    assert all(f'maxlength="{TEXT_MAX_CHARS}"' in tag for tag in textareas)


def test_answers_step_has_the_eleven_questions_with_help_and_two_ratings(
    owner_client, debrief_interview
):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))

    response = owner_client.get(url)

    assertContains(response, "Step 3 of 4: How it went")
    for number, question in [
        (1, "Did the interview go well? Why or why not?"),
        (6, "What did I NOT do well in the interview?"),
        (9, "What do I need to practise answering for the next interview?"),
        (11, "How does this job fit what I want?"),
    ]:
        assertContains(response, f"{number}. {question}")
    assertContains(response, "Be honest and specific: the moments that decided it either way.")
    for rating in ("went_well_rating", "top_candidate_rating"):
        for value in range(1, 6):
            assertContains(response, f'name="answers-{rating}" value="{value}"')


# --- Saved progress --------------------------------------------------------------------------


def test_wizard_resumes_at_saved_step_after_tab_closed(
    owner_client, debrief_interview, attendances
):
    ada, _ = attendances
    url = _url(debrief_interview)
    owner_client.post(
        url,
        _step(
            debrief_interview,
            "notes",
            next_steps_said="Ada will call by Friday.",
            **_notes(ada, "Analytics engine, hiring plan", "Team size"),
        ),
    )
    owner_client.post(url, _step(debrief_interview, "questions", q_next_step="A take-home."))
    # The tab is closed; later a new browser tab sends only the session cookie.
    later = Client()
    later.cookies = owner_client.cookies

    resumed = later.get(url)

    assert _step_shown(resumed) == "answers"
    back = later.post(url, {**_step(debrief_interview, "answers"), "wizard_goto_step": "notes"})
    assert back.status_code == 302
    first_step = later.get(url)
    assert _step_shown(first_step) == "notes"
    assert _textarea(first_step, f"notes-attendance_{ada.pk}_topics") == (
        "Analytics engine, hiring plan"
    )
    assert _textarea(first_step, "notes-next_steps_said") == "Ada will call by Friday."


def test_save_and_finish_later_keeps_the_text_of_an_unfinished_step(
    owner_client, debrief_interview
):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))

    response = owner_client.post(
        url,
        {
            **_step(debrief_interview, "answers", went_well="Half-written thought"),
            "wizard_save_draft": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == debrief_interview.get_absolute_url()
    later = Client()
    later.cookies = owner_client.cookies
    resumed = later.get(url)
    assert _step_shown(resumed) == "answers"
    assert _textarea(resumed, "answers-went_well") == "Half-written thought"
    assert not Debrief.objects.exists()


def test_back_keeps_what_was_typed_in_the_step_left(owner_client, debrief_interview):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))
    owner_client.post(
        url,
        {
            **_step(debrief_interview, "answers", fit="Typed, then Back"),
            "wizard_goto_step": "questions",
        },
    )

    owner_client.post(url, _step(debrief_interview, "questions"))
    response = owner_client.get(url)

    assert _step_shown(response) == "answers"
    assert _textarea(response, "answers-fit") == "Typed, then Back"


def test_drafts_of_two_interviews_are_kept_apart(owner_client, debrief_interview):
    other = InterviewFactory(application=debrief_interview.application, round_number=2)
    owner_client.post(_url(debrief_interview), _step(debrief_interview, "notes"))

    assert _step_shown(owner_client.get(_url(other))) == "notes"
    assert _step_shown(owner_client.get(_url(debrief_interview))) == "questions"


def test_discarding_the_draft_starts_over(owner_client, debrief_interview):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes", next_steps_said="Forget me"))

    response = owner_client.post(
        url, {**_step(debrief_interview, "questions"), "wizard_discard": "1"}
    )

    assert response.status_code == 302
    page = owner_client.get(url)
    assert _step_shown(page) == "notes"
    assert _textarea(page, "notes-next_steps_said") == ""


def test_a_post_without_the_step_is_refused(owner_client, debrief_interview):
    response = owner_client.post(_url(debrief_interview), {"notes-next_steps_said": "x"})

    assert response.status_code == 400


def test_a_step_posted_after_the_draft_was_finished_elsewhere_is_kept(
    owner_client, debrief_interview
):
    url = _url(debrief_interview)
    stale = _step(debrief_interview, "answers", **ANSWERS)
    _complete(owner_client, debrief_interview)  # in another tab

    response = owner_client.post(url, stale)

    assert response.status_code == 302
    assert _step_shown(owner_client.get(url)) == "review"
    owner_client.post(url, {**_step(debrief_interview, "review"), "wizard_goto_step": "answers"})
    assert _textarea(owner_client.get(url), "answers-fit") == ANSWERS["fit"]


# --- Validation never loses text -------------------------------------------------------------


def test_too_long_answer_is_refused_and_every_typed_answer_is_kept(
    owner_client, debrief_interview
):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))
    too_long = "x" * 6_000

    response = owner_client.post(
        url, _step(debrief_interview, "answers", **{**ANSWERS, "did_well": too_long})
    )

    assert response.status_code == 200
    assert _step_shown(response) == "answers"
    assertContains(response, "Ensure this value has at most 5000 characters (it has 6000).")
    assert _textarea(response, "answers-did_well") == too_long
    for name in ("went_well", "concerns", "to_practise", "fit"):
        assert _textarea(response, f"answers-{name}") == ANSWERS[name]
    assert _checked(response, "answers-went_well_rating") == "4"
    assert _checked(response, "answers-top_candidate_rating") == "3"
    assert not Debrief.objects.exists()


def test_text_refused_by_validation_is_still_there_after_the_tab_is_closed(
    owner_client, debrief_interview
):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))
    owner_client.post(url, _step(debrief_interview, "answers", fit="Kept", did_well="x" * 6_000))

    later = Client()
    later.cookies = owner_client.cookies
    resumed = later.get(url)

    assert _textarea(resumed, "answers-fit") == "Kept"
    assertContains(resumed, "Ensure this value has at most 5000 characters")


def test_answer_of_5000_characters_with_browser_line_breaks_fits(owner_client, debrief_interview):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))
    answer = ("x" * 99 + "\r\n") * 50  # 5,000 characters in the browser, 5,050 as posted

    response = owner_client.post(url, _step(debrief_interview, "answers", went_well=answer))

    assert response.status_code == 302
    owner_client.post(url, _step(debrief_interview, "review"))
    assert Debrief.objects.get().went_well == answer.replace("\r\n", "\n").strip()


@pytest.mark.parametrize("rating", ["0", "6", "five"])
def test_rating_outside_one_to_five_is_refused(owner_client, debrief_interview, rating):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))
    owner_client.post(url, _step(debrief_interview, "questions"))

    response = owner_client.post(
        url, _step(debrief_interview, "answers", went_well="Fine", went_well_rating=rating)
    )

    assert response.status_code == 200
    assertContains(response, "Select a valid choice.")
    assert _textarea(response, "answers-went_well") == "Fine"


def test_ratings_outside_one_to_five_are_refused_by_the_database(debrief_interview):
    with pytest.raises(IntegrityError), transaction.atomic():
        Debrief.objects.create(interview=debrief_interview, top_candidate_rating=6)


def test_a_debrief_with_every_answer_empty_can_be_saved(owner_client, debrief_interview):
    _complete(owner_client, debrief_interview, answers={})

    debrief = Debrief.objects.get()
    assert debrief.went_well == ""
    assert debrief.went_well_rating is None
    assert debrief.top_candidate_rating is None


# --- Finishing, and what it writes back ------------------------------------------------------


def test_finishing_saves_the_debrief_and_returns_to_the_interview(
    owner_client, debrief_interview, attendances
):
    url = _url(debrief_interview)
    _complete(owner_client, debrief_interview, attendances)
    # The last POST went through the review; its redirect lands on the interview page.
    response = owner_client.get(debrief_interview.get_absolute_url())

    debrief = Debrief.objects.get(interview=debrief_interview)
    assert debrief.went_well == ANSWERS["went_well"]
    assert debrief.went_well_rating == 4
    assert debrief.to_practise == ANSWERS["to_practise"]
    assert debrief.top_candidate_rating == 3
    assert debrief.next_steps_said == "Ada will call by Friday."
    assert debrief.completed_at == CURRENT_TIME
    assert debrief.created_at == CURRENT_TIME
    assertContains(response, "Debrief saved.")
    # The draft is gone: opening the wizard again edits the saved debrief from step 1.
    assert _step_shown(owner_client.get(url)) == "notes"


def test_the_last_step_redirects_to_the_interview_page(owner_client, debrief_interview):
    url = _url(debrief_interview)
    for step in ("notes", "questions", "answers"):
        owner_client.post(url, _step(debrief_interview, step))

    response = owner_client.post(url, _step(debrief_interview, "review"))

    assert response.status_code == 302
    assert response["Location"] == debrief_interview.get_absolute_url()


def test_review_shows_every_step_before_saving(owner_client, debrief_interview, attendances):
    ada, _ = attendances
    url = _url(debrief_interview)
    owner_client.post(
        url,
        _step(debrief_interview, "notes", next_steps_said="Call on Friday",
              **_notes(ada, "Hiring plan", "Team size")),
    )
    owner_client.post(url, _step(debrief_interview, "questions", q_other_steps="A reference check"))
    owner_client.post(url, _step(debrief_interview, "answers", **ANSWERS))

    response = owner_client.get(url)

    assert _step_shown(response) == "review"
    for text in ("Hiring plan", "Team size", "Call on Friday", "A reference check",
                 ANSWERS["did_not_do_well"], ANSWERS["fit"], "4 / 5", "3 / 5"):
        assertContains(response, text)
    assertContains(response, "Not asked — ask it in your follow-up note.")
    assert not Debrief.objects.exists()


def test_attendance_notes_are_saved_back_to_each_attendance(
    owner_client, debrief_interview, attendances
):
    ada, grace = attendances
    url = _url(debrief_interview)
    owner_client.post(
        url,
        _step(
            debrief_interview,
            "notes",
            **_notes(ada, "Analytics engine, hiring plan", "Team size"),
            **_notes(grace, "Compilers", "Too senior?"),
        ),
    )
    for step in ("questions", "answers", "review"):
        owner_client.post(url, _step(debrief_interview, step))

    ada.refresh_from_db()
    grace.refresh_from_db()
    assert (ada.topics, ada.concerns) == ("Analytics engine, hiring plan", "Team size")
    assert (grace.topics, grace.concerns) == ("Compilers", "Too senior?")


def test_someone_added_after_the_notes_step_keeps_their_recorded_notes(
    owner_client, debrief_interview, attendances
):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes", **_notes(attendances[0], "A", "B")))
    late = AttendanceFactory(interview=debrief_interview, topics="Recorded", concerns="Also")

    for step in ("questions", "answers", "review"):
        owner_client.post(url, _step(debrief_interview, step))

    late.refresh_from_db()
    assert (late.topics, late.concerns) == ("Recorded", "Also")
    assert Debrief.objects.exists()


def test_unanswered_interview_questions_are_shown_and_saved_to_the_interview(
    owner_client, debrief_interview
):
    url = _url(debrief_interview)
    owner_client.post(url, _step(debrief_interview, "notes"))

    page = owner_client.get(url)

    assertContains(page, "Step 2 of 4: The questions you should have asked")
    assertContains(page, "ask it in your follow-up note")
    # Answered in the interview record: not asked again.
    assertNotContains(page, 'name="questions-q_most_important"')
    for name in ("q_most_difficult", "q_rounds_remaining", "q_other_steps", "q_decision_by",
                 "q_next_step", "q_preferred_contact"):
        assertContains(page, f'name="questions-{name}"')
    assertContains(page, "If hired, what is the most difficult challenge going forward?")

    owner_client.post(
        url,
        _step(
            debrief_interview,
            "questions",
            q_most_difficult="Untangling the legacy billing code.",
            q_decision_by="2026-07-24",
            q_preferred_contact="email",
        ),
    )
    owner_client.post(url, _step(debrief_interview, "answers"))
    owner_client.post(url, _step(debrief_interview, "review"))

    debrief_interview.refresh_from_db()
    assert debrief_interview.q_most_difficult == "Untangling the legacy billing code."
    assert debrief_interview.q_decision_by == date(2026, 7, 24)
    assert debrief_interview.q_preferred_contact == "email"
    assert debrief_interview.q_next_step == ""
    assert debrief_interview.q_most_important == "Ship the new onboarding."
    # Through the interview service: the decision date reaches the application.
    debrief_interview.application.refresh_from_db()
    assert debrief_interview.application.decision_date == date(2026, 7, 24)


def test_questions_step_says_so_when_every_question_was_answered(owner_client, owner):
    interview = InterviewFactory(
        application__owner=owner,
        q_most_important="a", q_most_difficult="b", q_rounds_remaining=1, q_other_steps="c",
        q_decision_by=date(2026, 7, 24), q_next_step="d", q_preferred_contact="email",
    )
    url = _url(interview)
    owner_client.post(url, _step(interview, "notes"))

    page = owner_client.get(url)

    assertContains(page, "You asked every question to ask")
    assertNotContains(page, 'name="questions-')
    assert owner_client.post(url, _step(interview, "questions")).status_code == 302


def test_questions_step_says_when_none_was_asked(owner_client, owner):
    interview = InterviewFactory(application__owner=owner)
    url = _url(interview)
    owner_client.post(url, _step(interview, "notes"))

    page = owner_client.get(url)

    assertContains(page, "No answer is recorded for any of the questions to ask.")
    assertContains(page, "ask it in your follow-up note")


# --- Editing later ---------------------------------------------------------------------------


def test_editing_later_starts_prefilled_with_the_saved_debrief(owner_client, debrief_interview):
    DebriefFactory(interview=debrief_interview, next_steps_said="They call Friday.")
    url = _url(debrief_interview)

    first = owner_client.get(url)
    assert _textarea(first, "notes-next_steps_said") == "They call Friday."
    assertContains(first, "You are editing the debrief you saved")
    owner_client.post(url, _step(debrief_interview, "notes", next_steps_said="They call Friday."))
    owner_client.post(url, _step(debrief_interview, "questions"))
    answers = owner_client.get(url)

    assert _textarea(answers, "answers-went_well") == "Mostly: the system design round flowed."
    assert _textarea(answers, "answers-did_not_do_well") == "Rambled on the conflict question."
    assert _checked(answers, "answers-went_well_rating") == "4"


def test_editing_later_updates_the_same_debrief_and_keeps_when_it_was_completed(
    owner_client, debrief_interview, time_machine
):
    earlier = datetime(2026, 7, 10, 10, 30, tzinfo=UTC)
    debrief = DebriefFactory(interview=debrief_interview, created_at=earlier)

    _complete(owner_client, debrief_interview, answers={**ANSWERS, "fit": "Changed my mind."})

    debrief.refresh_from_db()
    assert Debrief.objects.count() == 1
    assert debrief.fit == "Changed my mind."
    assert debrief.completed_at == earlier
    assert debrief.updated_at == CURRENT_TIME


# --- The interview page ----------------------------------------------------------------------


def test_interview_page_offers_a_debrief_when_there_is_none(owner_client, debrief_interview):
    response = owner_client.get(debrief_interview.get_absolute_url())

    button = f'<a class="btn btn-primary" href="{_url(debrief_interview)}">Debrief</a>'
    assertContains(response, button, html=True)
    assertContains(response, "Debrief now")


def test_interview_page_offers_to_continue_a_draft(owner_client, debrief_interview):
    owner_client.post(_url(debrief_interview), _step(debrief_interview, "notes"))

    response = owner_client.get(debrief_interview.get_absolute_url())

    assertContains(response, "Continue your debrief")


def test_interview_page_highlights_what_to_repair_and_what_to_practise(
    owner_client, debrief_interview
):
    DebriefFactory(
        interview=debrief_interview,
        did_not_do_well="Forgot the migration story.",
        awkward_moments="Salary came up early.",
        could_do_better="Ask about the team's priorities.",
        to_practise="Why are you leaving?",
        excited_about="The analytics engine.",
    )

    page = owner_client.get(debrief_interview.get_absolute_url()).content.decode()

    repair = re.search(r'<div[^>]*id="debrief-repair".*?</div>', page, re.S).group(0)
    assert "What to repair in your note" in repair
    for text in ("6. What did I NOT do well in the interview?", "Forgot the migration story.",
                 "7. Were there any awkward moments?", "Salary came up early.",
                 "8. What could I have done better?", "Ask about the team&#x27;s priorities."):
        assert text in repair
    assert "The analytics engine." not in repair
    practise = re.search(r'<div[^>]*id="debrief-practise".*?</div>', page, re.S).group(0)
    assert "What to practise" in practise
    assert "Why are you leaving?" in practise
    assert "Forgot the migration story." not in practise
    assert "The analytics engine." in page
    assert "Went well: <strong>4 / 5</strong>" in page


# --- The service -----------------------------------------------------------------------------


def test_debrief_save_ignores_notes_on_another_interviews_attendance(debrief_interview):
    elsewhere = AttendanceFactory(topics="Untouched")

    services.debrief_save(
        interview=debrief_interview,
        answers={},
        attendance_notes={elsewhere.pk: {"topics": "Hijacked", "concerns": ""}},
    )

    elsewhere.refresh_from_db()
    assert elsewhere.topics == "Untouched"


def test_debrief_save_never_overwrites_an_answered_interview_question(debrief_interview):
    services.debrief_save(
        interview=debrief_interview,
        answers={},
        interview_answers={"q_most_important": "Overwritten", "q_next_step": "Take-home"},
    )

    debrief_interview.refresh_from_db()
    assert debrief_interview.q_most_important == "Ship the new onboarding."
    assert debrief_interview.q_next_step == "Take-home"


def test_debrief_save_refuses_fields_that_are_not_answers(debrief_interview):
    with pytest.raises(ValueError, match="interview"):
        services.debrief_save(interview=debrief_interview, answers={"interview": None})


def test_saving_the_debrief_without_the_csrf_token_is_refused(owner, debrief_interview):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    url = _url(debrief_interview)
    page = client.get(url)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    for step in ("notes", "questions", "answers"):
        data = {**_step(debrief_interview, step), "csrfmiddlewaretoken": token.decode()}
        assert client.post(url, data).status_code == 302

    response = client.post(url, _step(debrief_interview, "review"))

    assert response.status_code == 403
    assert not Debrief.objects.exists()
