"""The served HTML validates (issue 11, point 12): the Nu HTML checker on every main page.

The pages are rendered with the Django test client from the demo data, saved to files and
checked by one run of ``vnu.jar`` (npm ``vnu-jar``, installed by ``.ci/run`` into
tests/site/node_modules) with the machine's Java. Any error fails, with its page and line.

The colour mode is set in the browser (static/js/theme.js), so the served HTML is the same
in both modes: the light run checks it as served; the dark run checks every page as Chromium
holds it once its scripts have run with the system in dark mode (the footer's choice pressed,
the shortcut hint shown, ``aria-keyshortcuts`` added).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from reminders.models import FollowUp
from tests.factories import CandidateFactory
from tests.site.main_pages import main_pages, npm_tool, seed_demo_candidate, signed_out_pages
from tests.site.test_accessibility import UNTHEMED, demo  # noqa: F401 — a fixture

JAVA = shutil.which("java") or "/usr/bin/java"


def _java() -> str:
    if not os.path.exists(JAVA):
        reason = "install Java for the Nu HTML checker: apt-get install -y default-jre-headless"
        if "CI" in os.environ:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return JAVA


def _render(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def _problems(rendered: dict[str, str], folder) -> list[str]:
    """Each vnu error in the ``rendered`` pages (name → HTML), as "page line n: message"."""
    files = {}
    for n, (name, html) in enumerate(rendered.items()):
        files[name] = folder / f"page-{n}.html"
        files[name].write_text(html)
    by_file = {str(path.resolve()): name for name, path in files.items()}
    problems = []
    for message in run_vnu(list(files.values())):
        url = message.get("url", "")
        name = next((n for f, n in by_file.items() if url.endswith(f)), url)
        problems.append(f"{name} line {message.get('lastLine')}: {message['message']}")
    return sorted(problems)


def run_vnu(files: list) -> list[dict]:
    """Messages of type "error" from one ``vnu.jar`` run over ``files``."""
    jar = npm_tool("vnu-jar/build/dist/vnu.jar")
    command = [_java(), "-Xss16m", "-jar", str(jar), "--format", "json", "--stdout",
               "--exit-zero-always", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    messages = json.loads(result.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


def test_the_checker_fails_on_invalid_markup(tmp_path):
    # The check can fail: hx-* attributes and a microsecond datetime are the errors it exists for.
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
        '<body><p hx-get="/x"><time datetime="2026-12-01T10:00:00.123456+00:00">now</time>'
        "</p></body></html>"
    )
    errors = run_vnu([page])
    texts = " ".join(m["message"] for m in errors)
    assert "hx-get" in texts
    assert "datetime" in texts


def test_every_main_page_is_valid_html(db, tmp_path):
    owner = seed_demo_candidate()
    signed_in = Client()
    signed_in.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    rendered = {name: _render(signed_in, path) for name, path in main_pages(owner).items()}
    rendered |= {name: _render(Client(), path) for name, path in signed_out_pages().items()}
    # A new account: the welcome of the first sign-in, then a dashboard with no application.
    newcomer = Client()
    newcomer.force_login(
        CandidateFactory(email="new@example.com", welcomed_at=None),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    rendered["welcome, first sign-in"] = _render(newcomer, reverse("welcome"))
    rendered["dashboard, no application yet"] = _render(newcomer, reverse("home"))
    # Done on a follow-up: the next page carries the toast that offers "Undo".
    followup = FollowUp.objects.owned_by(owner).open().first()
    signed_in.post(reverse("followup_action", args=[followup.pk, "done"]), {"next": "/"})
    rendered["dashboard, Undo toast"] = _render(signed_in, reverse("home"))
    assert "undo-toast" in rendered["dashboard, Undo toast"]

    problems = _problems(rendered, tmp_path)
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_every_main_page_is_valid_html_in_dark_mode_as_the_browser_holds_it(
    demo, page: Page, tmp_path  # noqa: F811
):
    page.emulate_media(color_scheme="dark")
    rendered = {}
    for name, path in signed_out_pages().items():
        rendered[name] = _shown(page, demo["url"] + path)
    demo["sign_in"](page)
    for name, path in demo["pages"].items():
        rendered[name] = _shown(page, demo["url"] + path)
    painted_dark = {name for name, html in rendered.items() if 'data-bs-theme="dark"' in html}
    assert set(rendered) - painted_dark == UNTHEMED
    problems = _problems(rendered, tmp_path)
    assert problems == [], "\n".join(problems)


def _shown(page: Page, url: str) -> str:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    return page.content()
