"""The installable app: its manifest, its service worker and the page it shows offline.

The service worker (templates/pwa/sw.js) keeps the shell — the stylesheets, scripts and
icons every page loads — and the static files, never a page: a page holds the user's data,
and a phone that someone else picks up offline must show nothing of it. Pages always come
from the network; when the network is down the worker answers with ``/offline/``, which
shows no data and is the same for everyone.

The worker is rendered (not a static file) so that it can list the shell's static URLs as
the storage names them (content-hashed in production) and name its cache after them: a
deploy that changes a file changes the worker, and the browser installs the new one and
deletes the old cache.
"""

from __future__ import annotations

import hashlib
import json
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# What templates/base.html (and the offline page) load: kept offline so that the offline
# page looks like the app. tests/site/test_pwa.py checks the list against the pages.
SHELL = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "js/theme.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "django_htmx/htmx-2.min.js",
    "js/app.js",
    "js/shortcuts.js",
    "js/pwa.js",
    "js/push.js",
    "favicon.svg",
    "icons/icon-192.png",
)

# The browser chrome's colour: Bootstrap's navbar (bg-body-tertiary) in each mode.
THEME_LIGHT = "#f8f9fa"
THEME_DARK = "#2b3035"
BACKGROUND = "#ffffff"


def _file_stamps() -> str:
    """Every static file's name, size and modification time, for unhashed storage.

    Without content hashes in the URLs (development, the tests) a changed file keeps its
    URL, so the cache's name must change with the files themselves or the worker would
    serve the old copy for ever.
    """
    stamps = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            stamps.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(sorted(stamps))


def cache_version(shell_urls: list[str]) -> str:
    digest = hashlib.sha256("\n".join(shell_urls).encode())
    digest.update(loader.get_template("pwa/sw.js").template.source.encode())
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        digest.update(_file_stamps().encode())
    return digest.hexdigest()[:12]


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static(name) for name in SHELL]
    config = {
        "cache": f"followup-static-{cache_version(shell)}",
        "shell": shell,
        "offline": reverse("offline"),
        # Not static(""): the manifest storage of production has no entry for "".
        "static": settings.STATIC_URL,
        "icon": static("icons/icon-192.png"),
        "badge": static("icons/badge-96.png"),
    }
    return render(
        request, "pwa/sw.js", {"config": json.dumps(config)},
        content_type="application/javascript",
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "id": "/",
        "name": "Follow-up",
        "short_name": "Follow-up",
        "description": "Your job applications, interviews and the follow-ups they need.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_LIGHT,
        "background_color": BACKGROUND,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(data, indent=2), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows when a page cannot be fetched.

    Rendered without the request: it must hold no user data, since it is cached and shown
    to whoever holds the device.
    """
    return HttpResponse(loader.render_to_string("pwa/offline.html"))

