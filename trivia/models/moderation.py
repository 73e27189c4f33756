"""The audit trail and readers' feedback: moderation events, proposed corrections, reports."""

from django.conf import settings
from django.db import models

from .base import account_link, one_of
from .stories import Anecdote, StoryState


class ModerationEvent(models.Model):
    """One thing done to a story: who, what, when and why. Append-only: the audit trail.

    The trail outlives what it describes: a story deleted (by a superuser, recorded as one
    more event) leaves its events, their link to it emptied, each still saying which story it
    was (``story_number``) and what it said (``snapshot``)."""

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
        DELETED = "deleted", "Deleted"

    anecdote = models.ForeignKey(
        Anecdote,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        help_text="Empty once the story is deleted.",
    )
    story_number = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The story's number (/anecdotes/<number>/), kept after the story is deleted.",
    )
    actor = account_link("moderation_events")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(
        max_length=20, choices=StoryState.choices, blank=True, help_text="Empty for a new story."
    )
    to_state = models.CharField(
        max_length=20, choices=StoryState.choices, blank=True, help_text="Empty for a deletion."
    )
    reason = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict, help_text="The story as it stood after the event.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        when = f"{self.created_at:%Y-%m-%d %H:%M}" if self.created_at else "now"
        return f"{self.get_action_display()} by {self.actor or 'someone'} at {when}"

    def story_label(self):
        """The story as the trail names it: its excerpt, or once it is deleted its number and
        the first words it had when the event was recorded."""
        if self.anecdote is not None:
            return str(self.anecdote)
        excerpt = " ".join(str((self.snapshot or {}).get("text", "")).split())
        if len(excerpt) > 60:
            excerpt = excerpt[:60] + "…"
        return f"Deleted story {self.story_number or '?'}: {excerpt}"


class ReaderFeedback(models.Model):
    """What a correction and a report share: a reader's note on a published story, waiting in
    its queue (oldest first) until one moderator decides it.

    Each names its decision's columns in its own words; ``waiting_state`` and
    ``decision_columns`` (who decided, when, their message) say which, for the services that
    decide either (``trivia.services.feedback``)."""

    waiting_state = None
    decision_columns = ()

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="%(class)s_queue")]


def _decision_state(choices, default):
    """Where a correction or a report stands: only a moderator's decision changes it."""
    return models.CharField(max_length=20, choices=choices, default=default, editable=False)


class CorrectionState(models.TextChoices):
    PENDING = "pending", "Waiting for a moderator"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Not accepted"


class Correction(ReaderFeedback):
    """A proposed revision of a published story. The published text stays live until a
    moderator accepts it; ``base_text`` is what the proposer saw, for the moderator's diff."""

    State = CorrectionState
    waiting_state = State.PENDING
    decision_columns = ("decided_by", "decided_at", "decision_message")

    anecdote = models.ForeignKey(Anecdote, on_delete=models.CASCADE, related_name="corrections")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="corrections"
    )
    text = models.TextField("proposed text")
    note = models.TextField(blank=True, max_length=1000, help_text="Why, and from which source.")
    base_text = models.TextField(editable=False)
    state = _decision_state(State.choices, State.PENDING)
    decided_by = account_link("+", editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_message = models.TextField(blank=True, editable=False)

    class Meta(ReaderFeedback.Meta):
        constraints = [
            one_of("state", CorrectionState, name="correction_state_valid"),
            # One waiting correction per person and story: a second would race the first.
            models.UniqueConstraint(
                fields=["anecdote", "proposer"],
                condition=models.Q(state=CorrectionState.PENDING),
                name="correction_one_pending_per_proposer",
            ),
        ]

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


class Report(ReaderFeedback):
    """A reader's note that a published story has a problem; it waits for a moderator."""

    Reason = ReportReason
    State = ReportState
    waiting_state = State.OPEN
    decision_columns = ("resolved_by", "resolved_at", "resolution")

    anecdote = models.ForeignKey(Anecdote, on_delete=models.CASCADE, related_name="reports")
    reporter = account_link("reports", help_text="Empty for an anonymous reader.")
    # A deleted account also empties ``reporter``; this tells the two apart.
    signed_in = models.BooleanField(
        default=False, editable=False, help_text="Whether the reporter was signed in."
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    state = _decision_state(State.choices, State.OPEN)
    resolved_by = account_link("+", editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution = models.TextField(blank=True, editable=False)

    class Meta(ReaderFeedback.Meta):
        constraints = [
            one_of("state", ReportState, name="report_state_valid"),
            one_of("reason", ReportReason, name="report_reason_valid"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: “{self.anecdote}”"

    @property
    def sent_by(self):
        """Who sent it, as moderators read it: a name, a deleted account or an anonymous
        reader."""
        if self.reporter is not None:
            return self.reporter.get_username()
        return "a deleted account" if self.signed_in else "an anonymous reader"


class ClaimKind(models.TextChoices):
    STORY = "story", "Story"
    REPORT = "report", "Report"
    CORRECTION = "correction", "Correction"


class ReviewClaim(models.Model):
    """A moderator has an item open on the review desk (``trivia.admin.desk``): for
    ``CLAIM_MINUTES`` the other moderators' desks pass it by, so two people do not read the
    same story at once. A claim is a courtesy, not a lock: the services still refuse the second
    of two decisions, and an expired claim is simply taken over."""

    Kind = ClaimKind

    kind = models.CharField(max_length=20, choices=ClaimKind.choices)
    object_id = models.PositiveBigIntegerField()
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_claims"
    )
    claimed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_claim_per_item"),
            one_of("kind", ClaimKind, name="review_claim_kind_valid"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} claimed by {self.moderator}"
