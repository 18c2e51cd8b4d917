"""The demo data: ``seed_demo`` fills an account so that every page has something to show."""

from __future__ import annotations

import re
import time
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from interviews.models import Application, Candidate
from notes.models import Note
from reminders.models import FollowUp
from tests.tracking.tracking_fixtures import signed_in


def test_the_demo_account_lights_up_every_part_of_the_dashboard(db):
    call_command("seed_demo", stdout=StringIO())

    demo = Candidate.objects.get(email="demo@example.com")
    response = signed_in(demo).get(reverse("home"))

    content = response.content.decode()
    kinds = set(re.findall(r'class="card mb-2 action action-(\w+)"', content))
    # The demo's thank-you draft is on its line of the thank-you task ("thanks").
    assert kinds == {"followup", "thanks", "debrief", "interview", "decision"}
    for bucket in ("overdue", "today", "week"):
        section = re.search(rf'bucket-{bucket}".*?</section>', content, re.S).group(0)
        assert 'class="card mb-2 action' in section, bucket
    assert Note.objects.filter(application__owner=demo, sent_at__isnull=True).exists()


def test_bench_accounts_are_seeded_quickly(db):
    started = time.perf_counter()
    call_command("seed_demo", users=2, applications=200, stdout=StringIO())
    elapsed = time.perf_counter() - started

    for n in range(2):
        owner = Candidate.objects.get(email=f"bench-{n}@example.com")
        assert Application.objects.filter(owner=owner).count() == 200
        assert FollowUp.objects.filter(owner=owner).exists()
    # 1,000 applications take about 10 s; 400 must stay well within a minute.
    assert elapsed < 60, elapsed
