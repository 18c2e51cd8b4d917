"""What the employer sent: inbound addresses, received messages, invitations, mailboxes.

Imported by ``notes/models.py`` so the rows belong to the ``notes`` app (and its
migrations). Raw bytes are kept so a message can be parsed again when the parsers improve
(``manage.py inbox reparse``).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from interviews.models import Application, Candidate, Interview

# No 0/o, 1/l: read aloud or typed. Lower case only: mail systems may change the case.
TOKEN_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105 — not a password
TOKEN_LENGTH = 20


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user) -> OwnedQuerySet:
        return self.filter(owner=user)


class InboundAddress(models.Model):
    """The candidate's private forwarding address ``in+<token>@<INBOUND_DOMAIN>``.

    One per candidate: regenerating replaces the token, so the old address is unknown at
    once and the SMTP server refuses it (550).
    """

    owner = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="inbound_address"
    )
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        db_table = "notes_inboundaddress"  # created by the notes app (its migration 0003)
        verbose_name_plural = "inbound addresses"

    def __str__(self) -> str:
        return f"in+{self.token}"


class Source(models.TextChoices):
    UPLOAD = "upload", "Dropped or pasted"
    SMTP = "smtp", "Forwarded"
    IMAP = "imap", "Mailbox"


class State(models.TextChoices):
    NEW = "new", "New"
    FILED = "filed", "Filed"
    APPLIED = "applied", "Applied"
    IGNORED = "ignored", "Ignored"


class Kind(models.TextChoices):
    """What a message looks like (``inbox.understanding.KINDS``), in the user's words."""

    INVITATION = "invitation", "Interview invitation"
    SCHEDULING = "scheduling", "Scheduling request"
    REJECTION = "rejection", "Rejection"
    OFFER = "offer", "Offer"
    DECISION_DATE = "decision_date", "Decision date"
    DELAY = "delay", "Delay"
    ON_HOLD = "on_hold", "On hold"
    OTHER = "other", "Other"


ACTION_DONE = {
    "reject": "marked rejected",
    "offer": "marked as an offer",
    "decision_date": "decision date set",
    "on_hold": "marked on hold",
    "log_interview": "interview added to your plan",
    "reschedule": "interview moved",
    "cancel": "interview cancelled",
}


class ReceivedMessageQuerySet(OwnedQuerySet):
    def employer_mail(self) -> ReceivedMessageQuerySet:
        """Messages filed to an application and not ignored: the employer wrote."""
        return self.filter(application__isnull=False).exclude(state=State.IGNORED)

    def waiting(self) -> ReceivedMessageQuerySet:
        return self.filter(state__in=[State.NEW, State.FILED])


class ReceivedMessage(models.Model):
    """One message as received, with what the parsers understood of it."""

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="received_messages")
    source = models.CharField(max_length=10, choices=Source)
    mailbox = models.ForeignKey(
        "inbox.MailboxConnection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    # Empty for a message imported from an export (which carries what was understood, not
    # the raw bytes): such a message is never parsed again.
    raw = models.BinaryField(default=b"", blank=True)
    size = models.PositiveIntegerField(default=0)
    message_id = models.CharField(max_length=500)
    received_at = models.DateTimeField(default=timezone.now)
    # What the parsers read; ``parsed_at`` is null until ingest_one has run (the forwarding
    # server stores without reading; the worker's ``parse_one`` claims the row for a while).
    parsed_at = models.DateTimeField(null=True, blank=True)
    parse_claimed_until = models.DateTimeField(null=True, blank=True)
    # Why the message could not be read (over the parse budget, not email…); empty if read.
    unreadable = models.CharField(max_length=500, blank=True)
    written_at = models.DateTimeField("date", null=True, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    sender_name = models.CharField(max_length=300, blank=True)
    sender_email = models.CharField(max_length=320, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    full_text = models.TextField(blank=True)
    safe_html = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)
    # The suggestion (inbox/understanding.py).
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    phrases = models.JSONField(default=list, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    # Matching (inbox/matching.py): the application, or the tied candidates.
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_messages",
    )
    match_reason = models.CharField(max_length=300, blank=True)
    candidate_ids = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.NEW)
    acted_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=30, blank=True)

    objects = ReceivedMessageQuerySet.as_manager()

    class Meta:
        db_table = "notes_receivedmessage"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "message_id"], name="received_message_id_unique_per_owner"
            )
        ]
        indexes = [
            models.Index(fields=["owner", "-received_at"]),
            models.Index(
                fields=["application", "written_at"],
                name="received_by_application",
                condition=Q(application__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.subject or "(no subject)"

    def get_absolute_url(self) -> str:
        return reverse("inbox_message", args=[self.pk])

    @property
    def outcome(self) -> str:
        """What the suggestion the user accepted did, said as done ("interview added to
        your plan"): the Inbox shows it apart from the application's status, which a bare
        "Applied" would read as."""
        if self.state != State.APPLIED:
            return ""
        return ACTION_DONE.get(self.action, "done as suggested")

    @property
    def wrote_at(self):
        """When the employer wrote: the Date header, or when it arrived."""
        return self.written_at or self.received_at


class InviteState(models.TextChoices):
    PENDING = "pending", "Waiting for you"
    APPLIED = "applied", "Applied"
    IGNORED = "ignored", "Ignored"
    SUPERSEDED = "superseded", "Superseded by a newer version"


class CalendarInvite(models.Model):
    """One calendar event seen in a message; (owner, UID, SEQUENCE, METHOD) is seen once."""

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="calendar_invites")
    message = models.ForeignKey(ReceivedMessage, on_delete=models.CASCADE, related_name="invites")
    uid = models.CharField(max_length=500)
    sequence = models.IntegerField(default=0)
    method = models.CharField(max_length=20)
    summary = models.CharField(max_length=500, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    tzname = models.CharField(max_length=64, default="UTC")
    location = models.CharField(max_length=500, blank=True)
    meeting_url = models.CharField(max_length=1000, blank=True)
    description = models.TextField(blank=True)
    # [{"name": …, "email": …}], the organizer first.
    people = models.JSONField(default=list, blank=True)
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="invites"
    )
    state = models.CharField(max_length=12, choices=InviteState, default=InviteState.PENDING)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        db_table = "notes_calendarinvite"
        ordering = ["uid", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "uid", "sequence", "method"],
                name="calendar_invite_seen_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.summary or self.uid} (v{self.sequence}, {self.method})"


class Security(models.TextChoices):
    SSL = "ssl", "TLS (port 993)"
    STARTTLS = "starttls", "STARTTLS (port 143)"
    NONE = "none", "None (only for a server on this machine)"


class MailboxConnection(models.Model):
    """An IMAP folder the poller reads; each message is taken once (UIDVALIDITY + UID).

    The password is stored encrypted (inbox/crypto.py) and never shown again.
    """

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="mailboxes")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=10, choices=Security, default=Security.SSL)
    username = models.CharField(max_length=320)
    password_encrypted = models.BinaryField()
    folder = models.CharField(max_length=255, default="INBOX")
    enabled = models.BooleanField(default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        db_table = "notes_mailboxconnection"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.username} on {self.host} ({self.folder})"
