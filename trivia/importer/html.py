"""An HTML page read by its structure (``read_html``): the article found, its furniture removed,
its text written in the shape ``units`` reads ("## Heading" lines, one paragraph a line), so
that a page goes through the same splitter as a copied one.

**Furniture by structure.** Scripts, navigation, asides, headers and footers, forms, figures
and their captions, dialogs, hidden elements and ARIA landmarks other than the main one go
first; then, inside the article, every element whose class or id names comments, sharing,
related links, a sidebar, ads, cookies, a newsletter, a byline or author box, breadcrumbs,
captions or credits, and every list or paragraph made of links alone. What is left is still
checked line by line by ``furniture``.

**The article** is the ``itemprop=articleBody``, else the largest ``<article>``, else
``<main>``, if it holds 40 % of the page's text or more; else the element that holds most of
it.

**The shape.** h1 is the title line (the page's headline, once); h2 to h6 are "## heading"
lines, and so is a paragraph's or list item's first line when it is all bold. Paragraphs and
list items that open with a name in bold and a colon or a dash ("<li><strong>Psycho
(1960):</strong> …") are each a heading and a paragraph when two or more come together.
Under a heading each paragraph or quotation is a line, and the splitter keeps a heading's
paragraphs one story with their breaks. The intro before the first
heading is one line, so that no line of it (a byline in another language) looks like a heading.
Without headings each paragraph is a line and the splitter's text rules decide.

**Why selectolax** (measured on ``tests/data/listicles/html``, 8 pages and 44 stories, and on
one of them grown to 230 KB of menus, comments and scripts; one core): selectolax with these
rules found 44 of 44 stories with no furniture, in 2 ms a page (10 ms the big one);
trafilatura's markdown, split the same way, found 33, let furniture into 5 pages and made 5
stories of it, in 7-10 ms (130-150 ms); readability-lxml's summary read by these rules found
39, in 8-13 ms (45-60 ms).
"""

import datetime
import json
import re
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from .furniture import ends_article, is_furniture
from .reading import LoadedArticle
from .units import capitalised_share, line_words

_DROPPED = (
    "script, style, noscript, template, svg, iframe, object, embed, canvas, video, audio, "
    "picture, img, figure, figcaption, nav, aside, footer, form, button, input, select, "
    "textarea, label, dialog, menu, [hidden], [aria-hidden=true], [role=navigation], "
    "[role=complementary], [role=contentinfo], [role=banner], [role=search], [role=dialog], "
    "[role=alertdialog]"
)
# A class or id naming furniture, as a whole word of it ("share-bar", "list-item__credit"),
# unless a modifier says the page merely has one ("has-sidebar", "no-comments").
_FURNITURE_NAME_RE = re.compile(
    r"(?:^|[-_])(?:comments?|comment-?list|respond|disqus|share|sharing|sharedaddy|social|"
    r"related|recirc|sidebar|widgets?|ads?|advert\w*|adsbygoogle|gpt|dfp|sponsor\w*|promo\w*|"
    r"cookies?|consent|gdpr|onetrust|newsletter|subscribe|subscription|signup|byline|"
    r"author-?(?:bio|box|info)|breadcrumbs?|toc|meta|footer|masthead|menu|nav(?:bar|igation)?|"
    r"popup|modal|overlay|credits?|captions?|tweet|twitter|instagram|embed|trending|popular|"
    r"mostread|most-read|recommended|outbrain|taboola|screen-reader-text|sr-only|"
    r"visually-hidden)(?:$|[-_])",
    re.IGNORECASE,
)
_MODIFIER_RE = re.compile(r"(?:has|no|with|without|show|hide|is|enable|disable)[-_]", re.I)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Elements an article may be (the article found by its text goes down through these only) and
# the other elements that break a paragraph.
_CONTAINERS = {"div", "section", "article", "main", "center", "table", "tbody", "tr", "td"}
_BLOCKS = _HEADINGS | _CONTAINERS | {
    "p", "li", "ul", "ol", "pre", "blockquote", "header", "hgroup", "thead", "tfoot", "th",
    "dl", "dt", "dd", "details", "summary", "address",
}  # fmt: skip
_ARTICLE_TYPES = {
    "Article", "NewsArticle", "BlogPosting", "Report", "ReportageNewsArticle", "TechArticle",
    "ScholarlyArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "ReviewNewsArticle",
}  # fmt: skip
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# What follows a name in bold that heads its paragraph: a colon or a dash, then the paragraph.
_NAMED_RE = re.compile(r"\s*(?::\s*|\s[–—-]\s+)(\S.*)")


def read_html(markup, *, url=""):
    """The article a page holds, as the splitter reads it, with what the page says of itself
    (a ``reading.LoadedArticle``). ``url`` is where the page was read: relative addresses in
    it are taken from there."""
    tree = LexborHTMLParser(markup)
    page = _page_facts(tree, url)
    _remove(tree.css(_DROPPED))
    # A page's or an article's header goes; a story's header holds its heading and stays.
    _remove([node for node in tree.css("header") if not node.css_first("h2, h3, h4, h5, h6")])
    root = _article_root(tree)
    if root is None:
        return page
    inside = root.css("[class], [id]")
    _remove([node for node in inside if node.mem_id != root.mem_id and _furniture(node)])
    page.cited_names = _cited_names(root)
    page.text = _as_text(page.title, _blocks(root, page.title))
    return page


def _remove(nodes):
    """Remove the nodes, each once: lexbor frees a removed node's descendants with it."""
    chosen = {node.mem_id for node in nodes}
    outermost = [node for node in nodes if not any(a.mem_id in chosen for a in _ancestors(node))]
    for node in outermost:
        node.decompose()


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _furniture(node):
    names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}".split()
    return any(_FURNITURE_NAME_RE.search(name) and not _MODIFIER_RE.match(name) for name in names)


def _clean(text):
    return " ".join((text or "").split())


def _node_text(node):
    return _clean(node.text(separator=" ")) if node else ""


# --- What the page says of itself --------------------------------------------------------------


def _page_facts(tree, url):
    """Title, address, site, author and date: JSON-LD's, else the meta tags', else the page's."""
    described = _json_ld_article(tree)

    def meta(*names):
        for name in names:
            for attribute in ("property", "name", "itemprop"):
                node = tree.css_first(f'meta[{attribute}="{name}"]')
                if node and _clean(node.attributes.get("content")):
                    return _clean(node.attributes.get("content"))
        return ""

    def first_text(*selectors):
        for selector in selectors:
            node = tree.css_first(selector)
            if node and (text := _clean(node.attributes.get("content")) or _node_text(node)):
                return text
        return ""

    title = first_text(
        "article h1", "main h1", "[itemprop=headline]", "h1", ".entry-title", ".post-title"
    )
    title = title or meta("og:title") or first_text("title")
    canonical = tree.css_first("link[rel=canonical]")
    address = (canonical and canonical.attributes.get("href") or "").strip() or meta("og:url")
    address = urljoin(url, address) if address else ""
    page_author = meta("article:author")  # often the author's profile address, not a name
    publisher = described.get("publisher")
    dates = [
        str(described.get("datePublished") or ""),
        meta("article:published_time", "datePublished", "date", "pubdate", "DC.date"),
    ]
    time = tree.css_first("time[itemprop=datePublished][datetime], time.published[datetime]")
    dates.append(time.attributes.get("datetime") if time else "")
    return LoadedArticle(
        text="",
        title=title[:300],
        url=address if urlsplit(address).scheme in ("http", "https") else "",
        site_name=(
            meta("og:site_name")
            or (_clean(publisher.get("name")) if isinstance(publisher, dict) else "")
            or meta("application-name")
        )[:200],
        author=(
            _names(described.get("author"))
            or meta("author")
            or ("" if "://" in page_author else page_author)
            or first_text("[itemprop=author] [itemprop=name]", "[itemprop=author]", "a[rel=author]")
        )[:200],
        date=next(filter(None, map(_date, dates)), None),
    )


def _json_ld_article(tree):
    """The first Article (or NewsArticle, BlogPosting…) the page describes in JSON-LD."""
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text())
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        items += [
            part for item in items if isinstance(item, dict) for part in item.get("@graph", ())
        ]
        for item in items:
            kinds = item.get("@type") if isinstance(item, dict) else None
            if set(kinds if isinstance(kinds, list) else [kinds]) & _ARTICLE_TYPES:
                return item
    return {}


def _names(value):
    """JSON-LD's author: a name, a Person, or a list of them, as "Ann Lee, Bob Ray"."""
    values = value if isinstance(value, list) else [value]
    names = [item.get("name") if isinstance(item, dict) else item for item in values]
    return ", ".join(_clean(name) for name in names if isinstance(name, str) and name.strip())


def _date(text):
    match = _DATE_RE.search(text or "")
    try:
        return datetime.date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


# --- Where the article is ----------------------------------------------------------------------


def _weight(node):
    """How much of the page's own text an element holds: its text less its links'."""
    return len(node.text()) - sum(len(link.text()) for link in node.css("a"))


def _article_root(tree):
    """The landmark that holds most of the page's text, else the element that does."""
    if tree.body is None:
        return None
    node = tree.body
    weight = _weight(node)
    for selector in ("[itemprop=articleBody]", "article", "main, [role=main]"):
        candidates = tree.css(selector)
        best = max(candidates, key=_weight, default=None)
        if best is not None and _weight(best) >= 0.4 * weight:
            return best
    while True:
        children = (child for child in node.iter() if child.tag in _CONTAINERS)
        best = max(children, key=_weight, default=None)
        if best is None or _weight(best) < 0.75 * weight:
            return node
        node, weight = best, _weight(best)


# --- The article's blocks ----------------------------------------------------------------------


class _Block(NamedTuple):
    """A heading, a paragraph, a quotation, or a paragraph that opens with a name in bold
    ("<strong>Fight Club:</strong> Brad Pitt…": ``name`` "Fight Club", ``text`` the rest)."""

    kind: str  # "heading", "para", "quote" or "named"
    text: str
    name: str = ""

    @property
    def line(self):
        return f"{self.name}: {self.text}" if self.name else self.text


def _blocks(node, title):
    """The blocks of ``node`` in order; paragraphs and lists of links alone are left out."""
    pieces = []  # the inline nodes of a paragraph that has no <p> of its own
    for child in node.iter(include_text=True):
        if child.tag not in _BLOCKS:
            pieces.append(child)
            continue
        yield from _paragraphs(pieces)
        pieces = []
        if child.tag in _HEADINGS:
            text = _node_text(child)
            if text and text != title:
                yield _Block("heading", text)
        elif child.tag in ("ul", "ol"):
            yield from _list(child)
        elif child.tag in ("p", "li", "pre"):
            yield from _paragraphs(list(child.iter(include_text=True)))
        elif child.tag == "blockquote":
            text = " ".join(block.line for block in _blocks(child, title))
            if text:
                yield _Block("quote", text)
        else:
            yield from _blocks(child, title)
    yield from _paragraphs(pieces)


def _paragraphs(pieces):
    """The paragraphs of inline nodes (two line breaks part them). One whose first line is all
    bold starts with a heading; one that opens with a name in bold and a colon or a dash is
    "named"."""
    text, links = _inline_text(pieces)
    if links >= 0.5 * len(_clean(text)):
        return
    bolds = {
        _clean(bold.text()).rstrip(" :–—-.")
        for piece in pieces
        if piece.tag != "-text"
        for bold in piece.css("strong, b")
    } - {""}
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line for line in map(_clean, chunk.split("\n")) if line]
        if lines and lines[0].rstrip(" :–—-.") in bolds:
            yield _Block("heading", lines.pop(0).rstrip(" :–—-."))
        if not lines:
            continue
        line = " ".join(lines)
        named = (_NAMED_RE.match(line[len(bold) :]) for bold in bolds if line.startswith(bold))
        rest = next((match.group(1) for match in named if match), None)
        if rest:
            yield _Block("named", rest, name=line[: len(line) - len(rest)].rstrip(" :–—-"))
        else:
            yield _Block("para", line)


def _list(node):
    """A list's items as paragraphs, except that short plain items (fewer than 15 words on
    average) make one paragraph together; a list of links (related stories, tags, a table of
    contents) is left out."""
    if _weight(node) < 0.5 * len(node.text()):
        return
    plain = []
    for item in (child for child in node.iter() if child.tag == "li"):
        blocks = list(_paragraphs(list(item.iter(include_text=True))))
        if len(blocks) == 1 and blocks[0].kind == "para":
            plain.append(blocks[0].text)
        else:
            yield from blocks
    if plain and sum(len(line_words(text)) for text in plain) >= 15 * len(plain):
        yield from (_Block("para", text) for text in plain)
    elif plain:
        joined = plain[0]
        for text in plain[1:]:
            joined += (" " if joined[-1] in ".!?;:" else "; ") + text
        yield _Block("para", joined)


def _inline_text(pieces):
    """The text of inline nodes, a line break for each <br>, and how much of it is links."""
    parts, links = [], 0
    for piece in pieces:
        for node in piece.traverse(include_text=True):
            if node.tag == "-text":  # its spaces and line ends are one space, as on screen
                parts.append(re.sub(r"\s+", " ", node.text_content or ""))
            elif node.tag == "br":
                parts.append("\n")
        if piece.tag != "-text":
            links += sum(len(_clean(link.text())) for link in piece.css("a"))
    return "".join(parts), links


def _as_text(title, blocks):
    """The blocks as lines: the title, the intro on one line (so that no line of it looks like
    a heading), then each heading and its paragraphs and quotations, a line each; on a page
    without headings a quotation joins the paragraph before it. Named paragraphs are a
    layout when two or more come between two headings: each is then a heading and its
    paragraph; one alone ("Warning: spoilers…") is a paragraph. Furniture is dropped; a line
    that ends an article (the comments, "Related posts") ends it here too."""
    kept = []
    for block in blocks:
        if ends_article(block.line):
            break
        if not is_furniture(block.line):
            kept.append(block)
    sections, section = [], []
    for block in kept:
        if block.kind == "heading":
            sections.append(section)
            section = []
        section.append(block)
    sections.append(section)
    kept = [
        _Block("para", block.line)
        if block.kind == "named" and sum(other.kind == "named" for other in section) < 2
        else block
        for section in sections
        for block in section
    ]
    headed = any(block.kind in ("heading", "named") for block in kept)
    lines = [f"# {title}"] if title else []
    joins = False  # whether the next paragraph joins the last line
    in_section = False  # past the first heading: paragraphs are the splitter's to group
    for block in kept:
        if block.kind == "heading":
            lines.append(f"## {block.text}")
            in_section = True
        elif block.kind == "named":
            lines += [f"## {block.name}", block.text]
        elif joins and not in_section and (headed or block.kind == "quote"):
            lines[-1] = f"{lines[-1]} {block.text}"
        else:
            lines.append(block.text)
        joins = block.kind != "heading"
    return "\n\n".join(lines) + "\n"


def _cited_names(root):
    """Names the article sets in italics or cites ("<em>Rope</em>"), 1 to 6 capitalised words,
    in order, once each; a quotation's attribution is not one."""
    names = []
    for node in root.css("cite, em, i"):
        if node.tag == "cite" and any(a.tag == "blockquote" for a in _ancestors(node)):
            continue
        text = _node_text(node).strip(" ,.;:")
        words = line_words(text)
        if 1 <= len(words) <= 6 and capitalised_share(words) == 1 and text not in names:
            names.append(text)
    return names
