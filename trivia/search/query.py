"""A reader's query and what it finds: the words asked for, the ranked stories page by page
(``SearchResults``) and, above them, the titles, people and tags whose names match.

A query is cut to at most ``MAX_QUERY_CHARS`` characters and ``MAX_WORDS`` distinct words, at a
word's end, and the reader is told (``Shortened``); the engine ranks the newest ``CANDIDATES``
stories holding them all (``engines``).

One rule for short words, in every part of the page (``words.is_prefix``): a word of three
letters or more also matches the start of a word ("fig" finds Fight Club, its stories and the
tag "fight scenes"); a word of one or two letters matches only that whole word, in stories,
titles, people and tags alike ("up" finds the film Up, "fi" finds nothing), and a page that
finds nothing for a short word says "type at least 3 letters". Why not two-letter prefixes:
the engines would merge the postings of every word starting with them ("th", "st": nearly
every story) for each such query, where FTS5's prefix index (migration 0004) serves three
letters; and why not refuse short words: two-letter titles and name particles ("It", "Up",
"Oz", "De Niro") must stay findable.

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
from ..matching.names import normalize_name
from ..matching.people import people_matching
from ..matching.titles import titles_matching
from ..models import Anecdote, Person, PersonAlias, Title, TitleAlias
from .engines import engine
from .highlight import highlight, snippet
from .words import WORD, is_prefix, words

MAX_QUERY_CHARS = 200
MAX_WORDS = 10
CANDIDATES = 1000
TITLES_SHOWN = 6
PEOPLE_SHOWN = 6
TAGS_SHOWN = 12


def shorten(text):
    """``(query, shortened)``: the query as searched and shown back, without NUL bytes, cut
    after its ``MAX_WORDS``-th distinct word or at the last word's end within
    ``MAX_QUERY_CHARS``, whichever comes first (a single word longer than that is cut in it);
    ``shortened`` says whether anything was left out."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return "", False
    head = text[: MAX_QUERY_CHARS + 1]
    end, seen = 0, set()
    for match in WORD.finditer(head):
        if match.end() > MAX_QUERY_CHARS:
            break  # the word runs past the limit: the query ends before it
        seen.update(words(match.group()))
        if len(seen) > MAX_WORDS:
            break
        end = match.end()
    if end == 0 and len(text) > MAX_QUERY_CHARS:
        end = MAX_QUERY_CHARS  # one word longer than any there is: cut where the limit says
    elif len(seen) <= MAX_WORDS and len(text) <= MAX_QUERY_CHARS:
        return text, False  # all of it, punctuation after the last word included
    return text[:end].strip(), True


def clean_query(text):
    """The query as the page shows it back and searches (``shorten``)."""
    return shorten(text)[0]


def parse_query(text):
    """The distinct words of a query, at most ``MAX_WORDS``: all a query can say."""
    return tuple(dict.fromkeys(words(clean_query(text))))[:MAX_WORDS]


def phrase_at_word_starts(field, phrase, *, separator=" "):
    """``field`` (a name in normal form, or a slug with ``separator`` "-") holds ``phrase`` at
    the start of one of its words, its last word as a prefix only from ``PREFIX_MIN`` letters:
    "club" and "clu" are in "fight club", "lub" is not, and "fi" is not either (the short-word
    rule, module docstring)."""
    last = phrase.rsplit(separator, 1)[-1]
    if is_prefix(last):
        return Q(**{f"{field}__startswith": phrase}) | Q(
            **{f"{field}__contains": f"{separator}{phrase}"}
        )
    return (
        Q(**{field: phrase})
        | Q(**{f"{field}__startswith": f"{phrase}{separator}"})
        | Q(**{f"{field}__contains": f"{separator}{phrase}{separator}"})
        | Q(**{f"{field}__endswith": f"{separator}{phrase}"})
    )


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
        self.query, self.shortened = shorten(query)
        self.terms = parse_query(self.query)
        self.request = request

    @property
    def word_count(self):
        """How many words the query kept: "shortened to its first N words"."""
        return len(words(self.query))

    @property
    def short_words(self):
        """The query's words of fewer than ``PREFIX_MIN`` letters, matched only whole."""
        return [term for term in self.terms if not is_prefix(term)]

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
    """Tags of published stories whose name holds the query's words at the start of its own
    words, typed with or without its accents (tag names keep theirs): "reactions" and "rea"
    find "real reactions", "re" and "actions" do not (the short-word rule). Compared on the
    tags' slugs, where taggit writes the name's words lower case between hyphens."""
    query = clean_query(query)
    folded = words(query)
    if not folded:
        return []
    typed = WORD.findall(query.casefold())
    phrases = {"-".join(folded), "-".join(typed)}
    matches = Q()
    for phrase in phrases:
        matches |= phrase_at_word_starts("slug", phrase, separator="-")
    return list(
        queries.tags_with_stories()
        .filter(pk__in=Tag.objects.filter(matches).values("pk"))
        .order_by(Lower("name"), "pk")[:TAGS_SHOWN]
    )


def matching_names(query):
    """What the first page of results lists above the stories: the titles, people and tags
    with published stories whose names match the query, each with ``story_count``. A query
    ending in a short word finds names holding it whole (the short-word rule)."""
    query = clean_query(query)
    titles, people = queries.titles_with_stories(), None
    phrase = normalize_name(query)
    if phrase and not is_prefix(phrase.rsplit(" ", 1)[-1]):
        whole = phrase_at_word_starts("normalized_name", phrase)
        titles = titles.filter(
            Q(pk__in=Title.objects.filter(whole).values("pk"))
            | Q(pk__in=TitleAlias.objects.filter(whole).values("title"))
        )
        people = queries.person_has_stories().filter(
            Q(pk__in=Person.objects.filter(whole).values("pk"))
            | Q(pk__in=PersonAlias.objects.filter(whole).values("person"))
        )
    return {
        "matching_titles": titles_matching(query, among=titles, limit=TITLES_SHOWN),
        "matching_people": people_matching(query, among=people, limit=PEOPLE_SHOWN),
        "matching_tags": matching_tags(query),
    }
