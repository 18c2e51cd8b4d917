"""A throwaway Dovecot IMAP server for the tests: loopback, a free port, passwd-file auth,
maildir under tmp_path; started as ``dovecot -F -c <conf>`` and stopped with it.

``start_dovecot()`` has no TLS. ``start_dovecot(tls=True)`` also makes a throwaway
self-signed certificate (``cryptography``; SAN IP 127.0.0.1 and DNS localhost, valid for a
day), offers STARTTLS on the plain port and implicit TLS on a second one (``tls_port``).
The app verifies certificates; a test trusts this one by pointing OpenSSL's default verify
file at it (``SSL_CERT_FILE``, read each time a default context is made), so the app's code
is the same as against a real provider.

Debian's ``dovecot-imapd`` package (installed by .ci/run) provides /usr/sbin/dovecot; the
system service is never started. Without it the tests skip on a workstation and fail in CI.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "anna@example.com"
PASSWORD = "app-password-1"


@dataclass
class Imap:
    host: str
    port: int
    user: str
    password: str
    process: subprocess.Popen
    root: Path
    tls_port: int | None = None  # implicit TLS (993 style); STARTTLS is on ``port``
    cert_file: Path | None = None  # the self-signed certificate, PEM

    def logins(self) -> list[str]:
        """Dovecot's log lines of successful logins: ", TLS," in one made over TLS or
        STARTTLS, ", secured," in one made in clear on loopback."""
        log = self.root / "dovecot.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [line for line in lines if "imap-login: Info: Login:" in line]

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        mailbox = MailBoxUnencrypted(self.host, self.port, timeout=10)
        mailbox.login(self.user, self.password, initial_folder=None)
        try:
            mailbox.client.append(folder, None, None, raw)
        finally:
            mailbox.logout()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _users() -> tuple[str, str, str]:
    """(internal user, login user, mail user): Debian's when root, else ourselves."""
    if os.geteuid() == 0:
        return "dovecot", "dovenull", "dovecot"
    me = pwd.getpwuid(os.geteuid()).pw_name
    return me, me, me


CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail} gid={mail_group} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _self_signed(root: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 and localhost and its key: (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Follow-up test Dovecot")])
    # A month either side: OpenSSL checks it against the machine's clock, which a test
    # that moves Python's clock (time-machine) does not move.
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = root / "cert.pem", root / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)  # read by Dovecot's config process, which runs as us (or root)
    return cert_file, key_file


def start_dovecot(*, tls: bool = False) -> Imap:
    """Dovecot in a fresh folder of its own (not pytest's tmp_path, whose 0700 parents its
    unprivileged auth and mail processes could not enter); with ``tls``, STARTTLS on
    ``port`` and implicit TLS on ``tls_port`` with a throwaway self-signed certificate."""
    if not Path(DOVECOT).exists():
        reason = "install Debian's dovecot-imapd: apt-get install -y dovecot-imapd"
        if "CI" in os.environ:
            pytest.fail(f"{DOVECOT} is missing; {reason}", pytrace=False)
        pytest.skip(reason)
    internal, login, mail = _users()
    root = Path(tempfile.mkdtemp(prefix="followup-dovecot-"))
    for name in ("run", "state", "home"):
        (root / name).mkdir(parents=True, exist_ok=True)
    mail_entry = pwd.getpwnam(mail)
    os.chown(root / "home", mail_entry.pw_uid, mail_entry.pw_gid)
    os.chmod(root, 0o755)  # noqa: S103 — Dovecot's unprivileged processes enter it
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = _free_port()
    tls_port, cert_file, ssl = None, None, "ssl = no"
    if tls:
        cert_file, key_file = _self_signed(root)
        tls_port = _free_port()
        # Dovecot 2.3: "<path" reads the file's contents.
        ssl = f"ssl = yes\nssl_cert = <{cert_file}\nssl_key = <{key_file}"
    group = lambda user: pwd.getpwnam(user).pw_gid  # noqa: E731
    import grp

    conf = root / "dovecot.conf"
    conf.write_text(
        CONF.format(
            root=root,
            port=port,
            tls_port=tls_port or 0,
            ssl=ssl,
            internal=internal,
            internal_group=grp.getgrgid(group(internal)).gr_name,
            login=login,
            mail=mail,
            mail_group=grp.getgrgid(group(mail)).gr_name,
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    imap = Imap("127.0.0.1", port, USER, PASSWORD, process, root, tls_port, cert_file)
    waiting = [port] + ([tls_port] if tls_port else [])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            log = root / "dovecot.log"
            output += log.read_text() if log.exists() else ""
            pytest.fail(f"dovecot exited: {output}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", waiting[0]), timeout=1):
                waiting.pop(0)
                if not waiting:
                    return imap
        except OSError:
            time.sleep(0.1)
    imap.stop()
    pytest.fail("dovecot did not start listening", pytrace=False)
