"""The installable app's parts as the server sends them (core/pwa.py); Chromium's verdict on
them is in tests/reminders/test_pwa_browser.py."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from core import pwa

STATIC_URL = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def _png_size(path: str) -> tuple[int, int]:
    header = Path(path).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def _worker_config(client) -> dict:
    text = client.get(reverse("service_worker")).content.decode()
    return json.loads(re.search(r"^var CONFIG = (.*);$", text, re.M).group(1))


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "Follow-up"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/", "/", "standalone")
    sizes = {(icon["sizes"], icon.get("purpose", "any")): icon["src"]
             for icon in manifest["icons"]}
    assert set(sizes) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (size, _), src in sizes.items():
        found = finders.find(src.removeprefix("/static/"))
        assert _png_size(found) == tuple(int(n) for n in size.split("x"))


def test_the_apple_touch_icon_is_180_pixels_and_opaque():
    path = finders.find("icons/apple-touch-icon.png")

    assert _png_size(path) == (180, 180)
    assert Path(path).read_bytes()[25] == 2  # colour type 2: RGB, no alpha


def test_every_page_links_the_manifest_and_the_ios_metadata(client, db):
    html = client.get(reverse("account_login")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert ('<meta name="theme-color" content="#f8f9fa" '
            'media="(prefers-color-scheme: light)">') in html
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in html
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in html
    assert 'src="/static/js/pwa.js" data-sw="/sw.js"' in html


def test_the_worker_is_javascript_never_cached_by_http(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert "{{" not in response.content.decode()


def test_the_worker_keeps_every_static_file_of_the_base_page_and_the_offline_page(client, db):
    config = _worker_config(client)
    pages = [client.get(reverse(name)).content.decode() for name in ("offline", "account_login")]
    # A page's own stylesheet or script (tasks.css, board.js) is kept when first used; the
    # apple-touch-icon is fetched once, when the app is added to a Home Screen.
    loaded = {url for html in pages for url in STATIC_URL.findall(html)}
    loaded.discard("/static/icons/apple-touch-icon.png")

    assert loaded <= set(config["shell"]), loaded - set(config["shell"])
    assert config["offline"] == "/offline/"
    assert config["static"] == "/static/"
    assert config["cache"].startswith("followup-static-")


def test_the_cache_is_renamed_when_a_static_file_changes(client, settings, tmp_path):
    (tmp_path / "extra.css").write_text("a {}")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    before = _worker_config(client)["cache"]

    (tmp_path / "extra.css").write_text("a { color: red }")

    assert _worker_config(client)["cache"] != before
    assert _worker_config(client)["cache"] == _worker_config(client)["cache"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_offline_page_is_the_same_for_everyone_and_holds_no_data(
    client, owner, signed_in
):
    if signed_in:
        client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get("/offline/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "You are offline" in html
    assert owner.email not in html
    assert "csrfmiddlewaretoken" not in html
    assert html == pwa.loader.render_to_string("pwa/offline.html")


def test_the_policy_allows_the_worker_and_manifest_from_this_site_only(client, db):
    policy = client.get("/offline/")["Content-Security-Policy"]

    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy


def test_in_production_the_worker_lists_the_hashed_names(client, settings, tmp_path):
    """With collectstatic's manifest (WhiteNoise, as production runs): every shell file
    exists under its content-hashed name, and the cache is named after those names."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    config = _worker_config(client)

    assert config["static"] == "/static/"
    for url in config["shell"]:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
        assert (tmp_path / url.removeprefix("/static/")).is_file()
    assert client.get("/manifest.webmanifest").json()["icons"][0]["src"].startswith(
        "/static/icons/icon-192.")
