"""The receiving side of Web Push, on 127.0.0.1, and an HTTP sink for Apprise.

``PushReceiver`` is a push service and a browser in one: each subscription it hands out
(``subscribe()``) has its own endpoint path on this server, a P-256 key pair and a 16-byte
auth secret made here, exactly what a browser's ``PushSubscription`` carries. Every POST to
an endpoint is checked as a push service and a browser would:

- the VAPID ``Authorization`` header (RFC 8292): ``vapid t=<JWT>, k=<public key>``, the
  JWT's ES256 signature verified with ``k``, ``k`` the server's ``VAPID_PUBLIC_KEY``, the
  audience the endpoint's origin, the subject ``VAPID_SUBJECT``, the expiry in the future
  and within 24 hours;
- ``Content-Encoding: aes128gcm`` and a ``TTL`` header;
- the body decrypted with the subscription's private key and auth secret (RFC 8291, with
  ``http_ece``) and read as JSON.

A push that passes is recorded (``received``) and answered 201; one that fails a check is
recorded in ``errors`` and answered 400. ``answer(path, status)`` makes an endpoint answer
410, 404, 500 or 429 instead, as a push service does.

``HttpSink`` records every request it receives (Apprise's ``json://`` and ``ntfy://``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from core.vapid import b64url


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    endpoint: str
    path: str
    p256dh: str
    auth: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes


@dataclass
class Push:
    path: str
    payload: dict
    headers: dict
    at: float


class PushReceiver:
    def __init__(self, *, vapid_public_key: str, vapid_subject: str) -> None:
        self.vapid_public_key = vapid_public_key
        self.vapid_subject = vapid_subject
        self.subscriptions: dict[str, Subscription] = {}
        self.received: list[Push] = []
        self.errors: list[str] = []
        self.answers: dict[str, int] = {}
        self.delay = 0.0  # seconds before answering each push
        self.check_expiry = True
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._receive(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> PushReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self) -> Subscription:
        """A new subscription of this receiver, as a browser's PushSubscription has it."""
        key = ec.generate_private_key(ec.SECP256R1())
        secret = os.urandom(16)
        path = f"/push/{uuid.uuid4().hex}"
        public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        subscription = Subscription(
            endpoint=f"{self.origin}{path}", path=path, p256dh=b64url(public),
            auth=b64url(secret), private_key=key, auth_secret=secret,
        )
        self.subscriptions[path] = subscription
        return subscription

    def answer(self, path: str, status: int | None) -> None:
        """Make the endpoint at ``path`` answer ``status`` (None: back to normal)."""
        if status is None:
            self.answers.pop(path, None)
        else:
            self.answers[path] = status

    def pushes(self, path: str | None = None) -> list[Push]:
        with self.lock:
            return [p for p in self.received if path is None or p.path == path]

    # --- The checks ---------------------------------------------------------------------

    def _receive(self, path: str, headers: dict, body: bytes) -> int:
        headers = {k.lower(): v for k, v in headers.items()}
        subscription = self.subscriptions.get(path)
        if subscription is None:
            return 404
        if self.delay:
            time.sleep(self.delay)
        try:
            self._check_vapid(headers.get("authorization", ""))
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"Content-Encoding is {headers.get('content-encoding')!r}")
            if not headers.get("ttl", "").isdigit():
                raise ValueError(f"TTL header is {headers.get('ttl')!r}")
            plain = http_ece.decrypt(body, private_key=subscription.private_key,
                                     auth_secret=subscription.auth_secret, version="aes128gcm")
            payload = json.loads(plain)
        except Exception as error:  # any failed check is the test's finding
            with self.lock:
                self.errors.append(f"{path}: {type(error).__name__}: {error}")
            return 400
        status = self.answers.get(path)
        if status is not None:
            return status
        with self.lock:
            self.received.append(Push(path, payload, headers, time.time()))
        return 201

    def _check_vapid(self, authorization: str) -> None:
        match = re.fullmatch(r"vapid t=([^,\s]+),\s*k=([^,\s]+)", authorization.strip())
        if not match:
            raise ValueError(f"Authorization is not VAPID: {authorization[:60]!r}")
        jwt, k = match.groups()
        if k != self.vapid_public_key:
            raise ValueError("k is not the server's VAPID public key")
        head, claims, signature = jwt.split(".")
        if json.loads(_unb64(head)).get("alg") != "ES256":
            raise ValueError("the JWT is not ES256")
        raw = _unb64(signature)
        if len(raw) != 64:
            raise ValueError("an ES256 signature is 64 bytes")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(k))
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                   int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as error:
            raise ValueError("the JWT's signature does not verify with k") from error
        claims = json.loads(_unb64(claims))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud is {claims.get('aud')!r}, not {self.origin!r}")
        if claims.get("sub") != self.vapid_subject:
            raise ValueError(f"sub is {claims.get('sub')!r}")
        now = time.time()
        if self.check_expiry and not now < int(claims["exp"]) <= now + 24 * 3600 + 60:
            raise ValueError(f"exp {claims['exp']} is not within the next 24 hours")


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class HttpSink:
    """An HTTP server that answers 200 to every POST and keeps it; ``status`` makes it
    answer something else."""

    status: int = 200
    requests: list[Request] = field(default_factory=list)

    def start(self) -> HttpSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.requests.append(Request(self.path, dict(self.headers.items()), body))
                answer = b"{}"
                self.send_response(sink.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
