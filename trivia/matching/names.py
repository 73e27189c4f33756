"""How names are compared, so that garbled or differently written names still match.

"Parks & Recreation", "parks and recreation" and "The Parks and Recreation!" all normalise to
"parks and recreation"; "Amélie" and "Amelie" to "amelie". The normal form is what the models
store in ``normalized_name``, what alias uniqueness compares and what every lookup of
``trivia.matching`` compares. ``text_words`` cuts a running text into the same words, keeping
what tells a name from a common word (its capital, its place in the sentence).
``close_spelling`` says how near a garbled name ("Kino Rives") is to a known one ("Keanu
Reeves"). Nothing here reads the database.
"""

import difflib
import re
import unicodedata
from typing import NamedTuple

from django.db.models import Q
from django.db.models.functions import Length

LEADING_ARTICLES = ("the", "a", "an", "le", "la", "les", "l", "el", "il", "der", "die", "das")
# Words a name may write in lower case ("Jane the Virgin", "Lord of the Rings").
SMALL_WORDS = frozenset(
    "a an the and or nor but of in on at to for with from by as vs via de la le les du des "
    "del von van der di da d l s".split()
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NON_WORD = re.compile(r"[^\w]+")

# Rows matching a typed name, shortest name first, so that the exact name leads.
NAME_ORDER = [Length("normalized_name"), "normalized_name", "pk"]


def strip_accents(text):
    """Drop combining marks: "Amélie" → "Amelie"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize_name(name):
    """The comparable form of a title or person name (see the module docstring)."""
    text = strip_accents(name or "").translate(_APOSTROPHES).casefold()
    text = text.replace("&", " and ").replace("'", " ")
    words = _NON_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] in LEADING_ARTICLES:
        words = words[1:]
    return " ".join(words)


class Word(NamedTuple):
    """One word of a running text: as ``normalize_name`` writes it, whether it is written
    with a capital, whether it opens a sentence, and where it stands in the text."""

    normal: str
    capitalised: bool
    opens_sentence: bool
    start: int
    end: int


# A word (with any combining accents typed after its letters) or an ampersand, which is "and".
_TEXT_WORD = re.compile(r"\w[\w\u0300-\u036f]*|&")
_SENTENCE_BREAK = re.compile(r"[.!?…:;\n]")


def text_words(text):
    """The words of a running text, each a ``Word``: "Pratt’s" gives "pratt" (capitalised) and
    "s", "&" is "and", accents are dropped.

    Unlike ``normalize_name``, a leading article is kept: in running text, "The Rock" must not
    match every "rock".
    """
    text = text or ""
    words, previous_end = [], 0
    for match in _TEXT_WORD.finditer(text):
        token = match.group()
        normal = "and" if token == "&" else strip_accents(token).casefold()
        opens = not words or bool(_SENTENCE_BREAK.search(text, previous_end, match.start()))
        words.append(Word(normal, token[:1].isupper(), opens, match.start(), match.end()))
        previous_end = match.end()
    return words


# --- Garbled names ------------------------------------------------------------------------------

# Spellings that sound alike, rewritten one way before the vowels are dropped: "Rives" and
# "Reeves" both sound "rvs", "Bing" and "Bean" "bn".
_SOUNDS = [
    (re.compile(r"^(?:[kg](?=n)|w(?=r))"), ""),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"z"), "s"),
    (re.compile(r"dg"), "j"),
    (re.compile(r"gh"), ""),
    (re.compile(r"ng$"), "n"),
]


def _sound_key(word):
    """The consonants a word sounds with: "keanu" and "kino" are both "kn"."""
    for pattern, replacement in _SOUNDS:
        word = pattern.sub(replacement, word)
    head = "a" if word[:1] in tuple("aeiouy") else word[:1]
    return re.sub(r"(.)\1+", r"\1", head + re.sub(r"[aeiouyhw]", "", word[1:]))


def _edits(first, second):
    """Levenshtein distance, for the short sound keys of single words."""
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


def _close_word(typed, known):
    """How alike two words look (0–1) when one may be the other misheard or mistyped, else
    None. The first letter must agree; then the words must sound the same ("Tutu", "Tautou")
    or differ by a typo ("Leger", "Ledger"): "Penn" is not "Bean", "Hanks" not "Hardy"."""
    if typed == known:
        return 1.0
    if typed[:1] != known[:1]:
        return None
    looks = difflib.SequenceMatcher(None, typed, known).ratio()
    apart = _edits(_sound_key(typed), _sound_key(known))
    if (apart == 0 and looks >= 0.4) or (apart == 1 and looks >= 0.8):
        return looks
    return None


def close_spelling(typed, known):
    """How alike a name is to another (0–1), word by word, when it may be a garbling of it
    ("Kino Rives", "Keanu Reeves"); None when it is the same name, has another number of words
    or any word too unlike. Both are sequences of normal words."""
    if len(typed) != len(known) or tuple(typed) == tuple(known):
        return None
    scores = [_close_word(a, b) for a, b in zip(typed, known, strict=True)]
    if None in scores:
        return None
    return sum(scores) / len(scores)


def starts_a_word(field, phrase):
    """``field`` (a normal name) holds ``phrase`` at the start of one of its words: "club" is
    in "fight club", "lub" is not."""
    return Q(**{f"{field}__startswith": phrase}) | Q(**{f"{field}__contains": f" {phrase}"})


def note_alias(found, phrase):
    """Keep the ``alias`` annotated on each of ``found`` only where its own name does not hold
    ``phrase`` at a word's start: it says why a name the reader did not type is listed."""
    for item in found:
        if item.normalized_name.startswith(phrase) or f" {phrase}" in item.normalized_name:
            item.alias = None
    return found
