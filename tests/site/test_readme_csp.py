"""The README's word on the Content-Security-Policy is the header the site sends (issue 16.4:
the README said `img-src 'self'` while the header allowed `data:` too)."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]


def _directives(policy: str) -> dict[str, str]:
    return {
        part.split()[0]: part.strip()
        for part in policy.split(";") if part.strip()
    }


def test_every_directive_the_readme_quotes_is_the_one_the_header_sends(client, db):
    policy = _directives(client.get("/accounts/login/").headers["Content-Security-Policy"])
    readme = (ROOT / "README.md").read_text()
    quoted = re.findall(r"`((?:img|script|style|font|connect|default|frame)-src\b[^`]*)`", readme)

    assert any(text.startswith("img-src") for text in quoted), "the README names no img-src"
    for text in quoted:
        assert policy[text.split()[0]] == text, (text, policy[text.split()[0]])


def test_data_images_are_allowed_because_the_stylesheet_draws_with_them(client, db):
    # Bootstrap draws select arrows, check marks and close buttons as data: SVG images, the
    # reason the README gives for `data:`; without it those controls lose their marks.
    policy = _directives(client.get("/accounts/login/").headers["Content-Security-Policy"])
    css = Path(finders.find("vendor/bootstrap/bootstrap.min.css")).read_text()

    assert 'url("data:image/svg+xml' in css
    assert "data:" in policy["img-src"].split()
