"""Outbound requests to addresses that users give: push endpoints and Apprise URLs.

A user chooses where these requests go (a push subscription's endpoint, the host of an
``ntfys://`` or ``json://`` URL), so without a check "Send a test" would let anyone make
the app reach its own network: the database, the cache, a cloud's metadata address.

Two checks, the same rule as the IMAP host (``inbox.mailbox.check_host``): every address
must be public unless ``OUTBOUND_ALLOW_PRIVATE`` (on in development and in the tests).

1. ``check_host(host, port)`` resolves a host once, when a URL is saved or tested, and
   refuses it with a sentence a person can act on.
2. ``guard()`` checks, for the code that runs inside it, each address a socket connects to,
   after the library's own lookup: an audit hook (``sys.addaudithook``, PEP 578) sees the
   ``socket.connect`` event with the resolved address and refuses a private one. What is
   checked is what the socket connects to, so a name server that answers with a public
   address first and a private one later (DNS rebinding) gains nothing. The hook is
   installed once per process and does nothing outside ``guard()``.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import sys
from collections.abc import Iterator

from django.conf import settings

_guarded: contextvars.ContextVar[bool] = contextvars.ContextVar("outbound_guarded",
                                                                default=False)
_hook_installed = False


class AddressRefused(OSError):
    """A connection to an address the app must not reach (an OSError, so that HTTP
    libraries report it as the failed connection it is)."""


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return settings.OUTBOUND_ALLOW_PRIVATE or is_public(ip)


def check_host(host: str, port: int | None = None) -> list[str]:
    """Resolve ``host`` once and refuse it unless every address may be reached.

    Returns the addresses. Raises ``AddressRefused`` with a sentence for the user.
    """
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"{host[:100]} could not be found.") from error
    addresses = list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))
    if not all(allowed(ipaddress.ip_address(address)) for address in addresses):
        raise AddressRefused(
            f"{host[:100]} is a private or local address; Follow-up only sends to services "
            "on the internet."
        )
    return addresses


def _audit(event: str, args: tuple) -> None:
    if event != "socket.connect" or not _guarded.get():
        return
    sock, address = args
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        raise AddressRefused("Only internet addresses may be reached from here.")
    try:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
    except ValueError as error:  # a name, not an address: connect() would look it up again
        raise AddressRefused(f"Refusing to connect to {address[0]!r} by name.") from error
    if not allowed(ip):
        raise AddressRefused(
            f"{ip} is a private or local address; Follow-up only sends to services on the "
            "internet."
        )


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Refuse, inside this block, every connection to an address ``allowed`` refuses."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    reset = _guarded.set(True)
    try:
        yield
    finally:
        _guarded.reset(reset)
