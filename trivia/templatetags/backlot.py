"""Small filters for the reader pages' templates."""

import re
from functools import lru_cache
from urllib.parse import urlsplit

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import dateformat
from django.utils.encoding import iri_to_uri
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from trivia.vote_buttons import VoteButtons

register = template.Library()


@register.simple_tag(takes_context=True)
def vote_button(context, anecdote):
    """The reader's "interesting" vote on ``anecdote``'s card (trivia/vote_buttons.py)."""
    return VoteButtons(context).render(anecdote)


@lru_cache(maxsize=8)
def _tag_path_prefix(script_prefix):
    # Reversed once per script prefix: a page may link 150 tags, and ``{% url %}`` on each
    # costs more than the rest of the card (DESIGN §5). "-" stands for any slug.
    return reverse("tag_detail", kwargs={"slug": "-"}).removesuffix("-/")


@register.filter
def tag_url(tag):
    """The path of a tag's page, or "" for a tag whose name left no slug ("!!!")."""
    if not tag.slug:
        return ""
    return f"{_tag_path_prefix(get_script_prefix())}{iri_to_uri(tag.slug)}/"


@register.filter
def web_url(url):
    """A source's address if it is a web address; "javascript:" and the like are not linked."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return ""
    return url if scheme in {"http", "https"} else ""


@register.filter
def index_letter(title):
    """The letter a title is filed under on the A–Z list ("The Matrix" under M), "#" for
    titles starting with a digit or a sign."""
    first = title.normalized_name[:1].upper()
    return first if first.isalpha() else "#"


@register.filter
def source_label(source):
    """What a citation is called: its title, else its publisher, else its address or kind."""
    return (
        source.title
        or source.publisher
        or web_url(source.url)
        or f"An untitled {source.get_kind_display().lower()}"
    )


@register.filter
def citation_details(citation):
    """The rest of a citation, in reading order: author, publisher, date, place, kind."""
    source = citation.source
    details = []
    if source.author:
        details.append(f"by {source.author}")
    if source.publisher and source.title:
        details.append(source.publisher)
    if source.date:
        details.append(dateformat.format(source.date, "j F Y"))
    if citation.locator:
        details.append(citation.locator)
    if source.kind != source.Kind.ARTICLE:
        details.append(source.get_kind_display().lower())
    return details


# An address runs to the next space or to a character that cannot be part of one in prose.
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?*"
_CLOSING = {")": "(", "]": "[", "}": "{"}


def _trim_address(address):
    """Leave out the punctuation that ends the sentence around an address, and a closing
    bracket that closes the sentence's own bracket: "(see https://x.test/a_(b))." → "…a_(b)"."""
    while address:
        last = address[-1]
        if last in _TRAILING:
            address = address[:-1]
        elif last in _CLOSING and address.count(last) > address.count(_CLOSING[last]):
            address = address[:-1]
        else:
            break
    return address


@register.filter
def linkify_plain(text):
    """Plain text, escaped, with its http(s) addresses made into links a search engine does
    not credit (``rel="nofollow ugc"``: the site did not vouch for them).

    The text is split around the addresses and every piece is escaped on its own, so nothing a
    contributor typed is ever marked safe. Follow with ``|linebreaksbr``, which keeps it as is.
    """
    text = str(text or "")
    pieces, position = [], 0
    for match in _WEB_ADDRESS.finditer(text):
        address = _trim_address(match.group())
        try:
            if not urlsplit(address).netloc:
                continue
        except ValueError:  # "http://[::1" and the like: not an address, left as text
            continue
        pieces.append(escape(text[position : match.start()]))
        pieces.append(format_html('<a href="{}" rel="nofollow ugc">{}</a>', address, address))
        position = match.start() + len(address)
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))
