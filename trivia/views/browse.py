"""The reader's pages: home, titles, tags, people, a story's permalink, "surprise me" and
robots.txt.

Every list starts from ``Anecdote.objects.published()`` (directly or through ``trivia.queries``),
so what the public sees has one definition. Only the permalink widens it, to ``visible_to``: a
story's contributor and the moderators may read an unpublished story there, under a banner.

Each page runs a fixed number of queries whatever the number of stories: story cards come from
``{% story_cards %}`` (cached fragments; the cards not cached fetch their lists in one query
each), and counts are those ``trivia.counters`` keeps, read with the rows they count.
"""

import hashlib
import string
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.db.models.functions import Lower, Substr
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from .. import queries
from ..caching.headers import never_stored
from ..caching.pages import LISTS, card_rows, clock_for, kept, shows
from ..models import Accuracy, Anecdote, TitleKind
from ..queries import people_with_stories, person_has_stories, titles_of
from .social import story_social, title_social

HOME_STORIES = 10
HOME_TAGS = 24
HOME_TITLES = 10
TAGS_PER_PAGE = 300


class HomeView(TemplateView):
    template_name = "trivia/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clock_for(self.request)  # before the stories, as StoryListMixin
        latest = Anecdote.objects.published().for_card_list()[:HOME_STORIES]
        context["latest_stories"] = card_rows(latest)
        context["voted_ids"] = queries.voted_ids(self.request.user, context["latest_stories"])
        # The same for every reader until a story is published or taken down: 2–4 ms saved.
        context["popular_tags"] = kept(
            self.request,
            "popular-tags",
            lambda: list(queries.popular_tags(HOME_TAGS)),
            scopes=[LISTS],
        )
        context["top_titles"] = queries.titles_with_most_stories(HOME_TITLES)
        return context


# --- Story lists: what the title, tag and person pages share ---------------------------------

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
        # The page reads only what keys its cards and fills their vote buttons (0.4 ms where
        # whole rows cost 2); {% story_cards %} reads whole only the cards not cached.
        stories = card_rows(context["object_list"])
        context["object_list"] = context["page_obj"].object_list = stories
        context["stories"] = stories
        context["voted_ids"] = queries.voted_ids(self.request.user, stories)
        context.update(
            sorts=SORTS,
            current_sort=self.sort,
            accuracy_filters=ACCURACY_FILTERS,
            current_accuracy=self.accuracy,
        )
        return context


# --- Titles ----------------------------------------------------------------------------------

# The title list's A–Z bar, in the list's order: "#" (titles starting with a digit, see
# ``index_letter``) sorts first.
LETTERS = ["#", *string.ascii_uppercase]
DIGIT_INITIALS = [*string.digits, "_"]


class TitleListView(ListView):
    """Titles A–Z by their normal form, so "The Matrix" is found under M; ?kind= and ?letter=
    narrow it, together or apart."""

    template_name = "trivia/title_list.html"
    context_object_name = "titles"
    paginate_by = settings.TITLES_PER_PAGE

    def get_queryset(self):
        titles = queries.titles_with_stories().order_by("normalized_name", "pk")
        # An unknown kind or letter (a typo, a hand-edited URL) shows every title, not an error.
        self.kind = self.request.GET.get("kind", "")
        if self.kind in TitleKind.values:
            titles = titles.filter(kind=self.kind)
        else:
            self.kind = ""
        self.letter = self.request.GET.get("letter", "").strip().upper()
        if self.letter == "#":
            # Compared character by character: "<" on names would follow the database's
            # collation, which differs between SQLite and PostgreSQL.
            titles = titles.alias(initial=Substr("normalized_name", 1, 1)).filter(
                Q(initial__in=DIGIT_INITIALS) | Q(normalized_name="")
            )
        elif len(self.letter) == 1 and self.letter.isalpha():
            # Any alphabet's letter, as the list's own letter headings link to them.
            titles = titles.filter(normalized_name__startswith=self.letter.casefold())
        else:
            self.letter = ""
        return titles

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            kinds=TitleKind.choices,
            current_kind=self.kind,
            letters=LETTERS,
            current_letter=self.letter,
            **kwargs,
        )
        # Kind and letter make different pages; anything else in the address (tracking
        # parameters, a stray ?page=1) does not.
        params = {"kind": self.kind, "letter": self.letter}
        if context["page_obj"].number > 1:
            params["page"] = context["page_obj"].number
        query = urlencode({key: value for key, value in params.items() if value})
        context["canonical_query"] = f"?{query}" if query else ""
        return context


class TitleDetailView(StoryListMixin, SingleObjectMixin, ListView):
    """A title and its published stories, newest or most interesting first, paginated."""

    template_name = "trivia/title_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        # The title with its aliases, kept until the title changes: two queries fewer for
        # every reader the page cache does not serve. The clock is read first, as for the
        # stories (StoryListMixin.get); the page shows the title's scope (kept() says so).
        slug = hashlib.sha256(self.kwargs["slug"].encode()).hexdigest()
        self.object = kept(
            request, f"title:{slug}", self.get_title, scopes=lambda title: [f"title:{title.pk}"]
        )
        return super().get(request, *args, **kwargs)

    def get_title(self):
        title = self.get_object(queryset=queries.titles_with_stories())
        prefetch_related_objects([title], "aliases")
        return title

    def get_queryset(self):
        return self.sort_and_filter(self.object.anecdotes.published().for_card_list())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["social"] = title_social(self.request, self.object)
        context["aliases"] = [
            alias.name
            for alias in self.object.aliases.all()
            if alias.name not in (self.object.name, self.object.original_title)
        ]
        return context


# --- Tags ------------------------------------------------------------------------------------


class TagListView(ListView):
    """Tags A–Z with their published-story counts."""

    template_name = "trivia/tag_list.html"
    context_object_name = "tags"
    paginate_by = TAGS_PER_PAGE

    def get_queryset(self):
        return queries.tags_with_stories().order_by(Lower("name"), "pk")


class TagDetailView(StoryListMixin, SingleObjectMixin, ListView):
    """The published stories with one tag, across titles, newest or most interesting first."""

    template_name = "trivia/tag_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        clock_for(request)
        self.object = self.get_object(queryset=queries.tags_with_stories())
        shows(request, f"tag:{self.object.pk}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        most_interesting = self.request.GET.get("sort") == "interest"
        stories = queries.stories_tagged(self.object, most_interesting=most_interesting)
        return self.sort_and_filter(stories.for_card_list())


# --- People ----------------------------------------------------------------------------------

PEOPLE_PER_PAGE = 60
# A person's page names the titles of their stories up to this many, then "and N more".
PERSON_TITLES_SHOWN = 12


class PersonListView(ListView):
    """The people stories are about, A–Z, with their published-story counts.

    Only people with a published story are listed, and only published stories are counted:
    someone named only by a pending story is not on the site yet.
    """

    template_name = "trivia/person_list.html"
    context_object_name = "people"
    paginate_by = PEOPLE_PER_PAGE

    def get_queryset(self):
        return people_with_stories().order_by("normalized_name", "pk")


class PersonDetailView(StoryListMixin, SingleObjectMixin, ListView):
    """One person's published stories across titles, newest first, each card naming its
    title; a 404 for a person with no published story."""

    template_name = "trivia/person_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        clock_for(request)
        self.object = self.get_object(queryset=person_has_stories())
        shows(request, f"person:{self.object.pk}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.sort_and_filter(self.object.anecdotes.published().for_card_list())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["person"] = self.object
        titles = list(titles_of(self.object))
        context["titles"] = titles[:PERSON_TITLES_SHOWN]
        context["more_titles"] = len(titles) - len(context["titles"])
        return context


# --- A story ---------------------------------------------------------------------------------


class StoryDetailView(DetailView):
    """A story's permanent link. Unpublished stories are a 404, except to their contributor
    and to moderators, who see them marked as not public."""

    context_object_name = "story"  # the template keeps the model's name: anecdote_detail.html

    def get_object(self, queryset=None):
        clock_for(self.request)
        story = super().get_object(queryset)
        shows(self.request, f"story:{story.pk}")
        return story

    def get_queryset(self):
        return Anecdote.objects.visible_to(self.request.user).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.is_published:
            context["voted_ids"] = queries.voted_ids(self.request.user, [self.object])
            context["social"] = story_social(self.request, self.object)
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            # Its contributor's or a moderator's page: no cache on the way keeps a copy.
            never_stored(response)
        return response


@never_cache
def random_story(request):
    """ "Surprise me": a redirect to a random published story, a new one on every visit."""
    pk = queries.random_published_pk()
    if pk is None:
        messages.info(request, "No stories have been published yet: come back soon.")
        return redirect("home")
    return redirect("anecdote_detail", pk=pk)


# --- Crawlers --------------------------------------------------------------------------------

# Private or endless pages: the admin, accounts, forms, search results and random redirects.
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/submit/", "/search/", "/random/"]


def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
