"""The candidate, their applications, interviews, the people they met and the debriefs.

This app knows nothing of ``notes`` or ``reminders``; they read from it. Writes with side
effects (status history, announcements) live in ``interviews/services.py``.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Left
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

LISTING_TEXT_MAX_CHARS = 100_000
TEXT_MAX_CHARS = 5_000
COMPARE_EXCERPT_CHARS = 300


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
    # Mirrors allauth's EmailAddress.verified for the current address (kept in sync by
    # interviews.services); reminders are emailed only once it is true.
    email_verified = models.BooleanField(
        default=False, help_text="The owner proved they read this address."
    )
    # Set when the first-run welcome was completed or skipped; until then each sign-in
    # opens it. Accounts older than the welcome were set by its migration.
    welcomed_at = models.DateTimeField(null=True, blank=True)
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
    # A listing kept before applying: nothing has been sent, so nothing is followed up.
    SAVED = "saved", "Saved"
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

    def still_open(self) -> ApplicationQuerySet:
        """Applications still in play: not accepted, rejected, withdrawn nor filled."""
        return self.exclude(
            status__in={*ApplicationStatus.closed(), ApplicationStatus.REJECTED}
        )

    def debriefed(self) -> ApplicationQuerySet:
        """Those with at least one debrief, ``last_debriefed_at`` the start of the latest
        debriefed interview (to list the freshest first)."""
        latest = (
            Debrief.objects.filter(interview__application=OuterRef("pk"))
            .order_by("-interview__starts_at")
            .values("interview__starts_at")[:1]
        )
        return self.annotate(last_debriefed_at=Subquery(latest)).filter(
            last_debriefed_at__isnull=False
        )

    def with_rounds_done(self, now=None) -> ApplicationQuerySet:
        """``rounds_done``: how many of its interviews have ended."""
        now = now or timezone.now()
        ended = (
            Interview.objects.filter(application=OuterRef("pk"), ends_at__lte=now)
            .order_by()
            .values("application")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(rounds_done=Coalesce(Subquery(ended), 0))

    def with_latest_debrief(self, now=None) -> ApplicationQuerySet:
        """Annotate what the comparison page shows of the latest debrief, in one query.

        ``latest_<field>`` comes from the debrief of the application's most recent debriefed
        interview (the freshest impression, whatever order the debriefs were written in);
        long answers are cut to ``COMPARE_EXCERPT_CHARS``. ``debrief_interview_id`` is the
        latest interview that has started, for the link to debrief it.
        """
        now = now or timezone.now()
        latest = Debrief.objects.filter(interview__application=OuterRef("pk")).order_by(
            "-interview__starts_at", "-interview_id"
        )
        values = {
            "latest_interview_id": latest.values("interview_id")[:1],
            "latest_went_well_rating": latest.values("went_well_rating")[:1],
            "latest_top_candidate_rating": latest.values("top_candidate_rating")[:1],
            **{
                f"latest_{name}": latest.values(excerpt=Left(name, COMPARE_EXCERPT_CHARS))[:1]
                for name in ("excited_about", "concerns", "top_candidate", "fit")
            },
            "debrief_interview_id": Interview.objects.filter(
                application=OuterRef("pk"), starts_at__lte=now
            )
            .order_by("-starts_at", "-pk")
            .values("pk")[:1],
        }
        return self.annotate(**{name: Subquery(query) for name, query in values.items()})


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
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            # The board's columns: an owner's latest cards of one status.
            models.Index(fields=["owner", "status", "-updated_at", "-id"]),
        ]

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
    # Set when the employer cancelled the round (a calendar cancellation the user confirmed):
    # kept on the timeline, but no follow-up is planned for it.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        # The dashboard's interviews coming up and interviews to debrief, in time order.
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="interview_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Round {self.round_number} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("interview_detail", args=[self.pk])

    @property
    def in_person(self) -> bool:
        """Met at their office: on site, or a panel at an address rather than a link. Only
        then can the candidate pick up a card or ask at reception on the way out."""
        if self.format == InterviewFormat.ON_SITE:
            return True
        location = self.location.strip().lower()
        return self.format == InterviewFormat.PANEL and bool(location) and "://" not in location

    QUESTION_FIELDS = (
        "q_most_important",
        "q_most_difficult",
        "q_rounds_remaining",
        "q_other_steps",
        "q_decision_by",
        "q_next_step",
        "q_preferred_contact",
    )

    def unanswered_questions(self) -> list[str]:
        """Names of the §1 question fields still blank on this interview."""
        return [name for name in self.QUESTION_FIELDS if getattr(self, name) in ("", None)]

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


# The debrief questionnaire of DOMAIN.md §2 (seed 004): (field, question, help text).
DEBRIEF_QUESTIONS = (
    ("went_well", "1. Did the interview go well? Why or why not?",
     "Be honest and specific: the moments that decided it either way."),
    ("excited_about", "2. What excited me about the job?",
     "The work, the people, the product, the pay: whatever made you want it."),
    ("concerns", "3. What concerns do I have about the job?",
     "Anything that worried you, even a small doubt."),
    ("skills_match", "4. Do I have the skills they are looking for?",
     "Which ones and why you think so; if not, which skills do they need?"),
    ("did_well", "5. What did I do well in the interview?",
     "Answers that landed, stories that worked: do them again."),
    ("did_not_do_well", "6. What did I NOT do well in the interview?",
     "Your note can add what you neglected to say or did not say well."),
    ("awkward_moments", "7. Were there any awkward moments?",
     "What were they about, and why were they awkward?"),
    ("could_do_better", "8. What could I have done better?",
     "Your note can overcome an area where you faltered."),
    ("to_practise", "9. What do I need to practise answering for the next interview?",
     "The questions that caught you out."),
    ("top_candidate", "10. Am I a top candidate for this position? Why, or why not?",
     "Write down why you think so, or why not."),
    ("fit", "11. How does this job fit what I want?",
     "Compare it with what you want and with your other opportunities."),
)
DEBRIEF_ANSWER_FIELDS = tuple(name for name, _, _ in DEBRIEF_QUESTIONS)
# Answers 6–8 feed the thank-you note ("overcome any areas where you faltered", seed 004).
DEBRIEF_REPAIR_FIELDS = ("did_not_do_well", "awkward_moments", "could_do_better")
RATING_MIN, RATING_MAX = 1, 5


def _answer(name: str) -> models.TextField:
    question, help_text = next((q, h) for n, q, h in DEBRIEF_QUESTIONS if n == name)
    return models.TextField(question, blank=True, max_length=TEXT_MAX_CHARS, help_text=help_text)


def _rating(verbose_name: str, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, help_text=help_text,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )


def _rating_between_bounds(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True})
        | Q(**{f"{name}__gte": RATING_MIN, f"{name}__lte": RATING_MAX}),
        name=f"debrief_{name}_1_to_5",
    )


class DebriefQuerySet(models.QuerySet):
    def owned_by(self, user) -> DebriefQuerySet:
        return self.filter(interview__application__owner=user)


class Debrief(models.Model):
    """The candidate's own review of one interview, right after it (DOMAIN.md §2).

    Answers are separate fields, not a JSON blob, so applications can be compared by them.
    """

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="debrief")
    next_steps_said = models.TextField(
        "anything said about next steps", blank=True, max_length=TEXT_MAX_CHARS,
        help_text="Who does what next, and when: their words as near as you remember them.",
    )
    went_well = _answer("went_well")
    went_well_rating = _rating("how well it went (1–5)", "1 = badly, 5 = very well.")
    excited_about = _answer("excited_about")
    concerns = _answer("concerns")
    skills_match = _answer("skills_match")
    did_well = _answer("did_well")
    did_not_do_well = _answer("did_not_do_well")
    awkward_moments = _answer("awkward_moments")
    could_do_better = _answer("could_do_better")
    to_practise = _answer("to_practise")
    top_candidate = _answer("top_candidate")
    top_candidate_rating = _rating(
        "how much of a top candidate (1–5)", "1 = unlikely, 5 = clearly a top candidate."
    )
    fit = _answer("fit")
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the debrief wizard was first finished."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DebriefQuerySet.as_manager()

    class Meta:
        constraints = [
            _rating_between_bounds("went_well_rating"),
            _rating_between_bounds("top_candidate_rating"),
        ]

    def __str__(self) -> str:
        return f"Debrief of {self.interview}"

    def get_absolute_url(self) -> str:
        return reverse("interview_detail", args=[self.interview_id]) + "#debrief"

    def _pairs(self, names) -> list[tuple[str, str]]:
        """(question, answer) for the given fields that were answered."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in names
            if getattr(self, name)
        ]

    @property
    def repair_answers(self) -> list[tuple[str, str]]:
        """Answers 6–8: what a thank-you note can repair (seed 004; coach check C9)."""
        return self._pairs(DEBRIEF_REPAIR_FIELDS)

    @property
    def other_answers(self) -> list[tuple[str, str]]:
        """The answers that are neither repairs nor practice, in questionnaire order."""
        skip = {*DEBRIEF_REPAIR_FIELDS, "to_practise"}
        return self._pairs(name for name in DEBRIEF_ANSWER_FIELDS if name not in skip)


class DebriefDraftQuerySet(models.QuerySet):
    def owned_by(self, user) -> DebriefDraftQuerySet:
        return self.filter(interview__application__owner=user)


class DebriefDraft(models.Model):
    """A debrief being written: the wizard's steps as typed, not yet saved.

    Kept in the database, not the session, so it survives signing out and follows the
    candidate to another device (``interviews.drafts.DebriefDraftStorage``). One per
    interview; ``services.debrief_save`` deletes it with the save.
    """

    interview = models.OneToOneField(
        Interview, on_delete=models.CASCADE, related_name="debrief_draft"
    )
    # formtools' storage layout: {"step": ..., "step_data": {step: {field: [values]}}, ...}
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DebriefDraftQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Debrief draft of {self.interview}"

    def get_absolute_url(self) -> str:
        return reverse("debrief", args=[self.interview_id])
