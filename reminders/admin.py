from django.contrib import admin

from reminders.models import FollowUp, PlanRequest, ReminderSettings


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["rule", "application", "interviewer", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "rule"]
    search_fields = ["key", "application__company", "owner__email"]
    list_select_related = ["application", "interviewer"]
    raw_id_fields = ["owner", "application", "interview", "interviewer"]
    readonly_fields = ["key", "claim_token", "claimed_until", "created_at"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ["candidate", "paused"]
    raw_id_fields = ["candidate"]


@admin.register(PlanRequest)
class PlanRequestAdmin(admin.ModelAdmin):
    """Applications waiting for the minute tick to re-plan them (the outbox)."""

    list_display = ["application", "requested_at"]
    raw_id_fields = ["application"]
    readonly_fields = ["token", "requested_at"]
