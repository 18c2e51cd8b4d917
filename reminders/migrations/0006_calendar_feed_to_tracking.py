"""CalendarFeed moves to the tracking room (``followup_site/tracking``): state only.

The table ``reminders_calendarfeed`` stays where it is, with its rows; the tracking app's
migration 0001 takes the model over under the same table name.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reminders', '0005_lease_without_status'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CalendarFeed')],
            database_operations=[],
        ),
    ]
