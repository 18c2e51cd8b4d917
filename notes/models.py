"""Correspondence: what the candidate sent, the drafts per interviewer, brag book and library."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from interviews.models import Application, Candidate, Interview, Interviewer


class CorrespondenceKind(models.TextChoices):
    """What a piece of correspondence was for; the cadence rules read these (DOMAIN.md §3)."""

    THANK_YOU = "thank_you", "Thank-you note"
    STATUS_CHECK = "status_check", "Status check"
    CHECK_IN = "check_in", "Check-in"
    VALUE_ADD = "value_add", "Value-add follow-up"
    REJECTION_REPLY = "rejection_reply", "Reply to a rejection"
    OPENINGS_INQUIRY = "openings_inquiry", "Inquiry about other openings"
    STAY_IN_TOUCH = "stay_in_touch", "Stay-in-touch note"
    WORK_PRODUCT = "work_product", "Work product or 30/60/90-day plan"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CARD = "card", "Handwritten card"
    LETTER = "letter", "One-page letter"
    PHONE = "phone", "Phone call"
    OTHER = "other", "Other"


class CorrespondenceQuerySet(models.QuerySet):
    def owned_by(self, user) -> CorrespondenceQuerySet:
        return self.filter(application__owner=user)


class Correspondence(models.Model):
    """One thing the candidate sent, on the application's timeline."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="correspondence"
    )
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="correspondence"
    )
    interviewer = models.ForeignKey(
        Interviewer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correspondence",
    )
    kind = models.CharField(max_length=20, choices=CorrespondenceKind)
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.EMAIL)
    sent_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, max_length=20_000)

    objects = CorrespondenceQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name_plural = "correspondence"
        indexes = [models.Index(fields=["application", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display().lower()})"


# --- Drafts -------------------------------------------------------------------------------

NOTE_BODY_MAX_CHARS = 20_000  # the same limit as Correspondence.body, which a sent note becomes
NOTE_SUBJECT_MAX_CHARS = 300
ATTACHMENT_MAX_CHARS = 2_000
# The channels a note can be drafted for; phone calls and "other" are only ever recorded.
DRAFT_CHANNELS = (Channel.EMAIL, Channel.CARD, Channel.LETTER)


class NoteQuerySet(models.QuerySet):
    def owned_by(self, user) -> NoteQuerySet:
        return self.filter(application__owner=user)

    def drafts(self) -> NoteQuerySet:
        return self.filter(sent_at__isnull=True)


class Note(models.Model):
    """A note to one interviewer, drafted here and kept, read-only, once sent.

    Plain text only: it is rendered escaped everywhere. ``version`` grows by one with every
    save; a save names the version it started from and is refused if another tab or window
    saved in between (see ``notes.services.note_save``). ``editor`` is the page load that
    saved last, so a tab's own autosave racing its own Save button is not a conflict.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="written_notes"
    )
    # The round a thank-you is for; other kinds hang off the latest round, if any. Deleting
    # the round deletes its notes (its confirmation page says so); sent ones stay recorded
    # as Correspondence.
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, null=True, blank=True, related_name="written_notes"
    )
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.CASCADE, related_name="written_notes"
    )
    kind = models.CharField(
        max_length=20, choices=CorrespondenceKind, default=CorrespondenceKind.THANK_YOU
    )
    channel = models.CharField(
        max_length=10,
        choices=[(c.value, c.label) for c in DRAFT_CHANNELS],
        default=Channel.EMAIL,
    )
    subject = models.CharField(max_length=NOTE_SUBJECT_MAX_CHARS, blank=True)
    body = models.TextField(blank=True, max_length=NOTE_BODY_MAX_CHARS)
    attachment_description = models.TextField(
        "what you attach",
        blank=True,
        max_length=ATTACHMENT_MAX_CHARS,
        help_text="For a work product or 30/60/90-day plan: describe what you attach.",
    )
    version = models.PositiveIntegerField(default=1)
    editor = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    correspondence = models.OneToOneField(
        Correspondence, on_delete=models.SET_NULL, null=True, blank=True, related_name="note"
    )

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "interview"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.interviewer}"

    def get_absolute_url(self) -> str:
        return reverse("note_edit", args=[self.pk])

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


# --- Brag book and value-add library --------------------------------------------------------


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user) -> OwnedQuerySet:
        return self.filter(owner=user)


class Testimonial(models.Model):
    """Something good someone wrote about the candidate (seed 003's "brag book")."""

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="testimonials")
    quote = models.TextField(max_length=1_000)
    author = models.CharField("who said it", max_length=200)
    author_title = models.CharField("their title", max_length=200, blank=True)
    given_on = models.DateField("when", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.quote[:40]}"


class Achievement(models.Model):
    """A result the candidate can cite: "installed a new accounting system at XYZ Corp"."""

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="achievements")
    text = models.TextField("achievement", max_length=1_000)
    achieved_on = models.DateField("when", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-achieved_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class ResourceKind(models.TextChoices):
    ARTICLE = "article", "Article"
    BOOK = "book", "Book"
    NEWS = "news", "News item"
    EVENT = "event", "Industry event"
    IDEA = "idea", "Idea"


class Resource(models.Model):
    """Something worth sending on a topic discussed: the value-add follow-up (seed 000)."""

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=10, choices=ResourceKind, default=ResourceKind.ARTICLE)
    title = models.CharField(max_length=300)
    url = models.URLField("link", max_length=1_000, blank=True)
    why = models.CharField("why it matters", max_length=500, blank=True)
    # Lower-case, comma-separated, as the form cleans them.
    tags = models.CharField(max_length=500, blank=True, help_text="Comma-separated topics.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (part.strip() for part in self.tags.split(",")) if tag]


class NotesSettings(models.Model):
    """The candidate's own words for the coach, kept here so ``interviews`` stays untouched."""

    owner = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="notes_settings")
    confidential_terms = models.TextField(
        "confidential words",
        blank=True,
        max_length=5_000,
        help_text="One per line: client names, project code names, anything a note must "
        "never mention. The coach flags them (check C11).",
    )

    class Meta:
        verbose_name_plural = "notes settings"

    def __str__(self) -> str:
        return f"Notes settings of {self.owner}"

    @property
    def term_list(self) -> list[str]:
        return [
            term for term in (line.strip() for line in self.confidential_terms.splitlines()) if term
        ]
