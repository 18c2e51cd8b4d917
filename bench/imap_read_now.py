"""Peak memory of "Read now" against a mailbox whose server sends a 300 MB message.

    .venv/bin/python bench/imap_read_now.py [--megabytes 300]

Uses the database of the settings (DATABASE_URL, or SQLite under DATA_DIR) through a
throwaway test database, created and dropped here. The IMAP servers are the tests' scripted
ones (tests/inbox/imap_fakes.py) on loopback, in this process; the message body is streamed
in 1 MB chunks, so the server never holds it. The limit is the default ``INBOX_MAX_BYTES``.

After a warm-up read of a 4 KB message, three folders, each read by a POST to "Read now"
as its owner (the view, the poll, the client, the store):

1. honest: one message of ``--megabytes`` MB, announced as such (RFC822.SIZE);
2. lying: the same message announced as 2 KB (a literal of ``--megabytes`` MB follows);
3. genuine: one message of 9 MB, under the limit, read in full (for comparison).

Printed for each: the wall time, the peak of Python's allocations (tracemalloc) and of the
process's resident memory above its level before (VmHWM, reset through
/proc/self/clear_refs where the kernel allows), and how many bytes of the body the server
sent before the client stopped reading. Before issue 16 the 300 MB message took the web
worker to 2.6 GB. A benchmark, not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followup_site.settings")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="followup-imap-bench-"))
os.environ["INBOX_IMAP_ALLOW_PRIVATE"] = "true"  # the scripted servers are on loopback
os.environ.setdefault("DEBUG", "true")  # a mailbox password key derived from SECRET_KEY

MB = 1024 * 1024


def _status(field: str) -> int:
    """A VmHWM / VmRSS figure of /proc/self/status, in bytes (0 off Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _read_now(client, owner, server, name: str) -> None:
    from django.urls import reverse

    from inbox import mailbox
    from inbox.models import ReceivedMessage, Security

    connection = mailbox.mailbox_connect(
        owner=owner, password="p", host=server.host, port=server.port,  # noqa: S106 (a fake)
        security=Security.NONE, username="bench@example.com", folder="INBOX",
    )
    rss_before = _status("VmRSS")
    reset = _reset_peak()
    tracemalloc.start()
    started = time.perf_counter()
    response = client.post(reverse("inbox_mailbox_poll", args=[connection.pk]))
    elapsed = time.perf_counter() - started
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_peak = _status("VmHWM") - rss_before if reset else 0
    connection.refresh_from_db()
    row = ReceivedMessage.objects.filter(mailbox=connection).first()
    outcome = (
        "nothing stored" if row is None
        else row.problems[0][:60] + "…" if row.problems and not row.size
        else f"stored, {row.size / 1024:,.0f} KB"
    )
    sent = sum(server.sent.values())
    print(f"{name:<8} {response.status_code}  {elapsed:6.2f} s  python peak "
          f"{python_peak / MB:7.1f} MB  RSS peak +{rss_peak / MB:7.1f} MB  body sent "
          f"{sent / MB:7.1f} MB  {outcome}"
          + (f"  (row error: {connection.last_error})" if connection.last_error else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from tests.factories import CandidateFactory
    from tests.inbox.imap_fakes import FakeImap, message

    huge = args.megabytes * MB
    print(f"INBOX_MAX_BYTES {settings.INBOX_MAX_BYTES / MB:.1f} MB; database "
          f"{connection.vendor}; a message of {args.megabytes} MB")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    servers = [
        # The first request imports and compiles what every later one reuses.
        ("warm-up", FakeImap(messages={1: message(subject="Hello", size=4096)})),
        ("honest", FakeImap(messages={1: message(subject="Archive", size=huge)})),
        ("lying", FakeImap(messages={1: message(subject="Archive", size=huge, announced=2048)})),
        ("genuine", FakeImap(messages={1: message(subject="Slides", size=9 * MB)})),
    ]
    try:
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            for index, (name, server) in enumerate(servers):
                owner = CandidateFactory(email=f"bench-{index}@example.com")
                client = Client()
                client.force_login(owner)
                server.start()
                try:
                    _read_now(client, owner, server, name)
                finally:
                    server.stop()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
