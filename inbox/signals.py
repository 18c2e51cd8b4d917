"""What the Inbox announces to the apps above it, which it never imports.

``keys_rotated``: ``manage.py inbox rotate-keys`` re-encrypted the mailbox passwords with
the first of ``INBOX_ENCRYPTION_KEYS``. Other secrets encrypted with those keys
(``inbox.crypto``; the reminders' notification URLs) are re-encrypted by their receivers,
which return a sentence for the command to print.
"""

from __future__ import annotations

from django.dispatch import Signal

keys_rotated = Signal()
