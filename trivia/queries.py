"""Titles, tags and people as the public sees them: only those with published stories, with their
counts.

Every function here derives "published" from ``Anecdote.objects.published()`` rather than
filtering on the state itself, so that the one definition of public also decides which titles,
tags and people exist for a reader and what their counts say. The counts are the ones
``trivia.counters`` keeps of ``published()`` in step with every change: reading a row per
title or tag costs the same at 300 stories as at 300,000, where counting cost up to 1 s on the
home page and 2.4 s on the tag list (PostgreSQL, 300,000 stories; docs/benchmarks.md).

The pages read the counts (``titles_with_stories``, ``tags_with_stories``); the feeds and the
sitemap still ask the stories themselves (``title_has_stories``, ``tag_has_stories``: an
``EXISTS`` that stops at the first published story). ``pk IN (SELECT … published)`` inside a
correlated subquery is the slowest shape of all, so those subqueries are built from
``published()`` directly. People have no kept counts: their pages count as they list.
"""

import random

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Lower, Substr, Upper
from taggit.models import Tag

from .models import Accuracy, Anecdote, Person, TaggedAnecdote, Title, Vote

# Taggit names the tag → through-table relation "<app>_<model>_items"; from a story, the
# through table is the reverse of TaggedAnecdote.content_object.
TAGGED_ITEMS = "trivia_taggedanecdote_items"
TAGGED_ANECDOTE = "taggedanecdote"

# "Popular" on the home page means popular among this many newest stories: it follows what is
# being published and costs the same with 1,000 stories or 1,000,000.
POPULAR_AMONG = 500


def title_has_stories():
    """Titles a reader may open: a title with nothing published does not exist for them."""
    return Title.objects.filter(Exists(Anecdote.objects.published().filter(title=OuterRef("pk"))))


def titles_with_stories():
    """Titles with at least one published story, each with ``story_count`` of those stories:
    a join to their counts, which also serves "the most stories first" from its index. The
    same titles as ``title_has_stories``, the counts being exact; the join costs half as much
    as the ``EXISTS`` (0.7 ms for a title page at 300,000 stories, against 1.3)."""
    return Title.objects.filter(story_counter__value__gt=0).annotate(
        story_count=F("story_counter__value")
    )


def titles_with_most_stories(limit):
    """The ``limit`` titles with the most published stories, A–Z among equals: the first rows
    of the counts' index (``title_most_stories``), sorted by name among equal counts only."""
    return titles_with_stories().order_by("-story_count", "normalized_name", "pk")[:limit]


def person_has_stories():
    """People a reader may open: someone named only by unpublished stories does not exist
    for them, whatever the admin holds."""
    return Person.objects.filter(Exists(Anecdote.objects.published().filter(people=OuterRef("pk"))))


def people_with_stories():
    """People with at least one published story, each with ``story_count`` of those stories.

    People have no kept counts: the count is a correlated subquery per person on the page, so
    the cost follows the page, not the number of stories.
    """
    stories = (
        Anecdote.objects.published()
        .filter(people=OuterRef("pk"))
        .order_by()
        .values("people")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return person_has_stories().annotate(story_count=Subquery(stories))


def person_letters():
    """The letters of ``/people/`` with someone under them (family names, ``Person.sort_name``),
    "#" for a name without a letter: one query over the people with published stories."""
    initials = (
        person_has_stories()
        .annotate(initial=Upper(Substr("sort_name", 1, 1)))
        .order_by()
        .values_list("initial", flat=True)
        .distinct()
    )
    return frozenset(initial if initial.isalpha() else "#" for initial in initials)


def titles_of(person):
    """The titles of a person's published stories, most stories first, each with
    ``story_count`` of them: one query, however many stories there are."""
    stories = Anecdote.objects.published().filter(people=person, title=OuterRef("pk"))
    counted = stories.order_by().values("title").annotate(n=Count("pk")).values("n")
    return (
        Title.objects.filter(Exists(stories))
        .annotate(story_count=Subquery(counted))
        .order_by("-story_count", "normalized_name", "pk")
    )


def tag_has_stories():
    """Tags a reader may open: a tag used only on unpublished stories stays unknown."""
    return Tag.objects.filter(Exists(Anecdote.objects.published().filter(tags=OuterRef("pk"))))


def tags_with_stories():
    """Tags of at least one published story, each with ``story_count`` of those stories (as
    ``titles_with_stories``: 0.4 ms for a tag page, against 1.2 for the ``EXISTS``)."""
    return Tag.objects.filter(story_counter__value__gt=0).annotate(
        story_count=F("story_counter__value")
    )


def popular_tags(limit):
    """The tags most used by the newest published stories, most used first."""
    newest = Anecdote.objects.published().order_by("-published_at", "-pk").values("pk")
    return (
        Tag.objects.filter(**{f"{TAGGED_ITEMS}__content_object__in": newest[:POPULAR_AMONG]})
        .annotate(recent_count=Count(TAGGED_ITEMS))
        .order_by("-recent_count", Lower("name"), "pk")[:limit]
    )


# A tag on at least this many stories has its "most interesting" page read by walking the most
# interesting stories and checking their tag, not by sorting all its stories. At 300,000
# stories the walk costs less while the tag holds more than about sqrt(20 × 300,000) ≈ 2,450
# of them; both cost a few ms around that size.
WALK_FROM = 2000


def stories_tagged(tag, *, most_interesting=False):
    """A tag's published stories, newest submitted first (``tag`` from ``tags_with_stories``).

    Ordered by the through table's story id, which its index ``(tag, -content_object)`` serves:
    the page costs the same for a tag on 12 % of all stories as for a tag on three, where
    ordering by publication date sorts every story with the tag first.

    ``most_interesting`` (the caller orders them by interest): a big tag's stories are then
    given as "published stories having the tag", which the databases answer from the
    stories' interest index (``anecdote_interest``), checking each story's tag, until the page
    is full: 2.5 ms on SQLite for the biggest tag at 300,000 stories, where sorting its 36,578
    stories cost 150 ms. A small tag's are few enough to sort.
    """
    if most_interesting and tag.story_count >= WALK_FROM:
        has_tag = TaggedAnecdote.objects.filter(tag=tag, content_object=OuterRef("pk"))
        return Anecdote.objects.published().filter(Exists(has_tag))
    return (
        Anecdote.objects.published()
        .filter(tags=tag)
        .order_by(f"-{TAGGED_ANECDOTE}__content_object_id")
    )


def voted_ids(user, stories):
    """The ids among ``stories`` (a page of them) that ``user`` found interesting, in one query
    whatever the page size; none, without a query, for an anonymous reader or an empty page."""
    ids = [story.pk for story in stories]
    if not (ids and user.is_authenticated):
        return frozenset()
    return frozenset(
        Vote.objects.filter(user=user, anecdote_id__in=ids).values_list("anecdote_id", flat=True)
    )


def random_published_pk():
    """The id of a random published story, or None when there is none.

    A random id between the lowest and the highest published one, then the first published id
    at or after it: three walks of the primary key's index, where ``ORDER BY RANDOM()`` would
    read and sort every story. A story after a long gap in the ids comes up a little more often.
    """
    published = Anecdote.objects.published().values_list("pk", flat=True)
    lowest = published.order_by("pk").first()
    if lowest is None:
        return None
    highest = published.order_by("-pk").first()
    pick = random.randint(lowest, highest)
    return published.filter(pk__gte=pick).order_by("pk").first()


def accuracy_counts(stories):
    """How many of ``stories`` carry each verdict, every verdict named (0 for none): one
    grouped count."""
    counted = dict(stories.order_by().values_list("accuracy").annotate(n=Count("pk")))
    return {value: counted.get(value, 0) for value in Accuracy.values}
