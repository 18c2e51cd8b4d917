"""A claim becomes a lease on a pending row instead of a status of its own; fewer indexes.

Rows a dispatcher held as "claimed" become pending again with their lease kept: the
dispatcher that holds them records its outcome by token, as before, and if it died they are
claimable once the lease ends. On PostgreSQL the table leaves a fifth of each page free
(``fillfactor``), where a claim, which changes no indexed column, writes the row's new
version as a HOT update without touching any index (see ``bench/dispatch.py``).

Each index costs an entry at every status change: the one on (owner, due_at) of open rows
goes (the (owner, status, due_at) index serves its queries), and the interview and
interviewer indexes keep only the rows that have one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILLFACTOR = 80


def claimed_to_pending(apps, schema_editor):
    followup = apps.get_model("reminders", "FollowUp")
    followup.objects.filter(status="claimed").update(status="pending")


def pending_to_claimed(apps, schema_editor):
    followup = apps.get_model("reminders", "FollowUp")
    followup.objects.filter(status="pending", claim_token__isnull=False).update(
        status="claimed"
    )


def _fillfactor(value: int):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(apps.get_model("reminders", "FollowUp")._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value:d})")

    return alter


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0002_debrief'),
        ('reminders', '0004_followup_open_owner_due'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(claimed_to_pending, pending_to_claimed, elidable=False),
        migrations.RunPython(_fillfactor(FILLFACTOR), _fillfactor(100)),
        migrations.RemoveIndex(
            model_name='followup',
            name='followup_claimed',
        ),
        migrations.RemoveIndex(
            model_name='followup',
            name='followup_open_owner_due',
        ),
        migrations.AlterField(
            model_name='followup',
            name='interview',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='followups', to='interviews.interview'),
        ),
        migrations.AlterField(
            model_name='followup',
            name='interviewer',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='followups', to='interviews.interviewer'),
        ),
        migrations.AlterField(
            model_name='followup',
            name='status',
            field=models.CharField(choices=[('pending', 'Upcoming'), ('reminded', 'Due'), ('done', 'Done'), ('dismissed', 'Dismissed'), ('skipped', 'Skipped'), ('failed', 'Failed')], default='pending', max_length=10),
        ),
        migrations.AddIndex(
            model_name='followup',
            index=models.Index(condition=models.Q(('interview__isnull', False)), fields=['interview'], name='followup_interview'),
        ),
        migrations.AddIndex(
            model_name='followup',
            index=models.Index(condition=models.Q(('interviewer__isnull', False)), fields=['interviewer'], name='followup_interviewer'),
        ),
    ]
