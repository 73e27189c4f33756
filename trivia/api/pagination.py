"""Pages of a list: ``?page=`` and ``?page_size=`` (at most ``MAX_PAGE_SIZE``), with the
list's ``count`` and the addresses of the ``next`` and ``previous`` pages.

A page past the last is a 404 with a sentence saying how many pages there are; page 1 of an
empty list is an empty page. Counts the site already keeps (a title's or a tag's published
stories, ``trivia.counters``) are passed in rather than counted again.
"""

import functools

from django.core.paginator import Paginator
from django.urls import reverse
from ninja import Query
from ninja.errors import HttpError

from ..views.lists import CountedPaginator

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

PAGE = Query(1, ge=1, description="The page, from 1.")
PAGE_SIZE = Query(
    DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items a page, 1 to {MAX_PAGE_SIZE}."
)


def _link(request, number):
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(request, items, *, page, page_size, count=None):
    """``(the page's items, the page's links and counts)`` for ``items`` (a queryset or a
    sequence, ordered)."""
    if count is None:
        paginator = Paginator(items, page_size)
    else:
        paginator = CountedPaginator(items, page_size, count=count)
    last = paginator.num_pages
    if page > last:
        raise HttpError(404, f"Page {page} is past the last page ({last}).")
    start = (page - 1) * page_size
    object_list = items[start : start + page_size]
    links = {
        "count": paginator.count,
        "page": page,
        "page_size": page_size,
        "pages": last,
        "next": _link(request, page + 1) if page < last else None,
        "previous": _link(request, page - 1) if page > 1 else None,
    }
    return object_list, links


def absolute(request, path):
    return request.build_absolute_uri(path)


@functools.lru_cache(maxsize=8192)
def page_path(url_name, slug):
    """The path of a site's or the API's page about one slug: ``reverse`` cost 4 ms of a
    20-story answer's 19 (a story names its title, tags and people), and the same tags and
    titles come back on every page."""
    return reverse(url_name, kwargs={"slug": slug})
