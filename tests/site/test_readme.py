"""The README's promises that the code can check: its two commands are the Makefile's, its
table of environment variables is exactly what settings.py reads, and the screenshots it shows
are the four that tests/site/test_readme_screenshots.py takes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def _table_variables() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", _readme(), flags=re.MULTILINE))


def _settings_variables() -> set[str]:
    source = (ROOT / "followup_site" / "settings.py").read_text()
    return set(re.findall(r"\benv\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def test_the_readme_gives_the_two_commands_and_the_makefile_has_them():
    readme = _readme()
    makefile = (ROOT / "Makefile").read_text()

    for command in ("run", "test"):
        assert f"```sh\nmake {command}\n```" in readme, command
        assert re.search(rf"^{command}:", makefile, flags=re.MULTILINE), command


def test_every_variable_settings_reads_is_in_the_readme_table():
    settings_variables = _settings_variables()

    assert {"DATABASE_URL", "CACHE_URL", "INBOX_ENCRYPTION_KEYS"} <= settings_variables
    assert settings_variables - _table_variables() == set()


def test_every_variable_in_the_readme_table_is_read_by_settings():
    table = _table_variables()

    assert len(table) > 20
    assert table - _settings_variables() == set()


def test_the_readme_shows_the_four_screenshots_the_tests_take():
    from tests.site.test_readme_screenshots import png_size

    images = re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", _readme())
    shown = {path: alt for alt, path in images}

    assert set(shown) == {
        f"docs/screenshots/{name}.png"
        for name in ("dashboard", "application", "note-editor", "board")
    }
    for path, alt in shown.items():
        assert len(alt.split()) >= 3, f"{path} needs alt text that says what it shows"
        assert (ROOT / path).is_file(), f"{path} is missing"
        assert png_size(ROOT / path) == (1280, 800), path
