"""A debrief draft lives in the database: it survives signing out and opens on another device."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from interviews.models import Debrief, DebriefDraft
from tests.interviews.test_debrief import (
    ANSWERS,
    _complete,
    _notes,
    _step,
    _step_shown,
    _textarea,
    _url,
)

CURRENT_TIME = datetime(2026, 7, 10, 11, 0, tzinfo=UTC)  # an hour after the interview
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(CURRENT_TIME, tick=False)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def _start(client, interview, ada) -> None:
    client.post(
        _url(interview),
        _step(
            interview,
            "notes",
            next_steps_said="Ada will call by Friday.",
            **_notes(ada, "Analytics engine", "Team size"),
        ),
    )
    client.post(
        _url(interview),
        {
            **_step(interview, "questions", q_next_step="A take-home."),
            "wizard_save_draft": "1",
        },
    )


def test_a_draft_survives_signing_out_and_opens_on_another_device(
    owner, debrief_interview, attendances
):
    ada, _ = attendances
    laptop = _signed_in(owner)
    _start(laptop, debrief_interview, ada)
    laptop.logout()  # the session, and anything it held, is gone

    phone = _signed_in(owner)
    resumed = phone.get(_url(debrief_interview))

    assert _step_shown(resumed) == "questions"
    assert _textarea(resumed, "questions-q_next_step") == "A take-home."
    phone.post(
        _url(debrief_interview),
        {**_step(debrief_interview, "questions"), "wizard_goto_step": "notes"},
    )
    first = phone.get(_url(debrief_interview))
    assert _textarea(first, f"notes-attendance_{ada.pk}_topics") == "Analytics engine"
    assert _textarea(first, "notes-next_steps_said") == "Ada will call by Friday."


def test_the_draft_is_kept_per_interview_in_the_database_not_the_session(
    owner, debrief_interview, attendances
):
    ada, _ = attendances
    client = _signed_in(owner)
    _start(client, debrief_interview, ada)

    draft = DebriefDraft.objects.get(interview=debrief_interview)
    assert draft.data["step_data"]["questions"]["questions-q_next_step"] == ["A take-home."]
    assert not [key for key, _ in client.session.items() if key.startswith("wizard_")]


def test_the_interview_page_offers_the_draft_from_another_device(
    owner, debrief_interview, attendances
):
    ada, _ = attendances
    _start(_signed_in(owner), debrief_interview, ada)

    page = _signed_in(owner).get(debrief_interview.get_absolute_url())

    assert "Continue your debrief" in page.content.decode()


def test_saving_the_debrief_deletes_its_draft(owner, debrief_interview, attendances):
    ada, _ = attendances
    client = _signed_in(owner)
    _start(client, debrief_interview, ada)
    assert DebriefDraft.objects.filter(interview=debrief_interview).exists()

    _complete(_signed_in(owner), debrief_interview, attendances)

    assert Debrief.objects.get(interview=debrief_interview).fit == ANSWERS["fit"]
    assert not DebriefDraft.objects.exists()
    assert _step_shown(client.get(_url(debrief_interview))) == "notes"


def test_opening_the_wizard_without_typing_leaves_no_draft(owner_client, debrief_interview):
    owner_client.get(_url(debrief_interview))

    assert not DebriefDraft.objects.exists()


def test_discarding_deletes_the_draft(owner_client, debrief_interview, attendances):
    ada, _ = attendances
    _start(owner_client, debrief_interview, ada)

    owner_client.post(
        _url(debrief_interview), {**_step(debrief_interview, "questions"), "wizard_discard": "1"}
    )

    assert not DebriefDraft.objects.exists()


def test_another_candidate_never_reaches_the_draft(owner, outsider, debrief_interview, attendances):
    ada, _ = attendances
    _start(_signed_in(owner), debrief_interview, ada)
    stranger = _signed_in(outsider)

    assert stranger.get(_url(debrief_interview)).status_code == 404
    response = stranger.post(_url(debrief_interview), _step(debrief_interview, "notes"))

    assert response.status_code == 404
    assert DebriefDraft.objects.owned_by(outsider).count() == 0
    assert DebriefDraft.objects.owned_by(owner).get().data["step"] == "questions"


def test_a_damaged_draft_starts_the_wizard_over(owner_client, debrief_interview):
    DebriefDraft.objects.create(interview=debrief_interview, data={"step": 3})

    response = owner_client.get(_url(debrief_interview))

    assert response.status_code == 200
    assert _step_shown(response) == "notes"


def test_admin_lists_debrief_drafts(admin_client, debrief_interview):
    DebriefDraft.objects.create(interview=debrief_interview, data={"step": "notes"})

    response = admin_client.get(reverse("admin:interviews_debriefdraft_changelist"))

    assert response.status_code == 200
