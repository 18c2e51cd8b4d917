"""The Inbox's models, moved from the notes app (its migration 0007): state only.

Their tables keep the names the notes app gave them (``notes_receivedmessage`` and the
others, ``Meta.db_table``) and keep their rows: only Django's idea of which app owns them
changes. Their content types move with them, so admin history and permissions still point
at the same rows.
"""

import django.db.models.deletion
import django.utils.timezone
import inbox.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("inboundaddress", "mailboxconnection", "receivedmessage", "calendarinvite")


def _move_content_types(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(db).filter(app_label=new, model__in=MODELS)
        .values_list("model", flat=True)
    )
    ContentType.objects.using(db).filter(app_label=old, model__in=MODELS).exclude(
        model__in=taken
    ).update(app_label=new)


def content_types_to_inbox(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, "notes", "inbox")


def content_types_to_notes(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, "inbox", "notes")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('interviews', '0005_debrief_draft'),
        ('notes', '0007_inbox_to_its_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='InboundAddress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(default=inbox.models.new_token, max_length=40, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('owner', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='inbound_address', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'inbound addresses',
                        'db_table': 'notes_inboundaddress',
                    },
                ),
                migrations.CreateModel(
                    name='MailboxConnection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('host', models.CharField(max_length=255)),
                        ('port', models.PositiveIntegerField(default=993)),
                        ('security', models.CharField(choices=[('ssl', 'TLS (port 993)'), ('starttls', 'STARTTLS (port 143)'), ('none', 'None (only for a server on this machine)')], default='ssl', max_length=10)),
                        ('username', models.CharField(max_length=320)),
                        ('password_encrypted', models.BinaryField()),
                        ('folder', models.CharField(default='INBOX', max_length=255)),
                        ('enabled', models.BooleanField(default=True)),
                        ('uidvalidity', models.BigIntegerField(blank=True, null=True)),
                        ('last_uid', models.BigIntegerField(default=0)),
                        ('polled_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=500)),
                        ('last_error_at', models.DateTimeField(blank=True, null=True)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mailboxes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'notes_mailboxconnection',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='ReceivedMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(choices=[('upload', 'Dropped or pasted'), ('smtp', 'Forwarded'), ('imap', 'Mailbox')], max_length=10)),
                        ('raw', models.BinaryField(blank=True, default=b'')),
                        ('size', models.PositiveIntegerField(default=0)),
                        ('message_id', models.CharField(max_length=500)),
                        ('received_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('parsed_at', models.DateTimeField(blank=True, null=True)),
                        ('parse_claimed_until', models.DateTimeField(blank=True, null=True)),
                        ('unreadable', models.CharField(blank=True, max_length=500)),
                        ('written_at', models.DateTimeField(blank=True, null=True, verbose_name='date')),
                        ('subject', models.CharField(blank=True, max_length=500)),
                        ('sender_name', models.CharField(blank=True, max_length=300)),
                        ('sender_email', models.CharField(blank=True, max_length=320)),
                        ('recipients', models.JSONField(blank=True, default=list)),
                        ('text', models.TextField(blank=True)),
                        ('full_text', models.TextField(blank=True)),
                        ('safe_html', models.TextField(blank=True)),
                        ('problems', models.JSONField(blank=True, default=list)),
                        ('kind', models.CharField(choices=[('invitation', 'Interview invitation'), ('scheduling', 'Scheduling request'), ('rejection', 'Rejection'), ('offer', 'Offer'), ('decision_date', 'Decision date'), ('delay', 'Delay'), ('on_hold', 'On hold'), ('other', 'Other')], default='other', max_length=20)),
                        ('phrases', models.JSONField(blank=True, default=list)),
                        ('decision_date', models.DateField(blank=True, null=True)),
                        ('summary', models.CharField(blank=True, max_length=500)),
                        ('match_reason', models.CharField(blank=True, max_length=300)),
                        ('candidate_ids', models.JSONField(blank=True, default=list)),
                        ('state', models.CharField(choices=[('new', 'New'), ('filed', 'Filed'), ('applied', 'Applied'), ('ignored', 'Ignored')], default='new', max_length=10)),
                        ('acted_at', models.DateTimeField(blank=True, null=True)),
                        ('action', models.CharField(blank=True, max_length=30)),
                        ('application', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='received_messages', to='interviews.application')),
                        ('mailbox', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='messages', to='inbox.mailboxconnection')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='received_messages', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'notes_receivedmessage',
                        'ordering': ['-received_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarInvite',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('uid', models.CharField(max_length=500)),
                        ('sequence', models.IntegerField(default=0)),
                        ('method', models.CharField(max_length=20)),
                        ('summary', models.CharField(blank=True, max_length=500)),
                        ('starts_at', models.DateTimeField()),
                        ('ends_at', models.DateTimeField()),
                        ('all_day', models.BooleanField(default=False)),
                        ('tzname', models.CharField(default='UTC', max_length=64)),
                        ('location', models.CharField(blank=True, max_length=500)),
                        ('meeting_url', models.CharField(blank=True, max_length=1000)),
                        ('description', models.TextField(blank=True)),
                        ('people', models.JSONField(blank=True, default=list)),
                        ('state', models.CharField(choices=[('pending', 'Waiting for you'), ('applied', 'Applied'), ('ignored', 'Ignored'), ('superseded', 'Superseded by a newer version')], default='pending', max_length=12)),
                        ('interview', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invites', to='interviews.interview')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_invites', to=settings.AUTH_USER_MODEL)),
                        ('message', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invites', to='inbox.receivedmessage')),
                    ],
                    options={
                        'db_table': 'notes_calendarinvite',
                        'ordering': ['uid', 'sequence', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='receivedmessage',
                    index=models.Index(fields=['owner', '-received_at'], name='notes_recei_owner_i_febe0a_idx'),
                ),
                migrations.AddIndex(
                    model_name='receivedmessage',
                    index=models.Index(condition=models.Q(('application__isnull', False)), fields=['application', 'written_at'], name='received_by_application'),
                ),
                migrations.AddConstraint(
                    model_name='receivedmessage',
                    constraint=models.UniqueConstraint(fields=('owner', 'message_id'), name='received_message_id_unique_per_owner'),
                ),
                migrations.AddConstraint(
                    model_name='calendarinvite',
                    constraint=models.UniqueConstraint(fields=('owner', 'uid', 'sequence', 'method'), name='calendar_invite_seen_once'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_inbox, content_types_to_notes),
    ]
