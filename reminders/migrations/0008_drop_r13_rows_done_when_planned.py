"""Drop the "Complete the contact details" (R13) rows planned as done from the start.

Planning once made an R13 row for every interviewer, and one whose email and title were
already complete got a row closed at once ("Already done when planned."): noise in the plan
and the timeline, since nothing was ever asked. Planning now makes R13 rows only for people
whose details are missing (``rules._r13_contact_details``); this removes the old ones. Rows
the candidate closed, or that became done once the details were completed, stay.
"""

from django.db import migrations

# The note planning gave a follow-up satisfied when it was planned (reminders.services).
DONE_WHEN_PLANNED = "Already done when planned."


def drop_done_when_planned(apps, schema_editor):
    FollowUp = apps.get_model("reminders", "FollowUp")
    FollowUp.objects.filter(rule="R13", status="done", status_note=DONE_WHEN_PLANNED).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reminders", "0007_plan_requests_and_accepted_at"),
    ]

    operations = [
        # Nothing to restore on the way back: the rows said nothing.
        migrations.RunPython(drop_done_when_planned, migrations.RunPython.noop, elidable=True),
    ]
