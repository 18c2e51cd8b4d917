"""A throwaway Dovecot IMAP server for the tests: loopback, a free port, passwd-file auth,
maildir under tmp_path, no TLS; started as ``dovecot -F -c <conf>`` and stopped with it.

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
ssl = no
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
    port = 0
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


def start_dovecot() -> Imap:
    """Dovecot in a fresh folder of its own (not pytest's tmp_path, whose 0700 parents its
    unprivileged auth and mail processes could not enter)."""
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
    group = lambda user: pwd.getpwnam(user).pw_gid  # noqa: E731
    import grp

    conf = root / "dovecot.conf"
    conf.write_text(
        CONF.format(
            root=root,
            port=port,
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
    imap = Imap("127.0.0.1", port, USER, PASSWORD, process, root)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"dovecot exited: {output}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return imap
        except OSError:
            time.sleep(0.1)
    imap.stop()
    pytest.fail("dovecot did not start listening", pytrace=False)
