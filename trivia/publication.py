"""The one owner of what readers see: search entries, story counts and cached pages.

Every service that changes something a reader could notice calls one function here, inside its
own transaction, saying *what* changed: this story (with where it showed before the change),
this title, person, tag or source, this story's votes. The function updates the derived state
in the same transaction:

- search entries (``trivia.search``): a published story is found by its text and its names;
- the published-story counts of titles and tags (``trivia.counters``);
- the stamps of the *scopes* the change touches (``story:<id>``, ``title:<id>``, ``tag:<id>``,
  ``person:<id>`` and ``lists`` for the site-wide lists), on the publication clock: a cached page
  showing any of them is recomputed at the next request (``trivia.caching.pages``).

Nothing else writes these: no model ``save()``, no admin hook, no audit helper. Signals are used
only where Django offers no other door, deletions that cascade (a tag, a person, a story
deleted by a superuser), and are connected in ``trivia.apps``.

What no reader can see stamps nothing: a pending story edited, a report, a proposed or rejected
correction.
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from . import counters
from .caching.pages import EVERYTHING, LISTS, RANKING
from .models import Anecdote, ContentGeneration, PublicVersion, TaggedAnecdote
from .search.index import forget_story, index_story, reindex_stories

STAMP_BATCH = 500


@dataclass(frozen=True)
class Footprint:
    """Where one story shows on the public site: nowhere unless it is published."""

    story_id: int
    published: bool
    title_id: int | None
    tag_ids: frozenset = frozenset()
    person_ids: frozenset = frozenset()

    def scopes(self):
        if not self.published:
            return set()
        return {
            f"story:{self.story_id}",
            f"title:{self.title_id}",
            *(f"tag:{pk}" for pk in self.tag_ids),
            *(f"person:{pk}" for pk in self.person_ids),
        }


def footprint(story):
    """Where ``story`` shows now, read from the database (two small queries when published).
    Services take it before a change, under the story's row lock, and pass it to
    ``story_changed`` after."""
    published = story.state == Anecdote.State.PUBLISHED
    if not published:
        return Footprint(story.pk, False, story.title_id)
    tag_ids = TaggedAnecdote.objects.filter(content_object_id=story.pk).values_list(
        "tag_id", flat=True
    )
    person_ids = Anecdote.people.through.objects.filter(anecdote_id=story.pk).values_list(
        "person_id", flat=True
    )
    return Footprint(story.pk, True, story.title_id, frozenset(tag_ids), frozenset(person_ids))


# --- Stories ---------------------------------------------------------------------------------


def story_changed(story, *, before):
    """``story`` was decided or edited; ``before`` is its ``footprint`` from before the change.
    Its counts, its search entry and the pages that show it, before or after, follow."""
    after = footprint(story)
    if not (before.published or after.published):
        return
    counters.follow(before, after)
    if after.published:
        index_story(story)
    else:
        forget_story(story)
    _stamp(before.scopes() | after.scopes() | {LISTS})


def votes_changed(story):
    """A reader's vote moved ``story``'s interest count: its card, the lists that hold it (its
    title, tags and people) and the site-wide rankings by interest; not the other site-wide
    lists, whose order a vote does not change."""
    current = Anecdote.objects.only("pk", "state", "title_id").get(pk=story.pk)
    _stamp(footprint(current).scopes() | {RANKING})


def story_deleted(before):
    """A story was deleted (by a superuser; its search entry went with it)."""
    if before.published:
        counters.follow(before, Footprint(before.story_id, False, None))
        _stamp(before.scopes() | {LISTS})


def image_ready(story):
    """A story's image copies were made after it was stored: its pages can offer them."""
    if story.state == Anecdote.State.PUBLISHED:
        _stamp({f"story:{story.pk}"})


# --- What stories show of the catalogue -------------------------------------------------------


def _published_of(stories):
    return list(stories.filter(state=Anecdote.State.PUBLISHED).values_list("pk", flat=True))


def _names_changed(scope, story_ids):
    """Something whose name or look the cards and search entries of ``story_ids`` carry
    changed (a title, person, tag or source): their entries are written again and every page
    showing them is recomputed."""
    if story_ids:
        reindex_stories(Anecdote.objects.filter(pk__in=story_ids))
    _stamp({scope, LISTS, *(f"story:{pk}" for pk in story_ids)})


def title_changed(title):
    """A title's name, year, kind, poster, description or aliases changed."""
    _names_changed(f"title:{title.pk}", _published_of(title.anecdotes.all()))


def person_changed(person):
    """A person's name or aliases changed."""
    _names_changed(f"person:{person.pk}", _published_of(person.anecdotes.all()))


def tag_changed(tag):
    """A tag was renamed."""
    story_ids = _published_of(Anecdote.objects.filter(tags=tag))
    _names_changed(f"tag:{tag.pk}", story_ids)


def source_changed(source):
    """A source's address, name or author changed: the stories citing it show it."""
    _names_changed(LISTS, _published_of(Anecdote.objects.filter(sources=source)))


def contributor_changed(user):
    """A contributor was renamed or their account closed or opened: every card of their
    published stories names them and links their profile while it is open."""
    story_ids = _published_of(user.anecdotes.all())
    if story_ids:
        _stamp({f"story:{pk}" for pk in story_ids})


# --- Deletions that cascade (receivers connected in trivia.apps) -------------------------------


def note_before_delete(sender, instance, **kwargs):
    """``pre_delete``: remember what the deleted object showed on while it still exists."""
    if isinstance(instance, Anecdote):
        instance._public_footprint = footprint(instance)
    else:  # a person or a tag: the published stories that carry its name
        lookup = "tags" if sender.__name__ == "Tag" else "people"
        instance._public_story_ids = _published_of(Anecdote.objects.filter(**{lookup: instance}))


def follow_delete(sender, instance, **kwargs):
    """``post_delete``: the deleted object leaves the counts, search and cached pages."""
    if isinstance(instance, Anecdote):
        story_deleted(instance._public_footprint)
    else:
        scope = f"{sender.__name__.lower()}:{instance.pk}"
        _names_changed(scope, instance._public_story_ids)


# --- The stamps ------------------------------------------------------------------------------


def _tick():
    """Raise the publication clock and return its new value, under its row lock until the
    caller's transaction ends: changes are stamped in the order they commit.

    The clock follows the wall clock in microseconds (never going back, never repeating), so
    that a database restored from a backup, whose clock is older than pages cached since, still
    stamps its changes later than any of them (``restore`` stamps everything).
    """
    now = time.time_ns() // 1000
    ticked = Greatest(F("value") + 1, Value(now))
    if not ContentGeneration.objects.filter(pk=1).update(value=ticked):
        ContentGeneration.objects.get_or_create(pk=1, defaults={"value": 0})
        ContentGeneration.objects.filter(pk=1).update(value=ticked)
    return ContentGeneration.objects.values_list("value", flat=True).get(pk=1)


def _stamp(scopes):
    """Stamp ``scopes`` with a new tick of the clock, in the caller's transaction."""
    scopes = sorted(scopes)  # one order for every writer: no deadlock between two of them
    if not scopes:
        return
    quote = connection.ops.quote_name
    meta = PublicVersion._meta
    table = quote(meta.db_table)
    scope, changed_at = (quote(meta.get_field(name).column) for name in ("scope", "changed_at"))
    with transaction.atomic():
        clock = _tick()
        with connection.cursor() as cursor:
            for start in range(0, len(scopes), STAMP_BATCH):
                batch = scopes[start : start + STAMP_BATCH]
                rows = ", ".join(["(%s, %s)"] * len(batch))
                cursor.execute(
                    f"INSERT INTO {table} ({scope}, {changed_at}) VALUES {rows} "
                    f"ON CONFLICT ({scope}) DO UPDATE SET {changed_at} = excluded.{changed_at}",
                    [value for name in batch for value in (name, clock)],
                )


def stamp_everything():
    """Every cached page and fragment is recomputed at its next request: for changes made
    around the services (a restored backup, bulk loads, ``recount_stories``)."""
    _stamp({EVERYTHING})
