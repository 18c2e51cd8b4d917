"""Accounts: django-allauth's adapter for the candidate model, and ``email_verified``.

allauth owns the flows (sign-up, sign-in with optional TOTP, email verification, password
change and reset, rate limits); this module adapts them to the candidate and keeps
``Candidate.email_verified`` in step with allauth's ``EmailAddress`` rows.
"""

from __future__ import annotations

import logging
import smtplib

from allauth.account import signals as account_signals
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib import messages
from django.dispatch import receiver
from django.urls import reverse

from interviews import services

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # Stored emails are lower-case and sign-in ignores case (CandidateManager).
        return super().clean_email(email).strip().lower()

    def is_safe_url(self, url: str | None) -> bool:
        # ``next`` must be a path of this site: "李小龍 José" is a relative URL to Django's
        # check, and would send the browser to a page under /accounts/login/.
        return bool(url) and url.startswith("/") and super().is_safe_url(url)

    def get_login_redirect_url(self, request) -> str:
        # Until the candidate answered (or skipped) the welcome, each sign-in opens it; a
        # ``next`` the sign-in carries still wins, so a link from an email is followed.
        if request.user.welcomed_at is None:
            return reverse("welcome")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return reverse("welcome")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The verification email says how long its link works.
        context = {**context, "expire_days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS}
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            # A mail server that is down must not turn a sign-up or a password change
            # (already saved) into an error page; the candidate can ask again later.
            logger.exception("Could not send the %s email", template_prefix)
            request = context.get("request") or allauth_context.request
            if request is not None:
                messages.warning(
                    request,
                    "We could not send you an email just now. Please ask for it again in "
                    "a few minutes.",
                )


def _sync(user) -> None:
    if user is not None and getattr(user, "pk", None):
        services.candidate_sync_email_verified(candidate=user)


@receiver(account_signals.email_confirmed, dispatch_uid="interviews.email_confirmed")
def _on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    _sync(email_address.user)


@receiver(account_signals.email_changed, dispatch_uid="interviews.email_changed")
def _on_email_changed(sender, request, user, **kwargs) -> None:
    _sync(user)


@receiver(account_signals.email_added, dispatch_uid="interviews.email_added")
def _on_email_added(sender, request, user, **kwargs) -> None:
    _sync(user)


@receiver(account_signals.email_removed, dispatch_uid="interviews.email_removed")
def _on_email_removed(sender, request, user, **kwargs) -> None:
    _sync(user)
