"""The database checked against what the server acknowledged: no decision lost or doubled, no
acknowledged submission missing."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from trivia.models import Anecdote, ModerationEvent

State = Anecdote.State
Action = ModerationEvent.Action
DECIDED_STATE = {Action.APPROVED: State.PUBLISHED, Action.REJECTED: State.REJECTED}


@dataclass(frozen=True)
class DecisionAck:
    story: int
    action: str  # ModerationEvent.Action.APPROVED or REJECTED
    moderator: str


@dataclass(frozen=True)
class SubmissionAck:
    story: int
    key: str
    contributor: str
    retried: bool = False


def audit_decisions(acks):
    """(lost, doubled, unrecorded).

    Lost: acknowledged decisions the database does not hold, the story in that state with
    that moderator's event. Doubled: stories with more than one approval or rejection event, or
    acknowledged to more than one moderator. Unrecorded: stories published or rejected without
    any decision event.
    """
    ids = {ack.story for ack in acks}
    states = dict(Anecdote.objects.filter(pk__in=ids).values_list("pk", "state"))
    events = set(
        ModerationEvent.objects.filter(anecdote__in=ids, action__in=DECIDED_STATE).values_list(
            "anecdote", "action", "actor__username"
        )
    )
    lost = [
        ack
        for ack in acks
        if states.get(ack.story) != DECIDED_STATE[ack.action]
        or (ack.story, ack.action, ack.moderator) not in events
    ]
    twice_in_database = (
        ModerationEvent.objects.filter(action__in=DECIDED_STATE)
        .values("anecdote")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("anecdote", flat=True)
    )
    twice_acknowledged = [story for story, n in Counter(a.story for a in acks).items() if n > 1]
    doubled = sorted({*twice_in_database, *twice_acknowledged})
    unrecorded = list(
        Anecdote.objects.filter(state__in=DECIDED_STATE.values())
        .exclude(events__action__in=DECIDED_STATE)
        .values_list("pk", flat=True)
    )
    return lost, doubled, unrecorded


def audit_submissions(acks):
    """Acknowledged submissions with no story of that key and contributor, submitted once."""
    found = {
        (pk, str(key), username)
        for pk, key, username in Anecdote.objects.filter(
            pk__in=[ack.story for ack in acks]
        ).values_list("pk", "submission_key", "contributor__username")
    }
    submitted_once = set(
        ModerationEvent.objects.filter(
            anecdote__in=[ack.story for ack in acks], action=Action.SUBMITTED
        )
        .values("anecdote")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .values_list("anecdote", flat=True)
    )
    return [
        ack
        for ack in acks
        if (ack.story, ack.key, ack.contributor) not in found or ack.story not in submitted_once
    ]
