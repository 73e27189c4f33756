"""Search over published stories (DESIGN §4, ``/search/?q=``) on the database's own full-text
engine: SQLite's FTS5 by default, PostgreSQL's text search with a GIN index on the scale path.

What is searched is ``SearchEntry.body``: a published story's title names (name, original title,
aliases), the names and aliases of the people it is about, its tags and its text, as lower-case,
accent-free words separated by spaces (``build_body``). So "Boxing Club" finds Fight Club's
stories, "Amelie" Amélie's and "Kino Rives" Keanu Reeves's. The words are cut here, in Python,
for the body and for the query alike, so that both engines see exactly the same words.

Only published stories have an entry, built from ``Anecdote.objects.published()``. The services
call ``index_anecdote`` when a story is published or edited while published and
``forget_anecdote`` when it is taken down, inside their transaction: a story is findable from
the moment it is published and not a moment after it is not. Renaming a title or a person, or
changing their aliases, calls ``reindex_title`` / ``reindex_person``; ``rebuild_index`` (the
``rebuild_search_index`` command) rewrites everything. The engines' indexes follow the entries
by themselves (FTS5 through triggers, the GIN index as any index): see migration 0004.

A reader's query never reaches an engine as syntax: it is cut into at most ``MAX_WORDS`` words of
letters and digits, each quoted (FTS5) or written as a plain lexeme (PostgreSQL), so quotes,
``*``, ``NEAR(``, ``AND OR`` or a NUL byte are just not words. Every word must match; words of
``PREFIX_MIN`` letters or more also match as prefixes ("ledg" finds Ledger).

Ranking is bounded (DESIGN §5: ranking every hit of a common word costs ~230 ms at 500,000
stories): the engine takes the newest ``CANDIDATES`` matches in index order, which costs the same
whatever the word, ranks only those, and the pages are cut from that ranked list. On SQLite the
words as typed are looked up whole first, and as prefixes only when those do not fill the
ranked set; the ranking itself is ``rank``'s, from the candidates' entries (``SQLiteEngine``).

Given the site's content generation (``trivia.caching.pages``), a search keeps what it found, the
ranked ids, each page of hits and the matching names, in the cache until the content changes:
a query asked again, by anyone, costs no engine work and no query but the generation.
"""

import hashlib
import re

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Length, Lower
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from taggit.models import Tag

from .. import queries
from ..caching import pages as page_cache
from ..models import Anecdote, Person, PersonAlias, SearchEntry, Title, TitleAlias
from ..names import normalize_name, strip_accents
from ..people import people_with_stories, person_has_stories

MAX_QUERY_CHARS = 200
MAX_WORDS = 10
PREFIX_MIN = 3
CANDIDATES = 1000
# A story longer than this is found by its first words only: PostgreSQL refuses a tsvector
# over 1 MB, and no story of a few sentences comes near it.
MAX_BODY_CHARS = 50_000
SNIPPET_CHARS = 400
BATCH = 500
TITLES_SHOWN = 6
PEOPLE_SHOWN = 6
TAGS_SHOWN = 12

# Letters and digits. The underscore, which "\w" also matches, separates words in FTS5.
_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s")


def fold(text):
    """The form search compares: "Amélie" → "amelie", "STRASSE" and "Straße" → "strasse"."""
    if text.isascii():  # most words: a third of the cost of highlighting a page
        return text.lower()
    return strip_accents(text).casefold()


def words(text):
    return _WORD.findall(fold(text or ""))


# --- What is searched ---------------------------------------------------------------------------


def build_body(anecdote):
    """The words a published story is found by: its title's names, its people's, its tags and
    its text. Names come first, so that a very long text loses its own tail, never a name."""
    names = []
    if anecdote.title is not None:
        title = anecdote.title
        names += [title.name, title.original_title, *(alias.name for alias in title.aliases.all())]
    for person in anecdote.people.all():
        names += [person.name, *(alias.name for alias in person.aliases.all())]
    names += [tag.name for tag in anecdote.tags.all()]
    body = " ".join(words(" ".join([*names, anecdote.text])))
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS].rsplit(" ", 1)[0]
    return body


def _with_names(stories):
    """The published ones of ``stories``, with everything ``build_body`` reads, prefetched."""
    return (
        stories.published()
        .select_related("title")
        .prefetch_related("title__aliases", "people__aliases", "tags")
        .order_by("pk")
    )


def _save(stories):
    """Write the entries of published ``stories`` (new or changed) in one statement."""
    entries = [SearchEntry(anecdote=story, body=build_body(story)) for story in stories]
    SearchEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["anecdote"], update_fields=["body"]
    )
    return len(entries)


def index_anecdote(anecdote):
    """Make search find ``anecdote`` as it now is; a story that is not published is forgotten,
    so calling this is always safe. Call it inside the transaction that changed the story."""
    story = _with_names(Anecdote.objects.filter(pk=anecdote.pk)).first()
    if story is None:
        forget_anecdote(anecdote)
    else:
        _save([story])


def forget_anecdote(anecdote):
    """Search no longer finds ``anecdote`` (it was taken down)."""
    SearchEntry.objects.filter(anecdote_id=anecdote.pk).delete()


def _reindex(stories, progress=None):
    """Rewrite the entries of the published ones of ``stories``, ``BATCH`` at a time."""
    ids = list(stories.published().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        _save(_with_names(Anecdote.objects.filter(pk__in=ids[start : start + BATCH])))
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return len(ids)


def reindex_title(title):
    """After a title, its original title or its aliases changed: its stories' entries follow."""
    return _reindex(Anecdote.objects.filter(title=title))


def reindex_person(person):
    """After a person's name or aliases changed: the entries of the stories about them follow."""
    return _reindex(Anecdote.objects.filter(people=person))


def note_stories_of(instance, *, lookup, **_signal_kwargs):
    """pre_delete of a person or a tag (``lookup``: "people", "tags"): the stories about it,
    whose entries hold its names."""
    stories = Anecdote.objects.filter(**{lookup: instance})
    instance.stories_to_reindex = list(stories.values_list("pk", flat=True))


def reindex_noted_stories(instance, **_signal_kwargs):
    """post_delete of a person or a tag: its names leave the entries ``note_stories_of`` noted."""
    _reindex(Anecdote.objects.filter(pk__in=getattr(instance, "stories_to_reindex", [])))


def reindex_stories(stories):
    """After what ``stories`` are found by changed outside them (a tag renamed)."""
    return _reindex(stories)


def rebuild_index(*, progress=None):
    """Rewrite every entry from the published stories and drop any other, then have the engine
    rebuild its index from the entries. Returns (stories indexed, stale entries removed)."""
    with transaction.atomic():
        removed, _ = SearchEntry.objects.exclude(anecdote__in=Anecdote.objects.published()).delete()
        indexed = _reindex(Anecdote.objects.all(), progress)
        engine().rebuild()
    return indexed, removed


# --- The engines ------------------------------------------------------------------------------


class SQLiteEngine:
    """FTS5, external content over ``trivia_searchentry`` (rowid = the story's id).

    FTS5 yields the newest matches of whole words, and of three-letter prefixes (its prefix
    index, migration 0004), in rowid order for almost nothing: 0.5 ms for the 1,000 newest of a
    word in nearly every story, at 300,000 stories. Two things cost in proportion to all the
    stories a word is in, however few are asked for: its bm25 ``rank``, which counts them first
    (15–50 ms for a common word), and a longer prefix, whose matches are merged in full before
    the first one comes ("camera"*: 14 ms; with a second word, 26 ms). So the words are looked
    up whole first; only when that does not fill the ranked set are the words of
    ``PREFIX_MIN`` letters or more looked up as prefixes ("ledg" finds Ledger, "ledger" finds
    "ledgers" too) — rare words and word starts, whose merges are small. A word so common that
    its whole form fills the set is ranked among its newest stories that have it as typed. The
    candidates are then ranked by ``rank`` from their entries (2–3 ms for 1,000).
    """

    TABLE = "trivia_searchentry_fts"
    NEWEST = f"SELECT rowid, body FROM {TABLE} WHERE {TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s"
    # Both lookups in one statement: the newest whole-word matches (part 0), then, only when
    # there are fewer than the limit of them, the newest prefix matches (part 1). The choice is
    # made inside MATCH, where SQLite evaluates it once before the search starts: '""' matches
    # nothing and costs nothing, where a WHERE on the second part still ran the prefix merge.
    WHOLE_THEN_PREFIXES = (
        f"SELECT 0, * FROM ({NEWEST}) UNION ALL SELECT 1, * FROM ("
        f"SELECT rowid, body FROM {TABLE} WHERE {TABLE} MATCH (CASE WHEN (SELECT COUNT(*) FROM "
        f"(SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)) < %s THEN %s ELSE '\"\"' END) "
        "ORDER BY rowid DESC LIMIT %s)"
    )

    def ranked_ids(self, terms, limit):
        # Quoted, every word is a string to match, never an operator.
        whole = " ".join(f'"{term}"' for term in terms)
        prefixes = " ".join(f'"{term}"*' if is_prefix(term) else f'"{term}"' for term in terms)
        with connection.cursor() as cursor:
            if prefixes == whole:
                cursor.execute(self.NEWEST, [whole, limit])
                return rank(cursor.fetchall(), terms)
            cursor.execute(
                self.WHOLE_THEN_PREFIXES, [whole, limit, whole, limit, limit, prefixes, limit]
            )
            rows = cursor.fetchall()
        parts = ([row[1:] for row in rows if row[0] == part] for part in (1, 0))
        return rank(next(parts) or next(parts), terms)

    def rebuild(self):
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.TABLE}({self.TABLE}) VALUES ('rebuild')")


class PostgreSQLEngine:
    """Text search over ``search_vector``, the stored ``to_tsvector('simple', body)`` with its
    GIN index (migration 0004). The planner walks the newest entries for a common word and
    uses the index for a rarer one.

    'simple' only lower-cases: the body is already folded, and stemming or stop words would make
    the two engines disagree.
    """

    def ranked_ids(self, terms, limit):
        # Plain words joined by "&": a valid tsquery whatever the reader typed.
        tsquery = " & ".join(f"{term}:*" if is_prefix(term) else term for term in terms)
        sql = (
            "SELECT anecdote_id FROM (SELECT anecdote_id, search_vector FROM trivia_searchentry "
            "WHERE search_vector @@ to_tsquery('simple', %s) "
            "ORDER BY anecdote_id DESC LIMIT %s) AS candidates "
            "ORDER BY ts_rank(search_vector, to_tsquery('simple', %s)) DESC, anecdote_id DESC"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [tsquery, limit, tsquery])
            return [row[0] for row in cursor.fetchall()]

    def rebuild(self):
        """The GIN index follows the table; fresh statistics help the planner choose it."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE trivia_searchentry")


ENGINES = {"sqlite": SQLiteEngine, "postgresql": PostgreSQLEngine}

# BM25's usual constants: how soon more of a word stops counting, and how much a long entry is
# discounted for its length.
K1 = 1.2
B = 0.75


def rank(entries, terms):
    """The ids of ``entries`` (story id, body), best match first, the newest first among equals.

    The score is BM25's without its inverse document frequency: the candidates all hold every
    word of the query, so their own numbers cannot tell a rare word from a common one, and the
    engine's count of them is what costs (``SQLiteEngine``). What is left rewards a word found
    often in a short entry: "Ledger. Ledger wrote in the Ledger diary." before a long story
    that mentions a ledger once. Bodies are folded words separated by single spaces
    (``build_body``), so a word's occurrences are counted as substrings.
    """
    if not entries:
        return []
    lengths = [body.count(" ") + 1 for _, body in entries]
    average = sum(lengths) / len(lengths)
    needles = [
        (f" {term}", None)
        if is_prefix(term)
        else (None, re.compile(rf"(?<= ){re.escape(term)}(?= )"))
        for term in terms
    ]
    scored = []
    for (pk, body), length in zip(entries, lengths, strict=True):
        text = f" {body} "
        damping = K1 * (1 - B + B * length / average)
        score = 0.0
        for prefix, whole in needles:
            found = text.count(prefix) if prefix else len(whole.findall(text))
            score += found * (K1 + 1) / (found + damping)
        scored.append((-score, -pk))
    scored.sort()
    return [-negative_pk for _, negative_pk in scored]


def engine():
    try:
        return ENGINES[connection.vendor]()
    except KeyError:
        raise ImproperlyConfigured(
            f"Search runs on SQLite or PostgreSQL, not on {connection.vendor}."
        ) from None


# --- Queries ----------------------------------------------------------------------------------


def clean_query(text):
    """The query as the page shows it back: at most ``MAX_QUERY_CHARS``, without NUL bytes."""
    return (text or "")[:MAX_QUERY_CHARS].replace("\x00", "").strip()


def parse_query(text):
    """The distinct words of a query, at most ``MAX_WORDS``: all a query can say."""
    return tuple(dict.fromkeys(words(clean_query(text))))[:MAX_WORDS]


def is_prefix(term):
    return len(term) >= PREFIX_MIN


def term_matches(word, terms):
    """Whether a folded word of a text is one the query asked for, as the engines match it."""
    return any(word.startswith(term) if is_prefix(term) else word == term for term in terms)


class Hit:
    """One story found, with its text and title name marked up for the results page."""

    def __init__(self, anecdote, terms):
        self.anecdote = anecdote
        self.snippet = snippet(anecdote.text, terms)
        self.title_name = highlight(anecdote.title.name, terms)


def kept(generation, kind, text, compute):
    """``compute()`` for the query ``text``, kept until the content changes (``page_cache.kept``);
    ``kind`` names what is kept."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return page_cache.kept(generation, f"search:{kind}:{digest}", compute)


class SearchResults:
    """The ranked stories matching a query, for Django's ``Paginator``: its length is the number
    of ranked candidates (one query, run on first use); a slice fetches only its own stories.
    Given the content ``generation``, both are kept in the cache (``kept``)."""

    def __init__(self, query, *, generation=None):
        self.query = clean_query(query)
        self.terms = parse_query(query)
        self.generation = generation

    @cached_property
    def ids(self):
        if not self.terms:
            return []
        return kept(
            self.generation,
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
                self.generation,
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


def _word_prefix(field, phrase):
    """``field`` holds ``phrase`` at the start of one of its words ("club" in "fight club")."""
    return Q(**{f"{field}__startswith": phrase}) | Q(**{f"{field}__contains": f" {phrase}"})


NAME_ORDER = [Length("normalized_name"), "normalized_name", "pk"]


def _first_matches(has_stories, matches, limit):
    """The ids of the first ``limit`` rows matching ``matches`` among those with published
    stories, shortest name first, so that the exact name leads.

    The names are matched on their own small table first, then only those rows are checked
    for published stories; the caller counts the chosen few in a second query, which most
    searches (words of stories, not names) never need. Measured on SQLite with 300,000
    stories and 3,000 titles: checking every title for stories first cost ~30 ms, counting
    the 1,100 titles that match "title 1" to order them by size ~35 ms; this ~2 ms. (Titles
    have their counts kept (``trivia.counters``), and need none of this.)
    """
    return list(
        has_stories.filter(matches).order_by(*NAME_ORDER).values_list("pk", flat=True)[:limit]
    )


def _note_alias(found, phrase):
    """Keep ``alias`` (the alias that matched) only where the name itself did not match: it
    says why a name the reader did not type is listed."""
    for item in found:
        if item.normalized_name.startswith(phrase) or f" {phrase}" in item.normalized_name:
            item.alias = None
    return found


def matching_titles(query):
    """Titles with published stories whose name, original title or an alias holds the query
    at a word's start, with ``story_count`` and ``alias``."""
    phrase = normalize_name(clean_query(query))
    if not phrase:
        return []
    aliases = TitleAlias.objects.filter(_word_prefix("normalized_name", phrase))
    names = Title.objects.filter(
        _word_prefix("normalized_name", phrase) | Q(original_title__icontains=clean_query(query))
    )
    first_alias = aliases.filter(title=OuterRef("pk")).order_by("name").values("name")[:1]
    titles = (
        queries.titles_with_stories()
        .filter(Q(pk__in=names.values("pk")) | Q(pk__in=aliases.values("title")))
        .annotate(alias=Subquery(first_alias))
        .order_by(*NAME_ORDER)
    )
    return _note_alias(list(titles[:TITLES_SHOWN]), phrase)


def matching_people(query):
    """People with published stories whose name or an alias holds the query at a word's start,
    with ``story_count`` and ``alias``."""
    phrase = normalize_name(clean_query(query))
    if not phrase:
        return []
    aliases = PersonAlias.objects.filter(_word_prefix("normalized_name", phrase))
    names = Person.objects.filter(_word_prefix("normalized_name", phrase))
    chosen = _first_matches(
        person_has_stories(),
        Q(pk__in=names.values("pk")) | Q(pk__in=aliases.values("person")),
        PEOPLE_SHOWN,
    )
    if not chosen:
        return []
    first_alias = aliases.filter(person=OuterRef("pk")).order_by("name").values("name")[:1]
    people = people_with_stories().annotate(alias=Subquery(first_alias))
    return _note_alias(list(people.filter(pk__in=chosen).order_by(*NAME_ORDER)), phrase)


def matching_tags(query):
    """Tags of published stories whose name contains the query, typed with or without its
    accents (tag names keep theirs)."""
    terms = parse_query(query)
    if not terms:
        return []
    typed = " ".join(_WORD.findall(clean_query(query).casefold()))
    names = Tag.objects.filter(Q(name__icontains=" ".join(terms)) | Q(name__icontains=typed))
    return list(
        queries.tags_with_stories()
        .filter(pk__in=names.values("pk"))
        .order_by(Lower("name"), "pk")[:TAGS_SHOWN]
    )


# --- Marking the matches ----------------------------------------------------------------------


def highlight(text, terms):
    """``text`` escaped, with the words the query matched in ``<mark>``.

    The text is split around the matched words and every piece is escaped on its own, so
    nothing a contributor typed is ever marked safe (as ``linkify_plain`` does).
    """
    pieces, position = [], 0
    for match in _WORD.finditer(text):
        if term_matches(fold(match.group()), terms):
            pieces.append(escape(text[position : match.start()]))
            pieces.append(format_html("<mark>{}</mark>", match.group()))
            position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def snippet(text, terms, *, length=SNIPPET_CHARS):
    """A long story cut to ``length`` characters around its first matched word, whole words
    only, "…" where it was cut; a short one whole. Highlighted."""
    if len(text) <= length:
        return highlight(text, terms)
    first = next(
        (m.start() for m in _WORD.finditer(text) if term_matches(fold(m.group()), terms)), 0
    )
    start = max(0, first - length // 4)
    while start > 0 and not _SPACE.match(text[start - 1]):
        start -= 1
    end = min(len(text), start + length)
    if end < len(text):
        cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
        end = cut if cut > first else end
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    return mark_safe(lead + highlight(text[start:end].strip(), terms) + tail)
