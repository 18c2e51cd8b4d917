from django.contrib import admin

from tracking.models import CalendarFeed


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Shows who has a feed; the token itself is never stored, only its hash."""

    list_display = ["owner", "created_at"]
    raw_id_fields = ["owner"]
    readonly_fields = ["token_hash", "created_at"]
