"""Normalising names, so that garbled or differently written titles still match.

"Parks & Recreation", "parks and recreation" and "The Parks and Recreation!" all normalise to
"parks and recreation"; "Amélie" and "Amelie" to "amelie". The normal form is what alias
uniqueness and title matching compare.
"""

import re
import unicodedata

LEADING_ARTICLES = ("the", "a", "an", "le", "la", "les", "l", "el", "il", "der", "die", "das")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NON_WORD = re.compile(r"[^\w]+")


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
