"""Published stories on a title that tell much the same thing ("is it one of these?").

Shown to a contributor before the final step of a submission, so a famous story is not sent in
a tenth time. The measure is deliberately plain: on SQLite, the overlap (Jaccard index) of the
two texts' content words, after accents, case and the most common English words are set aside. Two
retellings of one story share their names, places and odd details ("Kubrick", "typewriter",
"pages"), which is what this catches; it is a hint for a person, not a verdict.

Only a bounded number of recent published stories are compared, so the cost stays the same
however many stories the site or a famous title collects: the title's latest ``CANDIDATES``, or,
for a story whose title is still to be created, the site's latest ``ACROSS_TITLES`` on
PostgreSQL (none on SQLite). On PostgreSQL pg_trgm's trigram similarity does the measuring, in
the database (migration 0009), and spelling variants count as near misses.
"""

import re

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection

from .matching.names import strip_accents
from .models import Anecdote

CANDIDATES = 200
ACROSS_TITLES = 500  # ~0.2 ms of similarity() each
TRIGRAM_THRESHOLD = 0.3  # pg_trgm's own default for "similar"
THRESHOLD = 0.25
SHOWN = 3

_WORD = re.compile(r"[^\W_]+")
STOPWORDS = frozenset(
    """
    about above after again against all also although always among and another any are
    around because been before being below between both but can could did does doing done
    down during each even ever every few for from further had has have having her here hers
    herself him himself his how however into its itself just last later like made make many
    more most much must never not now off once one only other our ours out over own said same
    she should since some still such than that the their theirs them themselves then there
    these they this those though through too under until upon very was way were what when
    where which while who whom whose why will with without would yet you your yours film
    films movie movies scene scenes series show episode actor actress director
    """.split()
)


def content_words(text):
    """The words that carry a story's meaning: no accents, no case, no common words."""
    words = _WORD.findall(strip_accents(text or "").casefold())
    return {word for word in words if len(word) > 2 and word not in STOPWORDS}


def similarity(words, other_words):
    if not words or not other_words:
        return 0.0
    return len(words & other_words) / len(words | other_words)


def similar_stories(*, title, text, limit=SHOWN):
    """Up to ``limit`` published stories most like ``text`` (on ``title``, when it is known),
    most alike first, ready for story cards (a fixed number of queries)."""
    words = content_words(text)
    if not words:
        return []
    if connection.vendor == "postgresql":
        best = _by_trigrams(title, text, limit)
    elif title is not None:
        best = _by_shared_words(title, words, limit)
    else:
        best = []
    if not best:
        return []
    stories = Anecdote.objects.published().filter(pk__in=best).for_cards().in_bulk()
    return [stories[pk] for pk in best if pk in stories]


def _by_trigrams(title, text, limit):
    """PostgreSQL: the recent stories (see the module docstring) whose trigram similarity to
    ``text`` reaches ``TRIGRAM_THRESHOLD``, the closest first."""
    recent = Anecdote.objects.published().order_by("-published_at", "-pk")
    if title is not None:
        recent = recent.filter(title=title)[:CANDIDATES]
    else:
        recent = recent[:ACROSS_TITLES]
    return list(
        Anecdote.objects.filter(pk__in=recent.values("pk"))
        .annotate(score=TrigramSimilarity("text", text))
        .filter(score__gte=TRIGRAM_THRESHOLD)
        .order_by("-score", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


def _by_shared_words(title, words, limit):
    candidates = (
        Anecdote.objects.published()
        .filter(title=title)
        .order_by("-published_at", "-pk")
        .values_list("pk", "text")[:CANDIDATES]
    )
    scored = []
    for pk, other_text in candidates:
        score = similarity(words, content_words(other_text))
        if score >= THRESHOLD:
            scored.append((score, pk))
    return [pk for _score, pk in sorted(scored, key=lambda item: (-item[0], -item[1]))[:limit]]
