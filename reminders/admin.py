from django.contrib import admin

from reminders.models import (
    AppriseChannel,
    Delivery,
    Digest,
    FollowUp,
    PlanRequest,
    PushDevice,
    ReminderSettings,
    TokenBucket,
)


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
    list_display = ["candidate", "paused", "email_enabled", "digested_through"]
    raw_id_fields = ["candidate"]


@admin.register(PlanRequest)
class PlanRequestAdmin(admin.ModelAdmin):
    """Applications waiting for the minute tick to re-plan them (the outbox)."""

    list_display = ["application", "requested_at"]
    raw_id_fields = ["application"]
    readonly_fields = ["token", "requested_at"]


# --- Push and Apprise: read-only views of what the dispatcher did ---------------------------


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PushDevice)
class PushDeviceAdmin(ReadOnly):
    """The subscription's keys are the user's: not shown."""

    list_display = ["owner", "browser", "enabled", "created_at", "last_push_at", "last_error"]
    list_filter = ["enabled"]
    search_fields = ["owner__email", "browser"]
    fields = ["owner", "browser", "enabled", "created_at", "last_push_at", "last_error"]


@admin.register(AppriseChannel)
class AppriseChannelAdmin(ReadOnly):
    """The URL holds the service's secret: only its masked hint is shown."""

    list_display = ["owner", "label", "hint", "enabled", "created_at", "last_sent_at",
                    "last_error"]
    list_filter = ["enabled"]
    search_fields = ["owner__email", "label"]
    fields = ["owner", "label", "hint", "enabled", "created_at", "last_sent_at", "last_error"]


@admin.register(Digest)
class DigestAdmin(ReadOnly):
    list_display = ["id", "owner", "created_at", "followup_ids"]
    search_fields = ["owner__email"]
    raw_id_fields = ["owner"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["id", "digest", "owner", "device", "apprise", "due_at", "status",
                    "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["owner__email"]
    raw_id_fields = ["digest", "owner", "device", "apprise"]


@admin.register(TokenBucket)
class TokenBucketAdmin(ReadOnly):
    """The push rate limit of each channel (``reminders.notify.authorize``)."""

    list_display = ["key", "tokens", "updated"]
    search_fields = ["key"]
