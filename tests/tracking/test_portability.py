"""Export (JSON, CSV, vCard) and import of a candidate's data."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from inbox import mime
from inbox import models as inbox_models
from interviews.models import Application, ApplicationStatus, Candidate, DebriefDraft
from notes import models as notes_models
from notes.models import (
    Achievement,
    Correspondence,
    CorrespondenceKind,
    Note,
    NotesSettings,
    Resource,
)
from reminders.models import FollowUp, ReminderSettings
from tests.factories import ApplicationFactory, AttendanceFactory, CandidateFactory
from tests.tracking.tracking_fixtures import (
    CURRENT_TIME,
    frozen,  # noqa: F401 — a fixture
    lived_in,
    signed_in,
)
from tracking import portability

pytestmark = pytest.mark.usefixtures("frozen")


def _counts(user: Candidate) -> dict[str, int]:
    return {
        section.name: section.model._default_manager.filter(**{section.owner_path: user}).count()
        for section in portability.SECTIONS
    }


def _all_rows() -> dict[str, int]:
    return {section.name: section.model._default_manager.count()
            for section in portability.SECTIONS}


def _export(user: Candidate) -> bytes:
    response = signed_in(user).get(reverse("export_json"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="followup-export-')
    return b"".join(response.streaming_content)


def _upload(data: bytes, name: str = "export.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/json")


@pytest.fixture
def full(owner):
    """One of everything the candidate can own, across the three apps."""
    lived = lived_in(owner)
    sent = Correspondence.objects.create(
        application=lived.application, interview=lived.past, interviewer=lived.grace,
        kind=CorrespondenceKind.THANK_YOU, sent_at=CURRENT_TIME, subject="Thank you, Grace",
    )
    Note.objects.create(
        application=lived.application, interview=lived.past, interviewer=lived.grace,
        subject="Thank you, Grace", body="Dear Grace,", sent_at=CURRENT_TIME,
        correspondence=sent, version=3,
    )
    DebriefDraft.objects.create(
        interview=lived.past,
        data={"step": "answers", "step_data": {"answers": {"answers-fit": ["Remote, growth"]}}},
    )
    notes_models.Testimonial.objects.create(owner=owner, quote="A joy to work with", author="Bill")
    Achievement.objects.create(owner=owner, text="Cut onboarding time by half")
    Resource.objects.create(owner=owner, title="The Mythical Man-Month", tags="management")
    NotesSettings.objects.create(owner=owner, confidential_terms="Project Falcon")
    received = inbox_models.ReceivedMessage.objects.create(
        owner=owner, source="smtp", raw=b"Subject: Next steps\r\n\r\nHi", size=30,
        message_id="<next@initech.example>", subject="Next steps", kind="invitation",
        application=lived.application, state="applied", phrases=["would like to invite"],
    )
    inbox_models.CalendarInvite.objects.create(
        owner=owner, message=received, uid="round-2@initech.example", method="REQUEST",
        starts_at=CURRENT_TIME, ends_at=CURRENT_TIME + timedelta(hours=1),
        interview=lived.past, people=[{"name": "Grace Hopper", "email": "grace@initech.example"}],
    )
    ReminderSettings.objects.create(candidate=owner, paused=True, disabled_rules=["R8"])
    FollowUp.objects.create(
        owner=owner, application=lived.application, rule="R6",
        key=f"R6:{lived.application.pk}:2026-11-20", due_at=CURRENT_TIME + timedelta(days=4),
    )
    owner.time_zone = "Europe/Paris"
    owner.save(update_fields=["time_zone"])
    return lived


# --- Export -------------------------------------------------------------------------------


def test_the_export_covers_every_model_a_candidate_owns():
    models = {
        model
        for label in ("interviews", "notes", "inbox", "reminders")
        for model in apps.get_app_config(label).get_models()
    }
    # The candidate is the profile; the calendar feed's secret, the Inbox's forwarding token
    # and mailbox passwords are never exported, nor are a browser's push subscription (it
    # belongs to that browser) and notification URLs (each holds a service's secret); nor
    # is the engine's bookkeeping: the re-planning outbox, the digests, their deliveries and
    # the rate limits.
    not_rows = {
        Candidate, apps.get_model("tracking", "CalendarFeed"),
        apps.get_model("inbox", "InboundAddress"), apps.get_model("inbox", "MailboxConnection"),
        *(apps.get_model("reminders", name) for name in (
            "PlanRequest", "PushDevice", "AppriseChannel", "Digest", "Delivery", "TokenBucket",
        )),
    }

    assert {section.model for section in portability.SECTIONS} == models - not_rows


def test_export_then_import_into_an_empty_account_gives_the_same_rows(full, owner):
    data = _export(owner)
    newcomer = CandidateFactory(email="new@example.com", time_zone="UTC")

    report = portability.import_export(owner=newcomer, data=data)

    assert report.ok, report
    assert _counts(newcomer) == _counts(owner)
    assert all(count for count in _counts(owner).values()), _counts(owner)
    assert report.imported == _counts(owner)
    newcomer.refresh_from_db()
    assert newcomer.time_zone == "Europe/Paris"
    # References point at the new rows, never at the owner's.
    copy = Application.objects.get(owner=newcomer)
    assert copy.pk != full.application.pk
    note = Note.objects.get(application=copy, sent_at__isnull=False)
    assert note.correspondence.application == copy
    assert note.interviewer.application == copy
    keys = set(FollowUp.objects.filter(owner=newcomer).values_list("key", flat=True))
    assert f"R6:{copy.pk}:2026-11-20" in keys
    interview = copy.interviews.get(round_number=1)
    grace = copy.interviewers.get(name="Grace Hopper")
    assert f"R2:{interview.pk}:{grace.pk}" in keys
    assert interview.debrief.went_well_rating == 4


def test_an_export_contains_none_of_another_candidates_rows(full, owner, outsider):
    theirs = lived_in(outsider, company="Theirs Ltd")
    notes_models.Testimonial.objects.create(owner=outsider, quote="Secret praise", author="Eve")

    export = json.loads(_export(owner))

    text = json.dumps(export)
    assert "Theirs Ltd" not in text
    assert "Secret praise" not in text
    for section in portability.SECTIONS:
        mine = set(
            section.model._default_manager.filter(**{section.owner_path: owner})
            .values_list("pk", flat=True)
        )
        assert {row["id"] for row in export[section.name]} == mine, section.name
    assert theirs.application.pk not in {row["id"] for row in export["applications"]}


def test_the_json_export_streams_in_bounded_memory_for_10000_applications(owner):
    listing = "Lead the roadmap and work with engineering. " * 25  # about 1 KB
    Application.objects.bulk_create(
        (Application(owner=owner, company=f"Company {n}", role_title="PM",
                     listing_text=listing, created_at=CURRENT_TIME)
         for n in range(10_000)),
        batch_size=1_000,
    )

    tracemalloc.start()
    try:
        total = sum(len(piece) for piece in portability.export_json(owner))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert total > 10_000_000
    # Holding the whole export would need more than its size; streaming needs a chunk.
    assert peak < total / 2, (peak, total)


def test_csv_export_escapes_cells_a_spreadsheet_would_run(owner_client, owner):
    application = ApplicationFactory(
        owner=owner, company='=HYPERLINK("http://evil.example","Click")', role_title="+1 role",
        notes="-2+3", status=ApplicationStatus.ON_HOLD, listing_url="https://jobs.example/1",
    )
    AttendanceFactory(
        interview__application=application, interviewer__name="@SUM(A1)",
        interviewer__title="\tTabbed",
    )

    response = owner_client.get(reverse("export_csv", args=["applications"]))

    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "company", "role", "status"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["company"] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert row["role"] == "'+1 role"
    assert row["notes"] == "'-2+3"
    assert row["status"] == "On hold"
    assert row["listing URL"] == "https://jobs.example/1"
    people = owner_client.get(reverse("export_csv", args=["interviewers"]))
    (person,) = csv.DictReader(
        io.StringIO(b"".join(people.streaming_content).decode("utf-8-sig"))
    )
    assert (person["name"], person["title"]) == ("'@SUM(A1)", "'\tTabbed")
    interviews = owner_client.get(reverse("export_csv", args=["interviews"]))
    assert b"'=HYPERLINK" in b"".join(interviews.streaming_content)


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("+33 1 23", "'+33 1 23"), ("-x", "'-x"), ("@cmd", "'@cmd"),
     ("\r\n=1", "'\r\n=1"), ("plain", "plain"), ("a=b", "a=b"), (None, ""), (-3, "-3"),
     (True, "True")],
)
def test_csv_cell(value, cell):
    assert portability.csv_cell(value) == cell


def test_unknown_csv_table_is_not_found(owner_client):
    assert owner_client.get(reverse("export_csv", args=["passwords"])).status_code == 404


def test_vcard_export_lists_interviewers_as_contacts(owner_client, owner):
    application = ApplicationFactory(owner=owner, company="Acme; Sons, Ltd")
    AttendanceFactory(
        interview__application=application, interviewer__name="Dr. Ada King Lovelace",
        interviewer__title="Chief Technology Officer, Analytical Engines Division",
        interviewer__email="ada@acme.example", interviewer__phone="+44 20 7946 0000",
    )

    response = owner_client.get(reverse("export_vcard"))

    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert "FN:Dr. Ada King Lovelace\r\n" in text
    assert "N:Lovelace;Ada;King;Dr.;\r\n" in text
    assert "ORG:Acme\\; Sons\\, Ltd\r\n" in text
    assert "EMAIL;TYPE=INTERNET:ada@acme.example\r\n" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "TITLE:Chief Technology Officer\\, Analytical Engines Division\r\n" in unfolded
    assert text.endswith("END:VCARD\r\n")


# --- Import -------------------------------------------------------------------------------


def _minimal(**sections) -> bytes:
    return json.dumps({"format": "followup-export", "version": 1, **sections}).encode()


APPLICATION = {"id": 7, "company": "Imported Co", "role_title": "Engineer"}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[1, 2]", "not a Follow-up export"),
        (json.dumps({"format": "other"}).encode(), "not a Follow-up export"),
        (json.dumps({"format": "followup-export", "version": 9}).encode(), "version 1"),
        (_minimal(applications={"id": 1}), "must be lists: applications"),
        (_minimal(passwords=[]), "Unknown parts in the file: passwords"),
    ],
)
def test_import_refuses_a_file_that_is_not_an_export_and_writes_nothing(owner, data, error):
    before = _all_rows()

    report = portability.import_export(owner=owner, data=data)

    assert not report.ok
    assert error in report.error
    assert _all_rows() == before


def test_import_refuses_an_oversized_file_and_writes_nothing(owner, monkeypatch):
    monkeypatch.setattr(portability, "IMPORT_MAX_BYTES", 100)
    before = _all_rows()

    report = portability.import_export(owner=owner, data=_minimal(applications=[APPLICATION]))

    assert "larger than" in report.error
    assert _all_rows() == before


def test_an_oversized_upload_is_refused_before_it_is_kept(owner_client, monkeypatch):
    monkeypatch.setattr(portability, "IMPORT_MAX_BYTES", 1_000)
    before = _all_rows()
    padding = [{"id": n, "company": "x" * 50, "role_title": "y"} for n in range(1, 100)]

    response = owner_client.post(
        reverse("data_import"), {"file": _upload(_minimal(applications=padding))}
    )

    assert response.status_code == 400
    assertContains(response, "Nothing was imported", status_code=400)
    assertContains(response, "larger than", status_code=400)
    assert _all_rows() == before


def test_import_lists_every_rejected_record_and_why_and_writes_nothing(owner):
    before = _all_rows()
    data = _minimal(
        applications=[
            APPLICATION,
            {"id": 8, "company": "Bad status", "role_title": "x", "status": "hired"},
            {"id": 9, "company": "Extra", "role_title": "x", "salary": 100},
            {"id": 10, "role_title": "No company"},
        ],
        interviews=[
            {"id": 1, "application": 7, "starts_at": "2026-11-10T10:00:00Z",
             "ends_at": "2026-11-10T09:00:00Z"},
            {"id": 2, "application": 99, "starts_at": "2026-11-10T10:00:00Z",
             "ends_at": "2026-11-10T11:00:00Z"},
            {"id": 3, "application": 7, "starts_at": "2026-11-10T10:00:00",
             "ends_at": "2026-11-10T11:00:00"},
        ],
        followups=[
            {"id": 1, "application": 7, "rule": "R6", "key": "R6:12345:2026-11-20",
             "due_at": "2026-11-20T09:00:00Z"},
        ],
    )

    report = portability.import_export(owner=owner, data=data)

    assert not report.ok
    reasons = {rejection.where: rejection.reason for rejection in report.rejected}
    assert "not a valid choice" in reasons["applications[1] (id 8)"]
    assert reasons["applications[2] (id 9)"] == "unknown field: salary"
    assert "company: This field cannot be blank." in reasons["applications[3] (id 10)"]
    assert "must end after it starts" in reasons["interviews[0] (id 1)"]
    assert "refers to applications id 99" in reasons["interviews[1] (id 2)"]
    assert "needs its time zone" in reasons["interviews[2] (id 3)"]
    assert "key: does not name" in reasons["followups[0] (id 1)"]
    assert report.rejected_count == 7
    assert _all_rows() == before


def test_import_is_all_or_nothing_when_the_database_refuses(owner, full, monkeypatch):
    data = _export(owner)
    newcomer = CandidateFactory(email="new@example.com")
    before = _all_rows()
    original = FollowUp.objects.bulk_create

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated failure after the other sections were written")

    monkeypatch.setattr(type(FollowUp.objects), "bulk_create", refuse)
    try:
        report = portability.import_export(owner=newcomer, data=data)
    finally:
        monkeypatch.setattr(type(FollowUp.objects), "bulk_create", original)

    assert "nothing was written" in report.error
    assert _all_rows() == before
    assert _counts(newcomer) == dict.fromkeys(_counts(newcomer), 0)


def test_importing_through_the_page_reports_what_was_imported(owner_client, full, owner):
    data = _export(owner)
    newcomer = CandidateFactory(email="new@example.com")
    client = signed_in(newcomer)

    response = client.post(reverse("data_import"), {"file": _upload(data)}, follow=True)

    assert response.redirect_chain == [(reverse("your_data"), 302)]
    assertContains(response, "Import finished")
    assertContains(response, f"Applications: {_counts(owner)['applications']}")
    assertContains(response, "Followups: ")
    assert _counts(newcomer) == _counts(owner)


def test_a_rejected_import_through_the_page_says_why(owner_client):
    response = owner_client.post(
        reverse("data_import"),
        {"file": _upload(_minimal(applications=[{"id": 1, "role_title": "x"}]))},
    )

    assert response.status_code == 400
    assertContains(response, "1 record was rejected, so nothing was written", status_code=400)
    assertContains(response, "<code>applications[0] (id 1)</code>", status_code=400)


def test_import_without_a_file_says_so(owner_client):
    response = owner_client.post(reverse("data_import"), {})

    assertContains(response, "Choose a JSON export file to import.", status_code=400)


# --- What an imported file shows: it is anyone's to write (issue 16.4) ---------------------

HOSTILE_HTML = (
    '<meta http-equiv="refresh" content="0;url=https://attacker.example/">'
    "<p>Thanks for your time.</p>"
    '<script>alert(document.cookie)</script>'
    '<a href="javascript:alert(1)" onclick="alert(2)">Next steps</a>'
    '<iframe src="https://attacker.example/"></iframe>'
    '<img src="https://attacker.example/pixel.gif">'
)


def _imported_message_page(owner, *, safe_html: str, meeting_url: str):
    """The owner's export with the message's HTML and the invitation's link replaced, as an
    attacker would hand it to a victim, imported by a newcomer; the message's page as HTML."""
    export = json.loads(_export(owner))
    [message] = export["received_messages"]
    message["safe_html"] = safe_html
    [invite] = export["calendar_invites"]
    invite.update(meeting_url=meeting_url, state="pending", interview=None)
    newcomer = CandidateFactory(email="victim@example.com")

    report = portability.import_export(owner=newcomer, data=json.dumps(export).encode())

    assert report.ok, report
    imported = inbox_models.ReceivedMessage.objects.get(owner=newcomer)
    response = signed_in(newcomer).get(imported.get_absolute_url() + "?view=html")
    assert response.status_code == 200
    return imported, response.content.decode()


def test_imported_html_is_sanitised_as_inbound_mail_is(full, owner):
    imported, page = _imported_message_page(
        owner, safe_html=HOSTILE_HTML, meeting_url="https://meet.example/abc-defg"
    )

    assert imported.safe_html == mime.sanitise_html(HOSTILE_HTML)[0]
    assert "<p>Thanks for your time.</p>" in page
    for hostile in ("http-equiv", "attacker.example", "<script>alert", "javascript:",
                    "onclick", "<iframe"):
        assert hostile not in page, hostile


@pytest.mark.parametrize(
    "meeting_url",
    ["javascript:alert(document.domain)", " JavaScript:alert(1)", "data:text/html,<b>x</b>",
     "vbscript:msgbox(1)", "https:no-host", "//attacker.example/join"],
)
def test_an_imported_meeting_link_that_is_not_http_is_shown_as_text(full, owner, meeting_url):
    _, page = _imported_message_page(owner, safe_html="", meeting_url=meeting_url)

    assert "Meeting link: " in page
    assert f'href="{escape(meeting_url)}"' not in page
    assert f"Meeting link: {escape(meeting_url)}</div>" in page


@pytest.mark.parametrize("meeting_url", ["https://meet.example/abc-defg", "HTTP://zoom.example/j/1"])
def test_an_http_meeting_link_is_a_link(full, owner, meeting_url):
    _, page = _imported_message_page(owner, safe_html="", meeting_url=meeting_url)

    assert f'Meeting link: <a href="{escape(meeting_url)}" rel="noopener noreferrer"' in page
