"""Breadcrumbs lead where they say: "Applications" to the list, a company to its
application, an interview to its page — on every page that has them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"


class _Breadcrumbs(HTMLParser):
    """(label, href) of every link inside the page's breadcrumb list."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._depth = 0  # inside <ol class="breadcrumb">
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ol" and "breadcrumb" in (attrs.get("class") or "").split():
            self._depth = 1
        elif tag == "ol" and self._depth:
            self._depth += 1
        elif tag == "a" and self._depth:
            self._href, self._text = attrs.get("href"), []

    def handle_endtag(self, tag):
        if tag == "ol" and self._depth:
            self._depth -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def _breadcrumbs(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    parser = _Breadcrumbs()
    parser.feed(response.content.decode())
    return parser.links


@pytest.fixture
def pages(notes, interview):
    application = interview.application
    return {
        "note editor": reverse("note_edit", args=[notes[0].pk]),
        "thank-you notes": reverse("interview_notes", args=[interview.pk]),
        "interview": interview.get_absolute_url(),
        "debrief": reverse("debrief", args=[interview.pk]),
        "application": application.get_absolute_url(),
    }


@pytest.mark.parametrize(
    "page", ["note editor", "thank-you notes", "interview", "debrief", "application"]
)
def test_every_breadcrumb_leads_where_it_says(owner_client, pages, interview, page):
    application = interview.application
    expected = {
        "Applications": reverse("application_list"),
        application.company: application.get_absolute_url(),
        str(interview): interview.get_absolute_url(),
    }

    links = _breadcrumbs(owner_client.get(pages[page]))

    assert links, f"no breadcrumb on the {page} page"
    assert links[0] == ("Applications", reverse("application_list"))
    for label, href in links:
        assert href == expected[label], (page, label, href)


def test_no_template_sends_applications_home():
    """Every template's "Applications" crumb names the list's URL, not the home page's."""
    wrong = []
    crumb = re.compile(r'<li class="breadcrumb-item"><a href="([^"]*)">Applications</a>')
    for path in TEMPLATES.rglob("*.html"):
        for href in crumb.findall(path.read_text()):
            if href != "{% url 'application_list' %}":
                wrong.append(f"{path.relative_to(TEMPLATES)}: {href}")

    assert not wrong
