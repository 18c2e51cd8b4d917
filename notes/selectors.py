"""Reads for the note editor: everything the coach and the starters need, in few queries.

The editor page reads each kind of row once, whatever the number of interviewers: the
interview's attendances, every note of the application (the notes being edited and the
others C2 and C5 compare them with, in one query), the debrief, and the candidate's brag
book, library and coach settings. The coach then runs on memory only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Interview,
    Interviewer,
    InterviewerRole,
)
from notes import coach, starters
from notes.models import (
    Achievement,
    Channel,
    Note,
    NotesSettings,
    Resource,
    Testimonial,
)

# The debrief's answers 6–8 (seed 004: "overcome any areas where you faltered"). Read with
# getattr: the debrief lives in the interviews app and may not exist for an interview.
DEBRIEF_REPAIR_FIELDS = ("did_not_do_well", "awkward_moments", "could_do_better")

ROLE_ORDER = {
    InterviewerRole.HIRING_MANAGER: 0,
    InterviewerRole.MANAGERS_BOSS: 1,
    InterviewerRole.COLLEAGUE: 2,
    InterviewerRole.OTHER_DEPARTMENT: 3,
    InterviewerRole.HR: 4,
    InterviewerRole.OTHER: 5,
}


def weak_moments(interview: Interview | None) -> tuple[str, ...]:
    """The debrief's answers on what went less well, if the interview has a debrief."""
    if interview is None:
        return ()
    try:
        debrief = getattr(interview, "debrief", None)
    except ObjectDoesNotExist:
        return ()
    if debrief is None:
        return ()
    answers = ((getattr(debrief, name, "") or "").strip() for name in DEBRIEF_REPAIR_FIELDS)
    return tuple(answer for answer in answers if answer)


def settings_for(user: Candidate) -> NotesSettings:
    """The candidate's coach settings; an unsaved blank row when they have none yet."""
    return NotesSettings.objects.filter(owner=user).first() or NotesSettings(owner=user)


@dataclass
class Library:
    """The candidate's brag book, value-add library and coach settings."""

    testimonials: list[Testimonial]
    achievements: list[Achievement]
    resources: list[Resource]
    settings: NotesSettings

    @classmethod
    def of(cls, user: Candidate) -> Library:
        return cls(
            testimonials=list(Testimonial.objects.owned_by(user)),
            achievements=list(Achievement.objects.owned_by(user)),
            resources=list(Resource.objects.owned_by(user)),
            settings=settings_for(user),
        )


@dataclass
class Sheet:
    """Everything known around the notes of one application, loaded once."""

    application: Application
    candidate: Candidate
    notes: list[Note]  # every note of the application, with its interviewer
    attendances: dict[tuple[int, int], Attendance]  # (interview id, interviewer id) → row
    library: Library
    weak: dict[int, tuple[str, ...]] = field(default_factory=dict)  # interview id → moments

    @classmethod
    def load(
        cls,
        application: Application,
        candidate: Candidate,
        *,
        interviews: Sequence[Interview] = (),
    ) -> Sheet:
        notes = list(
            Note.objects.filter(application=application)
            .select_related("interviewer", "interview")
            .order_by("created_at", "id")
        )
        for note in notes:
            note.application = application  # the row in hand: no query per note
        attendances = Attendance.objects.filter(interview__application=application).select_related(
            "interviewer"
        )
        return cls(
            application=application,
            candidate=candidate,
            notes=notes,
            attendances={(a.interview_id, a.interviewer_id): a for a in attendances},
            library=Library.of(candidate),
            weak={interview.pk: weak_moments(interview) for interview in interviews},
        )

    def attendance_for(self, note: Note) -> Attendance | None:
        return self.attendances.get((note.interview_id, note.interviewer_id))

    def recipient(self, note: Note) -> coach.Recipient:
        """The person a note is for, with what they discussed: at the round a thank-you
        is for, in every round they attended for the other kinds (as the starters do)."""
        person = note.interviewer
        attendance = self.attendance_for(note)
        if attendance is not None and note.kind == starters.THANK_YOU:
            topics, concerns = attendance.topics, attendance.concerns
        else:
            rows = [a for (_, who), a in self.attendances.items() if who == person.pk]
            topics = "\n".join(a.topics for a in rows if a.topics)
            concerns = "\n".join(a.concerns for a in rows if a.concerns)
        return coach.Recipient(
            name=person.name,
            title=person.title,
            role=person.role,
            topics=topics,
            concerns=concerns,
        )

    def others(self, note: Note) -> tuple[coach.OtherNote, ...]:
        return tuple(
            coach.OtherNote(
                interviewer_name=other.interviewer.name,
                role=other.interviewer.role,
                body=other.body,
                same_set=other.interview_id == note.interview_id and other.kind == note.kind,
            )
            for other in self.notes
            if other.pk != note.pk and other.interviewer_id != note.interviewer_id
        )

    def other_names(self, note: Note) -> tuple[str, ...]:
        names = {a.interviewer.name for a in self.attendances.values()}
        names |= {other.interviewer.name for other in self.notes}
        return tuple(sorted(names - {note.interviewer.name}))

    def context(self, note: Note, draft: coach.Draft, *, now: datetime | None = None):
        library = self.library
        return coach.Context(
            draft=draft,
            recipient=self.recipient(note),
            now=now or timezone.now(),
            others=self.others(note),
            other_names=self.other_names(note),
            listing=self.application.listing_text,
            company=self.application.company,
            job_title=self.application.role_title,
            testimonials=tuple(
                coach.Quote(quote=t.quote, author=t.author) for t in library.testimonials
            ),
            weak_moments=self.weak.get(note.interview_id, ()),
            confidential_terms=tuple(library.settings.term_list),
            resource_titles=tuple(r.title for r in library.resources),
            interview_ended_at=note.interview.ends_at if note.interview else None,
            sent_at=note.sent_at,
            letter_header_lines=letter_header_lines(self.candidate, note),
        )


def draft_of(note: Note) -> coach.Draft:
    return coach.Draft(
        kind=note.kind,
        channel=note.channel,
        body=note.body,
        subject=note.subject,
        attachment=note.attachment_description,
    )


def letter_name(candidate: Candidate) -> str:
    """The name a letter is signed with: the one for letters, else the one the welcome
    asked; never the email address, which the contact line already shows."""
    return (candidate.signature_name or candidate.display_name).strip()


def sender_lines(candidate: Candidate) -> list[str]:
    """The letter's sender block: name, postal address, then phone and email (once each).
    Without a name the block starts at the address: the page asks for the name instead."""
    address = [line.strip() for line in candidate.signature_address.splitlines() if line.strip()]
    contact = " · ".join(part for part in (candidate.signature_phone, candidate.email) if part)
    return [line for line in (letter_name(candidate), *address, contact) if line]


def companion(notes: list[Note], note: Note) -> Note | None:
    """The other half of an email-and-letter pair: for an email, the card or letter of the
    same kind to the same person for the same interview; for a card or letter, the email."""
    mailed = {Channel.CARD, Channel.LETTER}
    wanted = mailed if note.channel == Channel.EMAIL else {Channel.EMAIL}
    for other in notes:
        if (
            other.pk != note.pk
            and other.channel in wanted
            and other.interviewer_id == note.interviewer_id
            and other.interview_id == note.interview_id
            and other.kind == note.kind
        ):
            return other
    return None


def recipient_lines(note: Note) -> list[str]:
    person = note.interviewer
    return [line for line in (person.name, person.title, note.application.company) if line]


def letter_header_lines(candidate: Candidate, note: Note) -> int:
    """Printed lines above a letter's body: sender block, date and recipient block, each
    followed by a blank line (static/css/print.css), long lines wrapping like the body's."""
    blocks = ("\n".join(sender_lines(candidate)), "date", "\n".join(recipient_lines(note)))
    return sum(coach.letter_lines(block) + 1 for block in blocks)


def ordered_for_editor(notes: list[Note]) -> list[Note]:
    """Hiring manager first (their note is the fullest), then by name, oldest note first."""
    return sorted(
        notes,
        key=lambda note: (
            ROLE_ORDER.get(note.interviewer.role, 9),
            note.interviewer.name.casefold(),
            note.created_at,
            note.pk,
        ),
    )


def suggested_resources(resources: list[Resource], topics: str, limit: int = 3) -> list[Resource]:
    """Library items whose tags or words match the topics discussed (C12), best first."""
    ranked = coach.rank_resources([(r.tag_list, f"{r.title} {r.why}") for r in resources], topics)
    return [resources[index] for index in ranked[:limit]]


def merge_for(
    *,
    kind: str,
    application: Application,
    candidate: Candidate,
    interviewer: Interviewer,
    interview: Interview | None,
    topics: str,
    concerns: str,
    weak: tuple[str, ...],
    resources: list[Resource],
    now: datetime | None = None,
) -> starters.Merge:
    resource = None
    if kind in (starters.VALUE_ADD, starters.STAY_IN_TOUCH):
        suggestions = suggested_resources(resources, topics, limit=1)
        resource = suggestions[0] if suggestions else None
    return starters.Merge(
        recipient_name=interviewer.name,
        role=interviewer.role,
        company=application.company,
        job_title=application.role_title,
        topics=topics,
        concerns=concerns,
        most_important=interview.q_most_important if interview else "",
        most_difficult=interview.q_most_difficult if interview else "",
        weak_moment=weak[0] if weak else "",
        when=when_phrase(interview.ends_at if interview else None, now or timezone.now()),
        signature_name=letter_name(candidate),
        signature_phone=candidate.signature_phone,
        resource_title=resource.title if resource else "",
        resource_url=resource.url if resource else "",
        resource_why=resource.why if resource else "",
    )


def when_phrase(moment: datetime | None, now: datetime) -> str:
    """How a note refers to the interview, in the candidate's zone: "today", "on Tuesday"."""
    if moment is None:
        return "recently"
    day = timezone.localtime(moment).date()
    today = timezone.localtime(now).date()
    days = (today - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"on {day:%A}"
    return f"on {day.day} {day:%B}"


# --- The application page's panels: each kind of row read once a request -------------------

_SENT_MEMO = "_notes_sent_memo"


def sent_of(application: Application) -> list:
    """The application's correspondence, oldest first, with its interviewer and note: one
    query for the instance. The correspondence panel, the two clocks and the timeline all
    read it, and the first to ask keeps it on the application, which lives as long as its
    request (the employer's side: ``inbox.selectors.mail_of``)."""
    memo = application.__dict__.get(_SENT_MEMO)
    if memo is None:
        memo = list(application.correspondence.select_related("interviewer", "note"))
        application.__dict__[_SENT_MEMO] = memo
    return memo
