"""The public reader pages (DESIGN §4): home, titles, tags, a story's permalink and /healthz.

Every list starts from ``Anecdote.objects.published()`` (directly or through ``trivia.queries``),
so what the public sees has one definition. Only the permalink widens it, to ``visible_to``: a
story's contributor and the moderators may read an unpublished story there, under a banner.

Each page runs a fixed number of queries whatever the number of stories: story cards come from
``for_cards()``, and counts are annotations or one grouped query, never a query per row.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from . import queries
from .models import Anecdote, TitleKind

logger = logging.getLogger(__name__)

HOME_STORIES = 10
HOME_TAGS = 24
HOME_TITLES = 10
TAGS_PER_PAGE = 300


class HomeView(TemplateView):
    template_name = "trivia/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_stories"] = Anecdote.objects.published().for_cards()[:HOME_STORIES]
        context["popular_tags"] = queries.popular_tags(HOME_TAGS)
        context["top_titles"] = queries.titles_with_stories().order_by(
            "-story_count", "normalized_name", "pk"
        )[:HOME_TITLES]
        return context


class TitleListView(ListView):
    """Titles A–Z by their normal form, so "The Matrix" is found under M; ?kind= narrows."""

    template_name = "trivia/title_list.html"
    context_object_name = "titles"
    paginate_by = settings.TITLES_PER_PAGE

    def get_queryset(self):
        titles = queries.titles_with_stories().order_by("normalized_name", "pk")
        # An unknown kind (a typo, a hand-edited URL) shows every title rather than an error.
        self.kind = self.request.GET.get("kind", "")
        if self.kind in TitleKind.values:
            titles = titles.filter(kind=self.kind)
        else:
            self.kind = ""
        return titles

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=TitleKind.choices, current_kind=self.kind, **kwargs)


class TitleDetailView(SingleObjectMixin, ListView):
    """A title and its published stories, newest first, paginated."""

    template_name = "trivia/title_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=queries.title_has_stories())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.object.anecdotes.published().for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stories"] = context["object_list"]
        context["aliases"] = [
            alias.name
            for alias in self.object.aliases.all()
            if alias.name not in (self.object.name, self.object.original_title)
        ]
        return context


class TagListView(ListView):
    """Tags A–Z with their published-story counts, counted for the page shown only."""

    template_name = "trivia/tag_list.html"
    context_object_name = "tags"
    paginate_by = TAGS_PER_PAGE

    def get_queryset(self):
        return queries.tag_has_stories().order_by(Lower("name"), "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tags"] = queries.count_stories_per_tag(context["tags"])
        return context


class TagDetailView(SingleObjectMixin, ListView):
    """The published stories with one tag, across titles, newest first."""

    template_name = "trivia/tag_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=queries.tag_has_stories())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return queries.stories_tagged(self.object).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stories"] = context["object_list"]
        return context


class AnecdoteDetailView(DetailView):
    """A story's permanent link. Unpublished stories are a 404, except to their contributor
    and to moderators, who see them marked as not public."""

    context_object_name = "anecdote"

    def get_queryset(self):
        return Anecdote.objects.visible_to(self.request.user).for_cards()


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
