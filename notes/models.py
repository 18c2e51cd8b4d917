"""Correspondence: what the candidate sent, and (later) drafts, brag book and resources."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from interviews.models import Application, Interview, Interviewer


class CorrespondenceKind(models.TextChoices):
    """What a piece of correspondence was for; the cadence rules read these (DOMAIN.md §3)."""

    THANK_YOU = "thank_you", "Thank-you note"
    STATUS_CHECK = "status_check", "Status check"
    CHECK_IN = "check_in", "Check-in"
    VALUE_ADD = "value_add", "Value-add follow-up"
    REJECTION_REPLY = "rejection_reply", "Reply to a rejection"
    OPENINGS_INQUIRY = "openings_inquiry", "Inquiry about other openings"
    STAY_IN_TOUCH = "stay_in_touch", "Stay-in-touch note"
    WORK_PRODUCT = "work_product", "Work product or 30/60/90-day plan"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CARD = "card", "Handwritten card"
    LETTER = "letter", "One-page letter"
    PHONE = "phone", "Phone call"
    OTHER = "other", "Other"


class CorrespondenceQuerySet(models.QuerySet):
    def owned_by(self, user) -> CorrespondenceQuerySet:
        return self.filter(application__owner=user)


class Correspondence(models.Model):
    """One thing the candidate sent, on the application's timeline."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="correspondence"
    )
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="correspondence"
    )
    interviewer = models.ForeignKey(
        Interviewer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correspondence",
    )
    kind = models.CharField(max_length=20, choices=CorrespondenceKind)
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.EMAIL)
    sent_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, max_length=20_000)

    objects = CorrespondenceQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name_plural = "correspondence"
        indexes = [models.Index(fields=["application", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display().lower()})"
