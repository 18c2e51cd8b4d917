"""The candidate, their applications, interviews and the people they met.

This app knows nothing of ``notes`` or ``reminders``; they read from it. Writes with side
effects (status history, announcements) live in ``interviews/services.py``.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

LISTING_TEXT_MAX_CHARS = 100_000
TEXT_MAX_CHARS = 5_000


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    return [(name, name.replace("_", " ")) for name in names]


class CandidateManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> Candidate:
        if not email:
            raise ValueError("A candidate needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> Candidate:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> Candidate:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str) -> Candidate:
        # Emails are stored lower-cased; sign-in is case-insensitive.
        return self.get(email__iexact=username)


class Candidate(AbstractBaseUser, PermissionsMixin):
    """The job seeker. Signs in with their email address."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=100, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        choices=time_zone_choices,
        help_text="Interview times are entered and shown in this zone.",
    )
    country = CountryField(
        blank=True, help_text="Used to skip your public holidays when planning follow-ups."
    )
    reminder_hour = models.PositiveSmallIntegerField(
        default=9,
        validators=[MaxValueValidator(23)],
        help_text="Hour of the day (0–23, your time) at which reminders should arrive.",
    )
    signature_name = models.CharField("name for letters", max_length=100, blank=True)
    signature_phone = models.CharField("phone for letters", max_length=32, blank=True)
    signature_address = models.TextField(
        "postal address for letters", max_length=500, blank=True
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = CandidateManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    INTERVIEWING = "interviewing", "Interviewing"
    OFFER = "offer", "Offer"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    FILLED = "filled", "Position filled"
    ON_HOLD = "on_hold", "On hold"

    @classmethod
    def closed(cls) -> frozenset[str]:
        """Statuses after which no outreach is due (DOMAIN.md §3)."""
        return frozenset({cls.ACCEPTED, cls.WITHDRAWN, cls.FILLED})


class ApplicationSource(models.TextChoices):
    COMPANY_SITE = "company_site", "Company website"
    JOB_BOARD = "job_board", "Job board"
    LINKEDIN = "linkedin", "LinkedIn"
    REFERRAL = "referral", "Referral"
    RECRUITER = "recruiter", "Recruiter"
    NETWORKING = "networking", "Networking"
    OTHER = "other", "Other"


class ApplicationQuerySet(models.QuerySet):
    def owned_by(self, user) -> ApplicationQuerySet:
        return self.filter(owner=user)

    def with_next_interview(self, now=None) -> ApplicationQuerySet:
        now = now or timezone.now()
        return self.annotate(
            next_interview_at=models.Min(
                "interviews__starts_at", filter=Q(interviews__starts_at__gte=now)
            )
        )


class Application(models.Model):
    """One job opening at one company."""

    owner = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    company = models.CharField(max_length=200)
    role_title = models.CharField("role", max_length=200)
    listing_url = models.URLField("job listing URL", max_length=1000, blank=True)
    listing_text = models.TextField(
        "job listing text",
        blank=True,
        max_length=LISTING_TEXT_MAX_CHARS,
        help_text="Paste the whole listing: your notes will mirror its words.",
    )
    source = models.CharField(max_length=20, choices=ApplicationSource, blank=True)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus, default=ApplicationStatus.APPLIED
    )
    decision_date = models.DateField(
        "expected decision date",
        null=True,
        blank=True,
        help_text="When they said you would hear back.",
    )
    notes = models.TextField(blank=True, max_length=TEXT_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.role_title} at {self.company}"

    def get_absolute_url(self) -> str:
        return reverse("application_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in ApplicationStatus.closed()


class StatusChange(models.Model):
    """One entry of an application's status history."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=ApplicationStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class InterviewFormat(models.TextChoices):
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    ON_SITE = "on_site", "On-site"
    PANEL = "panel", "Panel"


class ContactChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    LINKEDIN = "linkedin", "LinkedIn message"
    ANY = "any", "No preference"


class InterviewQuerySet(models.QuerySet):
    def owned_by(self, user) -> InterviewQuerySet:
        return self.filter(application__owner=user)


class Interview(models.Model):
    """One round of an application, with the answers to DOMAIN.md §1's questions."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    round_number = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    format = models.CharField(max_length=10, choices=InterviewFormat, default=InterviewFormat.VIDEO)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(
        "location or meeting link", max_length=500, blank=True,
    )
    # The questions to ask (DOMAIN.md §1, seeds 003 and 004).
    q_most_important = models.TextField(
        "most important thing to accomplish", blank=True, max_length=TEXT_MAX_CHARS,
        help_text="If hired, what is the most important thing to accomplish?",
    )
    q_most_difficult = models.TextField(
        "most difficult challenge", blank=True, max_length=TEXT_MAX_CHARS,
        help_text="If hired, what is the most difficult challenge going forward?",
    )
    q_rounds_remaining = models.PositiveSmallIntegerField(
        "rounds remaining", null=True, blank=True, validators=[MaxValueValidator(20)],
        help_text="Where am I in the process: how many rounds are left after this one?",
    )
    q_other_steps = models.TextField(
        "other steps", blank=True, max_length=TEXT_MAX_CHARS,
        help_text="What else is involved (reference checks, tests)?",
    )
    q_decision_by = models.DateField(
        "decision expected by", null=True, blank=True,
        help_text="When will a decision be made? This sets the application's decision date.",
    )
    q_next_step = models.TextField(
        "next step", blank=True, max_length=TEXT_MAX_CHARS,
        help_text="What is the next step in the process, and when?",
    )
    q_preferred_contact = models.CharField(
        "preferred contact channel", max_length=10, choices=ContactChannel, blank=True,
        help_text="How do they prefer to be contacted?",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="interview_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Round {self.round_number} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("interview_detail", args=[self.pk])

    QUESTION_FIELDS = (
        "q_most_important",
        "q_most_difficult",
        "q_rounds_remaining",
        "q_other_steps",
        "q_decision_by",
        "q_next_step",
        "q_preferred_contact",
    )

    def question_answers(self) -> list[tuple[str, object]]:
        """(question, answer) pairs of DOMAIN.md §1; the answer is None when not asked."""
        pairs = []
        for name in self.QUESTION_FIELDS:
            field = self._meta.get_field(name)
            value = getattr(self, name)
            if field.choices and value:
                value = getattr(self, f"get_{name}_display")()
            pairs.append((field.help_text, value if value not in ("", None) else None))
        return pairs


class InterviewerRole(models.TextChoices):
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    MANAGERS_BOSS = "managers_boss", "Hiring manager's boss"
    HR = "hr", "HR / recruiter"
    COLLEAGUE = "colleague", "Future colleague"
    OTHER_DEPARTMENT = "other_department", "Manager from another department"
    OTHER = "other", "Other"


class InterviewerQuerySet(models.QuerySet):
    def owned_by(self, user) -> InterviewerQuerySet:
        return self.filter(application__owner=user)


class Interviewer(models.Model):
    """A person the candidate met. Belongs to the application; attends interviews."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviewers"
    )
    name = models.CharField(max_length=200, help_text="Spelled exactly as on their card.")
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    role = models.CharField(
        "role in the process", max_length=20, choices=InterviewerRole,
        default=InterviewerRole.OTHER,
    )
    interviews = models.ManyToManyField(
        Interview, through="Attendance", related_name="interviewers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = InterviewerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def missing_contact_details(self) -> list[str]:
        details = (("email", self.email), ("title", self.title))
        return [label for label, value in details if not value]


class AttendanceQuerySet(models.QuerySet):
    def owned_by(self, user) -> AttendanceQuerySet:
        return self.filter(interview__application__owner=user)


class Attendance(models.Model):
    """An interviewer at one interview: what they talked about and what worried them."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="attendances")
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.CASCADE, related_name="attendances"
    )
    topics = models.TextField("topics discussed", blank=True, max_length=TEXT_MAX_CHARS)
    concerns = models.TextField("concerns they raised", blank=True, max_length=TEXT_MAX_CHARS)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["interviewer__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "interviewer"], name="one_attendance_per_interview"
            )
        ]

    def __str__(self) -> str:
        return f"{self.interviewer} at {self.interview}"
