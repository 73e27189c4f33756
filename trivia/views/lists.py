"""What the lists share (titles, tags, people, the archive): ``?sort=`` and ``?accuracy=``, a
paginator told its count, a page's stories named for structured data, the A–Z bars' letters."""

import string

from django.core.paginator import Paginator
from django.urls import reverse

from .. import queries
from ..caching.pages import card_rows, clock_for
from ..models import Accuracy, Anecdote

# The A–Z bars of the title and people lists, in the lists' order: "#" (names starting with a
# digit, see ``index_letter``) sorts first.
LETTERS = ["#", *string.ascii_uppercase]
DIGIT_INITIALS = [*string.digits, "_"]


def story_items(stories):
    """A page's stories (``CardRow``s) as (name, path) pairs for its structured data, named
    as their own pages name them: one query for their titles' names, whatever the page size."""
    names = dict(
        Anecdote.objects.published()
        .filter(pk__in=[story.pk for story in stories])
        .values_list("pk", "title__name")
    )
    return [
        (
            f"A behind-the-scenes story about {names[story.pk]}",
            reverse("anecdote_detail", kwargs={"pk": story.pk}),
        )
        for story in stories
        if story.pk in names
    ]


def with_cards(request, context):
    """A list page's context with its stories as card rows (``context["stories"]``) and the
    reader's votes on them. The page reads only what keys its cards and fills their vote
    buttons (0.4 ms where whole rows cost 2); {% story_cards %} reads whole only the cards
    not cached."""
    stories = card_rows(context["object_list"])
    context["object_list"] = context["page_obj"].object_list = stories
    context["stories"] = stories
    context["voted_ids"] = queries.voted_ids(request.user, stories)


# ?accuracy= on story lists: the moderators' verdicts, as a reader would look for them.
ACCURACY_FILTERS = [
    (Accuracy.CORROBORATED, "Corroborated"),
    (Accuracy.DISPUTED, "Disputed"),
    (Accuracy.DEBUNKED, "Myths"),
    (Accuracy.UNVERIFIED, "Unverified"),
]
SORTS = [("newest", "Newest"), ("interest", "Most interesting")]


class CountedPaginator(Paginator):
    """A paginator told how many items there are (a count ``trivia.counters`` keeps) instead
    of counting them: ``COUNT(*)`` over a tag's 36,578 stories cost 50–200 ms a page."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count


class StoryListMixin:
    """What the title, tag and person pages share: ``?sort=newest|interest`` (newest unless
    told), ``?accuracy=`` one of the moderators' verdicts, and the reader's own votes on the
    page's stories. A value the page does not know (a typo, an old link) is ignored: the
    reader gets the plain list, never an error."""

    def get(self, request, *args, **kwargs):
        # The publication clock before the stories: a change committed in between is stamped
        # later than the page, which is then recomputed once (trivia.caching.pages).
        clock_for(request)
        return super().get(request, *args, **kwargs)

    def sort_and_filter(self, stories):
        accuracy = self.request.GET.get("accuracy", "")
        self.accuracy = accuracy if accuracy in Accuracy.values else ""
        if self.accuracy:
            stories = stories.filter(accuracy=self.accuracy)
        self.sort = "interest" if self.request.GET.get("sort") == "interest" else "newest"
        if self.sort == "interest":
            stories = stories.order_by("-interest_count", "-published_at", "-pk")
        return stories

    def get_paginator(self, queryset, per_page, **kwargs):
        """The page's object (title, tag) knows its published stories' count; a list narrowed
        by accuracy is counted."""
        count = getattr(self.object, "story_count", None)
        if self.accuracy or count is None:
            return super().get_paginator(queryset, per_page, **kwargs)
        return CountedPaginator(queryset, per_page, count=count, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_cards(self.request, context)
        context.update(
            sorts=SORTS,
            current_sort=self.sort,
            accuracy_filters=ACCURACY_FILTERS,
            current_accuracy=self.accuracy,
        )
        return context
