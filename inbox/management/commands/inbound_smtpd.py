"""Run the forwarding server: ``manage.py inbound_smtpd [--host H] [--port P]``."""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from inbox.smtpd import make_controller
from inbox.smtpd import stop as stop_server


class Command(BaseCommand):
    help = "Receive forwarded mail for in+<token>@INBOUND_DOMAIN (aiosmtpd)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=settings.INBOUND_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.INBOUND_SMTP_PORT)

    def handle(self, *args, host: str, port: int, **options) -> None:
        # aiosmtpd logs every command of every session at INFO: keep warnings only.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        controller = make_controller(host=host, port=port)
        stop = threading.Event()
        for name in (signal.SIGINT, signal.SIGTERM):
            signal.signal(name, lambda *_: stop.set())
        controller.start()
        self.stdout.write(
            f"Receiving mail for in+<token>@{settings.INBOUND_DOMAIN} on {host}:{port}"
        )
        try:
            stop.wait()
        finally:
            stop_server(controller)
            self.stdout.write("Stopped.")
