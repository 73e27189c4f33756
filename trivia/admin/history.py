"""The moderation history: the audit trail's read-only list, and what a story's change page
shows of its past (every event with what it changed, and its contributor's record)."""

from django.contrib import admin
from django.db.models import Count

from ..models import Anecdote, ModerationEvent, Report
from .base import ReadOnlyAdmin

State = Anecdote.State

# What an event's snapshot holds, as the history names it.
SNAPSHOT_LABELS = {
    "title": "Title",
    "proposed_title": "Proposed title",
    "text": "Text",
    "is_spoiler": "Spoiler",
    "accuracy": "Accuracy",
    "accuracy_note": "Accuracy note",
    "image": "Image",
    "tags": "Tags",
    "people": "People",
    "sources": "Sources",
}


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdmin):
    """The audit trail, for reading only: it is written by the services, never by hand."""

    list_display = ["created_at", "action", "actor", "story", "from_state", "to_state", "reason"]
    list_filter = ["action", "reason"]
    list_select_related = ["actor", "anecdote"]
    search_fields = ["anecdote__text", "actor__username", "message"]
    date_hierarchy = "created_at"

    @admin.display(description="story")
    def story(self, event):
        # A deleted story's events stay listed, named by its number and first words.
        return event.story_label()


def moderation_history(story):
    """The story's events, oldest first, each with what it changed since the one before.

    The first event shows the story as submitted, so the original text stays visible after
    any correction.
    """
    rows, before = [], {}
    events = story.events.select_related("actor").order_by("created_at", "pk")
    reporters = anonymous_reporters(story)
    for event in events:
        after = event.snapshot or {}
        changes = [
            {"label": label, "value": display_value(after.get(key)), "is_text": key == "text"}
            for key, label in SNAPSHOT_LABELS.items()
            # Snapshots older than a key (accuracy, note and image came later) say nothing of it.
            if after.get(key) != before.get(key) and (key in before if before else after.get(key))
        ]
        rows.append(
            {
                "event": event,
                "who": actor_label(event, reporters),
                "reason": reason_label(event.reason),
                "changes": changes,
            }
        )
        before = after
    return rows


def anonymous_reporters(story):
    """The story's reports that name nobody, as ``(reason, note, signed_in)`` oldest first.

    A report's event has no actor both when an anonymous reader sent it and when the reader's
    account was deleted since; only the report itself (``Report.signed_in``) tells them apart.
    """
    return list(
        Report.objects.filter(anecdote=story, reporter__isnull=True)
        .order_by("created_at", "pk")
        .values_list("reason", "note", "signed_in")
    )


def actor_label(event, reporters):
    """Who acted, as the history names them: a username, "an anonymous reader" for a report
    sent signed out, otherwise "a deleted account". ``reporters`` (``anonymous_reporters``) is
    consumed in order, each report matched to the first event with its reason and note."""
    if event.actor is not None:
        return event.actor.get_username()
    if event.action == ModerationEvent.Action.REPORTED:
        for index, (reason, note, signed_in) in enumerate(reporters):
            if (reason, note) == (event.reason, event.message):
                del reporters[index]
                return "a deleted account" if signed_in else "an anonymous reader"
    return "a deleted account"


def display_value(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return value or "none"


def reason_label(reason):
    if reason in Anecdote.RejectionReason.values:
        return Anecdote.RejectionReason(reason).label
    return reason


def contributor_counts(user):
    """ "carol: 4 published, 1 rejected" — context for judging a new submission."""
    if user is None:
        return None
    counts = dict(
        Anecdote.objects.filter(contributor=user)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return {
        "user": user,
        "published": counts.get(State.PUBLISHED, 0),
        "rejected": counts.get(State.REJECTED, 0),
        "pending": counts.get(State.PENDING, 0),
    }
