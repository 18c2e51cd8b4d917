"""An email and a card or letter to the same person (issue 18, point 8).

They are two notes: the editor says so in one sentence; once the email is marked sent, it
offers the card or letter plainly; the letter's header carries the candidate's name (from
the welcome or the profile) and the email address once, or asks for the name.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from notes import selectors, services
from notes.models import Channel, Note
from tests.factories import CandidateFactory

from .conftest import CURRENT_TIME


@pytest.fixture(autouse=True)
def _frozen(frozen):
    pass


def _mark_sent(note: Note) -> None:
    services.note_mark_sent(
        note=note,
        sent_at=CURRENT_TIME,
        channel=note.channel,
        expected_version=note.version,
        subject=note.subject,
        body=note.body,
        attachment_description=note.attachment_description,
    )


def _page(owner_client, note: Note) -> str:
    response = owner_client.get(reverse("interview_notes", args=[note.interview_id]))
    return response.content.decode()


# --- The letter's header ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signature_name", "display_name", "expected"),
    [
        ("A. A. Lovelace", "Ada", "A. A. Lovelace"),
        ("", "Ada Lovelace", "Ada Lovelace"),
        ("", "", ""),
    ],
)
def test_the_letter_name_is_the_name_for_letters_then_the_welcome_name_never_the_email(
    db, signature_name, display_name, expected
):
    candidate = CandidateFactory(
        email="ada@example.com", signature_name=signature_name, display_name=display_name
    )
    assert selectors.letter_name(candidate) == expected


def test_the_sender_block_shows_the_email_once_even_without_a_name(db):
    nameless = CandidateFactory(email="ada@example.com", signature_name="", display_name="")
    lines = selectors.sender_lines(nameless)
    assert lines == ["ada@example.com"]

    named = CandidateFactory(email="grace@example.com", signature_name="", display_name="Grace")
    assert selectors.sender_lines(named) == ["Grace", "grace@example.com"]


def test_the_print_view_asks_for_the_name_when_there_is_none(owner_client, owner, notes):
    note = notes[0]
    Note.objects.filter(pk=note.pk).update(channel=Channel.LETTER)
    owner.signature_name = owner.display_name = ""
    owner.save(update_fields=["signature_name", "display_name"])

    page = owner_client.get(reverse("note_print", args=[note.pk])).content.decode()
    assert page.count(owner.email) == 1
    assert 'id="no-name"' in page
    assert f'href="{reverse("profile")}#id_signature_name"' in page

    owner.display_name = "Ada Lovelace"
    owner.save(update_fields=["display_name"])
    page = owner_client.get(reverse("note_print", args=[note.pk])).content.decode()
    assert 'id="no-name"' not in page
    assert "Ada Lovelace<br>" in page


def test_the_editor_asks_for_the_name_under_the_letter_only_when_there_is_none(
    owner_client, owner, notes
):
    note = notes[0]
    assertNotContains(owner_client.get(reverse("note_edit", args=[note.pk])), "-no-name")
    owner.signature_name = owner.display_name = ""
    owner.save(update_fields=["signature_name", "display_name"])
    response = owner_client.get(reverse("note_edit", args=[note.pk]))
    assertContains(response, f'data-show-for="letter" id="n{note.pk}-no-name"')
    assertContains(response, "add your name for letters")


# --- Two notes to one person --------------------------------------------------------------


def test_the_editor_says_the_email_and_the_letter_are_two_notes(owner_client, notes):
    page = _page(owner_client, notes[0])
    assert "They are two notes to the same person" in page


def test_a_sent_email_offers_the_card_or_the_letter_plainly(owner_client, notes):
    email = notes[0]
    assert email.channel == Channel.EMAIL
    _mark_sent(email)
    page = _page(owner_client, email)
    assert "Now the card or letter" in page
    assert "Write the card too" in page and "Write the letter too" in page

    response = owner_client.post(
        reverse("note_send_another", args=[email.pk]), {"channel": "letter"}
    )
    letter = Note.objects.exclude(pk__in=[n.pk for n in notes]).get()
    assert letter.channel == Channel.LETTER
    assert letter.interviewer == email.interviewer and letter.interview == email.interview
    assert response["Location"].endswith(f"?note={letter.pk}")

    # Offered once: the sent email now points at the letter, and the letter at the email.
    page = _page(owner_client, email)
    assert "Write the card too" not in page
    assert "Your one-page letter to Grace Hopper" in page
    assert f"?note={letter.pk}" in page
    assert f'<a href="/interviews/{email.interview_id}/notes/?note={email.pk}">open it</a>' in page


def test_a_sent_card_or_a_value_add_email_offers_no_card_too(owner_client, owner, notes):
    card = notes[1]
    Note.objects.filter(pk=card.pk).update(channel=Channel.CARD)
    card.refresh_from_db()
    _mark_sent(card)
    assert "Write the card too" not in _page(owner_client, card)

    value_add = services.note_create(
        application=card.application,
        candidate=owner,
        interviewer=card.interviewer,
        kind="value_add",
        channel="email",
    )
    _mark_sent(value_add)
    page = owner_client.get(reverse("note_edit", args=[value_add.pk])).content.decode()
    assert "Write the card too" not in page
    assert "Another note to Alan Turing" in page


def test_the_companion_is_the_same_person_same_interview_same_kind(owner, notes):
    email, other_person = notes
    letter = services.note_send_another(note=email, candidate=owner, channel="letter")
    all_notes = [email, other_person, letter]
    assert selectors.companion(all_notes, email) == letter
    assert selectors.companion(all_notes, letter) == email
    assert selectors.companion(all_notes, other_person) is None
