"""Migration 0008: the R13 rows planned as done for people complete from the start go."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("reminders", "0007_plan_requests_and_accepted_at")
AFTER = ("reminders", "0008_drop_r13_rows_done_when_planned")
EVENING = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)


def _targets(executor: MigrationExecutor, reminders: tuple[str, str]) -> list[tuple[str, str]]:
    # Every other app stays where it is: only reminders moves.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "reminders"]
    return [*others, reminders]


@pytest.mark.django_db(transaction=True)
def test_migration_0008_deletes_only_r13_rows_done_when_planned_R13():
    executor = MigrationExecutor(connection)
    before = _targets(executor, BEFORE)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    candidate = old.get_model("interviews", "Candidate").objects.create(
        email="old@example.com", password="!"
    )
    application = old.get_model("interviews", "Application").objects.create(
        owner_id=candidate.pk, company="Acme", role_title="Engineer"
    )
    FollowUp = old.get_model("reminders", "FollowUp")

    def row(key: str, rule: str, status: str, note: str):
        return FollowUp.objects.create(
            owner_id=candidate.pk, application_id=application.pk, rule=rule, key=key,
            due_at=EVENING, status=status, status_note=note,
            closed_at=None if status == "pending" else EVENING,
        )

    noise = row("R13:1", "R13", "done", "Already done when planned.")
    kept = [
        row("R13:2", "R13", "done", "Done: you recorded it."),  # completed later
        row("R13:3", "R13", "done", "Marked done."),  # the candidate closed it
        row("R13:4", "R13", "pending", ""),  # still asked for
        row("R13:5", "R13", "skipped", "Skipped: you switched this rule off."),
        row("R2:9:1", "R2", "done", "Already done when planned."),  # another rule
    ]
    try:
        executor = MigrationExecutor(connection)
        after = _targets(executor, AFTER)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("reminders", "FollowUp")
        assert not new.objects.filter(pk=noise.pk).exists()
        assert sorted(new.objects.values_list("pk", flat=True)) == sorted(r.pk for r in kept)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
