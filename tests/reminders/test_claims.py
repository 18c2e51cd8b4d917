"""How dispatch claims, sends and records: a lease that rewrites no index, several
candidates per claim, each email's rows recorded straight after it is sent, a send budget.

The dispatch behaviour a user sees (one email per candidate, retries, failures) is tested
in ``test_services.py`` and, with the real servers, in ``test_integration.py``.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from reminders import services
from reminders.models import LEASE_COLUMNS, FollowUp, Status
from tests.reminders.conftest import log_interview

# Half an hour after the interview of ``log_interview``; then, just after its thank-you
# duties fell due (R1, R2 and R3 for each of its two people, and R13 for Grace).
CURRENT_TIME = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 18, 18, 5, tzinfo=UTC)
DUE_EACH = 6


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs on PostgreSQL: this test must not skip there.", pytrace=False)
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")


def _q_fields(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _q_fields(child)
        else:
            names.add(child[0].split("__")[0])
    return names


def _indexed_columns() -> set[str]:
    """Every column that an index of FollowUp stores or tests, constraints included."""
    meta = FollowUp._meta
    names: set[str] = set()
    for index in [*meta.indexes, *meta.constraints]:
        names |= {name.lstrip("-") for name in getattr(index, "fields", ())}
        names |= set(getattr(index, "include", None) or ())
        if getattr(index, "condition", None) is not None:
            names |= _q_fields(index.condition)
    columns = {meta.get_field(name).column for name in names}
    return columns | {f.column for f in meta.fields if f.db_index or f.unique or f.primary_key}


@pytest.fixture
def two_candidates(owner, outsider):
    """Two candidates with six reminders due each; the outsider's are an hour older."""
    theirs = log_interview(outsider, company="Globex", later=-timedelta(hours=1))
    mine = log_interview(owner)
    for logged in (theirs, mine):
        services.plan_application(application_id=logged.application.pk, now=CURRENT_TIME)
    return theirs, mine


def _due(candidate):
    return FollowUp.objects.filter(owner=candidate, due_at__lte=EVENING).exclude(
        status=Status.DONE
    )


# --- The lease ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_writes_only_lease_columns_and_no_index_covers_them(two_candidates):
    with CaptureQueriesContext(connection) as queries:
        batch = services.claim_batch(now=EVENING)

    assert len(batch.ids) == 2 * DUE_EACH
    table = FollowUp._meta.db_table
    (claim,) = [q["sql"] for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
    written = re.search(r" SET (.+?) WHERE ", claim).group(1)
    assert set(re.findall(r'(?:^|, )"(\w+)" = ', written)) == set(LEASE_COLUMNS)
    assert not _indexed_columns() & set(LEASE_COLUMNS)


@pytest.mark.django_db
def test_on_postgresql_a_claim_is_a_hot_update_in_pages_with_room(two_candidates):
    _require_postgresql()

    def updates() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                "WHERE relid = %s::regclass", [FollowUp._meta.db_table],
            )
            return cursor.fetchone()

    before = updates()
    batch = services.claim_batch(now=EVENING)
    after = updates()

    assert len(batch.ids) == 2 * DUE_EACH
    assert (after[0] - before[0], after[1] - before[1]) == (2 * DUE_EACH, 2 * DUE_EACH)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                       [FollowUp._meta.db_table])
        assert cursor.fetchone()[0] == ["fillfactor=80"]


@pytest.mark.django_db
def test_a_claimed_row_is_held_for_its_lease_and_left_alone_by_the_planner(two_candidates):
    theirs, _ = two_candidates
    batch = services.claim_batch(now=EVENING)
    claimed = FollowUp.objects.filter(pk__in=batch.ids)

    assert {row.status for row in claimed} == {Status.PENDING}  # a lease, not a status
    assert FollowUp.objects.held(EVENING).count() == 2 * DUE_EACH
    assert not FollowUp.objects.due(EVENING).exists()
    assert FollowUp.objects.due(EVENING + services.LEASE).count() == 2 * DUE_EACH

    # The application ends while its rows are being sent: the planner leaves them to the
    # dispatcher, whose re-check will skip them.
    theirs.application.status = "rejected"
    theirs.application.save()
    services.plan_application(application_id=theirs.application.pk, now=EVENING)
    assert {row.status for row in _due(theirs.owner)} == {Status.PENDING}


# --- Several candidates per claim -----------------------------------------------------------


@pytest.mark.django_db
def test_one_claim_serves_each_candidate_one_email_most_overdue_first(two_candidates, mailoutbox):
    theirs, mine = two_candidates

    assert services.dispatch_one(now=EVENING) == 2

    assert [message.to for message in mailoutbox] == [[theirs.owner.email], [mine.owner.email]]
    assert services.dispatch_one(now=EVENING) == 0
    for candidate in (theirs.owner, mine.owner):
        assert {row.status for row in _due(candidate)} == {Status.REMINDED}


@pytest.mark.django_db
def test_each_emails_rows_are_recorded_before_the_next_email_is_built(
    two_candidates, mailoutbox, monkeypatch
):
    reminded_when_built = []
    real = services.build_reminder_email

    def spy(*, owner, followups, now, **kwargs):
        reminded_when_built.append(FollowUp.objects.filter(status=Status.REMINDED).count())
        return real(owner=owner, followups=followups, now=now, **kwargs)

    monkeypatch.setattr(services, "build_reminder_email", spy)

    services.dispatch_one(now=EVENING)

    assert reminded_when_built == [0, DUE_EACH]
    assert FollowUp.objects.filter(status=Status.REMINDED).count() == 2 * DUE_EACH


@pytest.mark.django_db
def test_a_dispatcher_stopped_mid_claim_records_what_it_sent_and_the_rest_waits_for_the_lease(
    two_candidates, mailoutbox, monkeypatch
):
    theirs, mine = two_candidates
    real = services.build_reminder_email

    def killed_at_the_second(*, owner, followups, now, **kwargs):
        if owner == mine.owner:
            raise SystemExit("the worker is stopped")
        return real(owner=owner, followups=followups, now=now, **kwargs)

    monkeypatch.setattr(services, "build_reminder_email", killed_at_the_second)
    with pytest.raises(SystemExit):
        services.dispatch_one(now=EVENING)
    monkeypatch.setattr(services, "build_reminder_email", real)

    assert {row.status for row in _due(theirs.owner)} == {Status.REMINDED}
    assert set(FollowUp.objects.held(EVENING).values_list("owner", flat=True)) == {
        mine.owner.pk
    }
    assert services.dispatch_due(now=EVENING + timedelta(minutes=1)) == 0  # the lease holds
    assert services.dispatch_due(now=EVENING + services.LEASE) == 1
    assert [message.to for message in mailoutbox] == [[theirs.owner.email], [mine.owner.email]]
    assert {row.status for row in _due(mine.owner)} == {Status.REMINDED}


@pytest.mark.django_db
def test_past_its_send_budget_a_dispatcher_hands_the_rest_of_its_claim_back(
    two_candidates, mailoutbox, monkeypatch
):
    theirs, mine = two_candidates
    monkeypatch.setattr(services, "SEND_BUDGET", timedelta(0))

    assert services.dispatch_one(now=EVENING) == 1  # always one, so a loop makes progress

    assert [message.to for message in mailoutbox] == [[theirs.owner.email]]
    handed_back = list(_due(mine.owner))
    assert {row.status for row in handed_back} == {Status.PENDING}
    assert {(row.claim_token, row.attempts) for row in handed_back} == {(None, 0)}
    assert services.dispatch_one(now=EVENING) == 1
    assert [message.to for message in mailoutbox] == [[theirs.owner.email], [mine.owner.email]]


# --- The migration from a claimed status to a lease -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_0005_turns_claimed_rows_into_pending_rows_that_keep_their_lease():
    # The accounts as they were then too: later columns of the candidate would be missing
    # from the old model but required by the table.
    before = [("reminders", "0004_followup_open_owner_due"), ("interviews", "0002_debrief")]
    after = [("reminders", "0005_lease_without_status")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    candidate = old.get_model("interviews", "Candidate").objects.create(
        email="old@example.com", password="!"
    )
    application = old.get_model("interviews", "Application").objects.create(
        owner_id=candidate.pk, company="Acme", role_title="Engineer"
    )
    row = old.get_model("reminders", "FollowUp").objects.create(
        owner_id=candidate.pk, application_id=application.pk, rule="R8", key="old:claimed",
        due_at=EVENING, status="claimed", claimed_until=EVENING + timedelta(minutes=5),
        claim_token="0b7f5e2c-3c55-4b8e-9a34-2f1a3f6d7e10", attempts=1,
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("reminders", "FollowUp")
        migrated = new.objects.get(pk=row.pk)
        assert (migrated.status, migrated.attempts) == ("pending", 1)
        assert migrated.claimed_until == EVENING + timedelta(minutes=5)
        assert str(migrated.claim_token) == "0b7f5e2c-3c55-4b8e-9a34-2f1a3f6d7e10"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
