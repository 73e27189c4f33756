"""How names are compared, so that garbled or differently written names still match.

"Parks & Recreation", "parks and recreation" and "The Parks and Recreation!" all normalise to
"parks and recreation"; "Amélie" and "Amelie" to "amelie". The normal form is what the models
store in ``normalized_name``, what alias uniqueness compares and what every lookup of
``trivia.matching`` compares. Nothing here reads the database.
"""

import re
import unicodedata

from django.db.models import Q
from django.db.models.functions import Length

LEADING_ARTICLES = ("the", "a", "an", "le", "la", "les", "l", "el", "il", "der", "die", "das")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NON_WORD = re.compile(r"[^\w]+")
_WORD = re.compile(r"\w+")

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


def name_words(text):
    """``(word, capitalised)`` pairs of a running text, words as ``normalize_name`` writes
    them: "Pratt’s" gives ("pratt", True) and ("s", False), "&" is "and", accents are dropped.

    Unlike ``normalize_name``, a leading article is kept: in running text, "The Rock" must not
    match every "rock".
    """
    text = strip_accents(text or "").translate(_APOSTROPHES).replace("&", " and ")
    return [(word.casefold(), word[:1].isupper()) for word in _WORD.findall(text)]


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
