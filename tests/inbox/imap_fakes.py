"""Small scripted servers on 127.0.0.1 for the IMAP client's bounds: real sockets, one thread
per connection, enough of IMAP4rev1 for the app's poll (CAPABILITY, LOGIN, SELECT, STATUS,
UID SEARCH, UID FETCH, LOGOUT) and the ways a hostile server misbehaves:

- a message whose body is hundreds of MB, streamed in 1 MB chunks (the server never holds
  it), announced honestly (RFC822.SIZE) or as a small one (``announced``);
- a greeting sent one byte at a time (``drip``);
- a banner that is not IMAP at all (``banner``, e.g. an SSH server's).

What the client sent is kept (``commands``), and how many bytes of each message's literal
went out before the client stopped reading (``sent``).
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import dataclass, field

CHUNK = 1024 * 1024
UIDVALIDITY = 7


@dataclass
class FakeMessage:
    headers: bytes  # the header block, CRLF line ends, without the blank line
    size: int  # the bytes the server really sends for BODY[]
    announced: int | None = None  # RFC822.SIZE as the server tells it (default: size)

    def chunks(self):
        head = self.headers + b"\r\n\r\n"
        yield head
        left = self.size - len(head)
        line = b"x" * 76 + b"\r\n"
        block = line * (CHUNK // len(line))
        while left > 0:
            piece = block[:left]
            left -= len(piece)
            yield piece


def message(*, subject: str, size: int, announced: int | None = None,
            sender: str = "Priya Raman <priya.raman@northwind.io>",
            message_id: str = "<big@northwind.io>") -> FakeMessage:
    headers = (
        f"From: {sender}\r\nTo: owner@example.com\r\nSubject: {subject}\r\n"
        f"Date: Tue, 01 Dec 2026 16:00:00 +0000\r\nMessage-ID: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8"
    ).encode()
    return FakeMessage(headers, size, announced)


@dataclass
class FakeImap:
    messages: dict[int, FakeMessage] = field(default_factory=dict)
    greeting: bytes = b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fake ready\r\n"
    drip: float = 0.0  # seconds between the greeting's bytes
    banner: bytes | None = None  # sent instead of an IMAP greeting; then silence
    host: str = "127.0.0.1"
    port: int = 0
    commands: list[str] = field(default_factory=list)
    connections: int = 0
    greeting_sent: int = 0  # bytes of the dripped greeting that went out
    sent: dict[int, int] = field(default_factory=dict)  # uid → bytes of BODY[] sent

    def start(self) -> FakeImap:
        self._listener = socket.create_server((self.host, 0))
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(30)
            if self.banner is not None:
                conn.sendall(self.banner)
                conn.recv(1024)  # whatever the client does, it learns nothing more
                return
            if self.drip:
                for byte in self.greeting:
                    if self._stopping.wait(self.drip):
                        return
                    conn.sendall(bytes([byte]))
                    self.greeting_sent += 1
            else:
                conn.sendall(self.greeting)
            reader = conn.makefile("rb")
            while line := reader.readline(65536):
                self.commands.append(line.decode(errors="replace").rstrip("\r\n"))
                tag, _, rest = line.decode(errors="replace").strip().partition(" ")
                if not self._answer(conn, tag, rest):
                    return

    def _answer(self, conn: socket.socket, tag: str, rest: str) -> bool:
        verb = rest.split(" ", 1)[0].upper()
        out = conn.sendall
        if verb == "CAPABILITY":
            out(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
        elif verb == "SELECT":
            out(f"* {len(self.messages)} EXISTS\r\n* OK [UIDVALIDITY {UIDVALIDITY}] UIDs\r\n"
                .encode())
        elif verb == "STATUS":
            out(f'* STATUS "INBOX" (MESSAGES {len(self.messages)} UIDVALIDITY {UIDVALIDITY})\r\n'
                .encode())
        elif verb == "UID" and " SEARCH " in rest.upper():
            out(("* SEARCH " + " ".join(map(str, sorted(self.messages))) + "\r\n").encode())
        elif verb == "UID" and " FETCH " in rest.upper():
            self._fetch(conn, rest)
        elif verb == "LOGOUT":
            out(f"* BYE bye\r\n{tag} OK done\r\n".encode())
            return False
        out(f"{tag} OK done\r\n".encode())
        return True

    def _fetch(self, conn: socket.socket, rest: str) -> None:
        _uid, _fetch, uid_set, items = rest.split(" ", 3)
        for uid in (int(u) for u in uid_set.split(",")):
            found = self.messages.get(uid)
            if found is None:
                continue
            seq = sorted(self.messages).index(uid) + 1
            announced = found.size if found.announced is None else found.announced
            if "HEADER.FIELDS" in items.upper():
                wanted = re.search(r"\(([A-Z -]+)\)\]", items.upper()).group(1).split()
                kept = b"".join(
                    line + b"\r\n" for line in found.headers.split(b"\r\n")
                    if line.split(b":", 1)[0].decode().upper() in wanted
                ) + b"\r\n"
                conn.sendall(f"* {seq} FETCH (UID {uid} BODY[HEADER.FIELDS ({' '.join(wanted)})]"
                             f"<0> {{{len(kept)}}}\r\n".encode() + kept + b")\r\n")
            elif "BODY" in items.upper():
                # Counted from before the literal's announcement: a client that refuses it
                # may hang up, and the test read the count, before this thread runs again.
                self.sent[uid] = 0
                conn.sendall(f"* {seq} FETCH (UID {uid} FLAGS () RFC822.SIZE {announced} "
                             f"BODY[] {{{found.size}}}\r\n".encode())
                for piece in found.chunks():
                    conn.sendall(piece)
                    self.sent[uid] += len(piece)
                conn.sendall(b")\r\n")
            else:
                conn.sendall(f"* {seq} FETCH (UID {uid} RFC822.SIZE {announced})\r\n".encode())

    def fetched_bodies(self) -> list[str]:
        """The commands that asked for a whole message."""
        return [c for c in self.commands if "BODY.PEEK[]" in c.upper()]


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
