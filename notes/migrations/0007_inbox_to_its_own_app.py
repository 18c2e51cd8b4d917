"""The Inbox's models move to their own app (``inbox``, its migration 0001): state only.

The tables ``notes_inboundaddress``, ``notes_mailboxconnection``, ``notes_receivedmessage``
and ``notes_calendarinvite`` stay where they are, with their rows; the inbox app takes the
models over under the same table names. Deleted in the order their relations allow.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notes', '0006_received_message_kind_labels'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CalendarInvite'),
                migrations.DeleteModel(name='ReceivedMessage'),
                migrations.DeleteModel(name='MailboxConnection'),
                migrations.DeleteModel(name='InboundAddress'),
            ],
            database_operations=[],
        ),
    ]
