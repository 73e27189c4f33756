"""/search/: the reader's search page, over ``trivia.search``."""

from django.conf import settings
from django.urls import reverse
from django.views.generic import ListView

from ..feeds import story_summary
from ..search.query import SearchResults, kept, matching_names, parse_query
from .structured_data import breadcrumbs, collection_page


class SearchView(ListView):
    """``/search/?q=``: published stories ranked by the database's full-text engine, with the
    matched words marked, and on the first page the titles, people and tags whose names match.

    An empty query (or one of punctuation only) shows the search form and runs no query. A
    query too long is searched shortened, and the page says so. The page runs a fixed number
    of queries however many stories it lists (``trivia.search``); a query asked before, while
    no published story or name has changed, runs none but the check that nothing has: its
    results are kept (``trivia.search.query.kept``).

    The page is ``noindex`` (its template) and robots.txt keeps crawlers out; its JSON-LD
    (a ``CollectionPage`` of the stories listed) serves whatever reads it anyway.
    """

    template_name = "trivia/search.html"
    context_object_name = "hits"
    paginate_by = settings.STORIES_PER_PAGE

    def get_queryset(self):
        query = self.request.GET.get("q", "")
        if not parse_query(query):
            return SearchResults(query)
        return SearchResults(query, request=self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = self.object_list
        context["results"] = results
        context["query"] = results.query
        if results.terms and context["page_obj"].number == 1:
            context.update(
                kept(
                    results.request,
                    "names",
                    results.query,
                    lambda: matching_names(results.query),
                )
            )
        if results.query:
            context["breadcrumbs"] = breadcrumbs(
                self.request, ("Search", reverse("search")), (f"“{results.query}”", "")
            )
        else:
            context["breadcrumbs"] = breadcrumbs(self.request, ("Search", ""))
        if results.terms:
            hits = context["hits"]
            context["structured_data"] = [
                collection_page(
                    self.request,
                    name=f"Search: “{results.query}”",
                    description=f"Published behind-the-scenes stories matching “{results.query}”.",
                    items=[
                        (
                            f"{hit.anecdote.title.name}: {story_summary(hit.anecdote, 80)}",
                            hit.anecdote.get_absolute_url(),
                        )
                        for hit in hits
                    ],
                )
            ]
        return context
