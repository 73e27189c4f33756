"""The site's front: the home page, and robots.txt for the crawlers.

Every list starts from ``Anecdote.objects.published()`` (directly or through ``trivia.queries``),
so what the public sees has one definition; each page runs a fixed number of queries whatever
the number of stories (``{% story_cards %}``, counts kept by ``trivia.counters``).
"""

from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView

from .. import queries
from ..caching.pages import LISTS, card_rows, clock_for, kept
from ..models import Anecdote
from .lists import story_items
from .structured_data import item_list, website

HOME_STORIES = 10
HOME_TAGS = 24
HOME_TITLES = 10


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
        context["structured_data"] = [
            website(self.request),
            item_list(
                self.request,
                name="Latest stories",
                items=story_items(context["latest_stories"]),
            ),
        ]
        return context


# --- Crawlers --------------------------------------------------------------------------------

# Private or endless pages: the admin, accounts, forms, search results, random redirects, and
# the read API (for programs; its content is on the pages).
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/submit/", "/search/", "/random/", "/api/"]


def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
