"""Anonymous readers' pages served whole from the cache, fresh at the very next request.

Every public page says which *scopes* it shows (``shows``): the story cards on it
(``story:<id>``, added by ``{% story_cards %}``), the title, tag or person it is about
(``title:<id>``…), and ``lists`` for pages that list across the site (home, the A–Z lists,
feeds, sitemaps, search). ``trivia.publication`` stamps each scope a change touches with the
*publication clock*, a counter in the database raised in the same transaction as the change.

A page is stored with the clock as the request read it, *before* reading anything it shows,
and the scopes it showed. A cached page is served while none of its scopes was stamped after
that: one indexed query, ``changed_since``. So approving a story about *Fight Club* refreshes
Fight Club's pages, its tags' and people's pages and the site-wide lists, and leaves *Titanic*'s
page cached; a reader's report, which no reader can see, stamps nothing. Because the stamps
live in the database and are written in the change's own transaction, every worker and process
agrees on them whatever cache each one has; a stamp that commits while a page renders is later
than the clock the page was stored with, so the page is recomputed at the next request.

Where entries live: this process's memory first (``near``), then the shared cache (``content``
in settings: Redis, or a disk cache every worker of one machine shares). An entry holds its own
validity, so a copy in either is never served stale, and losing the shared cache (Redis down)
only costs the rendering: the ``content`` cache fails open (``trivia.caching.failopen``).

``PublicPageMiddleware`` answers a hit before the session, authentication, CSRF and CSP
middleware run, for requests that carry no session cookie; ``cache_public_page`` marks the
views whose pages may be stored, and answers hits for signed-out readers who do carry one.
"""

import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.connection import ConnectionProxy

from ..models import Anecdote, ContentGeneration, PublicVersion

# The shared tier ("content" in settings.CACHES) and this process's own, in front of it.
content_cache = ConnectionProxy(caches, "content")
near = LocMemCache("backlot-near", {"OPTIONS": {"MAX_ENTRIES": 2000}})

# Entries leave the cache at the latest after this long even if nothing they show changed, so
# that an entry written by an older release of the templates does not outlive it for long.
PAGE_TIMEOUT = 24 * 60 * 60
NEAR_TIMEOUT = 60

# Pages that list across titles (home, the A–Z lists, feeds, sitemaps, search) show this one.
LISTS = "lists"
# Lists across the site ranked by readers' votes show this one too: every vote stamps it (a
# story's vote stamps only its own title's, tags' and people's pages otherwise).
RANKING = "ranking"
# Every entry shows this scope too: stamped when everything must be recomputed.
EVERYTHING = "everything"

# Headers a stored page is served with again; cookies never are (_cacheable refuses them).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Vary",
    "Link",
)


# --- The clock and the stamps ----------------------------------------------------------------


def _read_clock():
    """The publication clock now; one single-row read by primary key, written in SQL because a
    cached page costs little more than this read."""
    table = connection.ops.quote_name(ContentGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def clock_for(request):
    """The clock as this request first read it. Read it before anything the page shows: what
    commits after that read is stamped later, so a page is never stored newer than its clock
    says, only older (then recomputed once)."""
    if request is None:
        return _read_clock()
    clock = getattr(request, "publication_clock", None)
    if clock is None:
        clock = request.publication_clock = _read_clock()
    return clock


def _quoted_version_table():
    quote = connection.ops.quote_name
    meta = PublicVersion._meta
    return (
        quote(meta.db_table),
        quote(meta.get_field("scope").column),
        quote(meta.get_field("changed_at").column),
    )


def changed_since(scopes, clock):
    """Whether any of ``scopes`` was stamped after ``clock``: one indexed query."""
    scopes = [EVERYTHING, *scopes]
    table, scope, changed_at = _quoted_version_table()
    placeholders = ", ".join(["%s"] * len(scopes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE {scope} IN ({placeholders}) AND {changed_at} > %s "
            "LIMIT 1",
            [*scopes, clock],
        )
        return cursor.fetchone() is not None


def stamps(scopes):
    """The last stamp of each of ``scopes`` that has one, by scope: one query."""
    scopes = list(scopes)
    if not scopes:
        return {}
    table, scope, changed_at = _quoted_version_table()
    placeholders = ", ".join(["%s"] * len(scopes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {scope}, {changed_at} FROM {table} WHERE {scope} IN ({placeholders})", scopes
        )
        return dict(cursor.fetchall())


# --- What a page shows -----------------------------------------------------------------------


def shows(request, *scopes):
    """Record that the page being rendered for ``request`` shows ``scopes``."""
    if request is not None:
        request.__dict__.setdefault("page_scopes", set()).update(scopes)


def kept(request, key, compute, *, scopes):
    """``compute()``, kept until one of ``scopes`` changes (a search's results, the popular
    tags, a title with its aliases): for what every reader sees the same. ``scopes`` is a list,
    or a function of the value (when the value says which title it is). The page that uses the
    value shows those scopes too."""
    clock = clock_for(request)
    full_key = f"kept:{key}"
    entry = _lookup(full_key)
    if entry is not None:
        _, entry_scopes, value = entry
        shows(request, *entry_scopes)
        return value
    value = compute()
    value_scopes = tuple(scopes(value) if callable(scopes) else scopes)
    _store(full_key, (clock, value_scopes, value))
    shows(request, *value_scopes)
    return value


def _lookup(key):
    """A valid entry ``(clock, scopes, payload)`` under ``key``, from this process or the shared
    cache, or None. One query to check it; none when neither cache has the key, and the shared
    copy is checked only when it is newer than this process's stale one."""
    near_entry = near.get(key)
    if near_entry is not None and not changed_since(near_entry[1], near_entry[0]):
        return near_entry
    entry = content_cache.get(key)
    if entry is None or (near_entry is not None and entry[0] <= near_entry[0]):
        return None
    if changed_since(entry[1], entry[0]):
        return None
    near.set(key, entry, NEAR_TIMEOUT)
    return entry


def _store(key, entry):
    content_cache.set(key, entry, PAGE_TIMEOUT)
    near.set(key, entry, NEAR_TIMEOUT)


# --- Whole pages -----------------------------------------------------------------------------


def _page_key(request):
    digest = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"page:{digest}"


def _may_share(request):
    """Only a GET or HEAD with no flash message waiting may be answered with a shared page."""
    return request.method in ("GET", "HEAD") and "messages" not in request.COOKIES


def _cached_response(request):
    """The stored page for this address, if still exact, as a response; else None."""
    entry = _lookup(_page_key(request))
    if entry is None:
        return None
    content, headers = entry[2]
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


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


def cache_public_page(view, *scopes):
    """Let the pages of ``view`` be stored for signed-out readers (see the module docstring).
    ``scopes``: what every page of the view shows (``LISTS``); the view adds its own."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _may_share(request) or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        cached = _cached_response(request)
        if cached is not None:
            return cached
        clock_for(request)  # before the view reads anything it shows
        shows(request, *scopes)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        request.public_page = True  # PublicPageMiddleware stores it on the way out
        response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped


class PublicPageMiddleware:
    """Serve stored pages before the rest of the middleware, and store new ones with the
    headers the rest added. Placed right after the security and static-file middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _may_share(request) and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            cached = _cached_response(request)
            if cached is not None:
                return cached
        response = self.get_response(request)
        if getattr(request, "public_page", False) and _cacheable(request, response):
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            scopes = tuple(sorted(getattr(request, "page_scopes", ())))
            entry = (request.publication_clock, scopes, (response.content, headers))
            _store(_page_key(request), entry)
        return response


# --- Story card fragments (``{% story_cards %}``) --------------------------------------------


def card_key(story, *, show_title):
    """A story card's cache key: the story, the card's variant, and its contributor's name and
    whether their account is open (the card links it). ``story`` is an ``Anecdote`` or a
    ``CardRow``; both give the same key. Whether the card is still exact is its entry's
    business (``valid_cards``)."""
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
    return f"card:{story.pk}:{int(show_title)}:{digest}"


def story_scope(pk):
    return f"story:{pk}"


def valid_cards(keys):
    """The fragments still exact among those stored under ``keys`` ({story id: key}), by story
    id: one read of the caches and one query for the stories' stamps."""
    found = near.get_many(list(keys.values()))
    missing = [key for key in keys.values() if key not in found]
    if missing:
        shared = content_cache.get_many(missing)
        near.set_many(shared, NEAR_TIMEOUT)
        found.update(shared)
    last = stamps(story_scope(pk) for pk, key in keys.items() if key in found)
    return {
        pk: found[key][1]
        for pk, key in keys.items()
        if key in found and last.get(story_scope(pk), 0) <= found[key][0]
    }


def store_cards(fragments, clock):
    """Store rendered fragments ({key: html}) as of ``clock``."""
    entries = {key: (clock, html) for key, html in fragments.items()}
    content_cache.set_many(entries, PAGE_TIMEOUT)
    near.set_many(entries, NEAR_TIMEOUT)


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
    """A story as a list page first reads it: what keys its card and fills its vote slot.
    0.4 ms for 20 stories, where their whole rows with their titles and contributors cost 2 ms
    of ORM; ``{% story_cards %}`` fetches a story whole only for a card not in the cache."""

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


def card_rows(stories):
    """A page of ``stories`` (a queryset, ordered and sliced as shown) as ``CardRow``s."""
    return [CardRow(*row) for row in stories.values_list(*CARD_ROW_FIELDS)]
