"""How the dashboard shows each next action: a card with its one-click controls.

The cards are built in Python with ``format_html`` (every value escaped) rather than with
template tags: a busy candidate's dashboard shows dozens of them, and rendering each
through the template engine cost about 0.15 ms a card, more than all the dashboard's
queries together (measured with 1,000 applications). URLs are reversed once per kind
of link and filled in per card for the same reason.

Cards are cached per candidate (see ``views.home``), so they carry no CSRF
token: each form holds ``CSRF_MARK``, which ``with_csrf`` replaces with the page's own
token when served. The mark starts with ``<``, which escaping turns into ``&lt;`` in
anything a user typed, so only our own markup can contain it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from followup_site.tracking.dashboard import Action
from interviews.models import ApplicationStatus

KIND_LABELS = {
    "followup": "Follow-up", "draft": "Note not sent", "debrief": "Debrief",
    "interview": "Interview", "decision": "Decision",
}
# What a decision can turn out to be, offered on an overdue decision.
OUTCOMES = (
    ApplicationStatus.OFFER, ApplicationStatus.REJECTED, ApplicationStatus.ON_HOLD,
    ApplicationStatus.FILLED, ApplicationStatus.WITHDRAWN,
)
OUTCOME_OPTIONS = mark_safe(  # noqa: S308 — built from our own constants, escaped
    '<option value="" selected disabled>Outcome…</option>'
    + format_html_join("", '<option value="{}">{}</option>',
                       ((status.value, status.label) for status in OUTCOMES))
)
BACK = '<input type="hidden" name="next" value="/">'
CSRF_MARK = "<!--csrf-->"
CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'

CARD = (
    '<li class="card mb-2 action action-{kind}" id="{dom_id}"><div class="card-body p-2">'
    '<div class="d-flex justify-content-between gap-2"><strong>{title}</strong> '
    '<span class="badge action-kind kind-{kind}">{kind_label}</span></div>'
    '<div class="small"><a href="{application_url}">{application}</a>{when}</div>'
    '<div class="d-flex flex-wrap gap-1 mt-2">{controls}</div></div></li>'
)
WHEN = ' · <time datetime="{}">{}</time>'
LINK = '<a class="btn btn-sm btn-primary" href="{}">{}</a>'
POST = (
    '<form method="post" action="{}">{}' + BACK
    + '<button class="btn btn-sm {}" type="submit">{}</button></form>'
)
MOVE = (
    '<form method="post" action="{url}" class="d-flex gap-1">{csrf}' + BACK
    + '<label class="visually-hidden" for="outcome-{dom_id}">Outcome of {application}'
    '</label><select class="form-select form-select-sm" id="outcome-{dom_id}" name="status" '
    'required>{options}</select>'
    '<button class="btn btn-sm btn-outline-primary" type="submit">Record</button></form>'
)


class _Urls:
    """URLs by pattern, reversed once with a placeholder, then filled in per card."""

    PLACEHOLDER = 987654321

    def __init__(self):
        self._patterns: dict[tuple, str] = {}

    def __call__(self, name: str, pk: int, *rest: str) -> str:
        key = (name, *rest)
        if key not in self._patterns:
            self._patterns[key] = reverse(name, args=[self.PLACEHOLDER, *rest])
        return self._patterns[key].replace(str(self.PLACEHOLDER), str(pk), 1)


class CardRenderer:
    """Renders the cards of one candidate in their zone, with ``CSRF_MARK`` in each form
    (or the token itself when given)."""

    def __init__(self, *, zone: ZoneInfo, csrf_token: str | None = None):
        self.zone = zone
        self.url = _Urls()
        self.csrf = (
            mark_safe(CSRF_MARK)  # noqa: S308 — our own constant
            if csrf_token is None else format_html(CSRF_INPUT, csrf_token)
        )

    def when(self, moment: datetime) -> SafeString:
        local = moment.astimezone(self.zone)
        label = f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
        return format_html(WHEN, local.isoformat(timespec="seconds"), label)

    def post(self, name: str, pk: int, action: str, label: str, css: str) -> SafeString:
        return format_html(POST, self.url(name, pk, action), self.csrf, css, label)

    def _title_and_controls(self, action: Action) -> tuple[str, list[SafeString]]:
        obj, app = action.obj, action.application
        if action.kind == "followup":
            place = (self.url("interview_detail", obj.interview_id) if obj.interview_id
                     else self.url("application_detail", app.pk))
            who = f" — {obj.interviewer.name}" if obj.interviewer_id else ""
            return obj.definition.title + who, [
                format_html(LINK, place, "Open"),
                self.post("followup_action", obj.pk, "done", "Done", "btn-outline-success"),
                self.post("followup_action", obj.pk, "snooze", "Snooze 2 days",
                          "btn-outline-secondary"),
            ]
        if action.kind == "draft":
            title = f"Send your {obj.get_kind_display().lower()} to {obj.interviewer.name}"
            return title, [format_html(LINK, self.url("note_edit", obj.pk), "Finish and send")]
        if action.kind == "debrief":
            return f"Debrief {str(obj).lower()}", [
                format_html(LINK, self.url("debrief", obj.pk), "Debrief now")
            ]
        if action.kind == "interview":
            return f"{obj} coming up", [
                format_html(LINK, self.url("interview_detail", obj.pk), "Prepare")
            ]
        expected = app.decision_date
        return f"Decision was expected {expected.day} {expected:%b}", [
            format_html(LINK, self.url("application_detail", app.pk), "Open"),
            format_html(
                MOVE, url=self.url("application_move", app.pk), csrf=self.csrf,
                dom_id=f"decision-{app.pk}", application=str(app), options=OUTCOME_OPTIONS,
            ),
        ]

    def __call__(self, action: Action) -> SafeString:
        title, controls = self._title_and_controls(action)
        app = action.application
        return format_html(
            CARD,
            kind=action.kind,
            dom_id=f"action-{action.kind}-{action.obj.pk}",
            title=title,
            kind_label=KIND_LABELS[action.kind],
            application_url=self.url("application_detail", app.pk),
            application=f"{app.role_title} at {app.company}",
            when="" if action.kind == "decision" else self.when(action.due_at),
            controls=mark_safe("".join(controls)),  # noqa: S308 — each part format_html'd
        )


def with_csrf(cards: str, csrf_token: str) -> SafeString:
    """Cards rendered with ``CSRF_MARK``, with the page's CSRF token in their forms."""
    return mark_safe(cards.replace(CSRF_MARK, format_html(CSRF_INPUT, csrf_token)))  # noqa: S308


# --- The applications list's rows ------------------------------------------------------------

_ROW = (
    '<tr><td><a href="{url}">{company}</a></td><td>{role}</td>'
    '<td><span class="badge status-{status}">{status_label}</span></td>'
    "<td>{next_interview}</td><td>{decision}</td>"
    '<td class="text-end">{needs_action}</td></tr>'
)
_NONE = mark_safe('<span class="text-body-secondary">—</span>')
_NEEDS_ACTION = mark_safe('<span class="badge needs-action">Needs action</span>')


def list_rows(applications, zone: ZoneInfo) -> list[SafeString]:
    """The table rows of one page of the applications list, built in Python.

    Through the template engine each row (a status badge include, two date filters, a URL)
    cost more than the page's two queries; here the URL is reversed once and every value a
    user typed is escaped by ``format_html``.
    """
    url = reverse("application_detail", args=[999999999])
    labels = dict(ApplicationStatus.choices)
    rows = []
    for application in applications:
        next_at = application.next_interview_at
        rows.append(format_html(
            _ROW,
            url=url.replace("999999999", str(application.pk)),
            company=application.company, role=application.role_title,
            status=application.status, status_label=labels.get(application.status, ""),
            next_interview=dateformat.format(next_at.astimezone(zone), "D j M Y, H:i")
            if next_at else _NONE,
            decision=dateformat.format(application.decision_date, "j M Y")
            if application.decision_date else _NONE,
            needs_action=_NEEDS_ACTION if application.needs_action else "",
        ))
    return rows
