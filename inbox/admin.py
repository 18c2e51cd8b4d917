"""The Inbox's rows in the admin, for operators: read mostly; raw bytes and the encrypted
mailbox password are never shown."""

from __future__ import annotations

from django.contrib import admin

from inbox.models import CalendarInvite, InboundAddress, MailboxConnection, ReceivedMessage


@admin.register(InboundAddress)
class InboundAddressAdmin(admin.ModelAdmin):
    list_display = ["owner", "created_at"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["token", "created_at"]


@admin.register(ReceivedMessage)
class ReceivedMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "owner", "source", "kind", "state", "application", "received_at"]
    list_filter = ["source", "kind", "state"]
    list_select_related = ["owner", "application"]
    raw_id_fields = ["owner", "application", "mailbox"]
    exclude = ["raw"]
    readonly_fields = ["message_id", "size", "received_at", "parsed_at", "problems"]
    search_fields = ["subject", "sender_email", "message_id"]


@admin.register(CalendarInvite)
class CalendarInviteAdmin(admin.ModelAdmin):
    list_display = ["summary", "owner", "method", "sequence", "starts_at", "state"]
    list_filter = ["method", "state"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "message", "interview"]


@admin.register(MailboxConnection)
class MailboxConnectionAdmin(admin.ModelAdmin):
    list_display = ["username", "host", "folder", "owner", "polled_at", "last_error"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    exclude = ["password_encrypted"]
    readonly_fields = ["uidvalidity", "last_uid", "polled_at", "last_error", "last_error_at"]
