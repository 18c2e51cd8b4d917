"""Print a new VAPID key pair (Web Push, RFC 8292) for the environment.

    manage.py vapid_keys

Set the printed lines as environment variables, with VAPID_SUBJECT a mailto: address the
push services can write to. A new pair makes every browser subscribed with the old public
key turn push on again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core import vapid


class Command(BaseCommand):
    help = "Print a new VAPID key pair for Web Push, as environment variables."

    def handle(self, *args, **options) -> None:
        public, private = vapid.generate()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        # A comment, so that the output can go straight into an env file.
        self.stdout.write(
            "# Also set VAPID_SUBJECT=mailto:you@example.com (an address push services can "
            "reach you at). Keep VAPID_PRIVATE_KEY secret."
        )
