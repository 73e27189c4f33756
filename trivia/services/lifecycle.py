"""A story's moderation state, changed in one place (DESIGN §3).

Each function takes keyword-only arguments, runs in one transaction, locks the row, checks that
the current state allows the change, makes it, and records a ``ModerationEvent``. Which states
allow which change, who may make it, where it leads and whether the contributor is told are
read from ``trivia.lifecycle.TRANSITIONS``; what the table does not allow raises
``ModerationError`` with a message a person can read.

Two moderators deciding the same story at once: ``select_for_update`` serialises them on
PostgreSQL, the IMMEDIATE transaction mode does on SQLite, and the final ``UPDATE … WHERE state =
… AND version = …`` checked by its row count refuses a stale decision on any database.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import publication
from ..forms.fields import STORY_MAX_CHARS
from ..lifecycle import AUTHOR, MODERATOR, REASONS_NEEDING_A_MESSAGE, TRANSITIONS, can_moderate
from ..models import Anecdote, ModerationEvent
from ..notifications import notify_decision
from .errors import ModerationError, StaleDecision

State = Anecdote.State


Action = ModerationEvent.Action


# What a moderator (or the contributor, where allowed) may change through ``edit_story``.
EDITABLE_FIELDS = frozenset(
    {
        "text",
        "title",
        "proposed_title",
        "proposed_title_kind",
        "proposed_title_year",
        "is_spoiler",
        "image",
        "accuracy",
        "accuracy_note",
    }
)


def _require_moderator(user):
    if not can_moderate(user):
        raise ModerationError("Only moderators can do this.")


def _require_author(story, user):
    if not (user and user.is_authenticated and story.contributor_id == user.pk):
        raise ModerationError("Only the contributor of this story can do this.")


def _require_role(action, actor, story):
    """Refuse ``actor`` unless they hold the role the table gives ``action``."""
    who = TRANSITIONS[action].who
    if who == MODERATOR:
        _require_moderator(actor)
    elif who == AUTHOR:
        _require_author(story, actor)


def _record(story, *, actor, action, from_state, to_state=None, reason="", message=""):
    """Append the event, with what the story says now and its number, which the event keeps
    if the story is deleted."""
    return ModerationEvent.objects.create(
        anecdote=story,
        story_number=story.pk,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=story.state if to_state is None else to_state,
        reason=reason,
        message=message,
        snapshot=story.snapshot(),
    )


def _describe_state(story):
    """ "already published (approved by mod at 10:02 UTC)" — what a refused actor is told."""
    last = story.events.exclude(action=Action.EDITED).order_by("-created_at", "-pk").first()
    label = story.get_state_display().lower()
    if last is None:
        return label
    who = last.actor.get_username() if last.actor else "someone"
    return f"{label} ({last.get_action_display().lower()} by {who} at {last.created_at:%H:%M} UTC)"


def _transition(
    story,
    *,
    actor,
    action,
    to_state=None,
    expected_version=None,
    check=None,
    fields=None,
    reason="",
    message="",
):
    """Lock, check, change, record: the one path of every state change.

    ``action``'s row in ``TRANSITIONS`` says from which states it may start, where it leads
    (``to_state`` chooses among the row's destinations, the first by default) and whether the
    contributor is emailed.
    """
    row = TRANSITIONS[action]
    to_state = to_state or row.to_state
    if to_state not in row.to_states:
        raise ModerationError(f"Cannot {row.verb} this story: it cannot become {to_state}.")
    with transaction.atomic():
        current = Anecdote.objects.select_for_update().get(pk=story.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleDecision(
                f"This story changed while you were looking at it: it is now "
                f"{_describe_state(current)}. Reload it and decide again."
            )
        if current.state not in row.from_states:
            error = StaleDecision if current.state != story.state else ModerationError
            raise error(f"Cannot {row.verb} this story: it is {_describe_state(current)}.")
        if check:
            check(current)
        shown_before = publication.footprint(current)
        before = current.state
        updates = {"state": to_state, "version": F("version") + 1, **(fields or {})}
        changed = Anecdote.objects.filter(
            pk=current.pk, state=current.state, version=current.version
        ).update(**updates, updated_at=timezone.now())
        if changed != 1:
            raise StaleDecision("Someone else decided this story at the same moment. Reload it.")
        current.refresh_from_db()
        event = _record(
            current, actor=actor, action=action, from_state=before, reason=reason, message=message
        )
        # Search, counts and cached pages follow in the same transaction: found, counted and
        # shown once published, not after.
        publication.story_changed(current, before=shown_before)
        if row.notifies:
            notify_decision(event)
    _copy_state(current, into=story)
    return story


def _copy_state(source, *, into):
    for field in (
        "state",
        "version",
        "published_at",
        "submitted_at",
        "rejection_reason",
        "moderator_message",
        "updated_at",
    ):
        setattr(into, field, getattr(source, field))


def approve_story(*, story, moderator, expected_version=None):
    """Publish a pending story. It must have a title, at least one source, and be no longer
    than a contributor's story may be (an imported one can be: it is shortened first)."""
    _require_role(Action.APPROVED, moderator, story)

    def check(current):
        if current.title_id is None:
            raise ModerationError("Assign a title before approving this story.")
        if not current.citations.exists():
            raise ModerationError("Add at least one source before approving this story.")
        if len(current.text) > STORY_MAX_CHARS:
            raise ModerationError(
                f"This story has {len(current.text):,} characters, more than the "
                f"{STORY_MAX_CHARS:,} a contributor's story may have: shorten it first."
            )

    return _transition(
        story,
        actor=moderator,
        action=Action.APPROVED,
        expected_version=expected_version,
        check=check,
        fields={"published_at": timezone.now(), "rejection_reason": "", "moderator_message": ""},
    )


def _valid_reason(reason, message):
    if reason not in Anecdote.RejectionReason.values:
        raise ModerationError("Choose a reason from the list.")
    # "Other" alone tells the contributor nothing; the admin's form says so too, but every
    # caller (the desk, a shell, a script) comes through here.
    if reason in REASONS_NEEDING_A_MESSAGE and not (message or "").strip():
        raise ModerationError(
            f'With the reason "{Anecdote.RejectionReason(reason).label}", write a message '
            "saying why: the contributor sees it."
        )


def reject_story(*, story, moderator, reason, message="", expected_version=None):
    """Refuse a pending story; the reason and message are shown to its contributor."""
    _require_role(Action.REJECTED, moderator, story)
    _valid_reason(reason, message)
    return _transition(
        story,
        actor=moderator,
        action=Action.REJECTED,
        expected_version=expected_version,
        fields={"rejection_reason": reason, "moderator_message": message.strip()},
        reason=reason,
        message=message.strip(),
    )


def unpublish_story(*, story, moderator, reason, message="", to_state=None, expected_version=None):
    """Take a published story off the site with a reason: back to the queue (the table's
    first destination, the default) or rejected."""
    _require_role(Action.UNPUBLISHED, moderator, story)
    _valid_reason(reason, message)
    destinations = TRANSITIONS[Action.UNPUBLISHED].to_states
    to_state = to_state or destinations[0]
    if to_state not in destinations:
        raise ModerationError("An unpublished story goes back to the queue or is rejected.")
    rejected = to_state == State.REJECTED
    return _transition(
        story,
        actor=moderator,
        action=Action.UNPUBLISHED,
        to_state=to_state,
        expected_version=expected_version,
        fields={
            "published_at": None,
            "rejection_reason": reason if rejected else "",
            "moderator_message": message.strip(),
        },
        reason=reason,
        message=message.strip(),
    )


def withdraw_story(*, story, contributor):
    """The contributor takes back a submission nobody reads yet (pending or rejected)."""
    _require_role(Action.WITHDRAWN, contributor, story)
    return _transition(story, actor=contributor, action=Action.WITHDRAWN)


def resubmit_story(*, story, contributor, message=""):
    """Send a rejected or withdrawn story (usually just edited) back to the queue. ``message``
    tells the moderators what the contributor changed."""
    _require_role(Action.RESUBMITTED, contributor, story)
    return _transition(
        story,
        actor=contributor,
        action=Action.RESUBMITTED,
        fields={"submitted_at": timezone.now()},
        message=message,
    )


def edit_story(*, story, editor, changes=None, tags=None, people=None, expected_version=None):
    """Change a story's content without changing its state, and record it in the history.

    Moderators may edit a story in any state (typically to correct it before approving); a
    contributor only their own story, in the states the table's "edit" row allows. ``changes``
    maps field names of ``EDITABLE_FIELDS`` to new values; ``tags`` and ``people`` (objects or
    ids), when given, replace the story's. The event is recorded when the story differs from its
    last recorded snapshot, so tags and citations changed earlier in the same transaction (as
    the admin's inlines do) are part of the record too.
    """
    changes = dict(changes or {})
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ModerationError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    if "text" in changes:
        changes["text"] = (changes["text"] or "").strip()
        if not changes["text"]:
            raise ModerationError("A story needs some text.")
    with transaction.atomic():
        current = Anecdote.objects.select_for_update().get(pk=story.pk)
        if not can_moderate(editor):
            _require_author(current, editor)
            if current.state not in TRANSITIONS[Action.EDITED].from_states:
                raise ModerationError(
                    f"A {current.get_state_display().lower()} story cannot be edited directly"
                    + (": propose a correction instead." if current.is_published else ".")
                )
        if expected_version is not None and current.version != expected_version:
            raise StaleDecision(
                "Someone else changed this story while you were editing it. Reload it to see "
                "their change, then make yours again."
            )
        if current.state == State.PUBLISHED and changes.get("title", current.title) is None:
            raise ModerationError("A published story must keep a title.")
        shown_before = publication.footprint(current)
        shown_image = current.image.name
        for field, value in changes.items():
            setattr(current, field, value)
        if "title" in changes and current.title_id:
            current.proposed_title = ""
        if "image" in changes and current.image.name != shown_image:
            current.image_renditions = {}  # the copies were of the image replaced
        current.version += 1
        current.save()
        if tags is not None:
            current.tags.set(list(tags))
        if people is not None:
            current.people.set(list(people))
        last = current.events.order_by("-created_at", "-pk").first()
        snapshot = current.snapshot()
        if last is None or last.snapshot != snapshot:
            _record(current, actor=editor, action=Action.EDITED, from_state=current.state)
        publication.story_changed(current, before=shown_before)
    for field in (*changes, "proposed_title", "version", "updated_at"):
        setattr(story, field, getattr(current, field))
    return story


def delete_story(*, story, superuser):
    """Delete a story for good: a superuser's act (moderators unpublish), recorded like any
    other. Returns the "deleted" event, or None if the story was already gone.

    The trail outlives the story: its events stay, their link to it emptied, each keeping the
    story's number and what it said, and one more says who deleted it, when and from which
    state. Its citations, votes, proposed corrections and reports go with it (the proposals,
    reports and decisions on them are events too). Search, counts and cached pages follow
    through ``trivia.publication``'s delete receivers, in this transaction.
    """
    if not (superuser and superuser.is_active and superuser.is_superuser):
        raise ModerationError("Only a superuser can delete a story; unpublish it instead.")
    with transaction.atomic():
        current = Anecdote.objects.select_for_update().filter(pk=story.pk).first()
        if current is None:
            return None
        # Events written around the services (bulk loads) may not carry the number yet.
        current.events.filter(story_number__isnull=True).update(story_number=current.pk)
        event = _record(
            current, actor=superuser, action=Action.DELETED, from_state=current.state, to_state=""
        )
        current.delete()
    return event
