"""``{% freshcache %}``: a page's content cached per candidate, never stale.

    {% load fresh_cache %}
    {% freshcache "application" application.pk %} … {% endfreshcache %}

Why a cache, and why this one. The busiest pages (an application, an interview, a note,
the list, the board, compare, the timeline) are mostly template rendering: dozens of
small nodes a row, each panel through its own template, dates formatted through the
translation machinery, so that an application page cost seven bare signed-in pages
(``bench/profile_pages.py``). What they show changes only when the candidate, or the
reminder engine on their behalf, writes something, or when the clock passes a minute.
``followup_site/freshness.py`` already gives every candidate a *data version* that every
such write renews (now and again at commit), for the dashboard and insights. This tag keys
the rendered content on that version, the candidate's current minute (in their zone: "due",
"today" and "window closes" roll over with the clock), the page's full path (its filters,
picks and page number) and the values given to the tag. So a change shows at once: the next
request looks for a key that has never been filled (proved page by page, change by change,
in ``tests/site/test_fresh_cache.py``).

What is not cached:
- anything but a GET or HEAD (a POST that re-renders a form with the candidate's input and
  its errors renders afresh, so nothing typed is ever replaced by a cached form), an htmx
  request (its partials may show more, such as the messages), and any request without a
  signed-in candidate;
- what is outside the tag: the layout, the navigation and the messages (``base.html``).

A cached fragment holds no CSRF token: the tag renders its content with
``PLACEHOLDER`` as the context's ``csrf_token`` (which ``{% csrf_token %}`` and the panels
read), and on output, cached or not, puts the request's own token in its place. Code that
builds forms in Python writes ``PLACEHOLDER`` too (``interviews/board.py``). The placeholder is
derived from ``SECRET_KEY``: a user cannot type it into a note.

The views of these pages hand the template lazy values (``lazy_value``), so that a cache
hit runs none of their queries: only the owner-scoped fetch that answers 404 to another
user, and the version (one cache read).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache as memoize

from django import template
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from followup_site import freshness

register = template.Library()

KEY = "fresh:{name}:{user}:{version}:{minute}:{vary}"
SECONDS = 120  # its minute and the next: the key changes every minute anyway


@memoize
def placeholder() -> str:
    """What cached content holds where the CSRF token goes (stable across processes)."""
    mac = salted_hmac("followup.fresh_cache", "placeholder", algorithm="sha256")
    return "csrf" + mac.hexdigest()


def with_token(html: str, token) -> str:
    """Content rendered with the placeholder, with the request's own CSRF token in it."""
    mark = placeholder()
    return html.replace(mark, str(token or "")) if mark in html else html


def lazy_value(build: Callable, *args, **kwargs):
    """A context value computed on first use, so that a cached page never computes it."""
    return SimpleLazyObject(lambda: build(*args, **kwargs))


def lazy_context(build: Callable[[], dict], *names: str) -> dict:
    """The named values of the dict ``build()`` returns, each lazy; ``build`` runs once, on
    the first use of any of them."""
    built = SimpleLazyObject(build)
    return {name: SimpleLazyObject(lambda name=name: built[name]) for name in names}


def _build() -> str:
    """What changes with a deploy: the static files' manifest (templates come with it)."""
    return getattr(staticfiles_storage, "manifest_hash", "") or ""


class FreshCacheNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, vary: list) -> None:
        self.nodelist = nodelist
        self.name = name
        self.vary = vary

    def _key(self, context, request, user) -> str:
        now = timezone.now().astimezone(user.zone)
        vary = [str(value.resolve(context)) for value in self.vary]
        vary += [request.get_full_path(), _build()]
        return KEY.format(
            name=self.name, user=user.pk, version=freshness.version(user.pk),
            minute=now.isoformat(timespec="minutes"),
            vary=hashlib.sha256("\x1f".join(vary).encode()).hexdigest()[:32],
        )

    def render(self, context) -> str:
        request = context.get("request")
        user = getattr(request, "user", None)
        token = context.get("csrf_token")
        if (
            request is None
            or request.method not in ("GET", "HEAD")
            or "HX-Request" in request.headers  # a partial may show what a page does not
            or not getattr(user, "is_authenticated", False)
        ):
            with context.push(csrf_token=placeholder()):
                return mark_safe(with_token(self.nodelist.render(context), token))  # noqa: S308
        key = self._key(context, request, user)
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=placeholder()):
                html = self.nodelist.render(context)
            cache.set(key, html, SECONDS)
        return mark_safe(with_token(html, token))  # noqa: S308 — rendered by our templates


@register.tag
def freshcache(parser, token) -> FreshCacheNode:
    """``{% freshcache "name" value… %}…{% endfreshcache %}``: see the module's docstring."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("freshcache needs a name")
    nodelist = parser.parse(("endfreshcache",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FreshCacheNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
