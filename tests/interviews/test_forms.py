"""Form rules that need no request: line breaks, phone numbers, interview times."""

from __future__ import annotations

import pytest
from django import forms

from interviews.forms import ApplicationForm, clean_phone_number
from interviews.models import LISTING_TEXT_MAX_CHARS


def test_listing_that_fits_in_the_browser_fits_on_the_server_despite_crlf_line_breaks():
    line = "x" * 99 + "\r\n"  # 100 characters in the browser, 101 as submitted
    text = line * (LISTING_TEXT_MAX_CHARS // 100)
    assert len(text) > LISTING_TEXT_MAX_CHARS
    form = ApplicationForm(
        data={"company": "Acme", "role_title": "PM", "status": "applied", "listing_text": text}
    )
    assert form.is_valid(), form.errors
    assert "\r" not in form.cleaned_data["listing_text"]
    assert form.cleaned_data["listing_text"] == text.replace("\r\n", "\n").strip()


def test_local_phone_number_is_read_in_the_candidates_country():
    assert clean_phone_number("020 7946 0018", "GB") == "+44 20 7946 0018"


def test_international_phone_number_needs_no_country():
    assert clean_phone_number("+1 415 555 2671", "") == "+1 415-555-2671"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("020 7946 0018", "country code"),
        ("call me", "does not look like a phone number"),
        ("+44 20", "wrong number of digits"),
    ],
)
def test_bad_phone_numbers_get_a_clear_message(value, message):
    with pytest.raises(forms.ValidationError, match=message):
        clean_phone_number(value, "")
