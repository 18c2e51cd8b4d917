"""Data flows one way, upward: an app imports only from the apps below it, and a lower app's
templates never load a higher app's template tags; the top app (tracking) composes.

``followup_site`` (settings, urls, celery, wsgi) may import anything; no app imports it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
# Bottom first: each app may import only from the apps to its left.
ORDER = ["core", "interviews", "notes", "inbox", "reminders", "tracking"]
SITE = "followup_site"
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _above(app: str) -> set[str]:
    return {*ORDER[ORDER.index(app) + 1 :], SITE}


def _python_violations(app: str) -> list[str]:
    above = _above(app)
    return [
        f"{path.relative_to(BASE_DIR)}:{line} imports {module}"
        for path in sorted((BASE_DIR / app).rglob("*.py"))
        for line, module in _imported_modules(path)
        if module.split(".")[0] in above
    ]


def _tag_libraries() -> dict[str, str]:
    """Each template tag library of the project, with the app that provides it."""
    return {
        path.stem: app
        for app in ORDER
        for path in (BASE_DIR / app).glob("templatetags/*.py")
        if path.stem != "__init__"
    }


def _template_violations(app: str, libraries: dict[str, str]) -> list[str]:
    above = _above(app)
    return [
        f"{path.relative_to(BASE_DIR)} loads {library} ({libraries[library]})"
        for path in sorted((BASE_DIR / "templates" / app).rglob("*.html"))
        for match in LOAD.finditer(path.read_text())
        for library in match.group(1).split()
        if libraries.get(library) in above
    ]


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_from_the_apps_below_it(app):
    assert (BASE_DIR / app / "apps.py").exists() or app == "core"
    assert _python_violations(app) == []


@pytest.mark.parametrize("app", ORDER)
def test_an_apps_templates_load_only_the_tags_of_the_apps_below_it(app):
    assert _template_violations(app, _tag_libraries()) == []


def test_the_checks_see_an_import_from_above(tmp_path, monkeypatch):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "late.py").write_text("def f():\n    from reminders import rules\n")
    (tmp_path / "templates" / "interviews").mkdir(parents=True)
    (tmp_path / "templates" / "interviews" / "page.html").write_text("{% load static x %}")
    monkeypatch.setattr(__name__ + ".BASE_DIR", tmp_path)

    assert _python_violations("notes") == ["notes/late.py:2 imports reminders"]
    assert _template_violations("interviews", {"x": "tracking"}) == [
        "templates/interviews/page.html loads x (tracking)"
    ]
