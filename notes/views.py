"""Views of the note editor, the brag book, the value-add library and the coach settings.

Every object is fetched through an owner-scoped helper (``interviews.access`` for the
interviews app's objects, ``notes.access`` for this app's), so another candidate's object
is a 404. Every state change is a POST with CSRF and goes through ``notes.services``.

The editor works without JavaScript (Save and Mark sent are plain form posts that redirect,
or re-show the page with the typed text kept); with htmx the same form autosaves in the
background and the coach follows the typing (see templates/notes/_pane.html).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.redirects import safe_next
from interviews.access import get_application_for_user, get_interview_for_user
from interviews.models import Interview
from notes import coach, selectors, services
from notes.access import (
    get_achievement_for_user,
    get_note_for_user,
    get_resource_for_user,
    get_testimonial_for_user,
)
from notes.forms import (
    AchievementForm,
    ChannelForm,
    MarkSentForm,
    NewNoteForm,
    NoteForm,
    NotesSettingsForm,
    ResourceForm,
    TestimonialForm,
    default_sent_at,
)
from notes.mailto import MAILTO_MAX_CHARS, mailto_url
from notes.models import (
    NOTE_BODY_MAX_CHARS,
    Achievement,
    CorrespondenceKind,
    Note,
    Resource,
    Testimonial,
)

HTTP_CONFLICT = 409
HTTP_UNPROCESSABLE = 422


# --- The editor ---------------------------------------------------------------------------


@dataclass
class Pane:
    """One note in the editor: its form, the coach's results and the ways to send it."""

    note: Note
    form: NoteForm
    results: tuple[coach.Result, ...]
    recipient: coach.Recipient
    weak_moments: tuple[str, ...]
    suggestions: list[Resource]
    mailto: str | None
    next_url: str
    message: str = ""  # a conflict or error to show above the form
    companion: Note | None = None  # the email's card or letter, or the card's email
    companion_url: str = ""

    @property
    def warnings(self) -> int:
        return coach.warnings(self.results)

    @property
    def prefix(self) -> str:
        return f"n{self.note.pk}"


def _editor_url(note: Note) -> str:
    """Where a note is edited: its interview's notes page for a thank-you, else its own."""
    if note.kind == CorrespondenceKind.THANK_YOU and note.interview_id:
        return f"{reverse('interview_notes', args=[note.interview_id])}?note={note.pk}"
    return reverse("note_edit", args=[note.pk])


def _unbound_form(note: Note) -> NoteForm:
    return NoteForm(
        auto_id=f"n{note.pk}-%s",
        initial={
            "channel": note.channel,
            "subject": note.subject,
            "body": note.body,
            "attachment_description": note.attachment_description,
            "version": note.version,
            # A token per page load: this tab's own saves never conflict with each other.
            "editor": secrets.token_urlsafe(12),
        },
    )


def _draft_from(form: NoteForm, note: Note) -> coach.Draft:
    """The text to coach: what the form holds (typed, maybe unsaved), else what is saved."""
    if not form.is_bound:
        return selectors.draft_of(note)
    data = form.data
    channel = data.get("channel", note.channel)
    if channel not in dict(form.fields["channel"].choices):
        channel = note.channel
    return coach.Draft(
        kind=note.kind,
        channel=channel,
        body=data.get("body", "")[:NOTE_BODY_MAX_CHARS],
        subject=data.get("subject", ""),
        attachment=data.get("attachment_description", ""),
    )


def _pane(
    sheet: selectors.Sheet, note: Note, form: NoteForm | None = None, message: str = ""
) -> Pane:
    form = form or _unbound_form(note)
    draft = _draft_from(form, note)
    recipient = sheet.recipient(note)
    other = selectors.companion(sheet.notes, note)
    return Pane(
        note=note,
        form=form,
        results=coach.review(sheet.context(note, draft)),
        recipient=recipient,
        weak_moments=sheet.weak.get(note.interview_id, ()),
        suggestions=selectors.suggested_resources(sheet.library.resources, recipient.topics),
        mailto=mailto_url(note.interviewer.email, draft.subject, draft.body),
        next_url=_editor_url(note),
        message=message,
        companion=other,
        companion_url=_editor_url(other) if other else "",
    )


def _editor_context(sheet: selectors.Sheet, panes: list[Pane], **extra) -> dict:
    return {
        "application": sheet.application,
        "panes": panes,
        "library": sheet.library,
        "mailto_max": MAILTO_MAX_CHARS,
        "default_sent_at": default_sent_at(),
        "channel_form": ChannelForm(),
        "letter_name": selectors.letter_name(sheet.candidate),
        **extra,
    }


def _sheet_for(request: HttpRequest, note: Note) -> selectors.Sheet:
    interviews = [note.interview] if note.interview else []
    return selectors.Sheet.load(note.application, request.user, interviews=interviews)


@login_required
@require_POST
def notes_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a thank-you for everyone at the interview who has none yet, then edit them."""
    interview = get_interview_for_user(request, pk)
    if interview.cancelled_at:
        messages.info(request, "The employer cancelled this interview: no thank-you is needed.")
        return redirect("interview_notes", pk=interview.pk)
    created = services.thank_you_notes_start(interview=interview, candidate=request.user)
    if created:
        messages.success(
            request,
            f"Drafted {len(created)} note{'s' if len(created) > 1 else ''} from starters: "
            "make each one your own, the coach shows what is still generic.",
        )
    return redirect("interview_notes", pk=interview.pk)


@login_required
def interview_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The thank-you notes of one interview, one tab per note."""
    interview = get_interview_for_user(request, pk)
    application = interview.application
    sheet = selectors.Sheet.load(application, request.user, interviews=[interview])
    notes = selectors.ordered_for_editor(
        [
            note
            for note in sheet.notes
            if note.interview_id == interview.pk and note.kind == CorrespondenceKind.THANK_YOU
        ]
    )
    with_notes = {note.interviewer_id for note in notes}
    attendees = [a for (iv, _), a in sheet.attendances.items() if iv == interview.pk]
    waiting = sorted(
        (a.interviewer for a in attendees if a.interviewer_id not in with_notes),
        key=lambda person: person.name.casefold(),
    )
    try:
        active = int(request.GET.get("note", ""))
    except ValueError:
        active = None
    panes = [_pane(sheet, note) for note in notes]
    if panes and active not in {pane.note.pk for pane in panes}:
        active = panes[0].note.pk
    context = _editor_context(
        sheet,
        panes,
        interview=interview,
        active=active,
        waiting=waiting,
        clock=_clock(interview),
    )
    return render(request, "notes/interview_notes.html", context)


def _clock(interview: Interview) -> dict:
    """The 48-hour window of the thank-you notes (C13), for the page's banner."""
    now = timezone.now()
    hours = (now - interview.ends_at).total_seconds() / 3600
    return {
        "started": hours >= 0,
        "hours_since": int(max(hours, 0)),
        "hours_left": int(max(coach.DEADLINE_HOURS - hours, 0)),
        "over": hours >= coach.DEADLINE_HOURS,
        "deadline": interview.ends_at + timedelta(hours=coach.DEADLINE_HOURS),
    }


def _render_single(
    request: HttpRequest,
    note: Note,
    form: NoteForm | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    sheet = _sheet_for(request, note)
    pane = _pane(sheet, note, form, message)
    context = _editor_context(sheet, [pane], note=note, active=note.pk)
    return render(request, "notes/note_edit.html", context, status=status)


def _conflict_form(request: HttpRequest, note: Note, current: Note, form_class=NoteForm):
    """The user's text kept, with the newer version: saving again replaces theirs on purpose."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    return form_class(data, auto_id=f"n{note.pk}-%s")


def _conflict_message(current: Note) -> str:
    saved = timezone.localtime(current.updated_at).strftime("%H:%M:%S")
    return (
        f"This note was changed in another tab or window at {saved}. Your text is kept "
        "below and has not been saved: save again to replace the other version with it, "
        "or reload the page to keep the other version."
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One note. POST saves it: an htmx autosave answers with its status line only."""
    note = get_note_for_user(request, pk)
    if request.method == "GET":
        return _render_single(request, note)
    form = NoteForm(request.POST, auto_id=f"n{note.pk}-%s")
    if request.htmx:
        return _autosave(request, note, form)
    if not form.is_valid():
        return _render_single(request, note, form, status=HTTP_UNPROCESSABLE)
    try:
        services.note_save(
            note=note,
            expected_version=form.cleaned_data["version"],
            editor=form.cleaned_data["editor"],
            **form.text_fields(),
        )
    except services.NoteConflict as conflict:
        return _render_single(
            request,
            note,
            _conflict_form(request, note, conflict.current),
            _conflict_message(conflict.current),
            status=HTTP_CONFLICT,
        )
    except services.NoteAlreadySent:
        messages.error(request, "This note was already marked sent; it is kept as sent.")
        return redirect(_editor_url(note))
    messages.success(request, f"Saved your note to {note.interviewer.name}.")
    return safe_next(request, _editor_url(note))


def _autosave(request: HttpRequest, note: Note, form: NoteForm) -> HttpResponse:
    template = "notes/_save_status.html"
    context = {"note": note, "prefix": f"n{note.pk}"}
    if not form.is_valid():
        context["errors"] = [error for errors in form.errors.values() for error in errors]
        return render(request, template, context, status=HTTP_UNPROCESSABLE)
    try:
        saved = services.note_save(
            note=note,
            expected_version=form.cleaned_data["version"],
            editor=form.cleaned_data["editor"],
            **form.text_fields(),
        )
    except services.NoteConflict as conflict:
        context.update(conflict=conflict.current, editor_url=_editor_url(note))
        return render(request, template, context, status=HTTP_CONFLICT)
    except services.NoteAlreadySent as sent:
        context.update(sent=sent.current, editor_url=_editor_url(note))
        return render(request, template, context, status=HTTP_CONFLICT)
    context["saved"] = saved
    return render(request, template, context)


@login_required
@require_POST
def note_coach(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's results for the text as typed. Reads only; saves nothing."""
    note = get_note_for_user(request, pk)
    sheet = _sheet_for(request, note)
    form = NoteForm(request.POST, auto_id=f"n{note.pk}-%s")
    pane = _pane(sheet, note, form)
    return render(request, "notes/_coach.html", {"pane": pane, "oob": True})


@login_required
@require_POST
def note_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the text as shown and record it as sent: the note is read-only from then on."""
    note = get_note_for_user(request, pk)
    form = MarkSentForm(request.POST, auto_id=f"n{note.pk}-%s")
    if not form.is_valid():
        return _render_single(request, note, form, status=HTTP_UNPROCESSABLE)
    fields = form.text_fields()
    try:
        services.note_mark_sent(
            note=note,
            sent_at=form.cleaned_data["sent_at"],
            expected_version=form.cleaned_data["version"],
            editor=form.cleaned_data["editor"],
            **fields,
        )
    except services.NoteConflict as conflict:
        return _render_single(
            request,
            note,
            _conflict_form(request, note, conflict.current, MarkSentForm),
            _conflict_message(conflict.current) + " Nothing was marked sent.",
            status=HTTP_CONFLICT,
        )
    except services.NoteAlreadySent:
        messages.error(request, "This note was already marked sent.")
        return redirect(_editor_url(note))
    when = dateformat.format(timezone.localtime(note.sent_at), "j M Y, H:i")
    messages.success(
        request,
        f"Marked your note to {note.interviewer.name} as sent ({note.get_channel_display()}, "
        f"{when}). It is on the application's timeline.",
    )
    return safe_next(request, _editor_url(note))


@login_required
@require_POST
def note_send_another(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new draft of the same kind to the same person, on the channel chosen."""
    note = get_note_for_user(request, pk)
    form = ChannelForm(request.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() else note.channel
    new = services.note_send_another(note=note, candidate=request.user, channel=channel)
    messages.success(request, f"Started another note to {note.interviewer.name}.")
    return redirect(_editor_url(new))


@login_required
@require_POST
def note_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a note of any kind (status check, value-add, …) to someone of the application."""
    application = get_application_for_user(request, pk)
    form = NewNoteForm(request.POST, application=application)
    if not form.is_valid():
        messages.error(request, "Choose a kind of note and the person it is for.")
        return redirect(application)
    note = services.note_create(
        application=application,
        candidate=request.user,
        interviewer=form.cleaned_data["interviewer"],
        kind=form.cleaned_data["kind"],
        channel=form.cleaned_data["channel"],
    )
    return redirect(_editor_url(note))


@login_required
@require_http_methods(["GET", "POST"])
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for_user(request, pk)
    back = _editor_url(note)
    if note.is_sent:
        messages.error(request, "A sent note is kept as sent; it cannot be deleted.")
        return redirect(back)
    if request.method == "POST":
        services.note_delete(note=note)
        messages.success(request, f"Deleted the draft to {note.interviewer.name}.")
        if note.interview_id and note.kind == CorrespondenceKind.THANK_YOU:
            return redirect("interview_notes", pk=note.interview_id)
        return redirect(note.application)
    return render(
        request,
        "interviews/confirm_delete.html",
        {
            "object": note,
            "cancel_url": back,
            "consequence": "The draft's text will be lost.",
        },
    )


@login_required
def note_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A card or a one-page business letter, laid out for printing."""
    note = get_note_for_user(request, pk)
    dated = timezone.localtime(note.sent_at or timezone.now())
    return render(
        request,
        "notes/note_print.html",
        {
            "note": note,
            "body": note.body.strip("\n"),
            "sender_lines": selectors.sender_lines(request.user),
            "letter_name": selectors.letter_name(request.user),
            "recipient_lines": selectors.recipient_lines(note),
            "date": dated,
            "editor_url": _editor_url(note),
        },
    )


# --- Brag book --------------------------------------------------------------------------


def _brag_book(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    context = {
        "testimonials": Testimonial.objects.owned_by(request.user),
        "achievements": Achievement.objects.owned_by(request.user),
        "testimonial_form": forms.get("testimonial_form") or TestimonialForm(),
        "achievement_form": forms.get("achievement_form") or AchievementForm(),
    }
    return render(request, "notes/brag_book.html", context, status=status)


@login_required
def brag_book(request: HttpRequest) -> HttpResponse:
    return _brag_book(request)


@login_required
@require_POST
def testimonial_create(request: HttpRequest) -> HttpResponse:
    form = TestimonialForm(request.POST)
    if not form.is_valid():
        return _brag_book(request, HTTP_UNPROCESSABLE, testimonial_form=form)
    services.testimonial_create(owner=request.user, **form.cleaned_data)
    messages.success(request, "Testimonial added to your brag book.")
    return redirect("brag_book")


@login_required
@require_POST
def achievement_create(request: HttpRequest) -> HttpResponse:
    form = AchievementForm(request.POST)
    if not form.is_valid():
        return _brag_book(request, HTTP_UNPROCESSABLE, achievement_form=form)
    services.achievement_create(owner=request.user, **form.cleaned_data)
    messages.success(request, "Achievement added to your brag book.")
    return redirect("brag_book")


def _edit_page(request, form, heading: str, cancel_url: str, status: int = 200):
    return render(
        request,
        "notes/item_form.html",
        {"form": form, "heading": heading, "cancel_url": cancel_url},
        status=status,
    )


def _edit_owned(request, instance, form_class, update, *, heading: str, saved: str, back: str):
    """The edit page of a brag-book or library item: the form, then the service, then back.

    ``update`` is the item's service (e.g. ``services.resource_update``), called with the
    item and the cleaned fields; the form's writes to the instance are dropped first so the
    service sees what changed.
    """
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        instance.refresh_from_db()
        update(instance, **form.cleaned_data)
        messages.success(request, saved)
        return redirect(back)
    status = HTTP_UNPROCESSABLE if form.is_bound else 200
    return _edit_page(request, form, heading, reverse(back), status)


@login_required
@require_http_methods(["GET", "POST"])
def testimonial_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_owned(
        request, get_testimonial_for_user(request, pk), TestimonialForm,
        lambda item, **fields: services.testimonial_update(testimonial=item, **fields),
        heading="Edit testimonial", saved="Testimonial saved.", back="brag_book",
    )


@login_required
@require_http_methods(["GET", "POST"])
def achievement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_owned(
        request, get_achievement_for_user(request, pk), AchievementForm,
        lambda item, **fields: services.achievement_update(achievement=item, **fields),
        heading="Edit achievement", saved="Achievement saved.", back="brag_book",
    )


@login_required
@require_POST
def testimonial_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.testimonial_delete(testimonial=get_testimonial_for_user(request, pk))
    messages.success(request, "Testimonial deleted.")
    return redirect("brag_book")


@login_required
@require_POST
def achievement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.achievement_delete(achievement=get_achievement_for_user(request, pk))
    messages.success(request, "Achievement deleted.")
    return redirect("brag_book")


# --- Value-add library ------------------------------------------------------------------


def _library(request: HttpRequest, status: int = 200, form=None) -> HttpResponse:
    resources = Resource.objects.owned_by(request.user)
    tag = request.GET.get("tag", "").strip().casefold()
    if tag:
        resources = [r for r in resources if tag in r.tag_list]
    context = {"resources": resources, "form": form or ResourceForm(), "tag": tag}
    return render(request, "notes/library.html", context, status=status)


@login_required
def library(request: HttpRequest) -> HttpResponse:
    return _library(request)


@login_required
@require_POST
def resource_create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST)
    if not form.is_valid():
        return _library(request, HTTP_UNPROCESSABLE, form)
    services.resource_create(owner=request.user, **form.cleaned_data)
    messages.success(request, "Added to your library.")
    return redirect("library")


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_owned(
        request, get_resource_for_user(request, pk), ResourceForm,
        lambda item, **fields: services.resource_update(resource=item, **fields),
        heading="Edit library item", saved="Saved.", back="library",
    )


@login_required
@require_POST
def resource_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.resource_delete(resource=get_resource_for_user(request, pk))
    messages.success(request, "Deleted from your library.")
    return redirect("library")


# --- Coach settings ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notes_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_for(request.user)
    form = NotesSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.notes_settings_update(
            owner=request.user, confidential_terms=form.cleaned_data["confidential_terms"]
        )
        messages.success(request, "Saved your confidential words.")
        return redirect("notes_settings")
    return render(
        request,
        "notes/settings.html",
        {"form": form, "markers": coach.CONFIDENTIAL_MARKERS},
        status=HTTP_UNPROCESSABLE if form.is_bound else 200,
    )
