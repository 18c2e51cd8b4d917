from django.db import migrations, models
from django.db.models import F


def welcome_existing_accounts(apps, schema_editor):
    # Accounts that exist already have been using the app: the welcome must not interrupt them.
    Candidate = apps.get_model("interviews", "Candidate")
    Candidate.objects.filter(welcomed_at=None).update(welcomed_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0007_interview_time_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="welcomed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(welcome_existing_accounts, migrations.RunPython.noop),
    ]
