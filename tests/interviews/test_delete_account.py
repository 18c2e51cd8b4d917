"""Delete my account (issue 10.6): confirmed with the password, every row goes.

The proof walks every installed model (``django.apps``) for chains of foreign keys that
reach the user model — directly (an application's owner) or through other models (an
attendance's interview's application's owner) — and counts the rows still reaching the
deleted candidate: none may be left, and the other account's rows must be unchanged.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from functools import reduce
from operator import or_

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.db.models.signals import post_delete
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from inbox import models as inbox_models
from interviews import services
from interviews.models import Candidate, Debrief
from notes import models as notes_models
from notes import services as note_services
from reminders import services as reminder_services
from reminders.models import FollowUp
from tests.conftest import PASSWORD
from tests.factories import AttendanceFactory, CandidateFactory
from tracking.calendar import feed_regenerate

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# The models a full account has rows in (the fixture's coverage: the walk below checks
# every model, these are the ones the fixture must have filled for the check to mean much).
EXPECTED = {
    "interviews.Candidate", "interviews.Application", "interviews.StatusChange",
    "interviews.Interview", "interviews.Interviewer", "interviews.Attendance",
    "interviews.Debrief", "notes.Note", "notes.Correspondence", "notes.Testimonial",
    "notes.Achievement", "notes.Resource", "notes.NotesSettings", "reminders.FollowUp",
    "reminders.ReminderSettings", "tracking.CalendarFeed", "account.EmailAddress",
    "mfa.Authenticator", "admin.LogEntry", "interviews.Candidate_groups",
    # The inbox: the forwarding address, an IMAP mailbox (its password), what came in.
    "inbox.InboundAddress", "inbox.MailboxConnection", "inbox.ReceivedMessage",
    "inbox.CalendarInvite",
}


# --- The walk -------------------------------------------------------------------------------


def _lookups_to_user(model, depth: int = 5) -> list[str]:
    """Every chain of forward foreign keys (and one-to-ones) from ``model`` to the user model,
    as ORM lookups naming the user's primary key."""
    user_model = get_user_model()
    if model is user_model:
        return ["pk"]
    found = []
    queue = deque([(model, "", (model,))])
    while queue:
        current, prefix, seen = queue.popleft()
        for field in current._meta.get_fields():
            forward = field.is_relation and field.concrete
            if not (forward and (field.many_to_one or field.one_to_one)):
                continue
            target = field.related_model
            lookup = f"{prefix}{field.name}"
            if target is user_model:
                found.append(f"{lookup}__pk")
            elif target not in seen and len(seen) < depth:
                queue.append((target, f"{lookup}__", (*seen, target)))
    return found


def _models_reaching_the_user() -> dict[str, tuple]:
    walked = {}
    for model in apps.get_models(include_auto_created=True):
        lookups = _lookups_to_user(model)
        if lookups:
            walked[model._meta.label] = (model, lookups)
    return walked


def _rows_of(candidate_id: int) -> dict[str, list[dict]]:
    """Every row of every model that reaches this candidate, by model label."""
    rows = {}
    for label, (model, lookups) in _models_reaching_the_user().items():
        query = reduce(or_, (Q(**{lookup: candidate_id}) for lookup in lookups))
        found = list(model._base_manager.filter(query).order_by("pk").values())
        if found:
            rows[label] = found
    return rows


def _session_users() -> list[str]:
    store = Session.get_session_store_class()()
    return [
        str(store.decode(data).get(SESSION_KEY))
        for data in Session.objects.values_list("session_data", flat=True)
    ]


def test_the_walk_finds_rows_reached_only_through_other_models():
    walked = _models_reaching_the_user()

    assert walked["interviews.Attendance"][1] == [
        "interview__application__owner__pk", "interviewer__application__owner__pk",
    ]
    assert "interview__application__owner__pk" in walked["interviews.Debrief"][1]
    assert "user__pk" in walked["mfa.Authenticator"][1]
    assert "candidate__pk" in walked["interviews.Candidate_groups"][1]


# --- A full account -----------------------------------------------------------------------


def _fill(candidate: Candidate) -> None:
    """A row in every kind of table an account uses, through the services where they exist."""
    attendance = AttendanceFactory(
        interview__application__owner=candidate, interview__round_number=1
    )
    interview, interviewer = attendance.interview, attendance.interviewer
    application = interview.application
    services.application_set_status(application=application, status="interviewing")
    Debrief.objects.create(interview=interview, went_well="Yes")
    note_services.correspondence_record(
        application=application, interview=interview, interviewer=interviewer,
        kind=notes_models.CorrespondenceKind.THANK_YOU, channel="email",
        sent_at=interview.ends_at + timedelta(hours=2),
    )
    notes_models.Note.objects.create(
        application=application, interview=interview, interviewer=interviewer,
        kind=notes_models.CorrespondenceKind.STATUS_CHECK, body="Any news?",
    )
    note_services.testimonial_create(owner=candidate, quote="Great", author="Bill")
    note_services.achievement_create(owner=candidate, text="Shipped")
    note_services.resource_create(owner=candidate, title="A book")
    note_services.notes_settings_update(owner=candidate, confidential_terms="Umbrella")
    reminder_services.plan_application(application_id=application.pk)
    reminder_services.settings_update(candidate=candidate, paused=False, disabled_rules=["R8"])
    feed_regenerate(owner=candidate)
    Authenticator.objects.create(user=candidate, type=Authenticator.Type.TOTP, data={"x": 1})
    LogEntry.objects.create(
        user=candidate, content_type=ContentType.objects.get_for_model(Candidate),
        object_id=str(candidate.pk), object_repr=str(candidate), action_flag=ADDITION,
    )
    candidate.groups.add(Group.objects.get_or_create(name="Beta testers")[0])
    _fill_inbox(candidate, interview)


def _fill_inbox(candidate: Candidate, interview) -> None:
    inbox_models.InboundAddress.objects.create(owner=candidate)
    mailbox = inbox_models.MailboxConnection.objects.create(
        owner=candidate, host="imap.example.com", username=candidate.email,
        password_encrypted=b"sealed",
    )
    message = inbox_models.ReceivedMessage.objects.create(
        owner=candidate, source="imap", mailbox=mailbox, message_id=f"<{candidate.pk}@x>",
        subject="Interview invitation", application=interview.application,
    )
    inbox_models.CalendarInvite.objects.create(
        owner=candidate, message=message, uid=f"uid-{candidate.pk}", method="REQUEST",
        starts_at=interview.starts_at, ends_at=interview.ends_at, interview=interview,
    )


def _signed_in(candidate: Candidate) -> Client:
    client = Client()
    client.force_login(candidate, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def two_accounts(owner, outsider):
    _fill(owner)
    _fill(outsider)
    return owner, outsider


# --- The service ----------------------------------------------------------------------------


def test_candidate_delete_leaves_no_row_reaching_the_owner(two_accounts):
    owner, outsider = two_accounts
    laptop, phone, theirs = _signed_in(owner), _signed_in(owner), _signed_in(outsider)
    before = _rows_of(owner.pk)
    assert set(before) >= EXPECTED, f"fill these tables: {sorted(EXPECTED - set(before))}"
    assert FollowUp.objects.filter(owner=owner).count() > 1
    outsider_before = _rows_of(outsider.pk)

    deleted = services.candidate_delete(candidate=owner)

    assert _rows_of(owner.pk) == {}
    assert _rows_of(outsider.pk) == outsider_before
    assert str(owner.pk) not in _session_users()
    assert deleted["sessions"] == 2
    assert deleted["interviews.Candidate"] == 1
    # The other device is signed out; the other account is not.
    for client in (laptop, phone):
        assert client.get(reverse("profile")).status_code == 302
    assert theirs.get(reverse("profile")).status_code == 200
    assert Group.objects.filter(name="Beta testers").exists()  # shared, not the account's


def test_candidate_delete_is_all_or_nothing(two_accounts):
    owner, _ = two_accounts
    laptop = _signed_in(owner)
    before = _rows_of(owner.pk)

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    # Fails once the sessions and every dependent row were deleted, at the candidate row.
    post_delete.connect(fail, sender=Candidate, weak=False)
    try:
        with pytest.raises(RuntimeError):
            services.candidate_delete(candidate=owner)
    finally:
        post_delete.disconnect(fail, sender=Candidate)

    assert _rows_of(owner.pk) == before
    assert laptop.get(reverse("profile")).status_code == 200


# --- The page -------------------------------------------------------------------------------


def test_delete_page_asks_for_the_password_and_suggests_exporting_first(owner_client):
    response = owner_client.get(reverse("account_delete"))

    assertContains(response, "Export your data first?")
    assertContains(response, f'href="{reverse("your_data")}#export-heading"')
    assertContains(response, 'type="password"')
    assertContains(response, 'maxlength="1024"')
    assertContains(response, "owner@example.com")


def test_profile_links_to_the_delete_page(owner_client):
    assertContains(owner_client.get(reverse("profile")), reverse("account_delete"))


def test_your_data_page_suggests_exporting_before_deleting(owner_client):
    response = owner_client.get(reverse("your_data"))

    assertContains(response, reverse("account_delete"))
    assertContains(response, "Download an export above first")


def test_wrong_password_deletes_nothing(owner_client, owner):
    _fill(owner)
    before = _rows_of(owner.pk)

    response = owner_client.post(reverse("account_delete"), {"password": "not it"})

    assertContains(response, "That is not your password. Nothing was deleted.")
    assert _rows_of(owner.pk) == before
    assert owner_client.get(reverse("profile")).status_code == 200


@pytest.mark.parametrize("password", ["", "x" * 1_000_000, "李小龍 José 🎉 \u202egnp.exe"])
def test_empty_huge_or_odd_password_is_a_clear_error(owner_client, owner, password):
    response = owner_client.post(reverse("account_delete"), {"password": password})

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert Candidate.objects.filter(pk=owner.pk).exists()


def test_the_right_password_deletes_everything_signs_out_and_says_goodbye(
    owner_client, owner, outsider
):
    _fill(owner)
    _fill(outsider)
    outsider_before = _rows_of(outsider.pk)

    response = owner_client.post(
        reverse("account_delete"), {"password": PASSWORD}, follow=True
    )

    assertRedirects(response, reverse("account_deleted"))
    assertContains(response, "Your account and all its data were deleted")
    assert not response.context["user"].is_authenticated
    assert _rows_of(owner.pk) == {}
    assert _rows_of(outsider.pk) == outsider_before
    assert owner_client.get(reverse("profile")).status_code == 302
    assert not EmailAddress.objects.filter(email="owner@example.com").exists()


def test_an_address_freed_by_deletion_can_sign_up_again(owner_client, owner):
    owner_client.post(reverse("account_delete"), {"password": PASSWORD})

    again = CandidateFactory(email="owner@example.com")

    assert again.pk != owner.pk
    assert _rows_of(again.pk).keys() <= {"interviews.Candidate", "account.EmailAddress"}


def test_guessing_the_password_is_throttled_without_checking_it(owner_client, owner):
    for _ in range(10):
        owner_client.post(reverse("account_delete"), {"password": "guess"})

    response = owner_client.post(reverse("account_delete"), {"password": PASSWORD})

    assertContains(response, "Too many attempts", status_code=429)
    assert Candidate.objects.filter(pk=owner.pk).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert reverse("account_delete") in response["Location"]


def test_delete_needs_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner, backend=MODEL_BACKEND)

    assert client.post(reverse("account_delete"), {"password": PASSWORD}).status_code == 403
    assert Candidate.objects.filter(pk=owner.pk).exists()
