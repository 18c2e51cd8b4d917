"""Tracking across applications: the dashboard (home page), the applications list with its
filters, the timeline, insights, the calendar feed, and export and import ("Your data").

These pages read every app (applications, notes, follow-ups), so they live in the
tracking room, which composes the apps and which none of them imports. The follow-up
actions and settings stay in ``reminders/views.py``, with the cadence engine; these
pages' URLs are in ``tracking/urls.py``.

Every object is fetched through an owner-scoped helper (another candidate's is a 404);
every state change is a POST with CSRF. The calendar feed is the one page without
sign-in: its secret token is the credential (see ``tracking/calendar.py``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, OuterRef, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from interviews.access import get_application_for_user
from interviews.models import Application, Interview
from tracking import calendar, portability
from tracking import insights as insights_module
from tracking.dashboard import LIMIT, OUTCOMES, dashboard_for, needs_action_q
from tracking.forms import ApplicationFilterForm, ImportForm
from tracking.models import CalendarFeed
from tracking.timeline import timeline_for

APPLICATIONS_PER_PAGE = 25  # at most 50, so a page stays one screenful and one fast query
SESSION_FEED_TOKEN = "tracking:new_calendar_token"  # noqa: S105 — a session key
SESSION_IMPORT_REPORT = "tracking:import_report"
# The multipart envelope around the file: boundaries and the CSRF field.
UPLOAD_SLACK = 64 * 1024


# --- Dashboard ----------------------------------------------------------------------------


# The buttons of a follow-up's card: Done and Dismiss answer with "Undo".
FOLLOWUP_ACTIONS = (("done", "Done"), ("snooze", "Snooze 2 days"), ("dismiss", "Dismiss"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The next actions: overdue, today and this week."""
    board = dashboard_for(request.user)
    return render(request, "tracking/dashboard.html", {
        "board": board, "buckets": board.buckets(), "limit": LIMIT,
        # An empty board of a new account offers the first application (one query more,
        # only when the board is empty).
        "first_run": board.empty and not Application.objects.owned_by(request.user).exists(),
        "outcomes": [(status.value, status.label) for status in OUTCOMES],
        "followup_actions": FOLLOWUP_ACTIONS,
    })


@login_required
def signed_in_ping(request: HttpRequest) -> HttpResponse:
    """A bare page behind sign-in, with the site's layout: the benchmark's baseline."""
    return render(request, "tracking/ping.html")


# --- Applications list ----------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """Every application, filtered, sorted and paginated: two queries per page."""
    now = timezone.now()
    zone = request.user.zone
    form = ApplicationFilterForm(request.GET or None)
    needs_action = needs_action_q(now, zone)
    next_interview = (
        Interview.objects.filter(application=OuterRef("pk"), starts_at__gte=now)
        .order_by("starts_at").values("starts_at")[:1]
    )
    applications = (
        Application.objects.owned_by(request.user)
        .filter(form.filter_q(zone))
        .only("id", "company", "role_title", "status", "decision_date", "created_at")
        .annotate(
            next_interview_at=Subquery(next_interview),
            needs_action=Case(
                When(needs_action, then=Value(True)), default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    if form.values().get("needs_action"):
        applications = applications.filter(needs_action)
    applications = applications.order_by(*form.order_by())
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracking/application_list.html",
        {"page": page, "form": form, "filtered": form.is_filtered},
    )


# --- Timeline -----------------------------------------------------------------------------


@login_required
def application_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request, pk)
    return render(
        request,
        "tracking/timeline.html",
        {"application": application, "timeline": timeline_for(application)},
    )


# --- Insights -----------------------------------------------------------------------------


@login_required
def insights(request: HttpRequest) -> HttpResponse:
    found = insights_module.insights_for(request.user, timezone.now())
    return render(request, "tracking/insights.html", {"insights": found})


# --- Your data: calendar feed, export, import -----------------------------------------------


def _your_data_context(request: HttpRequest, **extra) -> dict:
    token = request.session.pop(SESSION_FEED_TOKEN, None)
    return {
        "feed": CalendarFeed.objects.filter(owner=request.user).first(),
        "feed_url": request.build_absolute_uri(calendar.feed_path(token)) if token else "",
        "import_form": ImportForm(),
        "import_limit_mb": portability.IMPORT_MAX_BYTES // (1024 * 1024),
        "csv_tables": list(portability.CSV_TABLES),
        **extra,
    }


@login_required
def your_data(request: HttpRequest) -> HttpResponse:
    report = request.session.pop(SESSION_IMPORT_REPORT, None)
    context = _your_data_context(
        request, report=portability.ImportReport.from_dict(report) if report else None
    )
    return render(request, "tracking/your_data.html", context)


@login_required
@require_POST
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    had_feed = CalendarFeed.objects.filter(owner=request.user).exists()
    token = calendar.feed_regenerate(owner=request.user)
    # Shown once on the next page; only the token's hash is stored.
    request.session[SESSION_FEED_TOKEN] = token
    messages.success(
        request,
        "New calendar address made; the old one no longer works."
        if had_feed else "Calendar address made.",
    )
    return redirect("your_data")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    if calendar.feed_revoke(owner=request.user):
        messages.success(request, "Calendar address turned off: it no longer works.")
    return redirect("your_data")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed. No sign-in: calendar apps cannot sign in; the token is the key."""
    owner = calendar.feed_owner(token)
    if owner is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        calendar.build_calendar(owner), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="followup.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _download(parts, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(parts, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _stamp() -> str:
    return timezone.localdate().isoformat()


@login_required
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    return _download(
        portability.export_json(request.user), "application/json",
        f"followup-export-{_stamp()}.json",
    )


@login_required
def export_csv(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    if kind not in portability.CSV_TABLES:
        raise Http404("No such table.")
    return _download(
        portability.export_csv(request.user, kind), "text/csv; charset=utf-8",
        f"followup-{kind}-{_stamp()}.csv",
    )


@login_required
def export_vcard(request: HttpRequest) -> StreamingHttpResponse:
    return _download(
        portability.export_vcards(request.user), "text/vcard; charset=utf-8",
        f"followup-interviewers-{_stamp()}.vcf",
    )


class LimitedUploadHandler(FileUploadHandler):
    """Stops keeping an upload once it passes the import limit; the view then refuses it.

    Installed before the request body is read (hence the view's ``csrf_exempt`` outside
    and ``csrf_protect`` inside, as Django's docs show for upload handlers), so an
    oversized file is neither held in memory nor written to a temporary file.
    """

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def _too_large(self) -> None:
        self.request.upload_too_large = True
        raise SkipFile

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request.upload_too_large = bool(
            content_length and content_length > self.limit + UPLOAD_SLACK
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.request.upload_too_large or self.received > self.limit:
            self._too_large()
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler (memory or temporary file) keeps the file


@login_required
@require_POST
@csrf_exempt
def data_import(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(
        0, LimitedUploadHandler(request, portability.IMPORT_MAX_BYTES)
    )
    return _data_import(request)


@csrf_protect
def _data_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        report = portability.ImportReport(
            error=f"The file is larger than {portability.IMPORT_MAX_BYTES // (1024 * 1024)} MB."
        )
    elif not form.is_valid():
        report = portability.ImportReport(error="Choose a JSON export file to import.")
    else:
        upload = form.cleaned_data["file"]
        data = upload.read(portability.IMPORT_MAX_BYTES + 1)
        report = portability.import_export(owner=request.user, data=data)
    if report.ok:
        request.session[SESSION_IMPORT_REPORT] = report.as_dict()
        messages.success(request, f"Imported {sum(report.imported.values()):,} records.")
        return redirect("your_data")
    context = _your_data_context(request, report=report)
    return render(request, "tracking/your_data.html", context, status=400)
