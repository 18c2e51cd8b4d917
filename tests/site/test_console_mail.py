"""`make run`'s mailer (EMAIL_URL=consolemail://, the default): the sign-up's verification
email printed decoded, its link whole on one line that a terminal can open (issue 16.7)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from interviews.models import Candidate

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = "core.console_mail.EmailBackend"


def test_make_run_prints_mail_with_the_decoding_console_mailer():
    # As `make run` starts: no EMAIL_URL, DEBUG on by default.
    env = {k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "DEBUG"}}
    script = ("import django; django.setup(); from django.conf import settings; "
              "print(settings.MAILERS['default']['BACKEND'])")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=env | {"DJANGO_SETTINGS_MODULE": "followup_site.settings"}, check=False,
    )
    assert result.stdout.strip() == CONSOLE, result.stderr


def test_the_verification_link_is_printed_whole_on_one_line(db, client, password, settings,
                                                              capsys):
    settings.MAILERS = {"default": {"BACKEND": CONSOLE}}

    response = client.post(reverse("account_signup"), {
        "email": "newcomer@example.com", "password1": password, "password2": password,
    })

    assert response.status_code == 302
    printed = capsys.readouterr().out
    assert "Subject: Follow-up: Please Confirm Your Email Address" in printed
    assert "To: newcomer@example.com" in printed
    [line] = [line for line in printed.splitlines() if "/accounts/confirm-email/" in line]
    # The line is the link, whole: no quoted-printable soft break, no "=3D" for "=".
    assert re.fullmatch(r"http://testserver/accounts/confirm-email/[\w:-]+/", line), line
    assert not any(text.endswith("=") for text in printed.splitlines())
    # And it works: the address is verified by the link as printed.
    path = line.removeprefix("http://testserver")
    assert client.post(path).status_code == 302
    assert Candidate.objects.get(email="newcomer@example.com").email_verified
