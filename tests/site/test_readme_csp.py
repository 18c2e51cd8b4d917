"""The docs' word on the Content-Security-Policy is the header the site sends (issue 16.4:
the README said `img-src 'self'` while the header allowed `data:` too). The README quotes it
for the Inbox's hostile mail, docs/architecture.md for the site's security."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]


def _directives(policy: str) -> dict[str, str]:
    return {
        part.split()[0]: part.strip()
        for part in policy.split(";") if part.strip()
    }


def _quoted(document: str) -> list[str]:
    text = (ROOT / document).read_text()
    return re.findall(r"`((?:img|script|style|font|connect|default|frame)-src\b[^`]*)`", text)


@pytest.mark.parametrize("document", ["README.md", "docs/architecture.md"])
def test_every_directive_the_docs_quote_is_the_one_the_header_sends(client, db, document):
    policy = _directives(client.get("/accounts/login/").headers["Content-Security-Policy"])
    quoted = _quoted(document)

    assert any(text.startswith("img-src") for text in quoted), f"{document} names no img-src"
    for text in quoted:
        assert policy[text.split()[0]] == text, (text, policy[text.split()[0]])


def test_data_images_are_allowed_because_the_stylesheet_draws_with_them(client, db):
    # Bootstrap draws select arrows, check marks and close buttons as data: SVG images, the
    # reason the README gives for `data:`; without it those controls lose their marks.
    policy = _directives(client.get("/accounts/login/").headers["Content-Security-Policy"])
    css = Path(finders.find("vendor/bootstrap/bootstrap.min.css")).read_text()

    assert 'url("data:image/svg+xml' in css
    assert "data:" in policy["img-src"].split()
