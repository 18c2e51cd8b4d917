"""The links' tokens are Django's ``TimestampSigner`` tokens, to the character, with each
salt's HMAC key derived once (``links._keyed``) instead of once a link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import signing

from reminders import links


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(datetime(2026, 11, 18, 18, 5, 7, tzinfo=UTC), tick=False)


@pytest.mark.parametrize("action", links.ACTIONS)
def test_action_tokens_are_timestamp_signer_tokens(action):
    for followup_id, owner_id in [(1, 2), (10**9, 7), (123456, 123456)]:
        ours = links.make_token(followup_id=followup_id, owner_id=owner_id, action=action)
        assert ours == signing.TimestampSigner(salt=f"reminders.link.{action}").sign_object(
            {"f": followup_id, "u": owner_id}
        )
        payload = links.read_token(ours, action=action)
        assert (payload.followup_id, payload.owner_id) == (followup_id, owner_id)


def test_unsubscribe_tokens_are_timestamp_signer_tokens():
    ours = links.make_unsubscribe_token(owner_id=42)
    assert ours == signing.TimestampSigner(salt=links.UNSUBSCRIBE_SALT).sign_object({"u": 42})
    assert links.read_unsubscribe_token(ours) == 42


def test_a_changed_secret_key_signs_with_its_own_key(settings):
    before = links.make_token(followup_id=1, owner_id=2, action="done")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdef"
    after = links.make_token(followup_id=1, owner_id=2, action="done")
    assert after != before
    assert after == signing.TimestampSigner(salt="reminders.link.done").sign_object(
        {"f": 1, "u": 2}
    )
    with pytest.raises(signing.BadSignature):  # the old key's token is not the new key's
        signing.TimestampSigner(salt="reminders.link.done", fallback_keys=[]).unsign(before)
