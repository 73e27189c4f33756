"""Every published story in one list (``/stories/``, the archive home leads to), and the
moderators' verdicts as pages of their own: the myths the site keeps with what is true
(``/myths/``) and the disputed stories (``/disputed/``).

Like every public list they start from ``Anecdote.objects.published()`` and show ``LISTS``
(``trivia/urls.py``): ``trivia.publication`` stamps it for every change to a published story,
its verdict included, so a story a moderator marks as a myth moves between these pages at the
next request. The counts come from what ``trivia.counters`` keeps, or from one indexed count
kept until the lists change.
"""

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.views.generic import ListView

from .. import queries
from ..caching.pages import LISTS, RANKING, clock_for, kept, shows
from ..models import Accuracy, Anecdote, TitleStoryCount
from .home import HOME_TITLES
from .lists import CountedPaginator, StoryListMixin, story_items, with_cards
from .structured_data import breadcrumbs, collection_page

# The verdicts that have a page of their own, with what the pages call them.
VERDICT_PAGES = {
    Accuracy.DEBUNKED: ("myth_list", "Myths"),
    Accuracy.DISPUTED: ("disputed_list", "Disputed stories"),
}


def published_total():
    """How many stories are published: the sum of the titles' kept counts (every published
    story has a title, and ``trivia.counters`` keeps each title's exact), one read of a row per
    title where ``COUNT(*)`` would walk every story's index entry."""
    return TitleStoryCount.objects.aggregate(total=Sum("value"))["total"] or 0


def verdict_counts(request):
    """How many published stories are myths and how many are disputed, by verdict: one count
    over the accuracy index (``anecdote_accuracy_newest``, the rare verdicts only), kept until
    a published story changes."""

    def count():
        rare = Anecdote.objects.published().filter(accuracy__in=list(VERDICT_PAGES))
        counts = queries.accuracy_counts(rare)
        return {accuracy: counts[accuracy] for accuracy in VERDICT_PAGES}

    return kept(request, "verdict-counts", count, scopes=[LISTS])


def verdict_links(request):
    """The verdict pages with their counts, for the lists' side columns."""
    counts = verdict_counts(request)
    return [
        {"url": reverse(url_name), "label": label, "count": counts[accuracy]}
        for accuracy, (url_name, label) in VERDICT_PAGES.items()
    ]


class StoryArchiveView(StoryListMixin, ListView):
    """Every published story, newest or most interesting first, narrowed by verdict."""

    template_name = "trivia/story_list.html"
    paginate_by = settings.STORIES_PER_PAGE
    object = None  # a list of the whole site: no title or tag

    def get_queryset(self):
        stories = Anecdote.objects.published().for_card_list().order_by("-published_at", "-pk")
        stories = self.sort_and_filter(stories)
        if self.sort == "interest":
            shows(self.request, RANKING)  # any vote may reorder it
        if self.accuracy and self.sort == "newest":
            # Newest submitted first, as on a tag's page: the order of the verdicts' index
            # (anecdote_accuracy_newest). Walking the publication dates for a rare verdict
            # read every story (38 ms at 60,000 stories for one no story had; now 0.3 ms).
            stories = stories.order_by("-pk")
        return stories

    def paginate_queryset(self, queryset, page_size):
        """The page's ids first, read from the index alone, then their rows: an OFFSET walks
        every story before the page, and joined to their contributors the walk cost three
        times as much (page 1,500 of 60,000 stories: 48 ms, now 16)."""
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        ids = list(object_list.values_list("pk", flat=True))
        page.object_list = queryset.filter(pk__in=ids)
        return paginator, page, page.object_list, is_paginated

    def get_paginator(self, queryset, per_page, **kwargs):
        """The whole list is counted from the titles' kept counts; one verdict's is counted."""
        if self.accuracy:
            return super().get_paginator(queryset, per_page, **kwargs)
        return CountedPaginator(queryset, per_page, count=published_total(), **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = breadcrumbs(self.request, ("Stories", ""))
        context["structured_data"] = [
            collection_page(
                self.request,
                name="Every behind-the-scenes story on Backlot",
                description="Every published story, newest first, each with its sources.",
                items=story_items(context["stories"]),
            )
        ]
        context["verdicts"] = verdict_links(self.request)
        context["top_titles"] = queries.titles_with_most_stories(HOME_TITLES)
        return context


class VerdictListView(ListView):
    """The published stories the moderators gave one verdict, newest first; each card shows
    the moderators' note (what is true, or what the sources disagree on)."""

    accuracy = None
    paginate_by = settings.STORIES_PER_PAGE
    page_name = None
    page_description = None

    def get(self, request, *args, **kwargs):
        clock_for(request)  # before the stories, as StoryListMixin
        self.counts = verdict_counts(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # Newest submitted first: the verdicts' index (anecdote_accuracy_newest) serves it,
        # where the publication dates' would be walked past every other story.
        return (
            Anecdote.objects.published()
            .filter(accuracy=self.accuracy)
            .for_card_list()
            .order_by("-pk")
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        return CountedPaginator(queryset, per_page, count=self.counts[self.accuracy], **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_cards(self.request, context)
        context["verdicts"] = verdict_links(self.request)
        context["breadcrumbs"] = breadcrumbs(
            self.request, ("Stories", reverse("story_list")), (self.page_name, "")
        )
        context["structured_data"] = [
            collection_page(
                self.request,
                name=f"{self.page_name} on Backlot",
                description=self.page_description,
                items=story_items(context["stories"]),
            )
        ]
        return context


class MythListView(VerdictListView):
    template_name = "trivia/myths.html"
    accuracy = Accuracy.DEBUNKED
    page_name = "Myths"
    page_description = (
        "Famous behind-the-scenes stories the moderators found to be untrue, each with what "
        "actually happened."
    )


class DisputedListView(VerdictListView):
    template_name = "trivia/disputed.html"
    accuracy = Accuracy.DISPUTED
    page_name = "Disputed stories"
    page_description = (
        "Behind-the-scenes stories whose sources disagree, each with what the disagreement is."
    )
