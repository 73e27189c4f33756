"""The audit trail and readers' feedback: moderation events, proposed corrections, reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .stories import Anecdote, StoryState


class ModerationEvent(models.Model):
    """One thing done to a story: who, what, when and why. Append-only: the audit trail."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        IMPORTED = "imported", "Imported"
        EDITED = "edited", "Edited"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESUBMITTED = "resubmitted", "Resubmitted"
        UNPUBLISHED = "unpublished", "Unpublished"
        CORRECTION_PROPOSED = "correction_proposed", "Correction proposed"
        CORRECTION_ACCEPTED = "correction_accepted", "Correction accepted"
        CORRECTION_REJECTED = "correction_rejected", "Correction rejected"
        REPORTED = "reported", "Reported"
        REPORT_DISMISSED = "report_dismissed", "Report dismissed"
        REPORT_RESOLVED = "report_resolved", "Report resolved"

    anecdote = models.ForeignKey(Anecdote, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_events",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(
        max_length=20, choices=StoryState.choices, blank=True, help_text="Empty for a new story."
    )
    to_state = models.CharField(max_length=20, choices=StoryState.choices)
    reason = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict, help_text="The story as it stood after the event.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        when = f"{self.created_at:%Y-%m-%d %H:%M}" if self.created_at else "now"
        return f"{self.get_action_display()} by {self.actor or 'someone'} at {when}"


class CorrectionState(models.TextChoices):
    PENDING = "pending", "Waiting for a moderator"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Not accepted"


class Correction(models.Model):
    """A proposed revision of a published story. The published text stays live until a
    moderator accepts it; ``base_text`` is what the proposer saw, for the moderator's diff."""

    State = CorrectionState

    anecdote = models.ForeignKey(Anecdote, on_delete=models.CASCADE, related_name="corrections")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="corrections"
    )
    text = models.TextField("proposed text")
    note = models.TextField(blank=True, max_length=1000, help_text="Why, and from which source.")
    base_text = models.TextField(editable=False)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_message = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CorrectionState.values), name="correction_state_valid"
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="correction_queue")]

    def __str__(self):
        return f"Correction to “{self.anecdote}”"


class ReportReason(models.TextChoices):
    INACCURATE = "inaccurate", "It is inaccurate"
    DUPLICATE = "duplicate", "It duplicates another story"
    SPOILER = "spoiler", "It has an unmarked spoiler"
    ABUSIVE = "abusive", "It is abusive"
    OTHER = "other", "Something else"


class ReportState(models.TextChoices):
    OPEN = "open", "Open"
    DISMISSED = "dismissed", "Dismissed"
    RESOLVED = "resolved", "Resolved"


class Report(models.Model):
    """A reader's note that a published story has a problem; it waits for a moderator."""

    Reason = ReportReason
    State = ReportState

    anecdote = models.ForeignKey(Anecdote, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text="Empty for an anonymous reader.",
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.OPEN, editable=False
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ReportState.values), name="report_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values), name="report_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="report_queue")]

    def __str__(self):
        return f"{self.get_reason_display()}: “{self.anecdote}”"
