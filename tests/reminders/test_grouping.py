"""The rows of a plan grouped into the tasks a person sees: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interviews.models import Application, Interview, Interviewer
from notes.models import Note
from reminders.grouping import group, thank_you_drafts
from reminders.models import FollowUp

ENDED = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)

APPLICATION = Application(id=1, company="Acme", role_title="Engineer")
VIDEO = Interview(id=10, application=APPLICATION, format="video", starts_at=ENDED, ends_at=ENDED)
ON_SITE = Interview(id=11, application=APPLICATION, format="on_site", starts_at=ENDED,
                    ends_at=ENDED)
SIOBHAN = Interviewer(id=100, application=APPLICATION, name="Siobhán", role="hiring_manager")
RAJ = Interviewer(id=101, application=APPLICATION, name="Raj", role="colleague")
RECRUITER = Interviewer(id=102, application=APPLICATION, name="Rita", role="hr")

_ids = iter(range(1, 10_000))


def row(rule: str, *, interview=VIDEO, person=None, status="pending", due=EVENING,
        sent_at=None) -> FollowUp:
    return FollowUp(
        id=next(_ids), application=APPLICATION, interview=interview, interviewer=person,
        rule=rule, key=f"{rule}:{next(_ids)}", due_at=due, status=status, sent_at=sent_at,
    )


def thank_yous(people, interview=VIDEO, **statuses) -> list[FollowUp]:
    return [
        row(rule, interview=interview, person=person,
            status=statuses.get(f"{rule}_{person.name}", "pending"))
        for person in people for rule in ("R2", "R3")
    ]


def test_the_thank_yous_of_one_interview_with_three_people_are_one_task():
    rows = [row("R1"), *thank_yous([SIOBHAN, RAJ, RECRUITER]), row("R5")]

    tasks = group(rows)

    assert [t.kind for t in tasks] == ["single", "thank_you", "single"]
    thanks = tasks[1]
    assert thanks.title == "Thank the 3 people you met"
    assert [line.name for line in thanks.lines] == ["Raj", "Rita", "Siobhán"]  # by name
    for line in thanks.lines:
        assert line.email.followup.rule == "R2" and line.post.followup.rule == "R3"
        assert line.email.state == line.post.state == "open"
    assert thanks.pk == VIDEO.id and thanks.is_open


def test_one_person_is_thanked_in_the_singular():
    (task,) = group(thank_yous([SIOBHAN], interview=ON_SITE))

    assert task.title == "Thank the person you met"
    assert task.people == 1


def test_two_interviews_make_two_tasks():
    tasks = group([*thank_yous([SIOBHAN]), *thank_yous([RAJ], interview=ON_SITE)])

    assert [t.pk for t in tasks] == [VIDEO.id, ON_SITE.id]


def test_each_channel_keeps_its_own_state_and_the_task_is_done_when_every_line_is():
    rows = thank_yous([SIOBHAN, RAJ], interview=ON_SITE,
                      R2_Siobhán="done", R3_Siobhán="dismissed", R2_Raj="done")

    (task,) = group(rows)

    raj, siobhan = task.lines
    assert (siobhan.email.state, siobhan.post.state) == ("done", "skipped")
    assert siobhan.is_done  # done and skipped on purpose
    assert (raj.email.state, raj.post.state) == ("done", "open")
    assert not raj.is_done and task.is_open and task.done_count == 1
    assert task.required_open == [raj.post.followup]

    raj.post.followup.status = "done"
    assert task.is_done and task.done_count == 2


def test_a_window_the_plan_closed_is_not_left_to_do_and_says_so():
    rows = thank_yous([SIOBHAN], interview=ON_SITE, R2_Siobhán="skipped")
    rows[1].status = "done"

    (task,) = group(rows)

    assert task.lines[0].email.state == "closed"
    assert task.lines[0].email.state_label == "Window closed"
    assert task.is_done


def test_a_letter_to_the_recruiter_after_a_video_call_is_offered_not_required():
    rows = thank_yous([SIOBHAN, RECRUITER], R2_Siobhán="done", R3_Siobhán="done",
                      R2_Rita="done")

    (task,) = group(rows)

    rita, siobhan = task.lines
    assert rita.post.optional and rita.post.is_open
    assert rita.post.state_label == "Optional"
    assert rita.is_done and task.is_done  # the letter still open does not hold it
    # Not optional for the hiring manager, nor for the recruiter met on site.
    assert not siobhan.post.optional
    (on_site,) = group(thank_yous([RECRUITER], interview=ON_SITE))
    assert not on_site.lines[0].post.optional


def test_the_task_is_due_when_the_first_thing_still_required_is_and_closes_with_it():
    early, late = EVENING - timedelta(hours=2), EVENING + timedelta(hours=20)
    rows = [
        row("R2", person=SIOBHAN, due=early, status="done"),
        row("R3", person=SIOBHAN, due=late),
    ]

    (task,) = group(rows)

    assert task.due_at == late
    assert task.closes_at == ENDED + timedelta(days=3)  # the card or letter's window


def test_a_draft_is_put_on_its_persons_line_and_channel():
    rows = thank_yous([SIOBHAN, RAJ])
    email_draft = Note(id=7, interview_id=VIDEO.id, interviewer_id=RAJ.id, kind="thank_you",
                       channel="email")
    letter_draft = Note(id=8, interview_id=VIDEO.id, interviewer_id=SIOBHAN.id,
                        kind="thank_you", channel="letter")
    other_interview = Note(id=9, interview_id=ON_SITE.id, interviewer_id=RAJ.id,
                           kind="thank_you", channel="card")

    tasks = group(rows, drafts=[email_draft, letter_draft, other_interview])

    raj, siobhan = tasks[0].lines
    assert raj.email.draft is email_draft and raj.post.draft is None
    assert siobhan.post.draft is letter_draft and siobhan.email.draft is None
    assert thank_you_drafts(tasks) == {7, 8}


def test_rows_without_a_person_or_interview_stay_tasks_of_their_own():
    rows = [row("R2", person=None), row("R13", person=SIOBHAN), row("R7", interview=None)]

    tasks = group(rows)

    assert [t.kind for t in tasks] == ["single"] * 3
    assert [t.title for t in tasks] == [r.definition.title for r in rows]
