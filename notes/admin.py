from django.contrib import admin

from notes.models import (
    Achievement,
    Correspondence,
    Note,
    NotesSettings,
    Resource,
    Testimonial,
)


@admin.register(Correspondence)
class CorrespondenceAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "channel", "interviewer", "sent_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["application", "interviewer"]
    raw_id_fields = ["application", "interview", "interviewer"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["interviewer", "kind", "channel", "application", "version", "sent_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["application", "interviewer"]
    raw_id_fields = ["application", "interview", "interviewer", "correspondence"]
    readonly_fields = ["version", "editor", "created_at", "updated_at"]


@admin.register(Testimonial)
class TestimonialAdmin(admin.ModelAdmin):
    list_display = ["author", "author_title", "given_on", "owner"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "achieved_on", "owner"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "tags", "owner"]
    list_filter = ["kind"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


@admin.register(NotesSettings)
class NotesSettingsAdmin(admin.ModelAdmin):
    list_display = ["owner"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
