"""The re-planning outbox (PlanRequest) and the per-email record of an accepted email.

``accepted_at`` is a lease column like ``claim_token``: no index covers it, so writing it
right after each email is accepted stays a HOT update (tests/reminders/test_claims.py).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0003_candidate_email_verified'),
        ('reminders', '0006_calendar_feed_to_tracking'),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanRequest',
            fields=[
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='interviews.application')),
                ('token', models.UUIDField()),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name='followup',
            name='accepted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
