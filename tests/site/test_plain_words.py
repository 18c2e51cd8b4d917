"""The rule and check ids (R1, C7) and the article ids ("seed 004") are for the code, the
tests and the admin: a job seeker reads the advice in plain words (issue 18, point 3).

Every page the URL registry reaches is opened as an owner with a follow-up of each rule
and a draft the coach has checked, then the reminder email of each follow-up alone and the
digest of them all; none may show an id. What is checked is what a person reads: the
text of the page and the attributes a browser shows or speaks, not the values of form
fields or data attributes, which carry the ids on purpose.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from notes import coach
from reminders.emails import build_reminder_email
from reminders.models import FollowUp
from reminders.rules import RULES
from tests.site.test_url_isolation import (  # noqa: F401 (world is a fixture)
    MODEL_BACKEND,
    ROUTES,
    STATE_CHANGING,
    Kind,
    World,
    _names,
    _post_url,
    _prepare,
    world,
)

pytestmark = pytest.mark.django_db

CODES = re.compile(r"\bR\d{1,2}\b|\bC\d{1,2}\b|seed \d{3}|seeds \d", re.IGNORECASE)
# Attributes a browser shows (a tooltip, a placeholder) or a screen reader speaks.
READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}
UNREAD_ELEMENTS = {"script", "style", "template"}


class _ReadText(HTMLParser):
    """The text of a page a person reads or hears."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in UNREAD_ELEMENTS:
            self._skipping += 1
        self.parts.extend(value for name, value in attrs if name in READ_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in UNREAD_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def read_text(html: str) -> str:
    parser = _ReadText()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def codes_in(text: str) -> list[str]:
    return [text[max(0, m.start() - 50) : m.end() + 50] for m in CODES.finditer(text)]


def test_the_check_finds_each_kind_of_code():
    html = (
        '<p>R1 · Debrief <span title="C7">x</span> (seed 004) (seeds 000, 001)</p>'
        '<input value="R2"><li data-check="C3">ok</li><script>var r = "R4";</script>'
    )

    found = [match.group() for match in CODES.finditer(read_text(html))]

    assert found == ["R1", "C7", "seed 004", "seeds 0"]


@pytest.fixture
def rich_world(world) -> World:  # noqa: F811 (the fixture imported above)
    """The world, with a follow-up of every rule due now and a draft for the coach."""
    now = timezone.now()
    interview, person = world.interview, world.interviewer
    for number, rule in enumerate(RULES, start=1):
        if rule == world.followup.rule:
            continue
        FollowUp.objects.create(
            owner=world.owner,
            application=world.application,
            interview=interview,
            interviewer=person if rule in {"R2", "R3", "R13"} else None,
            rule=rule,
            key=f"{rule}:rich:{interview.pk}",
            due_at=now - timedelta(minutes=number),
        )
    world.note.body = (
        f"Dear {person.name},\n\nThank you for your time. I am very interested in the role."
        "\n\nBest,\nSam"
    )
    world.note.save(update_fields=["body"])
    return world


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name", _names(Kind.SIGNED_IN, Kind.OBJECT))
def test_no_rule_check_or_article_id_shows_on_a_page(client, rich_world, name, htmx):
    route = ROUTES[name]
    client.force_login(rich_world.owner, backend=MODEL_BACKEND)
    _prepare(client, route, rich_world)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.get(route.url(rich_world), follow=True, headers=headers)

    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        assert codes_in(read_text(response.content.decode())) == []


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_no_rule_check_or_article_id_shows_in_the_answer_to_an_action(client, rich_world, name):
    route = ROUTES[name]
    if route.kind in (Kind.SIGNED_IN, Kind.OBJECT, Kind.ACTION):
        client.force_login(rich_world.owner, backend=MODEL_BACKEND)
    _prepare(client, route, rich_world)
    url = _post_url(client, route, rich_world)

    response = client.post(url, route.post(rich_world), follow=True)

    assert response.status_code < 400
    if response["Content-Type"].startswith("text/html"):
        assert codes_in(read_text(response.content.decode())) == []


def test_the_coach_answer_shows_no_check_or_article_id(client, rich_world):
    client.force_login(rich_world.owner, backend=MODEL_BACKEND)
    note = rich_world.note

    response = client.post(
        ROUTES["note_coach"].url(rich_world),
        {"channel": "email", "subject": "Thanks", "body": note.body, "version": note.version},
    )

    assert response.status_code == 200
    assert "coach-result" in response.content.decode()
    assert codes_in(read_text(response.content.decode())) == []


def _emails(rich: World):
    rows = list(
        FollowUp.objects.filter(owner=rich.owner)
        .select_related("owner", "application", "interview", "interviewer")
        .order_by("due_at", "id")
    )
    assert {row.rule for row in rows} == set(RULES)
    now = timezone.now()
    for row in rows:
        yield row.rule, build_reminder_email(owner=rich.owner, followups=[row], now=now)
    yield "digest", build_reminder_email(owner=rich.owner, followups=rows, now=now)


def test_no_rule_or_article_id_shows_in_a_reminder_email_or_the_digest(rich_world):
    for which, message in _emails(rich_world):
        ((html, _kind),) = message.alternatives
        for part, text in (
            ("subject", message.subject),
            ("text", message.body),
            ("html", read_text(html)),
        ):
            assert codes_in(text) == [], f"{which} email, {part}"


def _why(why: str, article: str) -> str:
    return f"<summary>Why?</summary><q>{escape(why)}</q> — <cite>{escape(article)}</cite>"


def test_each_reminder_setting_says_what_it_reminds_and_why(client, owner):
    client.force_login(owner, backend=MODEL_BACKEND)

    html = client.get(reverse("reminder_settings")).content.decode()

    for rule in RULES.values():
        assert f">{escape(rule.title)}</label>" in html
        assert escape(rule.reason) in html
        assert _why(rule.why, rule.article) in html


def test_each_plan_item_says_why_and_opens_the_advice_it_comes_from(client, rich_world):
    client.force_login(rich_world.owner, backend=MODEL_BACKEND)

    html = client.get(rich_world.application.get_absolute_url()).content.decode()

    for rule in RULES.values():
        assert escape(rule.reason) in html
        assert _why(rule.why, rule.article) in html


def test_each_coach_check_opens_the_advice_it_comes_from(client, rich_world):
    client.force_login(rich_world.owner, backend=MODEL_BACKEND)

    html = client.get(ROUTES["note_edit"].url(rich_world)).content.decode()

    for why in coach.WHY.values():
        assert _why(why.advice, why.article) in html
