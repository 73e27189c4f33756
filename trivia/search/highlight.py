"""The words a query matched, marked in what the results page shows: ``highlight`` marks a
title's name or a short story, ``snippet`` cuts a long story around its first match."""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .words import WORD, fold, term_matches

SNIPPET_CHARS = 400

_SPACE = re.compile(r"\s")


def highlight(text, terms):
    """``text`` escaped, with the words the query matched in ``<mark>``.

    The text is split around the matched words and every piece is escaped on its own, so
    nothing a contributor typed is ever marked safe (as ``linkify_plain`` does).
    """
    pieces, position = [], 0
    for match in WORD.finditer(text):
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
        (m.start() for m in WORD.finditer(text) if term_matches(fold(m.group()), terms)), 0
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
