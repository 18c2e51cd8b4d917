from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from interviews import services
from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Debrief,
    DebriefDraft,
    Interview,
    Interviewer,
    StatusChange,
)


@admin.register(Candidate)
class CandidateAdmin(UserAdmin):
    ordering = ["email"]
    list_display = [
        "email", "email_verified", "display_name", "time_zone", "country", "is_staff",
        "date_joined",
    ]
    list_filter = ["email_verified", "is_staff", "is_active"]
    search_fields = ["email", "display_name"]
    # Mirrors allauth's email addresses (their own admin page verifies one by hand).
    readonly_fields = ["email_verified"]
    fieldsets = [
        (None, {"fields": ["email", "email_verified", "password"]}),
        (
            "Profile",
            {
                "fields": [
                    "display_name",
                    "time_zone",
                    "country",
                    "reminder_hour",
                    "signature_name",
                    "signature_phone",
                    "signature_address",
                ]
            },
        ),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if "email" in form.changed_data:
            # An address typed here is not proven: reminders wait until its owner verifies.
            services.candidate_sync_email_verified(candidate=obj)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["company", "role_title", "status", "owner", "decision_date", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["company", "role_title", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    inlines = [StatusChangeInline]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["application", "from_status", "to_status", "changed_at"]
    list_select_related = ["application"]
    raw_id_fields = ["application"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["interviewer"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["application", "round_number", "format", "starts_at"]
    list_filter = ["format"]
    list_select_related = ["application"]
    raw_id_fields = ["application"]
    inlines = [AttendanceInline]


@admin.register(Interviewer)
class InterviewerAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "role", "application", "email"]
    list_filter = ["role"]
    search_fields = ["name", "email"]
    list_select_related = ["application"]
    raw_id_fields = ["application"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["interviewer", "interview"]
    list_select_related = ["interviewer", "interview__application"]
    raw_id_fields = ["interviewer", "interview"]


@admin.register(DebriefDraft)
class DebriefDraftAdmin(admin.ModelAdmin):
    list_display = ["interview", "updated_at"]
    list_select_related = ["interview__application"]
    raw_id_fields = ["interview"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Debrief)
class DebriefAdmin(admin.ModelAdmin):
    list_display = [
        "interview", "went_well_rating", "top_candidate_rating", "completed_at", "updated_at"
    ]
    list_select_related = ["interview__application"]
    raw_id_fields = ["interview"]
    search_fields = ["interview__application__company", "interview__application__owner__email"]
    readonly_fields = ["created_at", "updated_at"]
