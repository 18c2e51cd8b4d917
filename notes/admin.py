from django.contrib import admin

from notes.models import Correspondence


@admin.register(Correspondence)
class CorrespondenceAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "channel", "interviewer", "sent_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["application", "interviewer"]
    raw_id_fields = ["application", "interview", "interviewer"]
