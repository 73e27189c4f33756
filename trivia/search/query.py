"""A reader's query and what it finds: the words asked for, the ranked stories page by page
(``SearchResults``) and, above them, the titles, people and tags whose names match.

A query is cut into at most ``MAX_WORDS`` distinct words (``words``); the engine ranks the newest
``CANDIDATES`` stories holding them all (``engines``).

Given the reader's request, a search keeps what it found, the ranked ids, each page of hits and
the matching names, in the cache until a published story or a name changes (the ``lists`` scope,
``trivia.caching.pages``): a query asked again, by anyone, costs no engine work.
"""

import hashlib

from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from django.utils.functional import SimpleLazyObject, cached_property
from taggit.models import Tag

from .. import queries
from ..caching import pages as page_cache
from ..matching.people import people_matching
from ..matching.titles import titles_matching
from ..models import Anecdote
from .engines import engine
from .highlight import highlight, snippet
from .words import WORD, words

MAX_QUERY_CHARS = 200
MAX_WORDS = 10
CANDIDATES = 1000
TITLES_SHOWN = 6
PEOPLE_SHOWN = 6
TAGS_SHOWN = 12


def clean_query(text):
    """The query as the page shows it back: at most ``MAX_QUERY_CHARS``, without NUL bytes."""
    return (text or "")[:MAX_QUERY_CHARS].replace("\x00", "").strip()


def parse_query(text):
    """The distinct words of a query, at most ``MAX_WORDS``: all a query can say."""
    return tuple(dict.fromkeys(words(clean_query(text))))[:MAX_WORDS]


class Hit:
    """One story found, with its text and title name marked up for the results page."""

    def __init__(self, anecdote, terms):
        self.anecdote = anecdote
        self.snippet = snippet(anecdote.text, terms)
        self.title_name = highlight(anecdote.title.name, terms)


def kept(request, kind, text, compute):
    """``compute()`` for the query ``text``, kept until a published story or a name changes
    (``page_cache.kept``); ``kind`` names what is kept. Computed every time without a request."""
    if request is None:
        return compute()
    digest = hashlib.sha256(text.encode()).hexdigest()
    return page_cache.kept(request, f"search:{kind}:{digest}", compute, scopes=[page_cache.LISTS])


class SearchResults:
    """The ranked stories matching a query, for Django's ``Paginator``: its length is the number
    of ranked candidates (one query, run on first use); a slice fetches only its own stories.
    Given the reader's ``request``, both are kept in the cache (``kept``)."""

    def __init__(self, query, *, request=None):
        self.query = clean_query(query)
        self.terms = parse_query(query)
        self.request = request

    @cached_property
    def ids(self):
        if not self.terms:
            return []
        return kept(
            self.request,
            f"ids:{CANDIDATES}",
            " ".join(self.terms),
            lambda: engine().ranked_ids(self.terms, CANDIDATES),
        )

    @property
    def capped(self):
        """More stories match than are ranked: the reader is told to add a word."""
        return len(self.ids) >= CANDIDATES

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, page):
        """The hits of ``page`` (a slice), fetched on first use: a results page kept whole in
        the cache (the ``search_hits`` fragment of ``trivia/search.html``) never reads them."""
        ids = self.ids[page]
        return SimpleLazyObject(
            lambda: kept(
                self.request,
                f"hits:{CANDIDATES}:{page.start}-{page.stop}",
                " ".join(self.terms),
                lambda: self.hits(ids),
            )
        )

    def hits(self, ids):
        # Only published stories have entries, and each is checked again here: an entry left
        # behind by a restore shows nothing rather than an unpublished story. The check is in
        # Python because SQLite, without statistics, answers "published and pk in (20 ids)"
        # by walking the index of every published story: 52 ms at 300,000 stories, not 0.5.
        stories = (
            Anecdote.objects.filter(pk__in=ids)
            .select_related("title")
            .prefetch_related(Prefetch("tags", to_attr="tag_list"))
        )
        found = {story.pk: story for story in stories if story.is_published}
        return [Hit(found[pk], self.terms) for pk in ids if pk in found]


def matching_tags(query):
    """Tags of published stories whose name contains the query, typed with or without its
    accents (tag names keep theirs)."""
    terms = parse_query(query)
    if not terms:
        return []
    typed = " ".join(WORD.findall(clean_query(query).casefold()))
    names = Tag.objects.filter(Q(name__icontains=" ".join(terms)) | Q(name__icontains=typed))
    return list(
        queries.tags_with_stories()
        .filter(pk__in=names.values("pk"))
        .order_by(Lower("name"), "pk")[:TAGS_SHOWN]
    )


def matching_names(query):
    """What the first page of results lists above the stories: the titles, people and tags
    with published stories whose names match the query, each with ``story_count``."""
    query = clean_query(query)
    return {
        "matching_titles": titles_matching(
            query, among=queries.titles_with_stories(), limit=TITLES_SHOWN
        ),
        "matching_people": people_matching(query, limit=PEOPLE_SHOWN),
        "matching_tags": matching_tags(query),
    }
