"""``/api/v1/search/?q=``: what the site's search finds (``trivia.search``), the same ranked
stories and the same titles, people and tags whose names match, kept in the cache as the
search page keeps them."""

from ninja import Query, Router

from ..caching.pages import LISTS, shows
from ..models import Anecdote
from ..search.query import MAX_QUERY_CHARS, SearchResults, clean_query, kept, matching_names
from .catalogue import person_out, tag_out, title_out
from .pagination import PAGE, PAGE_SIZE, paginate
from .schemas import ERRORS, SearchPage
from .stories import stories_out, story_rows

router = Router(tags=["search"])


@router.get(
    "/search/",
    response={200: SearchPage, **ERRORS},
    url_name="search",
    summary="Search published stories, titles, people and tags",
)
def search(
    request,
    q: str = Query(
        ...,
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description=f"Words to look for, at most {MAX_QUERY_CHARS} characters. A word of "
        "three letters or more also matches as a prefix.",
    ),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    """Published stories holding every word, best first (the newest 1,000 matches are
    ranked), with the titles, people and tags whose names match the query."""
    shows(request, LISTS)
    results = SearchResults(q, request=request)
    ids, links = paginate(request, results.ids, page=page, page_size=page_size)
    found = story_rows(Anecdote.objects.published().filter(pk__in=ids)).in_bulk()
    stories = [found[pk] for pk in ids if pk in found]
    names = {"matching_titles": [], "matching_people": [], "matching_tags": []}
    if results.terms:
        names = kept(request, "names", results.query, lambda: matching_names(results.query))
    return {
        **links,
        "query": clean_query(q),
        "results": stories_out(request, stories),
        "titles": [title_out(request, title) for title in names["matching_titles"]],
        "people": [person_out(request, person) for person in names["matching_people"]],
        "tags": [tag_out(request, tag) for tag in names["matching_tags"]],
    }
