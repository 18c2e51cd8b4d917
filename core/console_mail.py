"""The development mailer (``EMAIL_URL=consolemail://``, the default): each email printed
as a person reads it.

Django's console backend prints the wire format: the text quoted-printable, a line longer
than 76 characters cut by an ``=`` soft break, so a sign-up's verification link came out in
two pieces (and honcho's prefix between them) that no terminal can open. This one prints
the headers a reader looks at and each text part decoded: every line of the text, and so
every link, on one line of the console.
"""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage

from django.core.mail.backends import console

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")


def readable(message: MimeMessage) -> str:
    """The email's headers, then its text parts decoded; other parts are only named."""
    lines = [f"{name}: {message[name]}" for name in HEADERS if message[name]]
    others = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_type() == "text/plain" and not part.get_filename():
            lines += ["", part.get_content().rstrip("\n")]
        else:
            others.append(part.get_filename() or part.get_content_type())
    if others:
        lines += ["", f"(also in the email, not shown: {', '.join(others)})"]
    return "\n".join(lines)


class EmailBackend(console.EmailBackend):
    def write_message(self, message) -> None:
        self.stream.write(readable(message.message()) + "\n")
        self.stream.write("-" * 79 + "\n")
