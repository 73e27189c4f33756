"""Splitting an article into its title, intro and stories (``split_article``), the way a careful
reader would, once its lines are units (``units``: rule 1) without furniture (``furniture``: rule
2). The rules, in order:

3. **The article's title** is its first line (used as the source's title), unless that line is
   numbered or is exactly the name of a known title (then it is a heading).
4. **Headings.** A numbered line ("1. X", "1) X", "#1 X", "1 - X", "No. 1: X", "3: X") followed
   by a paragraph is a heading (a numbered line that is itself a long paragraph is a story; if it
   opens with a short "Name: " or "Name – " the name is its heading). A markdown or bold line
   is a heading. Otherwise a heading is a *short* line - at most 6 words, or at most 12 words
   mostly capitalised - that does not end like a sentence (".", "!", "?", "…"; "Monsters,
   Inc.", "Airplane!" or a trailing colon are fine) **and is followed by a paragraph**: a short
   line followed by another short line or by nothing is not a heading. No trailing punctuation
   alone never makes a heading: seed paragraphs often lack their final full stop. An article
   with no heading on a line of its own but paragraphs opening "Fight Club: …" (two or more,
   with a capitalised name or a known title) has those names as headings; elsewhere a
   paragraph opening with a known title and a colon or dash gets that title as its heading.
5. **Intro.** Everything before the first heading is the intro, not a story. When the article
   numbers its headings (two or more numbered lines), the first numbered line is the first
   heading; otherwise it is the first heading not followed by an introductory paragraph ("here
   are…", "these facts…").
6. **Stories.** The paragraph right after a heading is that heading's story. A heading repeated
   right after itself ("1. The glow", then "The glow"; or with a year added) counts once; two
   headings in a row leave the first without a story, and it is dropped. A paragraph that
   follows a story instead of a heading is a story **without a heading** (the seed's headings
   that were images), so two paragraphs under one heading are two stories, the second without
   a heading - except that a paragraph which can only continue the previous one (it opens in
   lower case or with "However", "He", "They"…, and is not set apart by a wider gap than usual)
   is appended to it, and that in an article numbered without a gap (1, 2, 3…) no heading was
   lost, so such a paragraph is a second story under the same heading. In a numbered article,
   a short line between a heading and its paragraph, or alone after a story, is an image
   caption and is dropped.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from ..matching.names import normalize_name
from ..matching.titles import TitleRef, clean_heading, without_year
from .furniture import strip_trailing_credit
from .units import SENTENCE_END_RE, capitalised_share, line_words, looks_like_heading, read_units

_CONTINUATION_RE = re.compile(
    r"(?:however|but|and|also|moreover|furthermore|in addition|additionally|besides|"
    r"nevertheless|nonetheless|still|yet|later|afterwards?|eventually|meanwhile|as a result|"
    r"because of (?:this|that)|on top of that|not only that|what'?s more|even so|in the end|"
    r"he|she|they|his|her|their|him|them)\b[\s,]",
    re.IGNORECASE,
)
_INTRO_RE = re.compile(
    r"\b(?:here (?:are|is)|here'?s|we(?:'ve| have) (?:collected|rounded|gathered|compiled|"
    r"picked|selected)|this list|these (?:facts|stories|secrets|details|things|anecdotes|"
    r"moments|movies|films)|in this (?:article|post|list)|read on|scroll down|"
    r"let'?s (?:take a look|find out|see|dive|have a look)|you (?:probably )?(?:didn'?t|don'?t|"
    r"did not|do not|never) know|behind[- ]the[- ]scenes|not (?:much|well|widely) known|"
    r"(?:little|lesser)[- ]known)\b",
    re.IGNORECASE,
)
_INLINE_SEPARATOR_RE = re.compile(r"\s*:\s+|\s+[–—-]\s+")


def _heading_key(text):
    """What two spellings of the same heading share: "1. The Glow" and "The glow (1980)"."""
    return normalize_name(without_year(clean_heading(text)))


@dataclass
class Story:
    """One story of an article: its heading (None when it had none), its text, its title."""

    heading: str | None
    text: str
    title: TitleRef | None = None

    def as_json(self):
        return {
            "heading": self.heading,
            "title": self.title.slug if self.title else None,
            "text": self.text,
        }


@dataclass
class Article:
    title: str
    intro: list[str] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)

    @property
    def counts(self):
        """What the summary reports: stories, matched, unmatched headings, no heading."""
        matched = sum(1 for story in self.stories if story.title)
        no_heading = sum(1 for story in self.stories if story.heading is None)
        return {
            "stories": len(self.stories),
            "matched": matched,
            "unmatched": len(self.stories) - matched - no_heading,
            "no heading": no_heading,
        }


def _split_inline(text, *, index=None, numbered=False):
    """ "Fight Club: Brad Pitt…" → ("Fight Club", "Brad Pitt…"), when the name is a heading.

    In a numbered paragraph a short name-like opening is taken (a known title first, else the
    first); elsewhere only a known title, since "Fun fact: …" is not a heading.
    """
    candidates = []
    for match in _INLINE_SEPARATOR_RE.finditer(text):
        head, rest = text[: match.start()].strip(), text[match.end() :].strip()
        if len(line_words(head)) > 10 or len(line_words(rest)) < 4:
            break
        if looks_like_heading(head):
            candidates.append((head, rest))
    for head, rest in candidates:
        if index is not None and index.match(head):
            return head, rest
    if numbered and candidates:
        return candidates[0]
    return None, text


def _inline_heading(text, index):
    """Whether a paragraph opens with a film's name: a known title, or a capitalised name."""
    head, _ = _split_inline(text, index=index, numbered=True)
    if not head:
        return False
    words = line_words(head)
    return bool(index and index.match(head)) or (
        len(words) <= 8 and capitalised_share(words) >= 0.75
    )


def _classify(units):
    """Each unit's kind: "end", "heading" (surely), "numbered story", "short" (a heading if a
    paragraph follows) or "para"."""
    kinds = []
    for unit in units:
        if unit.end:
            kinds.append("end")
        elif unit.number is not None:
            kinds.append("numbered")
        elif unit.marked:
            kinds.append("heading")
        else:
            kinds.append("short" if unit.heading_like() else "para")
    for i, unit in enumerate(units):
        if kinds[i] != "numbered":
            continue
        following = kinds[i + 1] if i + 1 < len(units) else "end"
        title_like = len(line_words(unit.text)) <= 12 and not SENTENCE_END_RE.search(unit.text)
        heading = unit.heading_like() and (following in ("para", "short") or title_like)
        kinds[i] = "heading" if heading else "numbered story"
    kinds.append("end")  # so that looking one past the last unit is safe
    return kinds


def split_article(text, index=None):
    """Split an article into its title, intro and stories (rules in the module docstring).

    ``index`` (a ``trivia.matching.titles.TitleIndex``) matches headings to titles; without it
    no title is matched.
    """
    units = read_units(text)
    article = Article(title="")
    if not units:
        return article
    kinds = _classify(units)
    gaps = Counter(unit.gap for unit in units[1:])
    usual_gap = gaps.most_common(1)[0][0] if gaps else 1
    numbered_doc = sum(1 for unit in units if unit.number is not None) >= 2

    def is_repeat(i, heading):
        return kinds[i] in ("short", "heading") and _heading_key(units[i].text) == _heading_key(
            heading
        )

    def after_heading(i):
        """Where the paragraph of the heading at ``i`` should be (after a repetition)."""
        return i + 2 if is_repeat(i + 1, units[i].text) else i + 1

    # The article's title: the first line, unless it is a heading itself.
    start = 0
    first = units[0]
    known = index is not None and index.match(first.text)
    if first.number is None and kinds[0] != "end" and not known and len(first.text) <= 200:
        article.title = first.text
        start = 1

    # Where the stories begin.
    body = None
    for i in range(start, len(units)):
        if kinds[i] == "end":
            break
        if numbered_doc:
            if kinds[i] in ("heading", "numbered story"):
                body = i
                break
        elif kinds[i] == "heading" or (
            kinds[i] == "short"
            and kinds[after_heading(i)] == "para"
            and not _INTRO_RE.search(units[after_heading(i)].text)
        ):
            body = i
            break
    if body is None:
        # No heading on a line of its own: perhaps each paragraph opens with its film's name,
        # "Fight Club: Brad Pitt…". Two such paragraphs make that the article's layout.
        inline = [
            i
            for i in range(start, kinds.index("end"))
            if kinds[i] == "para" and _inline_heading(units[i].text, index)
        ]
        if len(inline) < 2:
            article.intro = [unit.text for unit in units[start:] if not unit.end]
            return article
        for i in inline:
            kinds[i] = "numbered story"
        body = inline[0]
    article.intro = [unit.text for unit in units[start:body]]

    # Numbered 1, 2, 3… (or counting down) without a gap: no item lost its number, so a second
    # paragraph belongs to the item above it rather than to a heading that was an image.
    numbers = [
        unit.number
        for unit, kind in zip(units, kinds, strict=False)
        if unit.number is not None and kind in ("heading", "numbered story")
    ]
    steps = {b - a for a, b in zip(numbers, numbers[1:], strict=False)}
    numbered_in_order = len(numbers) >= 2 and steps in ({1}, {-1})

    heading = None  # a heading waiting for its paragraph
    last = None  # the last story, which a continuation joins
    for i in range(body, len(units)):
        kind, unit = kinds[i], units[i]
        if kind == "end":
            break
        if heading is not None and is_repeat(i, heading):
            continue
        if kind == "heading" or (
            heading is None and kind == "short" and kinds[after_heading(i)] == "para"
        ):
            heading, last = clean_heading(unit.text), None
        elif kind == "numbered story":
            head, rest = _split_inline(unit.text, index=index, numbered=True)
            last = Story(heading=clean_heading(head) if head else None, text=rest)
            article.stories.append(last)
            heading = None
        elif heading is not None:
            if numbered_doc and kind == "short" and kinds[i + 1] == "para":
                continue  # a caption between a heading and its paragraph
            last = Story(heading=heading, text=unit.text)
            article.stories.append(last)
            heading = None
        elif numbered_doc and kind == "short":
            continue  # a caption standing alone after a story
        elif (
            last is not None
            and unit.gap <= usual_gap
            and (unit.text[:1].islower() or _CONTINUATION_RE.match(unit.text))
        ):
            last.text = f"{last.text}\n\n{unit.text}"
        else:
            head, rest = _split_inline(unit.text, index=index)
            if head:
                head = clean_heading(head)
            elif numbered_in_order and last is not None and unit.gap <= usual_gap:
                head = last.heading  # another paragraph of the same numbered item
            last = Story(heading=head, text=rest)
            article.stories.append(last)

    stories = []
    for story in article.stories:
        story.text = strip_trailing_credit(story.text).strip()
        if story.text and not (stories and stories[-1].text == story.text):
            stories.append(story)
    article.stories = stories
    if index is not None:
        for story in stories:
            story.title = index.match(story.heading) if story.heading else None
    return article
