from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def _megabytes(size: int | None) -> str:
    return f"{size / 1_000_000:g} MB" if size else "the limit"


def too_large_reason(exception: Exception | None) -> str | None:
    """What was too large in a request Django refused before any view ran, in words."""
    if isinstance(exception, RequestDataTooBig):
        return (
            f"The form sent more than {_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} of "
            "text (files not counted). Shorten what you typed or pasted, then send it again."
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            f"The form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields. "
            "Send fewer items at a time."
        )
    if isinstance(exception, TooManyFilesSent):
        return (
            f"The form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files. "
            "Send fewer files at a time."
        )
    return None


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 page (handler400): says what was too large when Django refused the body.

    Django calls it for every SuspiciousOperation, some of which (a disallowed Host) make the
    request itself unusable in a template: then the page is rendered without it.
    """
    context = {"reason": too_large_reason(exception)}
    try:
        return render(request, "400.html", context, status=400)
    except Exception:  # the error page must not fail in turn
        logger.warning("400 page rendered without the request", exc_info=True)
        return HttpResponseBadRequest(loader.render_to_string("400_plain.html", context))
