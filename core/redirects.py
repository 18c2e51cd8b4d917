"""Redirects that take a destination from the request (a ``next`` field or parameter).

``django.shortcuts.redirect()`` tries a string first as a URL name, then as a model's
``get_absolute_url()``, and only then as a URL: user text such as ``李小龍 José 🎉``
reaches ``reverse()`` and answers 500 (NoReverseMatch). User input therefore goes through
``safe_next()``, which only ever takes a local path, and otherwise falls back on a
destination the code chose.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_path(request: HttpRequest, target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None.

    Only paths are taken (``/…``, not ``//host`` nor a bare word, which a browser would
    resolve against the current page), checked by ``url_has_allowed_host_and_scheme``.
    """
    if not target or not isinstance(target, str) or not target.startswith("/"):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


def safe_next(
    request: HttpRequest, default: Any, *, field: str = "next", **default_kwargs: Any
) -> HttpResponseRedirect:
    """Redirect to the request's ``next`` (POST first, then the query) if it is a local path,
    else to ``default`` (a URL name, a model or a URL the code chose, as ``redirect()`` takes).
    """
    target = safe_path(request, request.POST.get(field) or request.GET.get(field))
    return HttpResponseRedirect(target or resolve_url(default, **default_kwargs))
