"""Anonymous readers' pages served whole from the cache, and invalidated exactly.

A reader without an account gets the same page as every other such reader, so a public page is
rendered once and kept in the cache under a key that holds the site's *content generation*: a
counter in the database that every change the public could notice raises in the same
transaction (a story decided or edited, a title, alias, person, source or tag changed).
The next request after such a commit reads the new generation and misses, so no page is ever
stale and no expiry has to be waited out; old entries simply age out of the cache.

The generation lives in the database, not in the cache, so that several worker processes agree
on it even when each has its own local-memory cache (SQLite, no Redis). Signed-in users are
never served from, nor stored into, this cache: their pages show their own state.

Below the page cache, what pages served to anyone reuse: results kept until the generation
changes (``kept``), and the keys and rows of the story cards' fragments (``{% story_cards %}``,
``trivia/templatetags/story_cards.py``).
"""

import functools
import hashlib
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.connection import ConnectionProxy

from ..models import Anecdote, ContentGeneration

# Everything kept here is keyed by the content generation ("content" in settings.CACHES).
content_cache = ConnectionProxy(caches, "content")

# Interest votes do not raise the generation (they would empty the cache at every click), so
# the counts an anonymous reader sees may lag by at most this long (a minute more with Redis,
# for a worker's own copy: trivia/caching/tiered.py).
PAGE_TIMEOUT = 10 * 60


def current_generation():
    """The content generation now; one single-row read by primary key.

    Written in SQL: a cached page costs little more than this read, and building the query
    through the ORM cost as much again as the rest of serving the page (0.3 ms a request).
    """
    table = connection.ops.quote_name(ContentGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def known_generation(request):
    """The generation this request has read already, or None: reading it costs a query."""
    return getattr(request, "content_generation", None)


def request_generation(request):
    """The content generation as this request first read it: the page and the fragments in it
    are keyed by the same one, for one query a request."""
    generation = known_generation(request)
    if generation is None:
        generation = request.content_generation = current_generation()
    return generation


def kept(generation, key, compute):
    """``compute()``, kept in the cache under ``key`` until the content generation changes:
    for what any reader would see the same (a search's results, the popular tags), exact for
    the same reason cached pages are. Computed every time when ``generation`` is None."""
    if generation is None:
        return compute()
    full_key = f"kept:{generation}:{key}"
    value = content_cache.get(full_key)
    if value is None:
        value = compute()
        content_cache.set(full_key, value, PAGE_TIMEOUT)
    return value


def bump_generation(**_signal_kwargs):
    """Raise the generation inside the caller's transaction: pages change when it commits.

    Also a signal receiver (``trivia.apps``) for the models edited outside the services.
    """
    if not ContentGeneration.objects.filter(pk=1).update(value=F("value") + 1):
        ContentGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


def _is_anonymous_read(request):
    """Only a GET or HEAD by a signed-out reader with no flash message waiting may share a
    cached page."""
    return (
        request.method in ("GET", "HEAD")
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def _cacheable(request, response):
    """A plain successful page, personal in no way: it sets no cookie and embeds no CSRF
    token (a form's token belongs to one browser)."""
    return (
        response.status_code == 200
        and not response.cookies
        and not response.streaming
        and not response.has_header("Cache-Control")
        and not request.META.get("CSRF_COOKIE_USED")
    )


def cache_public_page(view):
    """Serve ``view`` from the page cache for anonymous readers (see the module docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _is_anonymous_read(request):
            return view(request, *args, **kwargs)
        path = request.get_full_path()
        digest = hashlib.sha256(f"{request.get_host()}{path}".encode()).hexdigest()
        key = f"page:{request_generation(request)}:{digest}"
        cached = content_cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if _cacheable(request, response):
                content_cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
            response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped


# --- Story card fragments (``{% story_cards %}``) -------------------------------------------


def card_key(story, generation, *, show_title):
    """A story card's cache key: the story, its version, the content generation, its
    contributor's name and whether their account is open, and the card's variant. ``story``
    is an ``Anecdote`` or a ``CardRow``; both give the same key."""
    if isinstance(story, CardRow):
        contributor = story.contributor_id, story.contributor_name, story.contributor_active
    elif Anecdote.contributor.is_cached(story) and story.contributor is not None:
        contributor = (
            story.contributor_id,
            story.contributor.get_username(),
            story.contributor.is_active,
        )
    else:
        contributor = None, None, None
    shared_by = ":".join(str(part) for part in contributor) if contributor[0] else ""
    digest = hashlib.sha256(shared_by.encode()).hexdigest()[:12]
    return f"card:{generation}:{story.pk}:{story.version}:{int(show_title)}:{digest}"


CARD_ROW_FIELDS = [
    "pk",
    "version",
    "state",
    "interest_count",
    "contributor_id",
    "contributor__username",
    "contributor__is_active",
]


@dataclass(frozen=True)
class CardRow:
    """A story as a page whose cards are all cached needs it: what keys its card and fills its
    vote slot. 0.4 ms for 20 stories, where their whole rows with their titles and
    contributors cost 2 ms of ORM; ``{% story_cards %}`` fetches a story whole only for a card
    the cache has lost since."""

    pk: int
    version: int
    state: str
    interest_count: int
    contributor_id: int | None
    contributor_name: str | None
    contributor_active: bool | None

    @property
    def is_published(self):
        return self.state == Anecdote.State.PUBLISHED


def _warm_key(request):
    path = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"cards-cached:{request_generation(request)}:{path}"


def cards_cached(request):
    """Whether every card of this page was cached when it was last shown, at this generation:
    the page may then read its stories as ``CardRow``s. One cache read; a page shown for the
    first time reads its stories whole, with the queries it always had."""
    return content_cache.get(_warm_key(request)) is not None


def mark_cards_cached(request):
    content_cache.set(_warm_key(request), True, PAGE_TIMEOUT)


def card_rows(stories):
    """A page of ``stories`` (a queryset, ordered and sliced as shown) as ``CardRow``s."""
    return [CardRow(*row) for row in stories.values_list(*CARD_ROW_FIELDS)]
