"""Fill the database with realistic data: a demo account, or many accounts for benchmarks.

    python manage.py seed_demo                       # demo@example.com / demo-password
    python manage.py seed_demo --users 5 --applications 1000
    python manage.py seed_demo --users 1 --applications 20 --email "small-{n}@example.com"

The demo account shows every part of the app; the large mode writes with bulk inserts so a
thousand applications per user take seconds (planning their follow-ups is most of it:
``--no-plan`` skips it). It lives in the tracking room because it fills every app's tables
and plans the follow-ups.

Every account gets a few "highlights" around the time the command runs, so the dashboard
has something in each section: an interview that ended yesterday and one earlier today
(not yet debriefed, thank-you notes due, one of them drafted), two interviews coming up
this week, and a decision two days overdue.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from interviews import services
from interviews.models import (
    Application,
    ApplicationSource,
    ApplicationStatus,
    Attendance,
    Candidate,
    Interview,
    Interviewer,
    InterviewerRole,
    StatusChange,
)
from notes.models import Channel, Correspondence, CorrespondenceKind, Note
from reminders.services import plan_application

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 — a documented demo account

COMPANIES = [
    "Initech", "Globex", "Umbrella Health", "Stark Analytics", "Wayne Logistics",
    "Hooli", "Pied Piper", "Vandelay Industries", "Wonka Foods", "Tyrell Robotics",
    "Cyberdyne Systems", "Soylent Labs", "Acme Learning", "Oscorp Energy", "Massive Dynamic",
]
ROLES = [
    "Product Manager", "Senior Backend Engineer", "Data Analyst", "Engineering Manager",
    "UX Researcher", "Customer Success Lead", "Head of Operations", "DevOps Engineer",
]
PEOPLE = [
    ("Maria Gonzalez", "VP Engineering", InterviewerRole.HIRING_MANAGER),
    ("Dr. Kwame Mensah", "Chief Technology Officer", InterviewerRole.MANAGERS_BOSS),
    ("Siobhán O'Connor", "Talent Partner", InterviewerRole.HR),
    ("Li Wei", "Staff Engineer", InterviewerRole.COLLEAGUE),
    ("Anna-Lena Schmidt", "Director of Marketing", InterviewerRole.OTHER_DEPARTMENT),
]
TOPICS = [
    "Migrating the billing system to event sourcing",
    "Selling to C-level executives",
    "Building strategic alliances with resellers",
    "Cutting onboarding time for new customers",
    "Collaboration between product and marketing",
]
CONCERNS = [
    "Has not managed a team larger than five",
    "No experience with our regulated industry",
    "Wondered whether I would relocate",
    "",
]
LISTING = (
    "We are looking for a {role} to lead cross-functional teams, own the roadmap and "
    "work closely with customers. You have strong stakeholder management, data-driven "
    "decision making and excellent written communication. Experience with B2B SaaS, "
    "agile delivery and mentoring is a plus."
)


DIVISIONS = ["Europe", "Labs", "Digital", "Americas", "Ventures", "Asia Pacific"]


def _company(n: int) -> str:
    """A distinct, plausible company name for the n-th application."""
    base = COMPANIES[n % len(COMPANIES)]
    division = n // len(COMPANIES)
    if division == 0:
        return base
    if division <= len(DIVISIONS):
        return f"{base} {DIVISIONS[division - 1]}"
    return f"{base} #{n}"


class Command(BaseCommand):
    help = "Create a demo account full of realistic data, or large data for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=0,
                            help="Create this many bench users (bench-N@example.com).")
        parser.add_argument("--applications", type=int, default=40,
                            help="Applications per user.")
        parser.add_argument("--email", default="bench-{n}@example.com",
                            help="Email of the bench users, {n} their number.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-plan", action="store_true",
                            help="Do not plan follow-ups (faster for huge data).")

    def handle(
        self, *args, users: int, applications: int, email: str, seed: int, no_plan: bool, **kw
    ):
        if applications < 0 or users < 0:
            raise CommandError("--users and --applications must be positive.")
        rng = random.Random(seed)
        if users:
            if "{n}" not in email:
                raise CommandError("--email must contain {n}, the number of the user.")
            for n in range(users):
                address = email.replace("{n}", str(n))
                owner = self._user(address, "bench-password")
                self._fill(owner, applications, rng, plan=not no_plan)
                self.stdout.write(f"{address}: {applications} applications")
            return
        owner = self._user(DEMO_EMAIL, DEMO_PASSWORD, display_name="Demo Candidate")
        self._fill(owner, applications, rng, plan=not no_plan)
        self.stdout.write(self.style.SUCCESS(
            f"Sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD!r}."
        ))

    def _user(self, email: str, password: str, **extra) -> Candidate:
        owner = Candidate.objects.filter(email=email).first()
        if owner is None:
            owner = Candidate.objects.create_user(
                email, password, time_zone="Europe/London", country="GB",
                signature_name=extra.get("display_name", "Bench User"),
                welcomed_at=timezone.now(), **extra,
            )
            services.candidate_mark_email_verified(candidate=owner)
        return owner

    @transaction.atomic
    def _fill(self, owner: Candidate, count: int, rng: random.Random, *, plan: bool) -> None:
        now = timezone.now()
        # The weights by status; a saved listing is made from an applied one below, so the
        # random draws (and the rest of the demo) stay what they were before "Saved" existed.
        weights = {"applied": 3, "interviewing": 5, "offer": 1, "accepted": 1, "rejected": 3,
                   "withdrawn": 1, "filled": 1, "on_hold": 1}
        statuses = list(weights)
        apps = [
            Application(
                owner=owner,
                company=_company(n),
                role_title=(role := rng.choice(ROLES)),
                listing_url=f"https://jobs.example.com/{n}",
                listing_text=LISTING.format(role=role),
                source=rng.choice([s for s, _ in ApplicationSource.choices]),
                status=rng.choices(statuses, weights=list(weights.values()))[0],
                decision_date=(now + timedelta(days=rng.randint(-10, 20))).date()
                if rng.random() < 0.5 else None,
                created_at=now - timedelta(days=rng.randint(2, 60)),
            )
            for n in range(count)
        ]
        # Every other application only applied for, with no decision date, is a listing
        # still saved: the board's first column has cards.
        for app in [a for a in apps if a.status == "applied" and a.decision_date is None][::2]:
            app.status = ApplicationStatus.SAVED
        apps = Application.objects.bulk_create(apps)
        interviews, people = [], []
        for app in apps:
            if app.status in (ApplicationStatus.SAVED, ApplicationStatus.APPLIED):
                continue
            for round_number in range(1, rng.randint(1, 3) + 1):
                start = app.created_at + timedelta(days=5 * round_number, hours=rng.randint(9, 16))
                interviews.append(Interview(
                    application=app, round_number=round_number,
                    format=rng.choice(["phone", "video", "on_site", "panel"]),
                    starts_at=start, ends_at=start + timedelta(hours=1),
                    location="https://meet.example.com/abc-defg-hij",
                    q_most_important=rng.choice(TOPICS),
                    q_decision_by=app.decision_date,
                    created_at=start - timedelta(days=3),
                ))
            domain = f"{app.company.split()[0].lower()}.example"
            for name, title, role in rng.sample(PEOPLE, rng.randint(1, 3)):
                mailbox = "".join(c for c in name.split()[-1].lower() if c.isalpha())
                people.append(Interviewer(
                    application=app, name=name, title=title, role=role,
                    email="" if rng.random() < 0.15 else f"{mailbox}@{domain}",
                ))
        highlighted = self._highlight(owner, apps, interviews, now)
        StatusChange.objects.bulk_create(self._history(apps, interviews, now))
        Interview.objects.bulk_create(interviews)
        Interviewer.objects.bulk_create(people)
        by_app: dict[int, list[Interview]] = {}
        for interview in interviews:
            by_app.setdefault(interview.application_id, []).append(interview)
        attendances, sent = [], []
        for person in people:
            # The last two rounds: the highlights are last rounds, and need their people.
            for interview in by_app.get(person.application_id, [])[-2:]:
                attendances.append(Attendance(
                    interview=interview, interviewer=person, topics=rng.choice(TOPICS),
                    concerns=rng.choice(CONCERNS),
                ))
                sent_at = interview.ends_at + timedelta(hours=rng.randint(2, 40))
                # Nothing is sent before the interview has happened, nor for a highlight
                # (their notes are still due).
                if rng.random() < 0.6 and sent_at <= now and interview not in highlighted:
                    sent.append(Correspondence(
                        application_id=person.application_id, interview=interview,
                        interviewer=person, kind=CorrespondenceKind.THANK_YOU,
                        channel=rng.choice([Channel.EMAIL, Channel.CARD]),
                        sent_at=sent_at,
                        subject="Thank you", body=f"Dear {person.name}, thank you…",
                    ))
        Attendance.objects.bulk_create(attendances)
        Correspondence.objects.bulk_create(sent)
        self._draft_thank_you(attendances, highlighted, now)
        if plan:
            for app in apps:
                # An ended application needs no follow-up (rules.plan): skip the queries.
                if app.status not in ApplicationStatus.closed():
                    plan_application(application_id=app.pk, now=now)

    @staticmethod
    def _history(apps, interviews, now) -> list[StatusChange]:
        """Each application's status history: applied when created, then its status.

        An application still interviewing got there four days later (the invitation);
        a decision, a withdrawal or a freeze comes 2–13 days after the last interview held,
        as it would: the insights measure that wait from this history.
        """
        last_end: dict[int, datetime] = {}
        for interview in interviews:
            if interview.ends_at <= now:
                pk = interview.application_id
                last_end[pk] = max(interview.ends_at, last_end.get(pk, interview.ends_at))
        changes = []
        for app in apps:
            if app.status == ApplicationStatus.SAVED:
                changes.append(StatusChange(application=app, from_status="", to_status="saved",
                                            changed_at=app.created_at))
                continue
            changes.append(StatusChange(application=app, from_status="", to_status="applied",
                                        changed_at=app.created_at))
            if app.status == ApplicationStatus.APPLIED:
                continue
            at = app.created_at + timedelta(days=4)
            if app.status != ApplicationStatus.INTERVIEWING and app.pk in last_end:
                at = min(last_end[app.pk] + timedelta(days=2 + app.pk % 12), now)
            changes.append(StatusChange(application=app, from_status="applied",
                                        to_status=app.status, changed_at=at))
        return changes

    @staticmethod
    def _highlight(owner: Candidate, apps, interviews, now) -> list[Interview]:
        """Move the last round of a few interviewing applications around ``now``.

        Returns the interviews moved: yesterday, earlier today, tomorrow, in three days.
        One more application has its decision two days overdue.
        """
        zone = owner.zone
        today = now.astimezone(zone).date()

        def local(day_offset: int, hour: int) -> datetime:
            day = today + timedelta(days=day_offset)
            return datetime.combine(day, time(hour), tzinfo=zone)

        earlier_today = min(local(0, 9), now - timedelta(hours=2))
        moments = [local(-1, 14), earlier_today, local(1, 10), local(3, 15)]
        last_rounds = {}
        for interview in interviews:
            last_rounds[interview.application_id] = interview
        interviewing = [
            app for app in apps
            if app.status == ApplicationStatus.INTERVIEWING and app.pk in last_rounds
        ]
        moved = []
        for app, start in zip(interviewing, moments, strict=False):
            # Every round moves by the same amount, so the rounds stay in order.
            shift = start - last_rounds[app.pk].starts_at
            for interview in interviews:
                if interview.application_id == app.pk:
                    interview.starts_at += shift
                    interview.ends_at += shift
                    interview.created_at = min(interview.created_at,
                                               interview.starts_at - timedelta(days=3))
            moved.append(last_rounds[app.pk])
        overdue = interviewing[len(moments):len(moments) + 1]
        for app in overdue:
            app.decision_date = today - timedelta(days=2)
            Application.objects.filter(pk=app.pk).update(decision_date=app.decision_date)
            for interview in interviews:
                if interview.application_id == app.pk:
                    interview.q_decision_by = app.decision_date
        return moved

    @staticmethod
    def _draft_thank_you(attendances, highlighted, now) -> None:
        """A thank-you drafted but not sent, for the first person met yesterday."""
        for attendance in attendances:
            if attendance.interview in highlighted[:1]:
                interview, person = attendance.interview, attendance.interviewer
                Note.objects.create(
                    application_id=interview.application_id, interview=interview,
                    interviewer=person, kind=CorrespondenceKind.THANK_YOU,
                    subject="Thank you for yesterday's conversation",
                    body=f"Dear {person.name},\n\nThank you for taking the time to talk "
                    f"about {attendance.topics.lower()}…",
                    created_at=interview.ends_at + timedelta(hours=2),
                    updated_at=interview.ends_at + timedelta(hours=2),
                )
                return
