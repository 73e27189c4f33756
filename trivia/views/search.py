"""/search/: the reader's search page, over ``trivia.search``."""

from django.conf import settings
from django.views.generic import ListView

from ..search.query import SearchResults, kept, matching_names, parse_query


class SearchView(ListView):
    """``/search/?q=``: published stories ranked by the database's full-text engine, with the
    matched words marked, and on the first page the titles, people and tags whose names match.

    An empty query (or one of punctuation only) shows the search form and runs no query. The
    page runs a fixed number of queries however many stories it lists (``trivia.search``); a
    query asked before, while no published story or name has changed, runs none but the check
    that nothing has: its results are kept (``trivia.search.query.kept``).
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
        return context
