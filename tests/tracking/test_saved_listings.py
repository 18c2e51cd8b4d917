"""A listing saved before applying (the board's first column) across the other pages: the
list's filters, insights, the exports and import, the application form."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import Application, ApplicationStatus
from tests.factories import ApplicationFactory, CandidateFactory
from tracking import insights, portability

CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


@pytest.fixture
def listings(owner):
    return {
        "saved": ApplicationFactory(owner=owner, company="Monzo", status="saved"),
        "applied": ApplicationFactory(owner=owner, company="Acme", status="applied"),
        "rejected": ApplicationFactory(owner=owner, company="Hooli", status="rejected"),
    }


def test_saved_comes_before_applied_in_every_list_of_statuses():
    statuses = [status for status, _ in ApplicationStatus.choices]
    assert statuses[:2] == ["saved", "applied"]
    assert "saved" not in ApplicationStatus.closed()


def test_the_list_filters_saved_listings_and_counts_them_as_still_open(owner_client, listings):
    url = reverse("application_list")

    saved = owner_client.get(url, {"status": "saved"})
    still_open = owner_client.get(url, {"status": "open"})
    ended = owner_client.get(url, {"status": "ended"})

    assertContains(saved, '<option value="saved" selected>Saved</option>', html=True)
    assertContains(saved, '<span class="badge status-saved">Saved</span>', html=True)
    assertContains(saved, "Monzo")
    assertNotContains(saved, "Acme")
    assertContains(still_open, "Monzo")
    assertContains(still_open, "Acme")
    assertNotContains(ended, "Monzo")


def test_insights_draw_a_bar_for_saved_listings(owner_client, owner, listings):
    chart = insights.applications_by_status(owner)

    assert [bar.label for bar in chart.bars][:2] == ["Saved", "Applied"]
    assert {bar.label: bar.value for bar in chart.bars}["Saved"] == 1
    assertContains(owner_client.get(reverse("insights")), 'class="bar bar-status-saved"')


def test_the_exports_carry_the_saved_status_and_import_it_back(owner_client, owner, listings):
    response = owner_client.get(reverse("export_csv", args=["applications"]))
    rows = list(csv.DictReader(io.StringIO(
        b"".join(response.streaming_content).decode("utf-8-sig"))))
    exported = b"".join(owner_client.get(reverse("export_json")).streaming_content)
    newcomer = CandidateFactory(email="new@example.com")

    report = portability.import_export(owner=newcomer, data=exported)

    assert {row["company"]: row["status"] for row in rows}["Monzo"] == "Saved"
    assert any(record.get("status") == "saved" for record in _records(json.loads(exported)))
    assert report.ok, report
    assert Application.objects.get(owner=newcomer, company="Monzo").status == "saved"


def _records(value):
    """Every dict in a JSON document, wherever it sits."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _records(item)
    elif isinstance(value, list):
        for item in value:
            yield from _records(item)


def test_a_saved_listing_can_be_edited_and_applied_for_from_its_page(owner_client, listings):
    monzo = listings["saved"]

    page = owner_client.get(monzo.get_absolute_url())
    changed = owner_client.post(reverse("application_status", args=[monzo.pk]),
                                {"status": "applied"})

    assertContains(page, '<span class="badge status-saved">Saved</span>', html=True)
    assert changed.status_code == 302
    monzo.refresh_from_db()
    assert monzo.status == "applied"
    assert list(monzo.status_changes.values_list("from_status", "to_status")) == [
        ("", "saved"), ("saved", "applied"),
    ]
