"""Readers' "interesting" votes."""

from django.db import IntegrityError, transaction
from django.db.models import F

from .. import publication
from ..models import Anecdote, Vote
from .errors import ModerationError


def _require_reader(user):
    if not (user and user.is_authenticated):
        raise ModerationError("Sign in to mark stories as interesting.")


def vote_interesting(*, story, user):
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
                .filter(pk=story.pk)
                .update(interest_count=F("interest_count") + 1)
            )
            if not counted:
                raise ModerationError("Only published stories can be marked as interesting.")
            Vote.objects.create(user=user, anecdote_id=story.pk)
            publication.votes_changed(story)
    except IntegrityError:
        # Already voted: the whole transaction, counter included, was rolled back.
        return False
    return True


def withdraw_vote(*, story, user):
    """The reader takes their vote back; returns whether there was one to take back."""
    _require_reader(user)
    with transaction.atomic():
        locked = list(
            Anecdote.objects.published()
            .select_for_update()
            .filter(pk=story.pk)
            .values_list("pk", flat=True)
        )
        if not locked:
            raise ModerationError("Only published stories can be marked as interesting.")
        deleted, _ = Vote.objects.filter(user=user, anecdote_id=story.pk).delete()
        if deleted:
            Anecdote.objects.filter(pk=story.pk).update(interest_count=F("interest_count") - 1)
            publication.votes_changed(story)
    return bool(deleted)
