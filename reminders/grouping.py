"""Follow-up rows grouped into the tasks a person sees: pure functions, no queries.

The planner keeps one row per rule, person and occasion (``reminders.models.FollowUp``):
that is what dispatch claims, what a signed link closes and what the rules re-check. A
person thinks in tasks. After an interview with three people the rules want an email
(R2) and a card or letter (R3) for each of them: six rows, one task, "Thank the 3 people
you met", with a line per person and, on each line, the email and the card or letter with
their own state.

``group(followups)`` turns rows into tasks, in the order of the rows it is given (the
callers pass them by due date). It reads only what the rows carry (their interviewer and
interview, fetched with ``select_related`` by the caller), so it runs without a database
and every page, the dashboard and the reminder email group alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from reminders import rules

THANK_YOU_RULES = {"R2": "email", "R3": "post"}
# A letter in the post to the recruiter after a call is a kind extra, not a duty: offered,
# and the task is done without it.
CALL_FORMATS = frozenset({"video", "phone"})
RECRUITER_ROLES = frozenset({"hr"})
OPEN = frozenset({"pending", "reminded"})
# How a closed cell reads on its line.
STATE_LABELS = {
    "open": "To do", "done": "Done", "skipped": "Skipped", "closed": "Window closed",
    "reminded": "Reminded",
}
# The note channels that act on each cell (notes.models.Channel values).
CELL_CHANNELS = {"email": frozenset({"email"}), "post": frozenset({"card", "letter"})}
THANK_YOU_REASON = (
    "Send each person a personalised thank-you email the same day, and post a handwritten "
    "card or a one-page letter by the next day at the latest, so it arrives while they decide."
)


def cell_state(status: str, sent_at: datetime | None = None) -> str:
    """open, done, skipped (by the candidate), reminded (emailed, then its window closed:
    perhaps done without telling us) or closed (the plan closed it: its window closed, the
    application ended, a reminder email failed)."""
    if status in OPEN:
        return "open"
    if status == "done":
        return "done"
    if status == "dismissed":
        return "skipped"
    return "reminded" if status == "skipped" and sent_at is not None else "closed"


@dataclass
class Cell:
    """One channel of one person's thank-you: a row of the plan."""

    followup: object  # reminders.models.FollowUp
    channel: str  # "email" or "post"
    optional: bool = False
    draft: object | None = None  # an unsent notes.models.Note that acts on it

    @property
    def state(self) -> str:
        return cell_state(self.followup.status, self.followup.sent_at)

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def state_label(self) -> str:
        if self.optional and self.is_open:
            return "Optional"
        return STATE_LABELS[self.state]

    @property
    def label(self) -> str:
        return "Email" if self.channel == "email" else "Card or letter"


@dataclass
class Line:
    """One person of a thank-you task, with their email and card or letter."""

    interviewer_id: int
    name: str
    email: Cell | None = None
    post: Cell | None = None

    @property
    def cells(self) -> list[Cell]:
        return [cell for cell in (self.email, self.post) if cell is not None]

    @property
    def is_done(self) -> bool:
        """Every required channel done or skipped (an optional one does not hold it)."""
        return not any(cell.is_open and not cell.optional for cell in self.cells)


@dataclass
class Task:
    """What a person sees as one thing to do: one follow-up, or a thank-you of one
    interview with a line per person (``kind`` "thank_you")."""

    kind: str  # "single" or "thank_you"
    followups: list = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def followup(self):
        """The row of a single task (and the first of a thank-you task)."""
        return self.followups[0]

    @property
    def pk(self) -> int:
        """Stable id for pages: the row's, or the interview's for a thank-you task."""
        if self.kind == "thank_you":
            return self.followup.interview_id
        return self.followup.pk

    @property
    def interview_id(self) -> int | None:
        return self.followup.interview_id

    @property
    def application(self):
        return self.followup.application

    @property
    def application_id(self) -> int:
        return self.followup.application_id

    @property
    def open_followups(self) -> list:
        return [f for f in self.followups if f.status in OPEN]

    @property
    def required_open(self) -> list:
        if self.kind == "single":
            return self.open_followups
        return [c.followup for line in self.lines for c in line.cells
                if c.is_open and not c.optional]

    @property
    def is_open(self) -> bool:
        return bool(self.required_open)

    @property
    def is_done(self) -> bool:
        return not self.is_open

    @property
    def due_at(self) -> datetime:
        """When the earliest thing still required is due (else the earliest row's)."""
        rows = self.required_open or self.followups
        return min(f.due_at for f in rows)

    @property
    def closes_at(self) -> datetime | None:
        """When the window of what is still required closes first, if it has one."""
        rows = self.required_open or self.followups
        closes = [
            rules.window_closes(f.rule, f.interview.ends_at if f.interview_id else None)
            for f in rows
        ]
        closes = [c for c in closes if c is not None]
        return min(closes) if closes else None

    @property
    def people(self) -> int:
        return len(self.lines)

    @property
    def title(self) -> str:
        if self.kind == "single":
            return self.followup.definition.title
        if self.people == 1:
            return "Thank the person you met"
        return f"Thank the {self.people} people you met"

    @property
    def reason(self) -> str:
        return self.followup.definition.reason if self.kind == "single" else THANK_YOU_REASON

    @property
    def rules(self) -> list:
        """The rules behind the task, each once (for "Why?")."""
        seen: dict[str, object] = {}
        for f in self.followups:
            seen.setdefault(f.rule, f.definition)
        return list(seen.values())

    @property
    def done_count(self) -> int:
        return sum(1 for line in self.lines if line.is_done)


def _optional(followup) -> bool:
    """A card or letter to the recruiter after a video or phone call."""
    interview, person = followup.interview, followup.interviewer
    return (
        followup.rule == "R3" and interview is not None and person is not None
        and interview.format in CALL_FORMATS and person.role in RECRUITER_ROLES
    )


def draft_for(cell: Cell, drafts: Iterable) -> object | None:
    f = cell.followup
    for note in drafts:
        if (note.kind == "thank_you" and note.interview_id == f.interview_id
                and note.interviewer_id == f.interviewer_id
                and note.channel in CELL_CHANNELS[cell.channel]):
            return note
    return None


def group(followups: Iterable, drafts: Iterable = ()) -> list[Task]:
    """The tasks the rows make, in the order of their first row.

    1. The thank-you rows (R2, R3) of one interview make one task, a line per person by
       name, each line with its email and card or letter.
    2. Every other row is a task of its own.
    3. ``drafts``: unsent notes; a thank-you draft for a person and channel is put on its
       cell, so that "finish and send" is offered where the task is.
    """
    drafts = list(drafts)
    tasks: list[Task] = []
    thank_yous: dict[int, Task] = {}
    for f in followups:
        channel = THANK_YOU_RULES.get(f.rule)
        if channel is None or f.interview_id is None or f.interviewer_id is None:
            tasks.append(Task("single", [f]))
            continue
        task = thank_yous.get(f.interview_id)
        if task is None:
            task = thank_yous[f.interview_id] = Task("thank_you")
            tasks.append(task)
        task.followups.append(f)
        line = next((li for li in task.lines if li.interviewer_id == f.interviewer_id), None)
        if line is None:
            line = Line(f.interviewer_id, f.interviewer.name)
            task.lines.append(line)
        cell = Cell(f, channel, optional=_optional(f))
        if drafts and cell.is_open:
            cell.draft = draft_for(cell, drafts)
        setattr(line, channel, cell)
    for task in thank_yous.values():
        # By name, as the interview page lists the people met.
        task.lines.sort(key=lambda line: (line.name.casefold(), line.interviewer_id))
    return tasks


def thank_you_drafts(tasks: Iterable[Task]) -> set[int]:
    """The ids of the drafts the tasks show on their lines."""
    return {
        cell.draft.pk for task in tasks for line in task.lines for cell in line.cells
        if cell.draft is not None
    }
