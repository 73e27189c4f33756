"""Published stories that tell much the same thing ("is it one of these?").

Shown to a contributor before the final step of a submission, so a famous story is not sent in
a tenth time, and on a pending story's admin page; the importer flags repeats with the same
measure (``trivia.importer.repeats``). The measure is deliberately plain: how many content
words two texts share, as the Ochiai coefficient |A ∩ B| / √(|A| · |B|), which a short retelling
of a long story is not penalised by as the Jaccard index was. Content words are the words left
once accents, case and the most common English words are set aside, each cut to its stem
("filming" and "filmed" are "film"), numbers written as digits ("six" is "6") and a few
paraphrases of set stories folded into one word ("hid", "locked himself" and "seclusion";
"motel" and "hotel"). Two retellings of one story share their names, places and odd details
("Kubrick", "typewriter", "pages"), which is what this catches; it is a hint for a person, not a
verdict.

Only a bounded number of recent published stories are compared, so the cost stays the same
however many stories the site or a famous title collects: the title's latest ``CANDIDATES``.
A story whose title is still to be created may retell one published under another name, so it
is compared across titles: with the latest ``CANDIDATES`` on the titles its proposed name may
be another name of (``TITLES_LIKE`` titles holding one of its longer words) or about the people
its text names, and with the site's latest ``CANDIDATES``. On PostgreSQL the stories among the
site's latest ``ACROSS_TITLES`` (the title's latest ``CANDIDATES`` when it is known) whose
pg_trgm trigram similarity reaches ``TRIGRAM_THRESHOLD`` (migration 0009) count too, so that
spelling variants are near misses.
"""

import functools
import math
import operator
import re

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Q

from .matching.names import (
    NAME_ORDER,
    SMALL_WORDS,
    normalize_name,
    starts_a_word,
    strip_accents,
)
from .matching.people import find_people
from .models import Anecdote, Title, TitleAlias

CANDIDATES = 200
TITLES_LIKE = 20
ACROSS_TITLES = 500  # ~0.2 ms of similarity() each
TRIGRAM_THRESHOLD = 0.3  # pg_trgm's own default for "similar"
THRESHOLD = 0.35
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
    roughly nearly almost approximately get got went took
    """.split()
)
_NUMBERS = {
    word: str(number)
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
# Suffixes cut from a word, longest first, as long as three letters are left; then a final
# "e" goes too, so that "hide", "hides" and "hiding" are all "hid".
_SUFFIXES = (
    ("ational", "ate"), ("ation", "ate"), ("ingly", ""), ("ings", ""), ("ing", ""),
    ("edly", ""), ("ied", "y"), ("ies", "y"), ("ed", ""), ("ness", ""), ("ments", ""),
    ("ment", ""), ("ly", ""), ("s", ""),
)  # fmt: skip
# Words set stories are retold with, as ``stem`` cuts them, folded into one stem each.
_PARAPHRASES = {
    word: group.split()[0]
    for group in (
        "seclud seclusion hid hidden lock shut isolat confin",
        "hotel motel inn",
        "film shoot shot record",
        "injur injury hurt wound",
        "improvis unscript adlib",
        "stay spent spend remain",
    )
    for word in group.split()
}


def stem(word):
    """A word's stem, crudely but consistently: "filming" and "filmed" → "film", "stopped" →
    "stop", "six" → "6", "motel" → "hotel" (``_PARAPHRASES``)."""
    if word in _NUMBERS:
        return _NUMBERS[word]
    for suffix, replacement in _SUFFIXES:
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            if not replacement and len(word) > 3 and word[-1] == word[-2] not in "lsz":
                word = word[:-1]  # "stopp" → "stop"
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return _PARAPHRASES.get(word, word)


def content_words(text):
    """The words that carry a story's meaning, as {stem: the word as the text writes it}: no
    accents, no case, no common words; numbers kept, whatever their length."""
    words = {}
    for word in _WORD.findall(strip_accents(text or "").casefold()):
        if word in STOPWORDS or (len(word) <= 2 and not word.isdigit()):
            continue
        words.setdefault(stem(word), word)
    return words


def similarity(words, other_words):
    """How alike two stories' ``content_words`` are: 0 (nothing shared) to 1 (the same)."""
    if not words or not other_words:
        return 0.0
    shared = len(words.keys() & other_words.keys())
    return shared / math.sqrt(len(words) * len(other_words))


def similar_stories(*, title, text, proposed_title="", limit=SHOWN):
    """Up to ``limit`` published stories most like ``text``: on ``title`` when it is known,
    else across titles, ``proposed_title`` being the name of the one to be created (module
    docstring); most alike first, ready for story cards (a fixed number of queries)."""
    words = content_words(text)
    if not words:
        return []
    scores = {}
    for pk, other_text in _candidates(title, text, proposed_title):
        score = similarity(words, content_words(other_text))
        if score >= THRESHOLD:
            scores[pk] = score
    if connection.vendor == "postgresql":
        for pk, score in _by_trigrams(title, text, limit):
            scores[pk] = max(score, scores.get(pk, 0.0))
    best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:limit]
    if not best:
        return []
    stories = Anecdote.objects.published().filter(pk__in=best).for_cards().in_bulk()
    return [stories[pk] for pk in best if pk in stories]


def recent_stories(*, title=None):
    """The published stories compared, newest first: a title's, or the whole site's."""
    stories = Anecdote.objects.published().order_by("-published_at", "-pk")
    return stories if title is None else stories.filter(title=title)


def _candidates(title, text, proposed_title):
    """(pk, text) of the published stories compared word by word (module docstring)."""
    if title is not None:
        return recent_stories(title=title).values_list("pk", "text")[:CANDIDATES]
    people = [person.pk for person in find_people(text)]
    related = recent_stories().filter(
        Q(title__in=_titles_like(proposed_title))
        | Q(pk__in=Anecdote.people.through.objects.filter(person__in=people).values("anecdote"))
    )
    found = dict(related.values_list("pk", "text")[:CANDIDATES])
    found.update(recent_stories().values_list("pk", "text")[:CANDIDATES])
    return found.items()


def _titles_like(name):
    """The titles a proposed ``name`` may be another name of: those whose name or an alias holds
    one of its longer words at a word's start ("Batman: The Dark Knight" → The Dark Knight),
    shortest name first."""
    words = {word for word in normalize_name(name).split() if len(word) >= 4} - SMALL_WORDS
    if not words:
        return Title.objects.none()
    # Titles and their aliases both keep the name in ``normalized_name``.
    holds = functools.reduce(operator.or_, (starts_a_word("normalized_name", w) for w in words))
    aliases = TitleAlias.objects.filter(holds).values("title")
    return (
        Title.objects.filter(holds | Q(pk__in=aliases))
        .order_by(*NAME_ORDER)
        .values("pk")[:TITLES_LIKE]
    )


def _by_trigrams(title, text, limit):
    """PostgreSQL: (pk, score) of the recent stories (see the module docstring) whose trigram
    similarity to ``text`` reaches ``TRIGRAM_THRESHOLD``, the closest first."""
    recent = recent_stories(title=title)[: ACROSS_TITLES if title is None else CANDIDATES]
    return list(
        Anecdote.objects.filter(pk__in=recent.values("pk"))
        .annotate(score=TrigramSimilarity("text", text))
        .filter(score__gte=TRIGRAM_THRESHOLD)
        .order_by("-score", "-pk")
        .values_list("pk", "score")[:limit]
    )
