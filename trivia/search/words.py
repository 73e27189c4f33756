"""The words search compares: a text, a story's entry or a reader's query alike, is cut here, in
Python, into lower-case, accent-free words of letters and digits, so that both engines see
exactly the same words. A query's word of ``PREFIX_MIN`` letters or more also matches as a
prefix ("ledg" finds Ledger).
"""

import re

from ..matching.names import strip_accents

PREFIX_MIN = 3

# Letters and digits. The underscore, which "\w" also matches, separates words in FTS5.
WORD = re.compile(r"[^\W_]+")


def fold(text):
    """The form search compares: "Amélie" → "amelie", "STRASSE" and "Straße" → "strasse"."""
    if text.isascii():  # most words: a third of the cost of highlighting a page
        return text.lower()
    return strip_accents(text).casefold()


def words(text):
    return WORD.findall(fold(text or ""))


def is_prefix(term):
    return len(term) >= PREFIX_MIN


def term_matches(word, terms):
    """Whether a folded word of a text is one the query asked for, as the engines match it."""
    return any(word.startswith(term) if is_prefix(term) else word == term for term in terms)
