"""Follow-ups as rows with state: the schedule lives here, never in beat or the broker.

A row is created by the planner (``reminders.services.plan_application``) for each
follow-up the rules want; its ``key`` is unique per (rule, object, occasion), so planning
twice creates nothing new. Dispatch claims due rows with a lease, emails the candidate and
records the outcome on the rows.

A claim is not a status. A dispatcher holds a pending row by stamping its lease columns
(``claim_token``, ``claimed_until``, ``attempts``), which no index covers: on PostgreSQL,
with the free space that ``fillfactor`` leaves in each page (migration 0005), the claim is
a HOT update that rewrites no index entry. A row is *held* while its lease runs, and
claimable again, with no clean-up step, the moment the lease ends. Only the outcome
(reminded, failed, …) changes ``status`` and so the indexes.
"""

from __future__ import annotations

from datetime import datetime, time

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from interviews.models import Application, Candidate, Interview, Interviewer
from reminders.rules import RULES

RULE_CHOICES = [(rule.id, f"{rule.id} · {rule.title}") for rule in RULES.values()]


class Status(models.TextChoices):
    PENDING = "pending", "Upcoming"  # waiting for its due time, a retry, or a dispatcher
    REMINDED = "reminded", "Due"  # the reminder was emailed; the user has not acted yet
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"
    SKIPPED = "skipped", "Skipped"  # no longer applies (application ended, plan changed)
    FAILED = "failed", "Failed"  # the reminder email could not be delivered


OPEN_STATUSES = (Status.PENDING, Status.REMINDED)
# The columns a claim writes. No index may cover them (tests/reminders/test_claims.py):
# that is what keeps a claim a HOT update.
LEASE_COLUMNS = ("claim_token", "claimed_until", "attempts")


class FollowUpQuerySet(models.QuerySet):
    def owned_by(self, user) -> FollowUpQuerySet:
        return self.filter(owner=user)

    def due(self, now: datetime) -> FollowUpQuerySet:
        """Pending rows whose time has come, whose retry backoff (if any) is over and that
        no dispatcher holds: one range on the partial index ``followup_pending_due``."""
        return self.filter(status=Status.PENDING, due_at__lte=now).filter(
            Q(retry_at__isnull=True) | Q(retry_at__lte=now),
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        )

    def held(self, now: datetime) -> FollowUpQuerySet:
        """Rows a dispatcher is sending: claimed, with a lease that still runs."""
        return self.filter(status=Status.PENDING, claimed_until__gt=now)

    def open(self) -> FollowUpQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class FollowUp(models.Model):
    # Indexed with status and due_at below (claiming, the in-app alerts, cascades).
    owner = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="followups", db_index=False
    )
    # No index of its own: ("application", "status") below starts with it. Every index
    # costs on each status change, which is most of this table's writes.
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="followups", db_index=False
    )
    # Indexed only where set (Meta.indexes): many rules are about the application as a
    # whole, and their rows need not pay for an index entry at every status change.
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, null=True, blank=True, related_name="followups",
        db_index=False,
    )
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.CASCADE, null=True, blank=True, related_name="followups",
        db_index=False,
    )
    rule = models.CharField(max_length=4, choices=RULE_CHOICES)
    key = models.CharField(max_length=100)  # unique: see Meta.constraints
    due_at = models.DateTimeField()
    postponed_from = models.DateTimeField(
        null=True, blank=True, help_text="The rule's own due time, when the weekly cap moved it."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    status_note = models.CharField(max_length=200, blank=True)
    snoozed = models.BooleanField(default=False)
    # Dispatch bookkeeping.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the reminder was emailed."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        # Few indexes, on purpose: recording a reminder as sent changes ``status``, and a
        # row update that changes an indexed column adds an entry to every index of the
        # table (bench/dispatch.py measures the cost). A claim changes no indexed column.
        indexes = [
            # The claim's scan of what is due.
            models.Index(
                fields=["due_at"], name="followup_pending_due", condition=Q(status="pending")
            ),
            # Planning and the pages of one application; cascades.
            models.Index(fields=["application", "status"]),
            # One candidate's rows: their due rows in order (the claim), their open rows
            # (dashboard, calendar feed), their failures (alerts), export and cascades.
            models.Index(fields=["owner", "status", "due_at"], name="followup_owner_status_due"),
            # Cascades from a deleted interview or interviewer.
            models.Index(
                fields=["interview"], name="followup_interview",
                condition=Q(interview__isnull=False),
            ),
            models.Index(
                fields=["interviewer"], name="followup_interviewer",
                condition=Q(interviewer__isnull=False),
            ),
        ]
        constraints = [
            # A constraint rather than unique=True: on PostgreSQL that would add a second,
            # "LIKE" index on the key, which no query uses and every insert pays for.
            models.UniqueConstraint(fields=["key"], name="followup_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.definition.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        if self.interview_id:
            return reverse("interview_detail", args=[self.interview_id])
        return reverse("application_detail", args=[self.application_id])

    @property
    def definition(self):
        return RULES[self.rule]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_claimed(self) -> bool:
        """Whether a dispatcher claimed it: the planner leaves it alone until the dispatcher
        records the outcome or, if it died, the next tick releases its expired lease."""
        return self.status == Status.PENDING and self.claim_token is not None

    def display_state(self, now: datetime | None = None) -> str:
        """upcoming, due, done, snoozed, dismissed, skipped or failed — for people."""
        now = now or timezone.now()
        if self.status == Status.PENDING:
            if self.snoozed and self.due_at > now:
                return "snoozed"
            return "due" if self.due_at <= now else "upcoming"
        if self.status == Status.REMINDED:
            return "due"
        return self.status


class ReminderSettings(models.Model):
    """A candidate's reminder preferences (the reminder hour lives on the Candidate)."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    paused = models.BooleanField(
        default=False, help_text="Pause every reminder email. The plan stays visible here."
    )
    disabled_rules = models.JSONField(default=list, blank=True)
    # Channels: email is one of them; each push device and Apprise URL has its own switch.
    email_enabled = models.BooleanField(
        default=True, help_text="Reminders are emailed to the account's address."
    )
    # Waking hours, local time: nothing is pushed outside them (the email keeps its own
    # schedule). Empty start means the candidate's reminder hour.
    waking_from = models.TimeField(null=True, blank=True)
    waking_until = models.TimeField(default=time(21, 0))
    # Follow-ups due up to this moment are in a digest already (reminders.notify).
    digested_through = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return f"Reminder settings of {self.candidate}"


class PlanRequest(models.Model):
    """An application whose follow-ups must be re-planned: the transactional outbox.

    Written in the same transaction as the change that calls for it (a status, an interview,
    a person, a debrief, a note sent, the reminder settings), so that neither a broker that
    is down, a lost task nor a planning that fails can lose it: the request that made the
    change plans it once it committed (``reminders.services.plan_now``), a task plans what
    that left, and the minute tick plans every request still there
    (``reminders.services.plan_requested``). ``token`` changes with every request, so that
    a planner that read the facts before a newer change committed leaves that newer request
    in place.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    token = models.UUIDField()
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Re-plan application {self.application_id}"


# --- Other channels: push to a device, any service through Apprise ------------------------


class PushDevice(models.Model):
    """A browser subscribed to Web Push (VAPID) on one of the candidate's devices.

    ``endpoint`` is the push service's address for this subscription; ``p256dh`` and
    ``auth`` are the browser's keys that each push is encrypted to (RFC 8291). A push
    service that answers 404 or 410 has dropped the subscription: the row is deleted.
    """

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="push_devices")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    browser = models.CharField(max_length=100, blank=True, help_text="Read from its user agent.")
    enabled = models.BooleanField(default=True, help_text="Reminders are pushed to it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.browser or 'Browser'} of {self.owner}"

    def subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class AppriseChannel(models.Model):
    """A notification URL in Apprise's syntax (ntfys://, tgram://, pover://, …).

    The URL holds the service's secret (a token, a password), so it is stored encrypted
    with the mailbox passwords' keys (``inbox.crypto``) and never shown again in full:
    ``hint`` is what the pages show (the scheme and the host, the rest masked).
    """

    owner = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="apprise_channels"
    )
    label = models.CharField(max_length=60, help_text="A name you will recognise.")
    url_encrypted = models.BinaryField()
    hint = models.CharField(max_length=200)
    enabled = models.BooleanField(default=True, help_text="Reminders are sent to it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.hint})"


class Digest(models.Model):
    """What one reminder run had to tell a candidate: the follow-ups that came due.

    Made once per candidate and tick (``reminders.notify.make_digests``), whatever the
    email does, for the candidates with a push device or an Apprise URL. Each of their
    channels gets one ``Delivery`` of it.
    """

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    followup_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Digest {self.pk} of {self.owner_id}: {len(self.followup_ids)} follow-ups"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not needed"  # nothing left open in it, or the channel is off
    FAILED = "failed", "Failed"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: datetime) -> DeliveryQuerySet:
        """Pending, due (waking hours already applied to ``due_at``), past any retry
        backoff, and held by no dispatcher's running lease."""
        return self.filter(status=DeliveryStatus.PENDING, due_at__lte=now).filter(
            Q(retry_at__isnull=True) | Q(retry_at__lte=now),
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        )


class Delivery(models.Model):
    """One digest on one channel (a push device or an Apprise URL): the row that the
    delivery dispatcher claims, re-checks, sends and records, like a FollowUp's email."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    device = models.ForeignKey(PushDevice, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="deliveries")
    apprise = models.ForeignKey(AppriseChannel, on_delete=models.CASCADE, null=True,
                                blank=True, related_name="deliveries")
    due_at = models.DateTimeField(help_text="The digest's time, moved into waking hours.")
    status = models.CharField(max_length=10, choices=DeliveryStatus,
                              default=DeliveryStatus.PENDING)
    status_note = models.CharField(max_length=200, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["due_at"], name="delivery_pending_due",
                         condition=Q(status="pending")),
            models.Index(fields=["owner", "status"], name="delivery_owner_status"),
        ]
        constraints = [
            # At most one push per digest per device, one message per digest per URL.
            models.UniqueConstraint(fields=["digest", "device"], name="delivery_once_per_device",
                                    condition=Q(device__isnull=False)),
            models.UniqueConstraint(fields=["digest", "apprise"],
                                    name="delivery_once_per_apprise",
                                    condition=Q(apprise__isnull=False)),
            models.CheckConstraint(
                condition=Q(device__isnull=False, apprise__isnull=True)
                | Q(device__isnull=True, apprise__isnull=False),
                name="delivery_one_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} of digest {self.digest_id} ({self.get_status_display()})"

    @property
    def channel_key(self) -> str:
        return f"device:{self.device_id}" if self.device_id else f"apprise:{self.apprise_id}"


class TokenBucket(models.Model):
    """A rate limit per key (healthchecks' TokenBucket): ``tokens`` refill over time up to
    a capacity; each send takes one, and no token left means "not now"."""

    key = models.CharField(max_length=100, unique=True)
    tokens = models.FloatField(default=1.0)
    updated = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key}: {self.tokens:.2f}"
