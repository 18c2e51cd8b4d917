"""A killed push worker resends at most one notification per channel (issue 19.5).

A real worker process makes the digests and pushes to ``CANDIDATES`` devices at the Web
Push receiver of the tests (and posts to a few Apprise URLs at an HTTP sink); it is
SIGKILLed in the middle of the batch. Within the lease the next dispatcher leaves the
killed one's claim alone; after the lease it sends what was not recorded. Duplicates are
counted where the notifications arrive: at most one per channel, and, since one worker
sends one channel at a time, at most one in all.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from inbox.crypto import encrypt
from reminders import notify, services
from reminders.models import AppriseChannel, Delivery, DeliveryStatus, PushDevice
from tests.conftest import TEST_NOW
from tests.reminders.test_crashes import _seed
from tests.reminders.test_integration import BASE_DIR, EVENING, _wait_for, _worker_env

CANDIDATES = 60
APPRISE_EVERY = 6  # one candidate in six also has an Apprise URL
LONG_AGO = datetime(2026, 11, 1, tzinfo=UTC)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    from tests.reminders.test_integration import _missing

    if connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


WORKER = """
import sys
import django
django.setup()
from datetime import datetime
from reminders import notify
print(notify.tick(now=datetime.fromisoformat(sys.argv[1])), flush=True)
"""


def _channels(receiver, sink) -> tuple[list[PushDevice], list[AppriseChannel]]:
    from interviews.models import Candidate

    owners = list(Candidate.objects.filter(email__startswith="crash").order_by("pk"))
    devices = []
    for owner in owners:
        subscription = receiver.subscribe()
        devices.append(PushDevice(owner=owner, endpoint=subscription.endpoint,
                                  p256dh=subscription.p256dh, auth=subscription.auth,
                                  created_at=LONG_AGO))
    urls = [
        AppriseChannel(owner=owner, label="Hook", hint="json://…", created_at=LONG_AGO,
                       url_encrypted=encrypt(f"json://127.0.0.1:{sink.port}/hook/{owner.pk}"))
        for owner in owners[::APPRISE_EVERY]
    ]
    return PushDevice.objects.bulk_create(devices), AppriseChannel.objects.bulk_create(urls)


def test_a_push_worker_killed_mid_batch_resends_at_most_one_notification_per_channel(
    push_receiver, http_sink, vapid
):
    _seed(CANDIDATES)
    devices, urls = _channels(push_receiver, http_sink)
    # The worker's clock is the machine's; this one may be moved (FOLLOWUP_TEST_NOW).
    push_receiver.check_expiry = not TEST_NOW
    push_receiver.delay = 0.03  # so that the kill lands mid-batch, with a push in flight
    env = {
        **_worker_env(),
        "VAPID_PUBLIC_KEY": vapid.VAPID_PUBLIC_KEY,
        "VAPID_PRIVATE_KEY": vapid.VAPID_PRIVATE_KEY,
        "VAPID_SUBJECT": vapid.VAPID_SUBJECT,
        "OUTBOUND_ALLOW_PRIVATE": "true",
        "INBOX_ENCRYPTION_KEYS": ",".join(vapid.INBOX_ENCRYPTION_KEYS),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, EVENING.isoformat()], env=env, cwd=BASE_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for(lambda: len(push_receiver.pushes()) >= 15 or process.poll() is not None,
                  timeout=60, what="15 pushes received")
    finally:
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, stderr[-2000:]
    killed_after = len(push_receiver.pushes())
    assert killed_after < CANDIDATES, "killed before the batch was done"
    assert Delivery.objects.filter(claim_token__isnull=False).exists(), "a claim was cut"

    # Within the lease the killed worker's claim waits; the rest is sent.
    notify.dispatch_deliveries(now=EVENING + timedelta(minutes=1))
    held = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    assert held > 0
    # After the lease, what it had not recorded is sent.
    notify.dispatch_deliveries(now=EVENING + services.LEASE + timedelta(seconds=1))

    assert push_receiver.errors == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    per_device = Counter(p.path for p in push_receiver.pushes())
    per_url = Counter(r.path for r in http_sink.requests)
    assert set(per_device) == {"/" + d.endpoint.split("/", 3)[3] for d in devices}
    assert set(per_url) == {f"/hook/{c.owner_id}" for c in urls}
    counts = list(per_device.values()) + list(per_url.values())
    assert max(counts) <= 2, "a channel got the same digest three times"
    duplicates = sum(count - 1 for count in counts)
    assert duplicates <= 1, f"{duplicates} notifications sent twice"
