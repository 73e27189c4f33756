"""A story's moderation state, changed in one place (DESIGN §3).

Each function takes keyword-only arguments, runs in one transaction, locks the row, checks that
the current state allows the change, makes it, and records a ``ModerationEvent``. What the state
does not allow raises ``ModerationError`` with a message a person can read.

Two moderators deciding the same story at once: ``select_for_update`` serialises them on
PostgreSQL, the IMMEDIATE transaction mode does on SQLite, and the final ``UPDATE … WHERE state =
… AND version = …`` checked by its row count refuses a stale decision on any database.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import counters, search
from ..models import Anecdote, ModerationEvent
from ..notifications import notify_decision
from ..caching.pages import bump_generation
from .errors import ModerationError, StaleDecision

State = Anecdote.State


Action = ModerationEvent.Action


# What a moderator (or the contributor, where allowed) may change through ``edit_anecdote``.
EDITABLE_FIELDS = frozenset(
    {"text", "title", "proposed_title", "is_spoiler", "image", "accuracy", "accuracy_note"}
)


# Moderators' decisions, which the contributor is told about by email.
DECISIONS = frozenset({Action.APPROVED, Action.REJECTED, Action.UNPUBLISHED})


CONTRIBUTOR_EDITABLE_STATES = frozenset({State.PENDING, State.REJECTED, State.WITHDRAWN})


def can_moderate(user):
    return bool(user and user.is_authenticated and user.has_perm("trivia.moderate_anecdote"))


def _require_moderator(user):
    if not can_moderate(user):
        raise ModerationError("Only moderators can do this.")


def _record(anecdote, *, actor, action, from_state, reason="", message=""):
    """Append the event; when the story is or was public, every cached page goes stale."""
    if State.PUBLISHED in (from_state, anecdote.state):
        bump_generation()
    return ModerationEvent.objects.create(
        anecdote=anecdote,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=anecdote.state,
        reason=reason,
        message=message,
        snapshot=anecdote.snapshot(),
    )


def _describe_state(anecdote):
    """ "already published (approved by mod at 10:02 UTC)" — what a refused actor is told."""
    last = anecdote.events.exclude(action=Action.EDITED).order_by("-created_at", "-pk").first()
    label = anecdote.get_state_display().lower()
    if last is None:
        return label
    who = last.actor.get_username() if last.actor else "someone"
    return f"{label} ({last.get_action_display().lower()} by {who} at {last.created_at:%H:%M} UTC)"


def _transition(
    anecdote,
    *,
    actor,
    action,
    allowed_from,
    to_state,
    expected_version=None,
    check=None,
    fields=None,
    reason="",
    message="",
):
    """Lock, check, change, record: the one path of every state change."""
    with transaction.atomic():
        current = Anecdote.objects.select_for_update().get(pk=anecdote.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleDecision(
                f"This story changed while you were looking at it: it is now "
                f"{_describe_state(current)}. Reload it and decide again."
            )
        if current.state not in allowed_from:
            error = StaleDecision if current.state != anecdote.state else ModerationError
            raise error(
                f"Cannot {action_verb(action)} this story: it is {_describe_state(current)}."
            )
        if check:
            check(current)
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
        # Search and the story counts follow publication in the same transaction: found and
        # counted once published, not after.
        if to_state == State.PUBLISHED:
            search.index_anecdote(current)
            counters.story_published(current)
        elif before == State.PUBLISHED:
            search.forget_anecdote(current)
            counters.story_unpublished(current)
        if action in DECISIONS:
            notify_decision(event)
    _copy_state(current, into=anecdote)
    return anecdote


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


def action_verb(action):
    return {
        Action.APPROVED: "approve",
        Action.REJECTED: "reject",
        Action.WITHDRAWN: "withdraw",
        Action.RESUBMITTED: "resubmit",
        Action.UNPUBLISHED: "unpublish",
    }.get(action, str(action))


def approve_anecdote(*, anecdote, moderator, expected_version=None):
    """Publish a pending story. It must have a title and at least one source."""
    _require_moderator(moderator)

    def check(current):
        if current.title_id is None:
            raise ModerationError("Assign a title before approving this story.")
        if not current.citations.exists():
            raise ModerationError("Add at least one source before approving this story.")

    return _transition(
        anecdote,
        actor=moderator,
        action=Action.APPROVED,
        allowed_from={State.PENDING},
        to_state=State.PUBLISHED,
        expected_version=expected_version,
        check=check,
        fields={"published_at": timezone.now(), "rejection_reason": "", "moderator_message": ""},
    )


def _valid_reason(reason):
    if reason not in Anecdote.RejectionReason.values:
        raise ModerationError("Choose a reason from the list.")


def reject_anecdote(*, anecdote, moderator, reason, message="", expected_version=None):
    """Refuse a pending story; the reason and message are shown to its contributor."""
    _require_moderator(moderator)
    _valid_reason(reason)
    return _transition(
        anecdote,
        actor=moderator,
        action=Action.REJECTED,
        allowed_from={State.PENDING},
        to_state=State.REJECTED,
        expected_version=expected_version,
        fields={"rejection_reason": reason, "moderator_message": message.strip()},
        reason=reason,
        message=message.strip(),
    )


def unpublish_anecdote(
    *, anecdote, moderator, reason, message="", to_state=State.PENDING, expected_version=None
):
    """Take a published story off the site, back to the queue or rejected, with a reason."""
    _require_moderator(moderator)
    _valid_reason(reason)
    if to_state not in (State.PENDING, State.REJECTED):
        raise ModerationError("An unpublished story goes back to the queue or is rejected.")
    rejected = to_state == State.REJECTED
    return _transition(
        anecdote,
        actor=moderator,
        action=Action.UNPUBLISHED,
        allowed_from={State.PUBLISHED},
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


def _require_author(anecdote, user):
    if not (user and user.is_authenticated and anecdote.contributor_id == user.pk):
        raise ModerationError("Only the contributor of this story can do this.")


def withdraw_anecdote(*, anecdote, contributor):
    """The contributor takes back a pending or rejected submission."""
    _require_author(anecdote, contributor)
    return _transition(
        anecdote,
        actor=contributor,
        action=Action.WITHDRAWN,
        allowed_from={State.PENDING, State.REJECTED},
        to_state=State.WITHDRAWN,
    )


def resubmit_anecdote(*, anecdote, contributor):
    """Send a rejected or withdrawn story (usually just edited) back to the queue."""
    _require_author(anecdote, contributor)
    return _transition(
        anecdote,
        actor=contributor,
        action=Action.RESUBMITTED,
        allowed_from={State.REJECTED, State.WITHDRAWN},
        to_state=State.PENDING,
        fields={"submitted_at": timezone.now()},
    )


def edit_anecdote(*, anecdote, editor, changes=None, tags=None, people=None, expected_version=None):
    """Change a story's content without changing its state, and record it in the history.

    Moderators may edit a story in any state (typically to correct it before approving); a
    contributor only their own story while it is not published. ``changes`` maps field names of
    ``EDITABLE_FIELDS`` to new values; ``tags`` and ``people`` (objects or ids), when given,
    replace the story's. The event is recorded when the story differs from its last
    recorded snapshot, so tags and citations changed earlier in the same transaction (as the
    admin's inlines do) are part of the record too.
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
        current = Anecdote.objects.select_for_update().get(pk=anecdote.pk)
        if not can_moderate(editor):
            _require_author(current, editor)
            if current.state not in CONTRIBUTOR_EDITABLE_STATES:
                raise ModerationError(
                    "A published story cannot be edited directly: propose a correction instead."
                )
        if expected_version is not None and current.version != expected_version:
            raise StaleDecision(
                "Someone else changed this story while you were editing it. Reload it to see "
                "their change, then make yours again."
            )
        if current.state == State.PUBLISHED and changes.get("title", current.title) is None:
            raise ModerationError("A published story must keep a title.")
        title_before = current.title_id
        for field, value in changes.items():
            setattr(current, field, value)
        if "title" in changes and current.title_id:
            current.proposed_title = ""
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
        if current.state == State.PUBLISHED:
            search.index_anecdote(current)
            counters.story_moved(from_title_id=title_before, to_title_id=current.title_id)
    for field in (*changes, "proposed_title", "version", "updated_at"):
        setattr(anecdote, field, getattr(current, field))
    return anecdote
