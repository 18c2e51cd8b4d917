"""The dispatcher records each accepted email's rows as reminded in one UPDATE straight
after it is sent, so ``accepted_at`` (written first, with the status following per claim)
is gone. Rows a dispatcher of the previous version left accepted but not yet marked are
recorded as sent first, as its lease recovery would have done.
"""

from django.db import migrations
from django.db.models import F


def record_accepted_as_sent(apps, schema_editor):
    FollowUp = apps.get_model("reminders", "FollowUp")
    FollowUp.objects.filter(status="pending", accepted_at__isnull=False).update(
        status="reminded", sent_at=F("accepted_at"), claim_token=None, claimed_until=None,
        last_error="", retry_at=None,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("reminders", "0008_drop_r13_rows_done_when_planned"),
    ]

    operations = [
        migrations.RunPython(record_accepted_as_sent, migrations.RunPython.noop),
        migrations.RemoveField(model_name="followup", name="accepted_at"),
    ]
