"""Readers' corrections and reports, and the moderators' answers to them."""

from django.db import transaction
from django.utils import timezone

from .. import publication
from ..lifecycle import TRANSITIONS
from ..models import Anecdote, Correction, Report
from ..notifications import notify_correction_decision
from .errors import ModerationError, StaleDecision
from .lifecycle import Action, State, _record, _require_moderator


def _record_feedback(story, *, actor, action, message, reason=""):
    """The story's audit trail notes a correction or a report, or a decision on one: neither
    changes the story's state."""
    _record(
        story,
        actor=actor,
        action=action,
        from_state=story.state,
        reason=reason,
        message=message.strip(),
    )


def propose_correction(*, story, proposer, text, note=""):
    """A signed-in user proposes new text for a published story; the live text stays as it is."""
    if not (proposer and proposer.is_authenticated):
        raise ModerationError("Sign in to propose a correction.")
    text = (text or "").strip()
    with transaction.atomic():
        current = Anecdote.objects.select_for_update().get(pk=story.pk)
        if current.state not in TRANSITIONS[Action.CORRECTION_PROPOSED].from_states:
            raise ModerationError("Only a published story can be corrected; edit it instead.")
        if not text or text == current.text:
            raise ModerationError("The proposed text is the same as the published one.")
        # Checked under the story's lock; the database's partial unique constraint backs it.
        if current.corrections.filter(proposer=proposer, state=Correction.State.PENDING).exists():
            raise ModerationError(
                "You already have a correction of this story waiting for a moderator: wait "
                "for their answer before proposing another."
            )
        correction = Correction.objects.create(
            anecdote=current,
            proposer=proposer,
            text=text,
            note=note.strip(),
            base_text=current.text,
        )
        _record_feedback(current, actor=proposer, action=Action.CORRECTION_PROPOSED, message=note)
    return correction


def _decide(item, *, moderator, to_state, message, named):
    """Lock-free decision on a correction or a report (``named`` "This report"): the
    conditional UPDATE lets exactly one moderator decide it; the others are told who did."""
    by, at, text = item.decision_columns
    waiting = type(item).objects.filter(pk=item.pk, state=item.waiting_state)
    decided = waiting.update(
        state=to_state, **{by: moderator, at: timezone.now(), text: message.strip()}
    )
    if decided != 1:
        raise StaleDecision(_decided_first(item, named))
    item.refresh_from_db()


def _decided_first(item, named):
    """ "This report was already dismissed by bob.": who won the race, as the loser reads it."""
    decided_by = item.decision_columns[0]
    current = type(item).objects.select_related(decided_by).get(pk=item.pk)
    said = f"{named} was already {current.get_state_display().lower()}"
    winner = getattr(current, decided_by)
    # No one named: decided by an account deleted since.
    return f"{said} by {winner.get_username()}." if winner else f"{said}."


def _decide_correction(correction, *, moderator, to_state, message):
    _require_moderator(moderator)
    _decide(
        correction,
        moderator=moderator,
        to_state=to_state,
        message=message,
        named="This correction",
    )
    notify_correction_decision(correction)


def accept_correction(*, correction, moderator, message=""):
    """Replace the published text with the proposed one, keeping both in the history."""
    with transaction.atomic():
        _decide_correction(
            correction, moderator=moderator, to_state=Correction.State.ACCEPTED, message=message
        )
        story = Anecdote.objects.select_for_update().get(pk=correction.anecdote_id)
        if story.state != State.PUBLISHED:
            raise ModerationError("The story is no longer published; edit it directly instead.")
        shown_before = publication.footprint(story)
        story.text = correction.text
        story.version += 1
        story.save(update_fields=["text", "version", "updated_at"])
        publication.story_changed(story, before=shown_before)
        _record_feedback(story, actor=moderator, action=Action.CORRECTION_ACCEPTED, message=message)
    return correction


def reject_correction(*, correction, moderator, message=""):
    with transaction.atomic():
        _decide_correction(
            correction, moderator=moderator, to_state=Correction.State.REJECTED, message=message
        )
        _record_feedback(
            correction.anecdote,
            actor=moderator,
            action=Action.CORRECTION_REJECTED,
            message=message,
        )
    return correction


def report_story(*, story, reporter, reason, note=""):
    """A reader (signed in or not) reports a problem with a published story."""
    if reason not in Report.Reason.values:
        raise ModerationError("Choose what is wrong with the story.")
    reporter = reporter if reporter and reporter.is_authenticated else None
    with transaction.atomic():
        current = Anecdote.objects.get(pk=story.pk)
        if current.state != State.PUBLISHED:
            raise ModerationError("Only published stories can be reported.")
        report = Report.objects.create(
            anecdote=current,
            reporter=reporter,
            signed_in=reporter is not None,
            reason=reason,
            note=(note or "").strip(),
        )
        _record_feedback(
            current, actor=reporter, action=Action.REPORTED, reason=reason, message=report.note
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
        _decide(
            report,
            moderator=moderator,
            to_state=to_state,
            message=message,
            named="This report",
        )
        action = Action.REPORT_DISMISSED if outcome == "dismissed" else Action.REPORT_RESOLVED
        _record_feedback(report.anecdote, actor=moderator, action=action, message=message)
    return report
