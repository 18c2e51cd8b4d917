"""The first-run welcome (issue 18, point 5): name, time zone, country and reminder hour."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from interviews.models import Candidate
from tests.factories import CandidateFactory

CURRENT_TIME = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)

ANSWERS = {
    "display_name": "  Ada   Lovelace ",
    "time_zone": "Europe/Paris",
    "country": "FR",
    "reminder_hour": "8",
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(CURRENT_TIME, tick=False):
        yield


@pytest.fixture
def newcomer(db, password):
    """An account that has not answered the welcome yet, with the defaults."""
    return CandidateFactory(
        email="new@example.com",
        password=password,
        display_name="",
        time_zone="UTC",
        country="",
        welcomed_at=None,
    )


@pytest.fixture
def newcomer_client(newcomer):
    client = Client()
    client.force_login(newcomer, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _sign_in(client: Client, email: str, password: str, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def test_first_sign_in_opens_the_welcome(client, newcomer, password):
    response = _sign_in(client, newcomer.email, password)

    assert response.status_code == 302
    assert response.url == reverse("welcome")


def test_every_sign_in_opens_the_welcome_until_it_is_answered(client, newcomer, password):
    _sign_in(client, newcomer.email, password)
    client.post(reverse("account_logout"))

    response = _sign_in(client, newcomer.email, password)

    assert response.url == reverse("welcome")


def test_a_sign_in_with_a_next_path_follows_it(client, newcomer, password):
    response = _sign_in(client, newcomer.email, password, next="/applications/")

    assert response.url == "/applications/"


def test_an_account_that_was_welcomed_lands_on_the_dashboard(client, owner, password):
    response = _sign_in(client, owner.email, password)

    assert response.url == reverse("home")


def test_the_welcome_asks_four_questions_and_offers_to_skip(newcomer_client):
    response = newcomer_client.get(reverse("welcome"))

    page = response.content.decode()
    for name in ("display_name", "time_zone", "country", "reminder_hour"):
        assert f'name="{name}"' in page
    assertContains(response, "Skip for now")
    # The zone on file is only the default: the page asks the browser for a better guess.
    assertContains(response, 'data-from-browser="true"')
    assertContains(response, 'data-searchable="time-zone"')
    assertContains(response, "js/time-zone.js")
    assertContains(response, "vendor/tom-select/tom-select.base.min.js")


def test_answering_saves_the_settings_and_lands_on_the_dashboard(newcomer_client, newcomer):
    response = newcomer_client.post(reverse("welcome"), ANSWERS, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    newcomer.refresh_from_db()
    assert newcomer.display_name == "Ada Lovelace"
    assert newcomer.signature_name == "Ada Lovelace"
    assert newcomer.time_zone == "Europe/Paris"
    assert str(newcomer.country) == "FR"
    assert newcomer.reminder_hour == 8
    assert newcomer.welcomed_at == CURRENT_TIME
    assertContains(response, "Welcome, Ada Lovelace")
    assertContains(response, "08:00, Europe/Paris time")
    # The next step: the first application.
    assertContains(response, "Add your first application")
    assertContains(response, f'href="{reverse("application_create")}"')


def test_after_answering_the_next_sign_in_lands_on_the_dashboard(
    client, newcomer_client, newcomer, password
):
    newcomer_client.post(reverse("welcome"), ANSWERS)

    response = _sign_in(client, newcomer.email, password)

    assert response.url == reverse("home")


def test_a_name_for_letters_already_given_is_kept(newcomer_client, newcomer):
    Candidate.objects.filter(pk=newcomer.pk).update(signature_name="A. A. Lovelace")

    newcomer_client.post(reverse("welcome"), ANSWERS)

    newcomer.refresh_from_db()
    assert newcomer.signature_name == "A. A. Lovelace"


def test_skip_keeps_the_defaults_and_stops_asking(client, newcomer_client, newcomer, password):
    response = newcomer_client.post(reverse("welcome"), {"skip": "1"}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assertContains(response, "any time in your profile")
    newcomer.refresh_from_db()
    assert newcomer.welcomed_at == CURRENT_TIME
    assert (newcomer.display_name, newcomer.time_zone, newcomer.reminder_hour) == ("", "UTC", 9)
    assert _sign_in(client, newcomer.email, password).url == reverse("home")


def test_skip_ignores_whatever_else_the_form_carried(newcomer_client, newcomer):
    newcomer_client.post(reverse("welcome"), {**ANSWERS, "time_zone": "Mars/Olympus", "skip": "1"})

    newcomer.refresh_from_db()
    assert newcomer.time_zone == "UTC"
    assert newcomer.welcomed_at == CURRENT_TIME


def test_an_unknown_time_zone_is_refused_with_a_clear_message(newcomer_client, newcomer):
    response = newcomer_client.post(reverse("welcome"), {**ANSWERS, "time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assertContains(response, "is not a time zone we know")
    assertContains(response, "Mars/Olympus")
    newcomer.refresh_from_db()
    assert newcomer.welcomed_at is None
    assert newcomer.time_zone == "UTC"
    # What the candidate typed is not overwritten by the browser's guess on the way back.
    assertNotContains(response, 'data-from-browser="true"')


@pytest.mark.parametrize("hour", ["24", "-1", "nine"])
def test_an_hour_out_of_range_is_refused_with_a_clear_message(newcomer_client, newcomer, hour):
    response = newcomer_client.post(reverse("welcome"), {**ANSWERS, "reminder_hour": hour})

    assertContains(response, "Pick an hour from 00:00 to 23:00.")
    newcomer.refresh_from_db()
    assert newcomer.welcomed_at is None


def test_a_name_is_asked_for_unless_skipped(newcomer_client, newcomer):
    response = newcomer_client.post(reverse("welcome"), {**ANSWERS, "display_name": "   "})

    assertContains(response, "Tell us your name")
    newcomer.refresh_from_db()
    assert newcomer.welcomed_at is None


def test_the_welcome_changes_nobody_elses_account(newcomer_client, newcomer, outsider):
    before = Candidate.objects.values().get(pk=outsider.pk)

    newcomer_client.post(reverse("welcome"), ANSWERS)
    newcomer_client.post(reverse("welcome"), {"skip": "1"})

    assert Candidate.objects.values().get(pk=outsider.pk) == before


def test_the_welcome_needs_a_csrf_token(newcomer, newcomer_client):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(newcomer, backend="django.contrib.auth.backends.ModelBackend")

    refused = strict.post(reverse("welcome"), ANSWERS)
    assert refused.status_code == 403
    newcomer.refresh_from_db()
    assert newcomer.welcomed_at is None

    page = strict.get(reverse("welcome"))
    token = page.context["csrf_token"]
    accepted = strict.post(reverse("welcome"), {**ANSWERS, "csrfmiddlewaretoken": str(token)})
    assert accepted.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.welcomed_at == CURRENT_TIME


def test_the_welcome_needs_a_sign_in(client):
    response = client.get(reverse("welcome"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_migration_counts_accounts_older_than_the_welcome_as_welcomed(newcomer, owner):
    from django.apps import apps

    migration = importlib.import_module("interviews.migrations.0008_candidate_welcomed_at")
    Candidate.objects.update(welcomed_at=None)
    joined = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    Candidate.objects.filter(pk=owner.pk).update(date_joined=joined)

    migration.welcome_existing_accounts(apps, None)

    assert Candidate.objects.get(pk=owner.pk).welcomed_at == joined
    assert Candidate.objects.filter(welcomed_at=None).count() == 0


def test_the_profile_uses_the_searchable_time_zone_field(owner_client):
    response = owner_client.get(reverse("profile"))

    assertContains(response, 'data-searchable="time-zone"')
    assertContains(response, "js/time-zone.js")
    # Only the welcome guesses from the browser; the profile shows what was chosen.
    assertNotContains(response, "data-from-browser")


def test_the_profile_refuses_an_unknown_time_zone_with_a_clear_message(owner_client):
    response = owner_client.post(
        reverse("profile"), {"time_zone": "Nowhere/Atlantis", "reminder_hour": "25"}
    )

    assertContains(response, "is not a time zone we know")
    assertContains(response, "Pick an hour from 00:00 to 23:00.")
