"""Atom feeds of published stories (DESIGN §4): the newest, one title's, one tag's.

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


class TitleStoriesFeed(LatestStoriesFeed):
    """One title's newest published stories; a 404 for a title readers cannot open."""

    def get_object(self, request, slug):
        title = get_object_or_404(queries.title_has_stories(), slug=slug)
        shows(request, f"title:{title.pk}")
        return title

    def title(self, obj):
        return f"Backlot: behind the scenes of {obj.name}"

    def subtitle(self, obj):
        return f"New behind-the-scenes stories about {obj.name}, as they are published."

    def link(self, obj):
        return obj.get_absolute_url()

    def stories(self, obj):
        return obj.anecdotes.published().order_by("-published_at", "-pk")


class TagStoriesFeed(LatestStoriesFeed):
    """One tag's newest stories, in the tag page's order (see ``queries.stories_tagged``)."""

    def get_object(self, request, slug):
        tag = get_object_or_404(queries.tag_has_stories(), slug=slug)
        shows(request, f"tag:{tag.pk}")
        return tag

    def title(self, obj):
        return f"Backlot: stories tagged “{obj.name}”"

    def subtitle(self, obj):
        return f"New behind-the-scenes stories tagged “{obj.name}”, as they are published."

    def link(self, obj):
        return reverse("tag_detail", kwargs={"slug": obj.slug})

    def stories(self, obj):
        return queries.stories_tagged(obj)
