"""The Inbox pages: drop or paste, the list, a message with its suggestion and one-click
actions, filing, the forwarding address. Outsiders get 404 (tests/site/test_url_isolation.py
walks every Inbox URL); here the owner's journeys."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from inbox import services
from inbox.models import InboundAddress, ReceivedMessage, State
from interviews.models import ApplicationStatus, Interview
from tests.factories import ApplicationFactory
from tests.inbox.conftest import SAMPLES, make_email, make_ics

pytestmark = pytest.mark.django_db


def upload(client, *files, pasted=""):
    return client.post(reverse("inbox_upload"), {"files": list(files), "pasted": pasted})


def eml(name: str, raw: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type="message/rfc822")


def test_the_empty_inbox_says_how_mail_gets_in(owner_client):
    page = owner_client.get(reverse("inbox"))
    assert page.status_code == 200
    assert b"Nothing waiting for you" in page.content
    assert reverse("inbox_setup").encode() in page.content


def test_dropping_an_ics_shows_the_invitation_in_the_candidates_zone(owner_client, application):
    ics = SimpleUploadedFile("invite.ics", make_ics().encode(), content_type="text/calendar")
    response = upload(owner_client, ics)
    message = ReceivedMessage.objects.get()
    assert response.status_code == 302 and response["Location"] == message.get_absolute_url()
    assert message.application == application  # the organizer is a recorded person
    page = owner_client.get(message.get_absolute_url())
    text = page.content.decode()
    # 10:00 in New York is 15:00 in London, the owner's zone.
    assert "Tuesday 8 December 2026, 15:00–16:00" in text
    assert "https://northwind.zoom.us/j/123456789" in text
    assert "Marco Verdi" in text
    assert 'value="log_interview"' in text
    assert not Interview.objects.exists()


def test_several_files_and_a_paste_at_once(owner_client, application):
    response = upload(
        owner_client,
        eml("a.eml", make_email(message_id="<a@x>")),
        eml("b.eml", make_email(message_id="<b@x>")),
        pasted=make_email(message_id="<c@x>").decode(),
    )
    assert response.status_code == 302 and response["Location"] == reverse("inbox")
    assert ReceivedMessage.objects.count() == 3
    again = upload(owner_client, eml("a.eml", make_email(message_id="<a@x>")))
    assert again.status_code == 302
    assert b"already in your Inbox" in owner_client.get(again["Location"]).content
    assert ReceivedMessage.objects.count() == 3


def test_bad_input_is_a_clear_error_never_a_500(owner_client, settings):
    settings.INBOX_MAX_BYTES = 1_000
    too_big = upload(owner_client, eml("big.eml", make_email(body="x\n" * 1_000)))
    assert too_big.status_code == 422
    assert b"over the limit" in too_big.content
    nothing = owner_client.post(reverse("inbox_upload"), {})
    assert nothing.status_code == 422
    assert b"Choose a file or paste a message" in nothing.content
    broken = upload(owner_client, SimpleUploadedFile("x.ics", b"BEGIN:VCALENDAR\r\nnonsense"))
    assert broken.status_code == 302
    page = owner_client.get(broken["Location"], follow=True)
    assert b"x.ics:" in page.content
    kept = ReceivedMessage.objects.get()  # kept as it came, with the reason on its page
    assert kept.unreadable and escape(kept.unreadable).encode() in page.content


def test_html_mail_is_shown_sanitised_with_no_remote_images(owner_client, owner):
    html = (
        '<p>Thank you</p><img src="https://t.example.com/open?id=1">'
        '<script>alert(1)</script><a href="https://example.com" onclick="x()">link</a>'
    )
    from email import policy
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "hr@acme.example", "owner@example.com", "Hi"
    mail["Message-ID"] = "<html@x>"
    mail.set_content("Thank you")
    mail.add_alternative(html, subtype="html")
    raw = mail.as_bytes(policy=policy.SMTP)
    message = services.receive(owner=owner, raw=raw, source="upload").message
    assert message.safe_html
    page = owner_client.get(message.get_absolute_url() + "?view=html").content.decode()
    shown = page[page.index('class="inbox-html') :].split("</section>")[0]
    assert "Thank you" in shown and "link" in shown
    assert "<script" not in shown and "alert(1)" not in shown
    assert "onclick" not in shown
    assert "t.example.com" not in shown  # the tracking pixel is gone
    text_view = owner_client.get(message.get_absolute_url()).content.decode()
    assert 'class="inbox-html' not in text_view


def test_mark_rejected_is_one_click_and_nothing_happens_before(owner_client, owner, application):
    raw = (SAMPLES / "rejection_move_forward.eml").read_bytes()
    message = services.receive(owner=owner, raw=raw, source="upload").message
    services.message_file(message=message, application=application)
    page = owner_client.get(message.get_absolute_url())
    assert b'value="reject"' in page.content
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEWING
    response = owner_client.post(
        reverse("inbox_message_act", args=[message.pk]), {"action": "reject"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED


def test_an_action_that_does_not_fit_is_refused_politely(owner_client, owner, application):
    message = services.receive(owner=owner, raw=make_email(), source="upload").message
    response = owner_client.post(
        reverse("inbox_message_act", args=[message.pk]), {"action": "log_interview"}
    )
    assert response.status_code == 302
    page = owner_client.get(response["Location"])
    assert b"no invitation waiting" in page.content
    bogus = owner_client.post(reverse("inbox_message_act", args=[message.pk]), {"action": "x"})
    assert bogus.status_code == 302


def test_filing_and_creating_an_application_prefilled_from_the_message(owner_client, owner):
    raw = make_email(sender=("Jo", "jo@umbrella-labs.com"), subject="Re: Staff Engineer")
    message = services.receive(owner=owner, raw=raw, source="upload").message
    assert message.application is None
    page = owner_client.get(message.get_absolute_url()).content.decode()
    assert 'value="Umbrella Labs"' in page and 'value="Staff Engineer"' in page
    response = owner_client.post(
        reverse("inbox_message_new_application", args=[message.pk]),
        {"company": "Umbrella Labs", "role_title": "Staff Engineer"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.application.company == "Umbrella Labs"
    assert message.application.owner == owner
    other = ApplicationFactory(owner=owner, company="Other")
    owner_client.post(
        reverse("inbox_message_file", args=[message.pk]), {"application": other.pk}
    )
    message.refresh_from_db()
    assert message.application == other and message.match_reason == services.FILED_BY_YOU


def test_filing_to_another_accounts_application_is_refused(owner_client, owner, outsider):
    message = services.receive(owner=owner, raw=make_email(), source="upload").message
    theirs = ApplicationFactory(owner=outsider)
    response = owner_client.post(
        reverse("inbox_message_file", args=[message.pk]), {"application": theirs.pk}
    )
    assert response.status_code == 422
    message.refresh_from_db()
    assert message.application is None


def test_the_list_pages_and_filters(owner_client, owner):
    for n in range(30):
        services.receive(
            owner=owner, raw=make_email(message_id=f"<p{n}@x>", subject=f"Message {n}"),
            source="upload",
        )
    first = owner_client.get(reverse("inbox"))
    assert first.content.count(b"inbox-row") == 25
    assert b"Page 1 of 2" in first.content
    second = owner_client.get(reverse("inbox") + "?page=2")
    assert second.content.count(b"inbox-row") == 5
    ReceivedMessage.objects.filter(owner=owner).update(state=State.IGNORED)
    assert owner_client.get(reverse("inbox")).content.count(b"inbox-row") == 0
    assert owner_client.get(reverse("inbox") + "?show=all").content.count(b"inbox-row") == 25


def test_the_setup_page_shows_the_address_and_regenerating_revokes_it(owner_client, owner):
    page = owner_client.get(reverse("inbox_setup")).content.decode()
    old = InboundAddress.objects.get(owner=owner).token
    assert f"in+{old}@" in page
    assert "Gmail" in page and "Outlook" in page
    owner_client.post(reverse("inbox_address_regenerate"))
    new = InboundAddress.objects.get(owner=owner).token
    assert new != old
    assert f"in+{new}@" in owner_client.get(reverse("inbox_setup")).content.decode()


def test_the_inbox_pages_are_valid_html(owner_client, owner, application, tmp_path):
    from tests.site.test_html_valid import run_vnu

    message = services.receive(
        owner=owner, raw=make_email(ics=make_ics(), body="We will decide by Friday."),
        source="upload",
    ).message
    services.receive(owner=owner, raw=make_email(message_id="<2@x>"), source="smtp")
    pages = {
        "inbox": reverse("inbox"),
        "message": message.get_absolute_url(),
        "setup": reverse("inbox_setup"),
        "application": application.get_absolute_url(),
        "board": reverse("board"),
    }
    files = {}
    for name, url in pages.items():
        response = owner_client.get(url)
        assert response.status_code == 200, name
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
    # The dashboard's panel is a fragment: checked inside a page of its own.
    panel = owner_client.get(reverse("inbox_clocks")).content.decode()
    files["clocks"] = tmp_path / "clocks.html"
    files["clocks"].write_text(
        f'<!doctype html><html lang="en"><head><title>t</title></head><body>{panel}</body></html>'
    )
    errors = run_vnu(list(files.values()))
    assert [f"{e.get('url', '').rsplit('/', 1)[-1]} {e['message']}" for e in errors] == []


def test_an_all_day_invitation_keeps_its_day_in_a_zone_west_of_utc(owner_client, owner):
    """An all-day entry is a calendar day, not midnight UTC: in Los Angeles, 15 December
    stays 15 December in the preview and in the interview logged from it."""
    owner.time_zone = "America/Los_Angeles"
    owner.save(update_fields=["time_zone"])
    application = ApplicationFactory(owner=owner, company="Tailspin Toys", role_title="PM")
    application.interviewers.create(name="Rachel Green", email="rachel@tailspintoys.example")
    ics = (SAMPLES / "all_day_onsite.ics").read_bytes()
    upload(owner_client, SimpleUploadedFile("onsite.ics", ics, content_type="text/calendar"))
    message = ReceivedMessage.objects.get()
    assert message.application == application
    text = owner_client.get(message.get_absolute_url()).content.decode()
    assert "Tuesday 15 December 2026 (all day)" in text
    owner_client.post(
        reverse("inbox_message_act", args=[message.pk]), {"action": "log_interview"}
    )
    interview = Interview.objects.get()
    starts = interview.starts_at.astimezone(owner.zone)
    ends = interview.ends_at.astimezone(owner.zone)
    assert (starts.date().isoformat(), starts.hour, starts.minute) == ("2026-12-15", 0, 0)
    assert (ends.date().isoformat(), ends.hour) == ("2026-12-16", 0)
