"""``mailto:`` links that open a note in the candidate's own mail program (RFC 6068).

Everything after the address is percent-encoded as UTF-8: spaces as ``%20`` (never ``+``,
which mail programs show literally), line breaks as ``%0D%0A``, ``&``, ``?``, ``#`` and
``=`` encoded so the body cannot end the field early.

Long links are not reliable: some mail programs and browsers cut a ``mailto:`` URL at
about 2,000 characters (older Outlook and Internet Explorer at 2,083), silently dropping
the end of the note. Past ``MAILTO_MAX_CHARS`` = 1,800 characters of URL, with margin for
the browser's own additions, ``mailto_url`` returns None and the page offers copying the
subject and body instead. static/js/notes.js follows the same rules while the user types.
"""

from __future__ import annotations

from urllib.parse import quote

MAILTO_MAX_CHARS = 1_800


def _encode(value: str) -> str:
    return quote(value.replace("\r\n", "\n").replace("\n", "\r\n"), safe="")


def mailto_url(to: str, subject: str, body: str, *, limit: int = MAILTO_MAX_CHARS) -> str | None:
    """The link, or None when it would be longer than ``limit`` characters."""
    fields = [
        f"{name}={_encode(value)}"
        for name, value in (("subject", subject), ("body", body))
        if value
    ]
    url = "mailto:" + quote(to.strip(), safe="@+")
    if fields:
        url += "?" + "&".join(fields)
    return url if len(url) <= limit else None
