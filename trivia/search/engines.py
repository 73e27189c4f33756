"""The engines: SQLite's FTS5 and PostgreSQL's text search, behind one interface
(``ranked_ids(terms, limit)``, ``rebuild()``), chosen by the database (``engine``).

A reader's query never reaches an engine as syntax: its words are each quoted (FTS5) or written
as a plain lexeme (PostgreSQL), so quotes, ``*``, ``NEAR(``, ``AND OR`` or a NUL byte are just not
words. Every word must match.

Ranking is bounded (DESIGN §5: ranking every hit of a common word costs ~230 ms at 500,000
stories): the engine takes the newest ``CANDIDATES`` matches in index order, which costs the same
whatever the word, ranks only those, and the pages are cut from that ranked list. On SQLite the
words as typed are looked up whole first, and as prefixes only when those do not fill the
ranked set; the ranking itself is ``rank``'s, from the candidates' entries (``SQLiteEngine``).
Another engine is a class here and a row of ``ENGINES``.
"""

import re

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from .words import is_prefix


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
