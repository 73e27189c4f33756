"""Every change to an anecdote's moderation state, in one place (DESIGN §3).

Each function takes keyword-only arguments, runs in one transaction, locks the row, checks that
the current state allows the change, makes it, and records a ``ModerationEvent``. What the state
does not allow raises ``ModerationError`` with a message a person can read. Views, admin actions
and commands call these; none of them changes ``Anecdote.state`` itself.

Two moderators deciding the same story at once: ``select_for_update`` serialises them on
PostgreSQL, the IMMEDIATE transaction mode does on SQLite, and the final ``UPDATE … WHERE state =
… AND version = …`` checked by its row count refuses a stale decision on any database.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import counters, search
from .models import Anecdote, Citation, Correction, ModerationEvent, Report, Vote
from .notifications import notify_correction_decision, notify_decision
from .page_cache import bump_generation

State = Anecdote.State
Action = ModerationEvent.Action

# What a moderator (or the contributor, where allowed) may change through ``edit_anecdote``.
EDITABLE_FIELDS = frozenset(
    {"text", "title", "proposed_title", "is_spoiler", "image", "accuracy", "accuracy_note"}
)
# Moderators' decisions, which the contributor is told about by email.
DECISIONS = frozenset({Action.APPROVED, Action.REJECTED, Action.UNPUBLISHED})
CONTRIBUTOR_EDITABLE_STATES = frozenset({State.PENDING, State.REJECTED, State.WITHDRAWN})


class ModerationError(Exception):
    """A change the story's state or the actor's role does not allow."""


class StaleDecision(ModerationError):
    """Someone else changed the story first; nothing of this attempt was saved."""


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


def submit_anecdote(
    *,
    contributor,
    text,
    title=None,
    proposed_title="",
    proposed_title_kind="",
    proposed_title_year=None,
    tags=(),
    people=(),
    is_spoiler=False,
    citations=(),
    image=None,
    image_renditions=None,
    submission_key=None,
    imported=False,
):
    """Create a pending story with its citations (unsaved ``Citation`` objects, source set).

    ``imported`` marks stories a moderator brought in from an article rather than a contributor.
    ``people`` (``Person`` objects or ids) are those the story is suggested to be about; the
    moderator reviews them before approving.
    ``image_renditions`` describes the image's smaller copies (``images.make_renditions``).
    ``submission_key`` makes a repeated submit (a double click, a resent form) return the story
    the first one created instead of creating another.
    """
    text = (text or "").strip()
    if not text:
        raise ModerationError("A story needs some text.")
    if submission_key is not None:
        existing = Anecdote.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    if not imported:
        check_submission_allowance(contributor)
    try:
        with transaction.atomic():
            anecdote = Anecdote.objects.create(
                contributor=contributor,
                text=text,
                title=title,
                proposed_title="" if title else proposed_title.strip(),
                proposed_title_kind="" if title else proposed_title_kind,
                proposed_title_year=None if title else proposed_title_year,
                is_spoiler=is_spoiler,
                image=image or "",
                image_renditions=image_renditions or {},
                submission_key=submission_key,
                state=State.PENDING,
                submitted_at=timezone.now(),
            )
            if tags:
                anecdote.tags.set(list(tags))
            if people:
                anecdote.people.set(list(people))
            for citation in citations:
                citation.anecdote = anecdote
            Citation.objects.bulk_create(list(citations))
            _record(
                anecdote,
                actor=contributor,
                action=Action.IMPORTED if imported else Action.SUBMITTED,
                from_state="",
            )
    except IntegrityError:
        # Two copies of one submit raced: the other one created the story.
        existing = Anecdote.objects.filter(submission_key=submission_key).first()
        if submission_key is None or existing is None:
            raise
        return existing
    return anecdote


def check_submission_allowance(contributor):
    """Until their first approved story, an account submits a few stories a day at most
    (``settings.NEW_ACCOUNT_DAILY_STORIES``; None lifts the limit)."""
    limit = settings.NEW_ACCOUNT_DAILY_STORIES
    if limit is None or contributor is None or can_moderate(contributor):
        return
    ever_approved = ModerationEvent.objects.filter(
        anecdote__contributor=contributor, action=Action.APPROVED
    ).exists()
    if ever_approved:
        return
    since = timezone.now() - timedelta(days=1)
    if contributor.anecdotes.filter(submitted_at__gte=since).count() >= limit:
        raise ModerationError(
            f"New accounts can submit {limit} stories a day until a moderator "
            "approves their first one. Please come back tomorrow."
        )


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


def propose_correction(*, anecdote, proposer, text, note=""):
    """A signed-in user proposes new text for a published story; the live text stays as it is."""
    if not (proposer and proposer.is_authenticated):
        raise ModerationError("Sign in to propose a correction.")
    text = (text or "").strip()
    with transaction.atomic():
        current = Anecdote.objects.select_for_update().get(pk=anecdote.pk)
        if current.state != State.PUBLISHED:
            raise ModerationError("Only a published story can be corrected; edit it instead.")
        if not text or text == current.text:
            raise ModerationError("The proposed text is the same as the published one.")
        correction = Correction.objects.create(
            anecdote=current,
            proposer=proposer,
            text=text,
            note=note.strip(),
            base_text=current.text,
        )
        _record(
            current,
            actor=proposer,
            action=Action.CORRECTION_PROPOSED,
            from_state=current.state,
            message=note.strip(),
        )
    return correction


def _decide_correction(correction, *, moderator, to_state, message):
    """Lock-free decision: the conditional UPDATE lets exactly one moderator decide."""
    _require_moderator(moderator)
    decided = Correction.objects.filter(pk=correction.pk, state=Correction.State.PENDING).update(
        state=to_state,
        decided_by=moderator,
        decided_at=timezone.now(),
        decision_message=message.strip(),
    )
    if decided != 1:
        raise StaleDecision("This correction was already decided by another moderator.")
    correction.refresh_from_db()
    notify_correction_decision(correction)


def accept_correction(*, correction, moderator, message=""):
    """Replace the published text with the proposed one, keeping both in the history."""
    with transaction.atomic():
        _decide_correction(
            correction, moderator=moderator, to_state=Correction.State.ACCEPTED, message=message
        )
        anecdote = Anecdote.objects.select_for_update().get(pk=correction.anecdote_id)
        if anecdote.state != State.PUBLISHED:
            raise ModerationError("The story is no longer published; edit it directly instead.")
        anecdote.text = correction.text
        anecdote.version += 1
        anecdote.save(update_fields=["text", "version", "updated_at"])
        search.index_anecdote(anecdote)
        _record(
            anecdote,
            actor=moderator,
            action=Action.CORRECTION_ACCEPTED,
            from_state=anecdote.state,
            message=message.strip(),
        )
    return correction


def reject_correction(*, correction, moderator, message=""):
    with transaction.atomic():
        _decide_correction(
            correction, moderator=moderator, to_state=Correction.State.REJECTED, message=message
        )
        _record(
            correction.anecdote,
            actor=moderator,
            action=Action.CORRECTION_REJECTED,
            from_state=correction.anecdote.state,
            message=message.strip(),
        )
    return correction


def report_anecdote(*, anecdote, reporter, reason, note=""):
    """A reader (signed in or not) reports a problem with a published story."""
    if reason not in Report.Reason.values:
        raise ModerationError("Choose what is wrong with the story.")
    reporter = reporter if reporter and reporter.is_authenticated else None
    with transaction.atomic():
        current = Anecdote.objects.get(pk=anecdote.pk)
        if current.state != State.PUBLISHED:
            raise ModerationError("Only published stories can be reported.")
        report = Report.objects.create(
            anecdote=current, reporter=reporter, reason=reason, note=(note or "").strip()
        )
        _record(
            current,
            actor=reporter,
            action=Action.REPORTED,
            from_state=current.state,
            reason=reason,
            message=report.note,
        )
    return report


def resolve_report(*, report, moderator, outcome, message=""):
    """Close a report: ``dismissed`` (nothing wrong) or ``resolved`` (the story was fixed or
    unpublished — do that through the other services first)."""
    _require_moderator(moderator)
    to_state = {"dismissed": Report.State.DISMISSED, "resolved": Report.State.RESOLVED}.get(outcome)
    if to_state is None:
        raise ModerationError("A report is either dismissed or resolved.")
    with transaction.atomic():
        closed = Report.objects.filter(pk=report.pk, state=Report.State.OPEN).update(
            state=to_state,
            resolved_by=moderator,
            resolved_at=timezone.now(),
            resolution=message.strip(),
        )
        if closed != 1:
            raise StaleDecision("This report was already handled by another moderator.")
        report.refresh_from_db()
        action = Action.REPORT_DISMISSED if outcome == "dismissed" else Action.REPORT_RESOLVED
        _record(
            report.anecdote,
            actor=moderator,
            action=action,
            from_state=report.anecdote.state,
            message=message.strip(),
        )
    return report


# --- "Interesting" votes ------------------------------------------------------------------
# Not moderation: no event is recorded and the story's version is untouched, but the same rule
# holds that only this module changes a story's row. Both functions take the story's row lock
# first (the UPDATE in one, SELECT … FOR UPDATE in the other), so a vote and a withdrawal racing
# on one story queue up in the same order instead of deadlocking.


def _require_reader(user):
    if not (user and user.is_authenticated):
        raise ModerationError("Sign in to mark stories as interesting.")


def vote_interesting(*, anecdote, user):
    """A signed-in reader finds a published story interesting; returns whether it counted.

    One vote each: the unique constraint decides, so a double click or two tabs voting at once
    add one vote and the second attempt is a quiet no-op. The counter moves in the same
    transaction as the vote, so ``interest_count`` always equals the number of votes.
    """
    _require_reader(user)
    try:
        with transaction.atomic():
            counted = (
                Anecdote.objects.published()
                .filter(pk=anecdote.pk)
                .update(interest_count=F("interest_count") + 1)
            )
            if not counted:
                raise ModerationError("Only published stories can be marked as interesting.")
            Vote.objects.create(user=user, anecdote_id=anecdote.pk)
    except IntegrityError:
        # Already voted: the whole transaction, counter included, was rolled back.
        return False
    return True


def withdraw_vote(*, anecdote, user):
    """The reader takes their vote back; returns whether there was one to take back."""
    _require_reader(user)
    with transaction.atomic():
        locked = list(
            Anecdote.objects.published()
            .select_for_update()
            .filter(pk=anecdote.pk)
            .values_list("pk", flat=True)
        )
        if not locked:
            raise ModerationError("Only published stories can be marked as interesting.")
        deleted, _ = Vote.objects.filter(user=user, anecdote_id=anecdote.pk).delete()
        if deleted:
            Anecdote.objects.filter(pk=anecdote.pk).update(interest_count=F("interest_count") - 1)
    return bool(deleted)
