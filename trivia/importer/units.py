"""An article's lines as units: its paragraphs and short lines, each with what the layout says
about it (the blank lines before it, its number, a markdown or bold mark) and whether it is
furniture or an image credit (``furniture``), in the source's order; nothing is removed, so
that the preview can show every line.

**Lines.** The text is UTF-8 (a BOM is dropped); line endings, non-breaking and zero-width
spaces are normalised. Each non-blank line is a unit (copied web pages put one paragraph per
line). A hard-wrapped file (most long lines end within a few characters of the same width,
at most 100) has its wrapped lines joined back into paragraphs, never to a separator line
("====="). A line holding only a number ("1.", "#1") is joined to the line after it, unless
that line is furniture or numbered itself. A credit label alone ("Photo Credit:") makes the
short line after it a credit. Markdown marks are removed: "## Heading" and a line entirely in
bold are headings (after a number too); ``**bold**``, ``[text](url)``, "> " and bullets are
reduced to their text.
"""

import re
from dataclasses import dataclass

from .furniture import ends_article, is_credit, is_credit_label, is_furniture
from .reading import clean_text

# "#1 X", "No. 1: X", "Number 1 - X" (n1); "1. X", "1) X", "1.- X" (n2); "1: X", "1 - X" (n3, which
# "300: Rise of an Empire" also looks like, so trusted only in a numbered article).
_NUMBERED_RE = re.compile(
    r"(?:#\s*|no\.?\s*|n[º°]\s*|number\s+)(?P<n1>\d{1,3})\b(?:\s*[.):\-–—]|(?=\s)|$)\s*(?P<r1>.*)"
    r"|(?P<n2>\d{1,3})[.)](?!\d)(?:\s*[-–—:](?=\s))?\s*(?P<r2>.*)"
    r"|(?P<n3>\d{1,3})(?::|\s+[-–—])\s+(?P<r3>.*)",
    re.IGNORECASE,
)
_MARKDOWN_HEADING_RE = re.compile(r"#{1,6}\s+(.*?)(?:\s+#+)?")
_BOLD_LINE_RE = re.compile(r"(\*\*|__)(?P<inner>[^*_].*?)\1\s*(?P<colon>[:.–—-]?)")
_BULLET_RE = re.compile(r"(?:[-*•·▪►▶➤✓✔]|>)\s+")

_SMALL_WORDS = frozenset(
    "a an the and or nor but of in on at to for with from by as vs via de la le les du des "
    "del von van der di da d l".split()
)
_ABBREVIATION_END_RE = re.compile(
    r"(?:\b(?:Inc|Jr|Sr|Dr|Mr|Mrs|Ms|St|Co|Bros|Vol|Pt|Ltd|vs|No|Mt|Ft|Jnr|Snr)\.|"
    r"\b(?:[A-Za-z]\.){2,})$"
)
SENTENCE_END_RE = re.compile(r"(?:[.!?…]|\.\.\.)['\"”’)\]]*$")


def line_words(text):
    return [word for word in re.split(r"\s+", text) if re.search(r"\w", word)]


def capitalised_share(words):
    """How many of the significant words start with a capital (or are numbers)."""
    counted = [
        word
        for i, word in enumerate(words)
        if i == 0 or word.lower().strip("'\"“”‘’(") not in _SMALL_WORDS
    ]
    if not counted:
        return 0.0
    letters = [re.sub(r"^[\W_]+", "", word)[:1] for word in counted]
    return sum(1 for char in letters if char.isupper() or char.isdigit()) / len(counted)


def _sentence_breaks(text):
    """Full stops inside the line that end a sentence (not "Mr. Smith" or "L.A. Confidential")."""
    count = 0
    for match in re.finditer(r"(\S+)[.!?]\s+[A-Z\"“]", text):
        before = match.group(1)
        if re.fullmatch(
            r"(?:[A-Za-z]\.)*[A-Za-z]|Inc|Jr|Sr|Dr|Mr|Mrs|Ms|St|Co|Bros|Vol|No|vs", before
        ):
            continue
        count += 1
    return count


def looks_like_heading(text, *, numbered=False):
    """A short name-like line: a film's title rather than a sentence (rule 4 of ``splitting``).

    A numbered line may be longer and end with a full stop ("3. Ledger locked himself away."):
    its number already says it is a heading.
    """
    text = text.strip()
    words = line_words(text)
    if not words:
        return False
    if numbered:
        return len(text) <= 150 and len(words) <= 20 and not _sentence_breaks(text)
    if len(text) > 100 or len(words) > 12 or _sentence_breaks(text):
        return False
    capitals = capitalised_share(words)
    if text.endswith(":"):
        return capitals >= 0.6
    if SENTENCE_END_RE.search(text) and not _ABBREVIATION_END_RE.search(text):
        # "Airplane!", "Who Framed Roger Rabbit?" – titles that end like a sentence; and a
        # name or two with a stray full stop, "Titanic."
        limit = 6 if text[-1] in "!?" else 4
        return len(words) <= limit and capitals >= 0.75
    return len(words) <= 6 or capitals >= 0.6


@dataclass
class Unit:
    """One paragraph or line of the article, with what the layout says about it."""

    text: str
    gap: int = 1  # blank lines before it
    number: int | None = None
    loose_number: bool = False  # numbered as "1: X" or "1 - X", which a title can look like
    unnumbered: str = ""  # the text with its number, should the number turn out not to be one
    marked: bool = False  # a markdown heading or a line in bold
    furniture: bool = False
    end: bool = False  # furniture after which nothing is a story
    credit: bool = False  # an image credit or a source line, alone or closing a caption
    source: str = ""  # the line as the article spells it (the preview shows it)

    def heading_like(self):
        return looks_like_heading(self.text, numbered=self.number is not None)


def _wrap_width(lines):
    """The width a hard-wrapped file was wrapped at, or None if it was not wrapped.

    The width is the one most long lines end just short of, with hardly any line beyond it (a
    cookie banner or a URL may stick out).
    """
    lengths = [len(line) for line in lines]
    long_lines = [n for n in lengths if n > 30]
    if len(long_lines) < 5:
        return None
    best, best_near = None, 0
    for width in sorted({n for n in long_lines if n <= 100}):
        near = sum(1 for n in long_lines if width - 12 <= n <= width)
        beyond = sum(1 for n in lengths if n > width)
        if beyond <= max(1, len(lengths) // 10) and near > best_near:
            best, best_near = width, near
    return best if best_near >= max(3, 0.4 * len(long_lines)) else None


def _blocks(text):
    """(gap, lines) for each run of non-blank lines."""
    blocks, current, gap = [], [], 0
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
        else:
            if current:
                blocks.append((gap, current))
                current, gap = [], 0
            gap += 1
    if current:
        blocks.append((gap, current))
    return blocks


def _unwrap(lines, width):
    """Join the lines of a hard-wrapped block back into paragraphs."""
    if not width:
        return lines
    joined = [lines[0]]
    for previous, line in zip(lines, lines[1:], strict=False):
        # The wrapper broke the line because the next word did not fit: a long line.
        wrapped = len(previous) + 1 + len(line.split()[0]) > width - 2 and len(previous) > 30
        starts_item = bool(_NUMBERED_RE.fullmatch(line) or _BULLET_RE.match(line))
        separator = not (re.search(r"\w", previous) and re.search(r"\w", line))  # "====="
        starts_heading = SENTENCE_END_RE.search(previous) and looks_like_heading(line)
        if wrapped and not (starts_item or starts_heading or separator):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def _strip_markup(text):
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\((?:https?://|/|#)[^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return " ".join(text.split())


def _unmark(line):
    """A line without its markdown heading, bold or bullet mark, and whether it is marked as a
    heading."""
    marked = False
    markdown = _MARKDOWN_HEADING_RE.fullmatch(line)
    if markdown:
        line, marked = markdown.group(1), True
    bold = _BOLD_LINE_RE.fullmatch(line)
    if bold and "**" not in bold.group("inner") and "__" not in bold.group("inner"):
        line, marked = bold.group("inner") + (bold.group("colon") or ""), True
    bullet = _BULLET_RE.match(line)
    if bullet and not marked:
        line = line[bullet.end() :]
    return line, marked


def _make_unit(line, gap):
    unit = Unit(text=line, gap=gap, source=line)
    line, unit.marked = _unmark(line)
    line = unit.unnumbered = _strip_markup(line)
    numbered = _NUMBERED_RE.fullmatch(line)
    if numbered:
        which = next(n for n in ("1", "2", "3") if numbered.group("n" + n))
        unit.number = int(numbered.group("n" + which))
        unit.loose_number = which == "3"
        # The rest may be marked too: "1." alone above "## Jaws" makes "1. ## Jaws".
        line, marked = _unmark(numbered.group("r" + which) or "")
        line, unit.marked = _strip_markup(line), unit.marked or marked
    unit.text = line
    if unit.marked and not looks_like_heading(line, numbered=True):
        unit.marked = False  # a whole paragraph in bold is still a paragraph
    if unit.number is None:
        unit.furniture = not line or is_furniture(line)
        unit.end = unit.furniture and ends_article(line)
    unit.credit = is_credit(line)
    return unit


def _settle_numbers(units):
    """ "300: Rise of an Empire" keeps its number only in an article that numbers its lines."""
    if sum(1 for unit in units if unit.number is not None) < 2:
        for unit in units:
            if unit.loose_number:
                unit.number, unit.text = None, unit.unnumbered
    return units


def read_units(text):
    """The article's paragraphs and lines as ``Unit``s, furniture included (and marked)."""
    text = clean_text(text)
    blocks = _blocks(text)
    width = _wrap_width([line for _, lines in blocks for line in lines])
    units = []
    for gap, lines in blocks:
        for index, line in enumerate(_unwrap(lines, width)):
            unit = _make_unit(line, gap if index == 0 else 0)
            last = units[-1] if units else None
            numbers_it = unit.number is None and not unit.furniture
            if last and last.number is not None and not last.text and numbers_it:
                # "1." alone on its line numbers the line after it.
                last.text, last.marked = unit.text, unit.marked
                last.unnumbered = f"{last.unnumbered} {unit.unnumbered}"
                last.source = f"{last.source} {unit.source}"
                continue
            if last and is_credit_label(last.text) and unit.number is None:
                # "Photo Credit:" alone: its credit is this line, if it is short.
                if len(line_words(unit.text)) <= 6:
                    unit.furniture = unit.credit = True
            units.append(unit)
    for unit in units:
        if unit.number is not None and not unit.text:
            unit.furniture = True  # a number with nothing to number
    return _settle_numbers(units)


def paragraph_units(texts):
    """Units for paragraphs ``read_units`` has already found (``Paragraph.text``): each text is
    one unit, neither unwrapped nor joined again."""
    return _settle_numbers([_make_unit(text, 1) for text in texts])
