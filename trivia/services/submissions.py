"""A contributor's new story: checks, limits and the pending row with its sources."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Anecdote, Citation, ModerationEvent
from .errors import ModerationError
from .lifecycle import Action, State, _record, can_moderate


def submit_story(
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
            story = Anecdote.objects.create(
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
                story.tags.set(list(tags))
            if people:
                story.people.set(list(people))
            for citation in citations:
                citation.anecdote = story
            Citation.objects.bulk_create(list(citations))
            _record(
                story,
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
    return story


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
