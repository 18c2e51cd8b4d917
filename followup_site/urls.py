from allauth.account import urls as account_urls
from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_POST

from core import pwa

# django-allauth's account and two-factor URLs (what allauth.urls includes here), with
# signing out kept POST-only (allauth's own view shows a page on GET), and without the
# emailed-code flows, which settings.py leaves off (their views only answer 403).
_UNUSED = {
    "account_logout",
    "account_confirm_login_code",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
}
accounts = [
    path("logout/", require_POST(account_views.logout), name="account_logout"),
    *(pattern for pattern in account_urls.urlpatterns if pattern.name not in _UNUSED),
    path("2fa/", include("allauth.mfa.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # The installable app: at the root, so that the service worker's scope is the whole site.
    path("manifest.webmanifest", pwa.manifest, name="webmanifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    # Sign-up, sign-in, TOTP, email verification, passwords (django-allauth).
    path("accounts/", include(accounts)),
    path("", include("interviews.urls")),
    path("", include("notes.urls")),
    # The Inbox: received mail and invitations.
    path("inbox/", include("inbox.urls")),
    path("", include("reminders.urls")),
    path("", include("tracking.urls")),
]

# A body over Django's upload limits gets a page saying what was too large (not a bare 400).
handler400 = "core.views.bad_request"
