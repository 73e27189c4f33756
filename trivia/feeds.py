"""Atom feeds of published stories (DESIGN §4): the newest, the myths, the disputed ones, one
title's, one tag's, one person's.

Feeds start from ``Anecdote.objects.published()`` like every public list, so a story leaves
them the moment it is unpublished. A feed reader shows what it is given outside the site,
where the spoiler button does not exist: a spoiler story's text never goes into a feed, only
a pointer to its page. ``story_summary`` is the same rule for the pages' Open Graph and
JSON-LD descriptions, which social networks and search engines show without a button too.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator

from . import queries
from .caching.pages import shows
from .models import Accuracy, Anecdote

FEED_ITEMS = 50
SPOILER_NOTICE = "Contains spoilers: read it on Backlot."
ACCURACY_PREFIX = {Accuracy.DEBUNKED: "Myth", Accuracy.DISPUTED: "Disputed"}


def plain_excerpt(text, length):
    """The story's first ``length`` characters on one line, cut at a word: plain text, to be
    escaped by whoever writes it out (a template, the feed's XML writer, ``json.dumps``)."""
    return Truncator(" ".join(text.split())).chars(length)


def story_summary(anecdote, length=200):
    """What a story may say about itself off its page: its opening words, labelled when the
    moderators found it a myth or disputed, and nothing of a spoiler."""
    if anecdote.is_spoiler:
        return SPOILER_NOTICE
    prefix = ACCURACY_PREFIX.get(anecdote.accuracy)
    if prefix:
        return plain_excerpt(f"{prefix}: {anecdote.text}", length)
    return plain_excerpt(anecdote.text, length)


class LatestStoriesFeed(Feed):
    """The newest published stories across the site."""

    feed_type = Atom1Feed
    title = "Backlot: the latest behind-the-scenes stories"
    subtitle = "Stories about films and series, each with its sources, read by a moderator."
    link = reverse_lazy("home")

    def stories(self, obj):
        return Anecdote.objects.published().order_by("-published_at", "-pk")

    def items(self, obj):
        return self.stories(obj).select_related("title", "contributor")[:FEED_ITEMS]

    def item_title(self, item):
        if item.is_spoiler:
            return f"{item.title.name} (spoilers)"
        return f"{item.title.name}: {plain_excerpt(item.text, 80)}"

    def item_description(self, item):
        """The story as text, escaped: Atom's summary is HTML, and a story is never HTML. The
        moderators' verdict on a myth or a disputed story comes first, as on the card."""
        if item.is_spoiler:
            return escape(SPOILER_NOTICE)
        parts = [item.text]
        prefix = ACCURACY_PREFIX.get(item.accuracy)
        if prefix:
            note = item.accuracy_note or (
                "moderators found this story to be untrue."
                if item.accuracy == Accuracy.DEBUNKED
                else "sources disagree about this story."
            )
            parts.insert(0, f"{prefix}: {note}")
        return "<br><br>".join(escape(part).replace("\n", "<br>") for part in parts)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.contributor.get_username() if item.contributor else None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


class MythsFeed(LatestStoriesFeed):
    """The newest myths: stories the moderators found untrue, each with what is true first.
    A story leaves it when its verdict changes, as it leaves ``/myths/``."""

    title = "Backlot: myths, and what really happened"
    subtitle = "Famous behind-the-scenes stories found to be untrue, with the correction."
    link = reverse_lazy("myth_list")
    accuracy = Accuracy.DEBUNKED

    def stories(self, obj):
        # In the verdict's index order (anecdote_accuracy_newest), as on its page.
        return Anecdote.objects.published().filter(accuracy=self.accuracy).order_by("-pk")


class DisputedFeed(MythsFeed):
    """The newest disputed stories, each with what the sources disagree on first."""

    title = "Backlot: disputed stories"
    subtitle = "Behind-the-scenes stories whose sources disagree, with what is in dispute."
    link = reverse_lazy("disputed_list")
    accuracy = Accuracy.DISPUTED


class OneSubjectFeed(LatestStoriesFeed):
    """The newest stories of one title, tag or person, found by its slug among ``subjects()``: a
    404 for one readers cannot open. The feed's title and subtitle name it (``{name}``), and
    the page cache drops the feed with the subject's page (``shows``, ``kind:pk``)."""

    kind = None
    title_format = None
    subtitle_format = None

    def subjects(self):
        raise NotImplementedError

    def get_object(self, request, slug):
        subject = get_object_or_404(self.subjects(), slug=slug)
        shows(request, f"{self.kind}:{subject.pk}")
        return subject

    def title(self, obj):
        return self.title_format.format(name=obj.name)

    def subtitle(self, obj):
        return self.subtitle_format.format(name=obj.name)


class TitleStoriesFeed(OneSubjectFeed):
    """One title's newest published stories."""

    kind = "title"
    title_format = "Backlot: behind the scenes of {name}"
    subtitle_format = "New behind-the-scenes stories about {name}, as they are published."

    def subjects(self):
        return queries.title_has_stories()

    def link(self, obj):
        return obj.get_absolute_url()

    def stories(self, obj):
        return obj.anecdotes.published().order_by("-published_at", "-pk")


class TagStoriesFeed(OneSubjectFeed):
    """One tag's newest stories, in the tag page's order (see ``queries.stories_tagged``)."""

    kind = "tag"
    title_format = "Backlot: stories tagged “{name}”"
    subtitle_format = "New behind-the-scenes stories tagged “{name}”, as they are published."

    def subjects(self):
        return queries.tag_has_stories()

    def link(self, obj):
        return reverse("tag_detail", kwargs={"slug": obj.slug})

    def stories(self, obj):
        return queries.stories_tagged(obj)


class PersonStoriesFeed(OneSubjectFeed):
    """One person's newest published stories, across titles."""

    kind = "person"
    title_format = "Backlot: behind the scenes with {name}"
    subtitle_format = "New behind-the-scenes stories about {name}, as they are published."

    def subjects(self):
        return queries.person_has_stories()

    def link(self, obj):
        return obj.get_absolute_url()

    def stories(self, obj):
        return obj.anecdotes.published().order_by("-published_at", "-pk")
