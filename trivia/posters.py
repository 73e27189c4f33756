"""Generated poster cards: for a title without an uploaded poster, a typographic card drawn
from its name, years and kind, so that lists and pages are not walls of text.

No artwork, nothing copyrighted: a colour chosen from the name (the same name always gets the
same colour), the name set in wrapped lines, the years and "Film" or "Series". Drawn as SVG by
the server (``poster_svg``), served at ``/titles/<slug>/poster.svg`` through the page cache,
under the title's scope: ``trivia.publication.title_changed`` (a rename, a new year or kind)
stamps it, and ``poster_url`` carries a digest of what the card shows, so a browser never keeps
an old card under a new name.

Everything a title carries is text a moderator typed: escaped for XML, and stripped of the
control characters XML 1.0 cannot hold at all (a NUL in a name would make the whole image
unreadable).
"""

import hashlib
import re
import textwrap

from django.urls import reverse
from django.utils.html import escape

from .models import TitleKind

WIDTH, HEIGHT = 200, 300
MARGIN = 18
# Font sizes tried for the name, largest first, until it fits in MAX_LINES lines.
NAME_SIZES = (30, 26, 22, 19, 16)
MAX_LINES = 6
# Average advance of a bold sans-serif letter, as a fraction of the font size: enough to wrap
# without measuring glyphs (a line a little short is fine; one running off the card is not).
LETTER_WIDTH = 0.6

# Characters XML 1.0 refuses in a document, whatever the escaping.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def poster_version(title):
    """A digest of everything the card shows: part of its address, changed by a rename."""
    shown = "\x1f".join(str(part) for part in (title.name, title.years, title.kind))
    return hashlib.sha256(shown.encode()).hexdigest()[:12]


def poster_url(title):
    """The generated card's address for ``title``, new whenever what it shows changes."""
    path = reverse("title_poster", kwargs={"slug": title.slug})
    return f"{path}?v={poster_version(title)}"


def colours(name):
    """(background, accent) for ``name``: a dark, muted colour the same for the same name,
    on which light text reads at well over 4.5:1."""
    digest = hashlib.sha256(name.casefold().encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    saturation = 30 + digest[2] % 25
    return (
        f"hsl({hue}, {saturation}%, 22%)",
        f"hsl({(hue + 40) % 360}, {saturation + 20}%, 72%)",
    )


def wrapped_name(name):
    """(font size, lines) for ``name``: the largest size at which it fits without breaking a
    word, else the largest at which it fits with long words broken, else the smallest with the
    last line cut short."""
    for break_words in (False, True):
        for size in NAME_SIZES:
            per_line = max(1, int((WIDTH - 2 * MARGIN) / (size * LETTER_WIDTH)))
            lines = textwrap.wrap(name, per_line, break_long_words=break_words)
            if len(lines) <= MAX_LINES and all(len(line) <= per_line for line in lines):
                return size, lines
    lines = lines[:MAX_LINES]
    lines[-1] = lines[-1][: max(1, per_line - 1)].rstrip() + "…"
    return size, lines


def poster_svg(title):
    """The card of ``title`` as an SVG document (text)."""
    name = " ".join(NOT_XML.sub("", title.name).split()) or "Untitled"
    background, accent = colours(name)
    size, lines = wrapped_name(name)
    line_height = round(size * 1.15)
    # The name's block centred a little above the middle, clear of the label and the years.
    top = max(70, (HEIGHT - line_height * len(lines)) // 2 - 10 + size)
    kind = "Series" if title.kind == TitleKind.SERIES else "Film"
    name_lines = "".join(
        f'<tspan x="{MARGIN}" y="{top + index * line_height}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    years = escape(title.years)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(name)}">'
        f"<title>{escape(name)}</title>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{background}"/>'
        f'<rect x="8" y="8" width="{WIDTH - 16}" height="{HEIGHT - 16}" fill="none" '
        f'stroke="{accent}" stroke-opacity="0.45" stroke-width="1.5"/>'
        f'<text x="{MARGIN}" y="36" fill="{accent}" font-family="Helvetica, Arial, sans-serif" '
        f'font-size="12" font-weight="700" letter-spacing="2.5">{kind.upper()}</text>'
        f'<rect x="{MARGIN}" y="46" width="28" height="3" fill="{accent}"/>'
        f'<text fill="#ffffff" font-family="Helvetica, Arial, sans-serif" font-size="{size}" '
        f'font-weight="700">{name_lines}</text>'
        f'<text x="{MARGIN}" y="{HEIGHT - 24}" fill="{accent}" '
        f'font-family="Georgia, serif" font-size="18">{years}</text>'
        "</svg>\n"
    )
