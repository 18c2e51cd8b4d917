"""The Inbox's writes: receive a raw message, ingest it, match it, act on a suggestion.

Three ways in: the upload view and the IMAP poller call ``receive``, which stores the raw
bytes and runs ``ingest_one`` over them at once; ``manage.py inbound_smtpd`` only ``store``s
them (it never reads a message in the SMTP session), and the worker's ``parse_one`` runs
``ingest_one`` after (a task published after the commit, and a sweep every minute: the
row is the truth). ``manage.py inbox reparse`` runs ``ingest_one`` again over stored
messages. Every reading works within a CPU-time and memory budget (``budget.py``).
Nothing here changes an application or an interview by itself: ``message_act`` does, when
the user clicks, and always through ``interviews.services``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from inbox import attendees, budget, matching, mime, understanding
from inbox.models import (
    CalendarInvite,
    InboundAddress,
    InviteState,
    MailboxConnection,
    ReceivedMessage,
    Source,
    State,
    new_token,
)
from interviews import services as interview_services
from interviews.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Interview,
    Interviewer,
    InterviewFormat,
)
from notes import signals
from notes.models import Correspondence

logger = logging.getLogger(__name__)

FILED_BY_YOU = "you filed it"
MAX_TEXT_CHARS = 100_000


class Refused(ValueError):
    """A message the Inbox will not keep; ``reason`` is shown to the user or the SMTP peer."""

    def __init__(self, reason: str, *, smtp_code: int = 554) -> None:
        super().__init__(reason)
        self.reason = reason
        self.smtp_code = smtp_code

    @property
    def temporary(self) -> bool:
        """A 4xx: the same message may be kept later (the account is full now)."""
        return 400 <= self.smtp_code < 500


@dataclass(frozen=True)
class Received:
    message: ReceivedMessage
    created: bool


# --- Addresses ----------------------------------------------------------------------------


def inbound_address_for(owner: Candidate) -> InboundAddress:
    address, _ = InboundAddress.objects.get_or_create(owner=owner)
    return address


def inbound_address_regenerate(*, owner: Candidate) -> InboundAddress:
    """A new token; the old address stops working at once (it no longer exists)."""
    address = inbound_address_for(owner)
    address.token = new_token()
    address.created_at = timezone.now()
    address.save(update_fields=["token", "created_at"])
    return address


def full_address(address: InboundAddress) -> str:
    return f"in+{address.token}@{settings.INBOUND_DOMAIN}"


def own_addresses(owner: Candidate) -> set[str]:
    """The candidate's own addresses: never an interviewer, never the employer."""
    own = {owner.email.lower()}
    token = InboundAddress.objects.filter(owner=owner).values_list("token", flat=True).first()
    if token:
        own.add(f"in+{token}@{settings.INBOUND_DOMAIN}".lower())
    own.update(
        username.lower()
        for username in MailboxConnection.objects.filter(owner=owner).values_list(
            "username", flat=True
        )
        if "@" in username
    )
    return own


# --- Receiving ----------------------------------------------------------------------------


def quota_used(owner: Candidate) -> int:
    return ReceivedMessage.objects.filter(owner=owner).aggregate(total=Sum("size"))["total"] or 0


def check_acceptable(*, owner: Candidate, size: int) -> None:
    """Refuse what is over the size cap or the account's quota, before storing anything."""
    if size > settings.INBOX_MAX_BYTES:
        raise Refused(
            f"The message is {size // 1024:,} KB; the limit is "
            f"{settings.INBOX_MAX_BYTES // 1024:,} KB.",
            smtp_code=552,
        )
    if quota_used(owner) + size > settings.INBOX_QUOTA_BYTES:
        # 452, temporary: the sender retries, and the mail arrives once old mail is deleted.
        raise Refused("Your Inbox is full: delete old messages to receive new ones.", smtp_code=452)


def parse_budget() -> budget.Budget:
    return budget.Budget(
        seconds=settings.INBOX_PARSE_SECONDS, memory_mb=settings.INBOX_PARSE_MEMORY_MB
    )


def receive(
    *,
    owner: Candidate,
    raw: bytes,
    source: str,
    mailbox: MailboxConnection | None = None,
    at: datetime | None = None,
    read_now: bool = True,
) -> Received:
    """Store one raw message for ``owner`` and read it; the same message twice is kept once.

    1. Over the size cap or the quota → ``Refused``, nothing stored.
    2. Stored (``store``); a Message-ID already received returns the stored one.
    3. Read at once within the parse budget (``ingest_one``), unless ``read_now`` is False:
       then the worker reads it. A message that cannot be read is kept with the reason
       (``message.unreadable``), never refused.
    """
    result = store(owner=owner, raw=raw, source=source, mailbox=mailbox, at=at)
    if not result.created:
        return result
    if read_now:
        ingest_one(message=result.message)
    else:
        transaction.on_commit(lambda: publish_parse(result.message.pk))
    return result


def receive_calendar(
    *, owner: Candidate, name: str, data: bytes, read_now: bool = True
) -> Received:
    """A dropped .ics: wrapped as a message from its organizer (read within the budget).

    A file that cannot be read is kept, wrapped as it is, with the reason. Not read now, it
    is wrapped as it is and the worker reads its invitation (matched without its people).
    """
    check_acceptable(owner=owner, size=len(data))
    if not read_now:
        raw = budget.unread_calendar_message(name, data)
        return receive(owner=owner, raw=raw, source=Source.UPLOAD, read_now=False)
    try:
        raw = budget.calendar_message(name, data, budget=parse_budget())
    except budget.Busy:
        return receive_calendar(owner=owner, name=name, data=data, read_now=False)
    except mime.MessageRefused as refused:
        result = store(
            owner=owner, raw=budget.unread_calendar_message(name, data), source=Source.UPLOAD
        )
        if result.created:
            _keep_unread(result.message, refused.reason)
        return result
    return receive(owner=owner, raw=raw, source=Source.UPLOAD)


def message_id_of(raw: bytes) -> str:
    """The Message-ID header (a bounded scan of the header block), or one made of the bytes."""
    return (mime.header_message_id(raw) or f"<{hashlib.sha256(raw).hexdigest()}@inbox.invalid>")[
        :500
    ]


def store(
    *,
    owner: Candidate,
    raw: bytes,
    source: str,
    mailbox: MailboxConnection | None = None,
    at: datetime | None = None,
) -> Received:
    """Keep the raw bytes, unread (``parsed_at`` empty): a few queries, whatever the message.

    Accepted or refused from the size and the quota alone; the same Message-ID twice is kept
    once. The forwarding server calls this and answers at once; ``parse_one`` reads it.
    """
    raw = bytes(raw)
    if not raw.strip():
        raise Refused("The message is empty.")
    check_acceptable(owner=owner, size=len(raw))
    message_id = message_id_of(raw)
    existing = ReceivedMessage.objects.filter(owner=owner, message_id=message_id).first()
    if existing:
        return Received(existing, created=False)
    try:
        with transaction.atomic():
            message = ReceivedMessage.objects.create(
                owner=owner,
                source=source,
                mailbox=mailbox,
                raw=raw,
                size=len(raw),
                message_id=message_id,
                received_at=at or timezone.now(),
            )
    except IntegrityError:
        # The same message arrived twice at once (two ways in): the other one won.
        existing = ReceivedMessage.objects.filter(owner=owner, message_id=message_id).first()
        if existing is None:
            raise
        return Received(existing, created=False)
    return Received(message, created=True)


def publish_parse(message_id: int) -> None:
    """The fast path to the worker (the sweep is the safety net); never reads here."""
    from inbox import tasks  # tasks call this module

    tasks.publish_parse(message_id)


# How long a worker holds a message it reads: past it, another may take it (a worker that
# died). Far longer than the parse budget.
PARSE_CLAIM = timedelta(minutes=5)


def _unread(now: datetime):
    return ReceivedMessage.objects.filter(parsed_at__isnull=True, size__gt=0).filter(
        Q(parse_claimed_until__isnull=True) | Q(parse_claimed_until__lt=now)
    )


def parse_one(*, message_id: int | None = None, now: datetime | None = None) -> bool:
    """Claim one stored, unread message (the oldest, or ``message_id``) and read it.

    Returns whether there was one. The claim is a conditional UPDATE, so two workers never
    read the same row at once; a worker that dies leaves it to the next after PARSE_CLAIM.
    """
    now = now or timezone.now()
    pending = _unread(now)
    if message_id is not None:
        pending = pending.filter(pk=message_id)
    pk = pending.order_by("received_at", "id").values_list("pk", flat=True).first()
    if pk is None:
        return False
    claimed = _unread(now).filter(pk=pk).update(parse_claimed_until=now + PARSE_CLAIM)
    if claimed:
        ingest_one(message=ReceivedMessage.objects.select_related("owner").get(pk=pk))
    return True


# A message whose reading met a busy machine is read again this much later (the sweep takes
# it), for up to BUSY_RETRY_FOR after it arrived; past that it is kept as too slow to read.
BUSY_RETRY_AFTER = timedelta(minutes=1)
BUSY_RETRY_FOR = timedelta(hours=1)


def _after_busy(message: ReceivedMessage) -> ReceivedMessage:
    """A reading that met a busy machine: a message read before keeps that reading; a new
    one is read again later, unless it has waited BUSY_RETRY_FOR already."""
    if message.parsed_at is not None:
        return message
    if timezone.now() - message.received_at > BUSY_RETRY_FOR:
        return _keep_unread(message, budget.TOO_SLOW.format(seconds=parse_budget().seconds))
    message.parse_claimed_until = timezone.now() + BUSY_RETRY_AFTER
    message.save(update_fields=["parse_claimed_until"])
    return message
def _keep_unread(message: ReceivedMessage, reason: str) -> ReceivedMessage:
    """Kept with the reason, and (unless read before) the subject and sender its header
    block gives, so the user can tell which message it is."""
    message.unreadable = reason[:500]
    message.problems = [reason]
    message.parsed_at = timezone.now()
    message.parse_claimed_until = None
    fields = ["unreadable", "problems", "parsed_at", "parse_claimed_until"]
    if not message.subject and not message.sender_email:
        raw = bytes(message.raw)
        name, address = parseaddr(mime.header_value(raw, "From"))
        message.subject = mime.header_value(raw, "Subject")[:500]
        message.sender_name = name[:300]
        message.sender_email = address.lower()[:320] if "@" in address else ""
        fields += ["subject", "sender_name", "sender_email"]
    message.save(update_fields=fields)
    return message


def _application_facts(owner: Candidate) -> list[matching.ApplicationFacts]:
    people: dict[int, set[str]] = {}
    for application_id, email in (
        Interviewer.objects.owned_by(owner).exclude(email="").values_list("application_id", "email")
    ):
        people.setdefault(application_id, set()).add(email.lower())
    return [
        matching.ApplicationFacts(
            id=app.id,
            company=app.company,
            listing_domain=(urlsplit(app.listing_url).hostname or "") if app.listing_url else "",
            people_emails=frozenset(people.get(app.id, ())),
            is_closed=app.status in ApplicationStatus.closed(),
        )
        for app in Application.objects.owned_by(owner).only(
            "id", "company", "listing_url", "status"
        )
    ]


def _known_uid_application(owner: Candidate, invites) -> int | None:
    """An invite for an interview already logged belongs to that interview's application."""
    uids = [invite.uid for invite in invites if invite.uid]
    if not uids:
        return None
    return (
        CalendarInvite.objects.filter(owner=owner, uid__in=uids, interview__isnull=False)
        .values_list("interview__application_id", flat=True)
        .first()
    )


def ingest_one(
    *, message: ReceivedMessage, parsed: mime.ParsedMessage | None = None
) -> ReceivedMessage:
    """Read (unless given the parse), understand, match and record one stored message.

    The reading runs within the parse budget, outside any transaction; what cannot be read
    is kept with the reason (``unreadable``). Idempotent: running it again over the same
    row (``inbox reparse``) refreshes what was understood; invitations already seen (owner,
    UID, SEQUENCE, METHOD) are not added twice; a message the user filed or acted on keeps
    its application and state.
    """
    if parsed is None and not message.raw:
        return message  # imported from an export: nothing to parse again
    own = own_addresses(message.owner)
    try:
        if parsed is None:
            reading = budget.read(
                bytes(message.raw),
                budget=parse_budget(),
                max_bytes=settings.INBOX_MAX_BYTES,
                own_addresses=own,
                now=message.received_at,
            )
        else:
            reading = budget.Reading(
                parsed,
                understanding.understand(parsed, own_addresses=own, now=message.received_at),
            )
    except mime.MessageRefused as error:
        return _keep_unread(message, error.reason)
    except budget.Busy:
        return _after_busy(message)
    with transaction.atomic():
        _record(message, reading, own)
    return message


def _record(message: ReceivedMessage, reading: budget.Reading, own: set[str]) -> None:
    owner = message.owner
    parsed, suggestion = reading.parsed, reading.suggestion
    employer = mime.employer_message(parsed, own_addresses=own)
    problems: list[str] = list(parsed.problems)
    problems.extend(p for p in suggestion.problems if p not in problems)

    sender = employer.sender
    message.subject = (employer.subject or parsed.subject)[:500]
    message.sender_name = sender.name[:300] if sender else ""
    message.sender_email = sender.email[:320] if sender else ""
    message.recipients = [a.email for a in employer.addresses() if a != sender][:50]
    message.written_at = employer.date or parsed.date
    message.text = employer.text[:MAX_TEXT_CHARS]
    message.full_text = employer.full_text[:MAX_TEXT_CHARS]
    message.safe_html = (employer.safe_html or "")[: MAX_TEXT_CHARS * 2]
    message.kind = suggestion.kind
    message.phrases = list(suggestion.phrases)[:20]
    message.decision_date = suggestion.decision_date
    message.summary = suggestion.summary[:500]
    message.problems = problems[:20]
    message.unreadable = ""
    message.parsed_at = timezone.now()
    message.parse_claimed_until = None

    had_application = message.application_id
    if message.match_reason != FILED_BY_YOU and message.state in (State.NEW, State.FILED):
        known = _known_uid_application(owner, suggestion.invites)
        if message.sender_email in own:
            # The candidate's own mail (a sent copy in the polled folder) is not the
            # employer writing: it is never filed by itself.
            message.application_id, message.candidate_ids = None, []
            message.match_reason = "You sent it."
        elif known:
            message.application_id = known
            message.match_reason = "the invitation is for an interview you logged"
            message.candidate_ids = []
        else:
            found = matching.match(
                matching.MessageFacts(
                    sender=message.sender_email,
                    addresses=tuple(a.email for a in employer.addresses()),
                    subject=message.subject,
                    text=message.text or message.full_text,
                ),
                _application_facts(owner),
                own_addresses=own,
            )
            message.application_id = found.application_id
            message.match_reason = found.reason[:300]
            message.candidate_ids = list(found.candidate_ids)
        message.state = State.FILED if message.application_id else State.NEW
    message.save()
    _record_invites(message, suggestion.invites)
    if message.application_id and message.application_id != had_application:
        _announce_filed(message)


def _record_invites(message: ReceivedMessage, invites) -> None:
    for invite in invites[:50]:
        people = []
        if invite.organizer:
            people.append({"name": invite.organizer.name, "email": invite.organizer.email})
        people.extend(
            {"name": person.name, "email": person.email}
            for person in invite.attendees
            if person.email not in {p["email"] for p in people}
        )
        CalendarInvite.objects.get_or_create(
            owner=message.owner,
            uid=invite.uid[:500],
            sequence=invite.sequence,
            method="CANCEL" if invite.cancelled else invite.method[:20],
            defaults={
                "message": message,
                "summary": invite.summary[:500],
                "starts_at": invite.starts_at,
                "ends_at": invite.ends_at,
                "all_day": invite.all_day,
                "tzname": invite.tzname[:64],
                "location": invite.location[:500],
                "meeting_url": invite.meeting_url[:1000],
                "description": invite.description[:5000],
                "people": people[:30],
            },
        )


def _announce_filed(message: ReceivedMessage) -> None:
    # Inside the transaction: reminders records its re-planning request (the outbox) with
    # the filing, so R6/R7 hear of the news even if the broker is down.
    signals.facts_changed.send(sender=ReceivedMessage, application_id=message.application_id)


# --- The user's decisions -----------------------------------------------------------------


def message_file(*, message: ReceivedMessage, application: Application | None) -> None:
    """The user says which application the message is about (or none)."""
    if application is not None and application.owner_id != message.owner_id:
        raise ValueError("A message can only be filed to its owner's applications.")
    had = message.application_id
    message.application = application
    message.match_reason = FILED_BY_YOU if application else ""
    message.candidate_ids = []
    if message.state == State.NEW and application:
        message.state = State.FILED
    elif message.state == State.FILED and not application:
        message.state = State.NEW
    with transaction.atomic():
        message.save(update_fields=["application", "match_reason", "candidate_ids", "state"])
        if application and application.pk != had:
            _announce_filed(message)


def message_file_new_application(
    *, message: ReceivedMessage, company: str, role_title: str
) -> Application:
    with transaction.atomic():
        application = interview_services.application_create(
            owner=message.owner, company=company, role_title=role_title
        )
        message_file(message=message, application=application)
    return application


def prefill_application(message: ReceivedMessage) -> dict[str, str]:
    """A company name and a role guessed from the message, for "create a new application"."""
    domain = matching.domain_of(message.sender_email)
    company = ""
    if domain and domain not in matching.FREE_MAIL_DOMAINS | matching.SENDER_SERVICE_DOMAINS:
        labels = domain.split(".")
        company = (labels[-2] if len(labels) >= 2 else labels[0]).replace("-", " ").title()
    subject = message.subject
    for prefix in ("re:", "fw:", "fwd:", "aw:", "invitation:", "updated invitation:"):
        while subject.lower().startswith(prefix):
            subject = subject[len(prefix) :].strip()
    return {"company": company or message.sender_name[:200], "role_title": subject[:200]}


class ActionRefused(ValueError):
    """The action does not fit the message (no application, no invitation…)."""


def pending_invite(message: ReceivedMessage) -> CalendarInvite | None:
    return message.invites.filter(state=InviteState.PENDING).order_by("-sequence").first()


def known_interview(invite: CalendarInvite) -> Interview | None:
    """The interview logged from an earlier version of the same event, if any."""
    earlier = (
        CalendarInvite.objects.filter(owner=invite.owner, uid=invite.uid, interview__isnull=False)
        .exclude(pk=invite.pk)
        .select_related("interview")
        .order_by("-sequence")
        .first()
    )
    return earlier.interview if earlier else None


def invite_action(invite: CalendarInvite) -> str:
    """What the invitation asks of the user: log, reschedule, cancel, or nothing new."""
    interview = known_interview(invite)
    if invite.method == "CANCEL":
        return "cancel" if interview and interview.cancelled_at is None else ""
    if interview is None:
        return "log_interview"
    newest = CalendarInvite.objects.filter(
        owner=invite.owner, uid=invite.uid, interview=interview
    ).aggregate(sequence=Max("sequence"))["sequence"]
    return "reschedule" if invite.sequence > (newest or 0) else ""


ACTIONS = {
    "reject": "Mark rejected",
    "offer": "Mark as offer",
    "decision_date": "Set the decision date",
    "on_hold": "On hold",
    "log_interview": "Log the interview",
    "reschedule": "Move the interview",
    "cancel": "Cancel the interview",
    "ignore": "Ignore",
}


@transaction.atomic
def message_act(
    *, message: ReceivedMessage, action: str, at: datetime | None = None
) -> Interview | Application | None:
    """Carry out one suggested action the user clicked, through interviews.services."""
    if action not in ACTIONS:
        raise ActionRefused("Unknown action.")
    at = at or timezone.now()
    result: Interview | Application | None = None
    if action == "ignore":
        message.invites.filter(state=InviteState.PENDING).update(state=InviteState.IGNORED)
        _mark(message, State.IGNORED, action, at)
        return None
    application = message.application
    if application is None:
        raise ActionRefused("File the message to an application first.")
    status_for = {
        "reject": ApplicationStatus.REJECTED,
        "offer": ApplicationStatus.OFFER,
        "on_hold": ApplicationStatus.ON_HOLD,
    }
    if action in status_for:
        interview_services.application_set_status(
            application=application, status=status_for[action], at=at
        )
        result = application
    elif action == "decision_date":
        if message.decision_date is None:
            raise ActionRefused("The message gives no decision date.")
        interview_services.application_update(
            application=application, decision_date=message.decision_date, at=at
        )
        result = application
    else:
        invite = pending_invite(message)
        if invite is None:
            raise ActionRefused("The message has no invitation waiting.")
        if invite_action(invite) != action:
            raise ActionRefused("This invitation was already applied or is out of date.")
        result = _apply_invite(invite, application, action, at)
    _mark(message, State.APPLIED, action, at)
    return result


def _mark(message: ReceivedMessage, state: str, action: str, at: datetime) -> None:
    message.state, message.action, message.acted_at = state, action, at
    message.save(update_fields=["state", "action", "acted_at"])


def _interview_fields(invite: CalendarInvite) -> dict:
    starts_at, ends_at = invite.starts_at, invite.ends_at
    if invite.all_day:
        # An all-day entry's days (kept as midnight UTC) are the candidate's days: from
        # midnight of the first to midnight after the last, in the candidate's zone.
        zone = invite.owner.zone
        starts_at, ends_at = (
            datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=zone)
            for moment in (starts_at, ends_at)
        )
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": (invite.meeting_url or invite.location)[:500],
    }


def _apply_invite(
    invite: CalendarInvite, application: Application, action: str, at: datetime
) -> Interview:
    if action == "log_interview":
        rounds = application.interviews.aggregate(n=Max("round_number"))["n"] or 0
        interview = interview_services.interview_create(
            application=application,
            round_number=min(rounds + 1, 20),
            format=InterviewFormat.VIDEO if invite.meeting_url else InterviewFormat.ON_SITE,
            **_interview_fields(invite),
        )
        _add_people(interview, invite.people)
    else:
        interview = known_interview(invite)
        assert interview is not None  # invite_action said so
        if action == "reschedule":
            interview_services.interview_update(interview=interview, **_interview_fields(invite))
            _add_people(interview, invite.people)
        else:
            interview_services.interview_cancel(interview=interview, at=at)
    CalendarInvite.objects.filter(
        owner=invite.owner, uid=invite.uid, state=InviteState.PENDING, sequence__lt=invite.sequence
    ).update(state=InviteState.SUPERSEDED)
    invite.interview, invite.state = interview, InviteState.APPLIED
    invite.save(update_fields=["interview", "state"])
    return interview


def _add_people(interview: Interview, people: list[dict]) -> None:
    """The invitation's people become the interview's interviewers, matched by email."""
    existing = {
        person.email.lower(): person
        for person in interview.application.interviewers.exclude(email="")
    }
    own = own_addresses(interview.application.owner)
    for person in people:
        email = (person.get("email") or "").lower()
        if not email or email in own:
            continue
        name, title = attendees.split_title(person.get("name") or "")
        if email in existing:
            known = existing[email]
            interview_services.attendance_link(interview=interview, interviewer=known)
            if title and not known.title:
                interview_services.interviewer_update(interviewer=known, title=title[:200])
        else:
            attendance = interview_services.interviewer_add(
                interview=interview,
                name=(name or email.partition("@")[0])[:200],
                title=title[:200],
                role=attendees.role_for(title),
                email=email[:254],
            )
            existing[email] = attendance.interviewer


def message_delete(*, message: ReceivedMessage) -> None:
    message.delete()


def employer_last_wrote(application_ids) -> dict[int, datetime]:
    """When the employer last wrote, per application (one query)."""
    rows = (
        ReceivedMessage.objects.employer_mail()
        .filter(application_id__in=list(application_ids))
        .values("application_id")
        # A Date header in the future is not believed past the arrival.
        .annotate(last=Max(Least(Coalesce("written_at", "received_at"), "received_at")))
    )
    return {row["application_id"]: row["last"] for row in rows}


def _days_ago(moment, now) -> int | None:
    return None if moment is None else max((now - moment).days, 0)


def clocks_for(application_ids) -> dict[int, dict]:
    """{application id: {"employer": days, "you": days}}: two queries for any number."""
    ids = list(application_ids)
    now = timezone.now()
    wrote = employer_last_wrote(ids)
    touched = dict(
        Correspondence.objects.filter(application_id__in=ids)
        .values("application_id")
        .annotate(last=Max("sent_at"))
        .values_list("application_id", "last")
    )
    return {pk: clock_from(wrote.get(pk), touched.get(pk), now) for pk in ids}


def clock_from(wrote, touched, now=None) -> dict:
    """The two clocks from when the employer last wrote and the candidate last touched."""
    now = now or timezone.now()
    return {"employer": _days_ago(wrote, now), "you": _days_ago(touched, now)}
