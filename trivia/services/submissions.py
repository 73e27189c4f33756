"""A contributor's story before it is published: the new one (checks, limits and the pending
row with its sources) and its second chance (everything changed, then back to the queue)."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import images, tasks
from ..lifecycle import allowed_actions
from ..matching.people import find_people
from ..models import Anecdote, Citation, ModerationEvent
from .errors import ModerationError, StaleDecision
from .lifecycle import Action, State, _record, can_moderate, edit_story, resubmit_story

# How the resubmission's message names what changed, by the snapshot's keys.
CHANGE_NAMES = {
    "title": "title",
    "proposed_title": "title",
    "text": "text",
    "is_spoiler": "spoiler",
    "image": "image",
    "tags": "tags",
    "people": "people",
    "sources": "sources",
}


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


def revise_submission(
    *, story, contributor, changes, tags, citations, image=None, expected_version=None
):
    """The contributor's second chance: change everything the submit form gave (``changes`` for
    ``edit_story``, ``tags``, ``citations`` replacing the story's, ``image``: a stored name, ""
    to remove it, None to keep it), then send a rejected or withdrawn story back to the queue.

    One transaction: a refused edit resubmits nothing. The resubmission's message names what
    changed ("Changed: sources, title."), so the moderator who rejected it sees the answer in
    the history. Returns those names.
    """
    if not citations:
        raise ModerationError("A story keeps at least one source.")
    with transaction.atomic():
        current = Anecdote.objects.select_for_update().get(pk=story.pk)
        actions = allowed_actions(current, contributor)
        if "edit" not in actions:
            raise ModerationError(
                f"A {current.get_state_display().lower()} story cannot be edited directly."
            )
        if expected_version is not None and current.version != expected_version:
            raise StaleDecision(
                "Someone else changed this story while you were editing it. Reload it to see "
                "their change, then make yours again."
            )
        before = current.snapshot()
        replaced = [current.image.name, *images.rendition_names(current.image_renditions)]
        _replace_citations(current, citations)
        changes = dict(changes)
        if image is not None and image != current.image.name:
            changes["image"] = image
        # A new text's people are suggested from it, as at submission, for the moderator to
        # review; an unchanged text keeps the people a moderator may have set.
        text = (changes.get("text") or "").strip()
        edit_story(
            story=current,
            editor=contributor,
            changes=changes,
            tags=tags,
            people=find_people(text) if text and text != current.text else None,
            expected_version=expected_version,
        )
        after = current.snapshot()
        changed = sorted(
            {name for key, name in CHANGE_NAMES.items() if before.get(key) != after.get(key)}
        )
        if "resubmit" in actions:
            message = f"Changed: {', '.join(changed)}." if changed else "Nothing changed."
            resubmit_story(story=current, contributor=contributor, message=message)
        if "image" in changes:
            transaction.on_commit(partial(images.delete_files, default_storage, replaced))
            tasks.make_renditions_later(current)
    for field in ("state", "version", "text", "title", "image", "updated_at"):
        setattr(story, field, getattr(current, field))
    return changed


def _replace_citations(story, citations):
    """The story cites ``citations`` (unsaved, their sources saved or not) and nothing else; a
    source it already cites, unchanged, keeps its citation, with the quote a moderator may have
    added, rather than becoming a copy of itself."""
    kept = {citation.source_id: citation for citation in story.citations.select_related("source")}
    cited = {_described(citation.source): citation.source for citation in kept.values()}
    new, seen = [], set()
    for citation in citations:
        if citation.source.pk is None:
            citation.source = cited.get(_described(citation.source)) or citation.source
        if citation.source.pk is None:
            citation.source.save()
        if citation.source.pk in seen:
            continue  # the same source described twice is cited once
        seen.add(citation.source.pk)
        old = kept.pop(citation.source.pk, None)
        if old is None:
            citation.anecdote = story
            new.append(citation)
        elif old.locator != citation.locator:
            old.locator = citation.locator
            old.save(update_fields=["locator"])
    Citation.objects.filter(pk__in=[old.pk for old in kept.values()]).delete()
    Citation.objects.bulk_create(new)


def _described(source):
    return (source.kind, source.title, source.publisher, source.author, source.url, source.date)
