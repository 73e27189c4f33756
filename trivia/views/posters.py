"""``/titles/<slug>/poster.svg``: a title's generated poster card (``trivia.posters``).

Served like a page: through the page cache (``cache_public_page`` in ``trivia.urls``), under
the title's scope, so a rename shows on the next request; the address the pages link carries a
digest of the card (``poster_url``), so a browser's copy of the old card is never shown again.
Only titles a reader may open have one: the others are a 404, like their pages.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .. import queries
from ..caching.pages import clock_for, shows
from ..posters import poster_svg


@require_safe
def title_poster(request, slug):
    clock_for(request)  # before the title, as every page (trivia.caching.pages)
    title = get_object_or_404(
        queries.titles_with_stories().only("pk", "name", "slug", "kind", "year", "end_year"),
        slug=slug,
    )
    shows(request, f"title:{title.pk}")
    return HttpResponse(poster_svg(title), content_type="image/svg+xml; charset=utf-8")
