"""The public reader pages (DESIGN §4): home, titles, tags, a story's permalink and /healthz.

Every list starts from ``Anecdote.objects.published()`` (directly or through ``trivia.queries``),
so what the public sees has one definition. Only the permalink widens it, to ``visible_to``: a
story's contributor and the moderators may read an unpublished story there, under a banner.

Each page runs a fixed number of queries whatever the number of stories: story cards come from
``{% story_cards %}`` (cached fragments; the cards not cached fetch their lists in one query
each), and counts are those ``trivia.counters`` keeps, read with the rows they count.
"""

import hashlib
import json
import logging
import string
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Q, prefetch_related_objects
from django.db.models.functions import Lower, Substr
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from . import queries, search, services
from .feeds import plain_excerpt, story_summary
from .models import Accuracy, Anecdote, TitleKind, Vote
from .caching.pages import card_rows, cards_cached, kept, request_generation
from .people import people_with_stories, person_has_stories, titles_of

logger = logging.getLogger(__name__)

HOME_STORIES = 10
HOME_TAGS = 24
HOME_TITLES = 10
TAGS_PER_PAGE = 300


class HomeView(TemplateView):
    template_name = "trivia/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        generation = request_generation(self.request)  # before the stories, as StoryListMixin
        latest = Anecdote.objects.published().for_card_list()[:HOME_STORIES]
        # Rows, when every card is cached already (see StoryListMixin.get_context_data).
        rows = cards_cached(self.request)
        context["latest_stories"] = card_rows(latest) if rows else list(latest)
        context["voted_ids"] = queries.voted_ids(self.request.user, context["latest_stories"])
        # The same for every reader until a story is published or taken down: 2–4 ms saved.
        context["popular_tags"] = kept(
            generation,
            "popular-tags",
            lambda: list(queries.popular_tags(HOME_TAGS)),
        )
        context["top_titles"] = queries.titles_with_most_stories(HOME_TITLES)
        return context


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
        # The content generation before the stories: a change committed in between is then in
        # the cards and under the next generation's keys, never under this one's.
        request_generation(request)
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
        # A page whose cards were all cached when last shown (at this generation) reads only
        # what keys them and fills their vote buttons: 0.4 ms where whole rows cost 2.
        stories = context["object_list"]
        if cards_cached(self.request):
            stories = context["object_list"] = context["page_obj"].object_list = card_rows(stories)
        context["stories"] = stories
        context["voted_ids"] = queries.voted_ids(self.request.user, stories)
        context.update(
            sorts=SORTS,
            current_sort=self.sort,
            accuracy_filters=ACCURACY_FILTERS,
            current_accuracy=self.accuracy,
        )
        return context


# Written into <script type="application/ld+json"> as \u escapes, as Django's json_script does:
# no story text can then close the script element or open a comment in it.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _json_ld(data):
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))


def _schema_type(title):
    return "TVSeries" if title.kind == TitleKind.SERIES else "Movie"


def title_social(request, title):
    """Open Graph tags and schema.org JSON-LD for a title's page: what a link to it shows on a
    social network and what a search engine knows of it."""
    url = request.build_absolute_uri(title.get_absolute_url())
    description = (
        plain_excerpt(title.synopsis, 200)
        if title.synopsis
        else f"Behind-the-scenes stories about {title.name}."
    )
    image = request.build_absolute_uri(title.poster.url) if title.poster else ""
    data = {
        "@context": "https://schema.org",
        "@type": _schema_type(title),
        "name": title.name,
        "url": url,
        "description": description,
    }
    if title.year:
        data["datePublished"] = str(title.year)
    if title.original_title and title.original_title != title.name:
        data["alternateName"] = title.original_title
    if image:
        data["image"] = image
    og = {
        "type": "video.tv_show" if title.kind == TitleKind.SERIES else "video.movie",
        "title": f"{title.name} ({title.years})" if title.years else title.name,
        "description": description,
        "url": url,
        "image": image,
    }
    return {"og": og, "json_ld": _json_ld(data)}


def story_social(request, anecdote):
    """Open Graph tags and JSON-LD for a published story's page. The description is
    ``story_summary``'s: a spoiler's text stays behind its button, even for machines."""
    title = anecdote.title
    url = request.build_absolute_uri(anecdote.get_absolute_url())
    description = story_summary(anecdote)
    # A spoiler's own picture may give it away; the poster does not.
    picture = anecdote.image if anecdote.image and not anecdote.is_spoiler else title.poster
    image = request.build_absolute_uri(picture.url) if picture else ""
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": f"A behind-the-scenes story about {title.name}",
        "description": description,
        "url": url,
        "datePublished": anecdote.published_at.isoformat(),
        "dateModified": anecdote.updated_at.isoformat(),
        "about": {
            "@type": _schema_type(title),
            "name": title.name,
            "url": request.build_absolute_uri(title.get_absolute_url()),
        },
        "publisher": {"@type": "Organization", "name": "Backlot"},
    }
    if anecdote.contributor:
        data["author"] = {"@type": "Person", "name": anecdote.contributor.get_username()}
    if image:
        data["image"] = image
    og = {
        "type": "article",
        "title": f"A story about {title.name}",
        "description": description,
        "url": url,
        "image": image,
        "published_time": anecdote.published_at.isoformat(),
    }
    return {"og": og, "json_ld": _json_ld(data)}


class TitleDetailView(StoryListMixin, SingleObjectMixin, ListView):
    """A title and its published stories, newest or most interesting first, paginated."""

    template_name = "trivia/title_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        # The title with its aliases, kept until the content changes: two queries fewer for
        # every reader the page cache does not serve. The generation is read first, as for
        # the stories (StoryListMixin.get).
        slug = hashlib.sha256(self.kwargs["slug"].encode()).hexdigest()
        self.object = kept(request_generation(request), f"title:{slug}", self.get_title)
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
        self.object = self.get_object(queryset=queries.tags_with_stories())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        most_interesting = self.request.GET.get("sort") == "interest"
        stories = queries.stories_tagged(self.object, most_interesting=most_interesting)
        return self.sort_and_filter(stories.for_card_list())


class AnecdoteDetailView(DetailView):
    """A story's permanent link. Unpublished stories are a 404, except to their contributor
    and to moderators, who see them marked as not public."""

    context_object_name = "anecdote"

    def get_queryset(self):
        return Anecdote.objects.visible_to(self.request.user).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.is_published:
            context["voted_ids"] = queries.voted_ids(self.request.user, [self.object])
            context["social"] = story_social(self.request, self.object)
        return context


@never_cache
def healthz(request):
    """For load balancers and uptime checks: 200 "ok" when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check failed: the database did not answer.")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# --- People -------------------------------------------------------------------------------

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
        self.object = self.get_object(queryset=person_has_stories())
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


# --- Votes, "surprise me" and crawlers ---------------------------------------------------


def _next_url(request):
    """The page a form was posted from, if it is one of ours ("//evil.test" is not)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_POST
def vote_interesting(request, pk):
    """The "interesting" button on a story card: votes or takes the vote back, then returns to
    the page the button was on. A plain form, so it works without JavaScript.

    The form says which way it goes (``action`` "add" or "remove", as the reader saw the
    button), so a double click votes once instead of voting and taking it back; without it,
    the vote is toggled.
    """
    anecdote = get_object_or_404(Anecdote.objects.published(), pk=pk)
    back = _next_url(request) or anecdote.get_absolute_url()
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    action = request.POST.get("action")
    if action not in ("add", "remove"):
        voted = Vote.objects.filter(user=request.user, anecdote=anecdote).exists()
        action = "remove" if voted else "add"
    try:
        if action == "add":
            services.vote_interesting(anecdote=anecdote, user=request.user)
        else:
            services.withdraw_vote(anecdote=anecdote, user=request.user)
    except services.ModerationError as error:  # unpublished a moment ago
        messages.error(request, str(error))
    return HttpResponseRedirect(back)


@never_cache
def random_story(request):
    """ "Surprise me": a redirect to a random published story, a new one on every visit."""
    pk = queries.random_published_pk()
    if pk is None:
        messages.info(request, "No stories have been published yet: come back soon.")
        return redirect("home")
    return redirect("anecdote_detail", pk=pk)


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


# --- Search -------------------------------------------------------------------------------


class SearchView(ListView):
    """``/search/?q=``: published stories ranked by the database's full-text engine, with the
    matched words marked, and on the first page the titles, people and tags whose names match.

    An empty query (or one of punctuation only) shows the search form and runs no query. The
    page runs a fixed number of queries however many stories it lists (``trivia.search``); a
    query asked before, while the content has not changed, runs none but the generation: its
    results are kept (``search.kept``).
    """

    template_name = "trivia/search.html"
    context_object_name = "hits"
    paginate_by = settings.STORIES_PER_PAGE

    def get_queryset(self):
        query = self.request.GET.get("q", "")
        if not search.parse_query(query):
            return search.SearchResults(query)
        return search.SearchResults(query, generation=request_generation(self.request))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = self.object_list
        context["results"] = results
        context["query"] = results.query
        if results.terms and context["page_obj"].number == 1:
            context.update(
                search.kept(
                    results.generation,
                    "names",
                    results.query,
                    lambda: {
                        "matching_titles": search.matching_titles(results.query),
                        "matching_people": search.matching_people(results.query),
                        "matching_tags": search.matching_tags(results.query),
                    },
                )
            )
        return context
