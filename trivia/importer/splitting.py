"""Splitting an article into its title, intro and stories (``split_article``), the way a careful
reader would, once its lines are units (``units``: rule 1) and its furniture is known
(``furniture``: rule 2). Nothing is dropped: ``Article.paragraphs`` gives every line of the
source its role (title, intro, heading, story, caption or furniture), and ``regroup`` rebuilds
the stories from roles a moderator changed. The rules, in order:

3. **The article's title** is its first line that is not furniture, unless that line is
   numbered or is exactly the name of a known title (then it is a heading). Everything from a
   line that ends the article ("Leave a reply", "Comments are closed.") on is furniture.
4. **Headings.** A numbered line ("1. X", "1) X", "#1 X", "1 - X", "No. 1: X", "3: X") followed
   by a paragraph or a caption is a heading, even a sentence ("1. The audition that got him the
   part featured his mom."); a numbered line that is itself a long paragraph is a story (if it
   opens with a short "Name: " or "Name – " the name is its heading). A markdown or bold line
   is a heading. Otherwise a heading is a *short* line - at most 6 words, or at most 12 words
   mostly capitalised - that does not end like a sentence (".", "!", "?", "…"; "Monsters,
   Inc.", "Airplane!" or a trailing colon are fine) **and is followed by a paragraph**, past a
   repetition of itself and captions: a short line followed by another short line or by
   nothing is not a heading, nor is a quote. No trailing punctuation alone never makes a
   heading: seed paragraphs often lack their final full stop. An article with no heading on a
   line of its own but paragraphs opening "Fight Club: …" (two or more, with a capitalised
   name or a known title) has those names as headings; elsewhere a paragraph opening with a
   known title and a colon or dash starts a story under that title.
   **Captions** are not headings: a line of at most 15 words right above an image credit
   ("Photo Credit: Netflix.", "behind the scenes" then "@someone") or closing with one, a
   short line between a heading and its paragraph, and in a numbered article a short line
   alone after a story.
5. **Intro.** Everything before the first heading is the intro, not a story. When the article
   numbers its headings (two or more numbered lines), the first numbered line is the first
   heading; otherwise it is the first heading, right after the title or later, unless the line
   presents the article ("Secrets you didn't know") or the paragraph under it does ("here
   are…", "this list", "read on").
6. **Stories.** The paragraph after a heading (past its captions) starts that heading's story,
   and the paragraphs after it belong to the same story, quotes included (a line opening with
   a quotation mark, "“…” – Name"), until the next heading. Except where a heading was lost
   (the seed's headings that were images): a paragraph set apart by a wider gap than usual or
   by an image credit starts a story **without a heading**, unless it can only continue the
   one above (it opens in lower case, with "However", "He", "They"…, or is a quote), and an
   article numbered 1, 2, 3… (or counting down) without a gap lost no heading. A heading
   repeated right after itself ("1. The glow", then "The glow"; or with a year added) counts
   once; a heading followed by another heading heads no story. A paragraph printed twice
   counts once (the second is furniture).
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from ..matching.names import normalize_name
from ..matching.titles import TitleRef, clean_heading, without_year
from .furniture import strip_trailing_credit
from .units import (
    SENTENCE_END_RE,
    capitalised_share,
    line_words,
    looks_like_heading,
    paragraph_units,
    read_units,
)

_CONTINUATION_RE = re.compile(
    r"(?:however|but|and|also|moreover|furthermore|in addition|additionally|besides|"
    r"nevertheless|nonetheless|still|yet|later|afterwards?|eventually|meanwhile|as a result|"
    r"because of (?:this|that)|on top of that|not only that|what'?s more|even so|in the end|"
    r"he|she|they|his|her|their|him|them)\b[\s,]",
    re.IGNORECASE,
)
# A paragraph that presents the article rather than tells a story: the intro.
_PRESENTS_RE = re.compile(
    r"\b(?:here (?:are|is)|here'?s|we(?:'ve| have) (?:collected|rounded|gathered|compiled|"
    r"picked|selected|found)|(?:this|our) list|(?:these|the following) (?:\w+ )?(?:facts|"
    r"stories|secrets|details|things|anecdotes|moments|movies|films|shows|tidbits)|"
    r"in this (?:article|post|list)|read on|scroll down|keep scrolling|without further ado|"
    r"let'?s (?:take a look|find out|see|dive|have a look)|(?:check|find) out (?:these|our))\b",
    re.IGNORECASE,
)
# A short line that presents the article (a subtitle), not a film: "Secrets you didn't know".
_SUBTITLE_RE = re.compile(
    r"\b(?:you (?:probably )?(?:didn'?t|don'?t|did not|do not|never) know|behind[- ]the[- ]scenes|"
    r"not (?:much|well|widely) known|(?:little|lesser)[- ]known|facts|stories|secrets|trivia|"
    r"things)\b",
    re.IGNORECASE,
)
_INLINE_SEPARATOR_RE = re.compile(r"\s*:\s+|\s+[–—-]\s+")
# "“I had no idea,” Lloyd said." / "“…” – Tom Hanks" (not "“…” – Casablanca (1942)").
_QUOTE_MARKS = "\"“„«‘'"
_ATTRIBUTION_RE = re.compile(
    r"[\"”»’'][,.]?\s*(?:[–—-]\s*\S(?!.*\((?:19|20)\d\d\)$)|\w+ (?:says|said)\b)"
)
_ATTRIBUTION_LINE_RE = re.compile(r"[–—-]\s*[A-Z][\w.'’-]*(?:,?\s+[\w.'’-]+){0,5}")
# What regroup takes: the roles of Paragraph, "continue" for a paragraph that joins the story
# above rather than starting one.
ROLES = ("title", "intro", "heading", "story", "continue", "caption", "furniture")


def _heading_key(text):
    """What two spellings of the same heading share: "1. The Glow" and "The glow (1980)"."""
    return normalize_name(without_year(clean_heading(text)))


def _is_quote(text):
    """A quoted paragraph or its "– Name" line: never a heading, never a story of its own."""
    if text[:1] in _QUOTE_MARKS:
        return bool(_ATTRIBUTION_RE.search(text)) or len(line_words(text)) > 6
    return bool(_ATTRIBUTION_LINE_RE.fullmatch(text))


def _only_continues(text):
    """A paragraph that cannot open a story: "he agreed…", "However, …", a quote."""
    return text[:1].islower() or bool(_CONTINUATION_RE.match(text)) or _is_quote(text)


@dataclass
class Story:
    """One story of an article: its heading (None when it had none), its text, and what the
    import found out about it for the moderator (``naming``, ``repeats``)."""

    heading: str | None
    text: str
    title: TitleRef | None = None
    # A new title's name ("Squid Game (2021)") when no existing title is named.
    proposed_title: str | None = None
    people: list = field(default_factory=list)  # trivia.matching.people.PersonRef
    # Published stories (or earlier stories of the same import) it may repeat:
    # {"id": pk or None, "url": address, "heading": what it is called, "shared": [words]}.
    duplicates: list = field(default_factory=list)
    # Names close to a known title or person: {"typed": "Kino Rives", "known": "Keanu Reeves"}.
    corrections: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why the story is marked, in sentences

    def as_json(self):
        """The story as ``import_article --json`` prints it (one object of its list)."""
        return {
            "heading": self.heading,
            "title": self.title.slug if self.title else None,
            "proposed_title": self.proposed_title,
            "text": self.text,
            "people": [person.slug for person in self.people],
            "duplicates": [duplicate["id"] or duplicate["url"] for duplicate in self.duplicates],
            "corrections": self.corrections,
            "notes": self.notes,
        }


@dataclass
class Paragraph:
    """One paragraph (or short line) of the source and what the split made of it, so that the
    preview accounts for every one: ``role`` is "title", "intro", "heading", "story" (its
    story's index in ``stories``: the first paragraph or a continuation of it), "caption" or
    "furniture". A "heading" has the index of the story it heads (None if it heads none)."""

    text: str
    role: str
    story: int | None = None


@dataclass
class Article:
    title: str
    intro: list[str] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def counts(self):
        """What the summary reports: stories, matched, unmatched headings, no heading (a story
        without a heading may still have matched a title its text names)."""
        return {
            "stories": len(self.stories),
            "matched": sum(1 for story in self.stories if story.title),
            "unmatched": sum(1 for story in self.stories if story.heading and not story.title),
            "no heading": sum(1 for story in self.stories if story.heading is None),
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
    return bool(index is not None and index.match(head)) or (
        len(words) <= 8 and capitalised_share(words) >= 0.75
    )


_PARAGRAPH = ("para", "quote")


def _classify(units):
    """Each line's kind: "heading" (surely), "numbered story", "short" (a heading if a paragraph
    follows), "quote", "caption" (it closes with its image credit) or "para"; and "end" one past
    the last line, so that looking ahead is safe."""
    kinds = []
    for unit in units:
        if unit.number is not None:
            kinds.append("numbered")
        elif unit.credit:
            kinds.append("caption")
        elif _is_quote(unit.text):
            kinds.append("quote")
        elif unit.marked:
            kinds.append("heading")
        else:
            kinds.append("short" if unit.heading_like() else "para")
    kinds.append("end")
    for i, unit in enumerate(units):
        if kinds[i] != "numbered":
            continue
        title_like = len(line_words(unit.text)) <= 12 and not SENTENCE_END_RE.search(unit.text)
        followed = kinds[i + 1] in ("para", "short", "quote", "caption")
        kinds[i] = (
            "heading" if unit.heading_like() and (followed or title_like) else "numbered story"
        )
    return kinds


class _Lines:
    """The article's lines that are not furniture, up to its end, with their kinds and the image
    credits around them."""

    def __init__(self, units):
        end = next((i for i, unit in enumerate(units) if unit.end), len(units))
        self.positions = [i for i in range(end) if not units[i].furniture]
        self.units = [units[i] for i in self.positions]
        self.kinds = _classify(self.units)
        credits = {i for i in range(end) if units[i].furniture and units[i].credit}
        self.credit_after = [i + 1 in credits for i in self.positions]
        previous = [-1, *self.positions]
        self.credit_before = [
            any(j in credits for j in range(a + 1, b))
            for a, b in zip(previous, self.positions, strict=False)
        ]

    def is_repeat(self, k, heading):
        return self.kinds[k] in ("short", "heading") and _heading_key(
            self.units[k].text
        ) == _heading_key(heading)

    def captioned(self, k):
        """A line right above an image credit, or closing with one: the image's caption."""
        return self.kinds[k] == "caption" or (
            self.kinds[k] in ("short", "para")
            and self.credit_after[k]
            and len(line_words(self.units[k].text)) <= 15
        )

    def past_captions(self, k):
        while self.captioned(k):
            k += 1
        return k

    def story_after(self, k):
        """Where the paragraph under a heading at ``k`` is, past a repetition of the heading and
        captions; None when no paragraph follows it."""
        j = k + 1
        while self.is_repeat(j, self.units[k].text):
            j += 1
        for candidate in (self.past_captions(j), j):
            if self.kinds[candidate] in _PARAGRAPH:
                return candidate
        return None


def _label(units, index):
    """Each unit's role, in ``regroup``'s words (rules 3 to 6), and the stories whose heading
    opens their first paragraph: {position: (heading, text)}."""
    labels = ["furniture"] * len(units)
    inline = {}
    lines = _Lines(units)
    kinds, lines_units, n = lines.kinds, lines.units, len(lines.units)

    def label(k, role):
        labels[lines.positions[k]] = role

    if not n:
        return labels, inline

    # The article's title: the first line, unless it is a heading itself.
    start = 0
    first = lines_units[0]
    if (
        first.number is None
        and len(first.text) <= 200
        and not (index is not None and index.match(first.text))
    ):
        label(0, "title")
        start = 1

    # Where the stories begin.
    numbered_doc = sum(1 for unit in lines_units if unit.number is not None) >= 2
    body = None
    for k in range(start, n):
        if numbered_doc:
            if kinds[k] in ("heading", "numbered story"):
                body = k
                break
            continue
        if kinds[k] == "heading":
            body = k
            break
        paragraph = lines.story_after(k) if kinds[k] == "short" else None
        if (
            paragraph is not None
            and not _SUBTITLE_RE.search(lines_units[k].text)
            and not _PRESENTS_RE.search(lines_units[paragraph].text)
        ):
            body = k
            break
    if body is None:
        # No heading on a line of its own: perhaps each paragraph opens with its film's name,
        # "Fight Club: Brad Pitt…". Two such paragraphs make that the article's layout.
        opening = [
            k
            for k in range(start, n)
            if kinds[k] == "para" and _inline_heading(lines_units[k].text, index)
        ]
        for k in opening if len(opening) >= 2 else ():
            kinds[k] = "numbered story"
        body = opening[0] if len(opening) >= 2 else n  # else no story: all of it is intro
    for k in range(start, body):
        label(k, "caption" if lines.captioned(k) else "intro")

    # Numbered 1, 2, 3… (or counting down) without a gap: no item lost its number, so a
    # paragraph after a story belongs to it rather than to a heading that was an image.
    numbers = [
        unit.number
        for unit, kind in zip(lines_units, kinds, strict=False)
        if unit.number is not None and kind in ("heading", "numbered story")
    ]
    steps = {b - a for a, b in zip(numbers, numbers[1:], strict=False)}
    numbered_in_order = len(numbers) >= 2 and steps in ({1}, {-1})
    gaps = Counter(unit.gap for unit in lines_units[1:])
    usual_gap = gaps.most_common(1)[0][0] if gaps else 1

    pending = None  # a heading waiting for its story
    told = set()  # the stories' paragraphs, so that one printed twice counts once
    for k in range(body, n):
        kind, unit = kinds[k], lines_units[k]
        if pending is not None and lines.is_repeat(k, pending):
            label(k, "heading")
        elif unit.text in told:
            label(k, "furniture")
        elif kind == "heading" or (
            pending is None and kind == "short" and lines.story_after(k) is not None
        ):
            label(k, "heading")
            pending = unit.text
        elif pending is not None:
            # Between a heading and its story: captions, then the story.
            followed = kinds[lines.past_captions(k + 1)] in _PARAGRAPH
            if followed and (kind == "short" or lines.captioned(k)):
                label(k, "caption")
            else:
                label(k, "story")
                pending = None
        elif kind == "numbered story":
            head, rest = _split_inline(unit.text, index=index, numbered=True)
            if head:
                inline[lines.positions[k]] = (clean_heading(head), rest)
            label(k, "story")
        elif lines.captioned(k):
            label(k, "caption")
        elif numbered_doc and kind == "short":
            label(k, "caption")  # a caption standing alone after a story
        elif _only_continues(unit.text):
            label(k, "continue")
        else:
            head, rest = _split_inline(unit.text, index=index)
            if head:
                inline[lines.positions[k]] = (clean_heading(head), rest)
                label(k, "story")
            elif numbered_in_order:
                label(k, "continue")
            elif unit.gap > usual_gap or lines.credit_before[k]:
                label(k, "story")  # its heading was an image
            else:
                label(k, "continue")
        if labels[lines.positions[k]] in ("story", "continue"):
            told.add(unit.text)
    return labels, inline


def _assemble(units, labels, inline):
    """The article ``labels`` describe (one role per unit, ``ROLES``); ``inline`` gives the
    heading and text of a paragraph that opens with its heading, used when it starts a story
    without a heading line."""
    article = Article(title="")
    groups = []  # (heading, [(position, text)], [positions of its heading lines])
    pending = None  # (heading, [positions]) waiting for its story
    for i, (unit, label) in enumerate(zip(units, labels, strict=True)):
        if label == "title":
            article.title = article.title or unit.text
        elif label == "intro":
            article.intro.append(unit.text)
        elif label == "heading":
            if pending and _heading_key(unit.text) == _heading_key(pending[0]):
                pending[1].append(i)
            else:
                pending = (clean_heading(unit.text), [i])
        elif label == "continue" and pending is None and groups:
            groups[-1][1].append((i, unit.text))
        elif label in ("story", "continue"):
            if pending:
                heading, text, lines = pending[0], unit.text, pending[1]
            else:
                (heading, text), lines = inline.get(i, (None, unit.text)), []
            groups.append((heading, [(i, text)], lines))
            pending = None

    roles = [
        label if label in ("title", "intro", "heading", "caption") else "furniture"
        for label in labels
    ]
    story_of = [None] * len(units)
    for heading, parts, lines in groups:
        text = strip_trailing_credit("\n\n".join(text for _, text in parts)).strip()
        if not text:
            continue  # a credit alone: its paragraph stays furniture
        for i, _ in parts:
            roles[i], story_of[i] = "story", len(article.stories)
        for i in lines:
            story_of[i] = len(article.stories)
        article.stories.append(Story(heading=heading, text=text))
    article.paragraphs = [
        Paragraph(text=" ".join(unit.source.split()), role=role, story=story)
        for unit, role, story in zip(units, roles, story_of, strict=True)
    ]
    return article


def split_article(text, index=None):
    """Split an article into its title, intro and stories (rules in the module docstring), with
    every paragraph of the source in ``paragraphs``.

    ``index`` (a ``trivia.matching.titles.TitleIndex``) matches headings to titles; without it
    no title is matched.
    """
    units = read_units(text)
    labels, inline = _label(units, index)
    article = _assemble(units, labels, inline)
    stories = article.stories
    if index is not None:
        for story in stories:
            story.title = index.match(story.heading) if story.heading else None
    return article


def current_roles(article):
    """The roles ``regroup`` takes that give back ``article``'s split, one per paragraph: the
    preview's starting point."""
    roles, started = [], set()
    for paragraph in article.paragraphs:
        if paragraph.role == "story" and paragraph.story in started:
            roles.append("continue")
        else:
            roles.append(paragraph.role)
            if paragraph.role == "story":
                started.add(paragraph.story)
    return roles


def regroup(article, roles, index=None):
    """``article`` split again as a moderator says: one role per paragraph of
    ``article.paragraphs``, from ``ROLES``.

    "story" starts a story with the paragraph; "continue" joins it to the story above (or starts
    one under a heading waiting for it); "heading" makes it the heading of the next story (the
    same heading twice in a row counts once); "title", "intro", "caption" and "furniture" keep
    it out of the stories. A paragraph that opened its story with its film's name ("Fight
    Club: …") keeps that heading while it starts a story without a heading line. ``index``
    matches headings to titles as in ``split_article``. Returns a new ``Article``; raises
    ``ValueError`` for a list of the wrong length or an unknown role.
    """
    if len(roles) != len(article.paragraphs):
        raise ValueError(f"{len(roles)} roles for {len(article.paragraphs)} paragraphs.")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown role: {', '.join(sorted(unknown))}.")
    units = paragraph_units([paragraph.text for paragraph in article.paragraphs])
    inline = {}
    for i in _opens_with_heading(article):
        head, rest = _split_inline(units[i].text, index=index, numbered=True)
        if head:
            inline[i] = (clean_heading(head), rest)
    regrouped = _assemble(units, roles, inline)
    if index is not None:
        for story in regrouped.stories:
            story.title = index.match(story.heading) if story.heading else None
    return regrouped


def _opens_with_heading(article):
    """The paragraphs whose story took its heading from them rather than from a heading line."""
    headed = {p.story for p in article.paragraphs if p.role == "heading"}
    first = {}
    for i, paragraph in enumerate(article.paragraphs):
        if paragraph.role == "story":
            first.setdefault(paragraph.story, i)
    return [
        i for story, i in first.items() if story not in headed and article.stories[story].heading
    ]
