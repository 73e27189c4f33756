"""What each story of a split article is about (``name_stories``): its title, or a new title to
propose, the people it names, and the garbled names a moderator should correct, as a careful
reader would name them. Suggestions, all of them: the moderator reviews each story.

The title, from the strongest evidence to the weakest; the first that gives one wins:

1. The splitter's match: the heading is exactly a title's name or alias (``TitleIndex.match``).
2. The part of the heading that names a title beside a description: "Real Tempered Glass –
   Squid Game (2021)" (the side with the year, or the known title), "Squid Game: the glass was
   real" (before a colon, when a description follows), "Surprise entrance of Janice (Friends)".
   A known title, or else that part proposed as a new title, with its year.
3. A known title the article set in italics or ``<cite>`` (``cited_names``) in the story.
4. A known title the text and the heading both name; else one the text names in its first
   sentence, even under a pun ("Bloody Bad Guy" over "While shooting Django Unchained, …"); else
   one the heading names ("Game of Thrones Kit Harington's fake acting"); else the only one the
   text names. A title taken from the text is noted, since the heading did not say it. Titles
   are found as ``TitleIndex.mentions`` finds them, so "It", "Up" or "Friends" in a sentence, or
   any one-word title in a heading's capitals, name nothing.
5. A new title proposed from the heading's capitalised opening before a known person's name
   ("Game of Thrones Kit Harington's…"), or from a name the article cited, or from the way
   articles name a film ("while filming X", "on the set of X", "the making of X", "in X,"),
   with the year that follows it ("X (2021)").
   A capitalised name followed by its year anywhere in the text ("For Speed (1994), …") is a
   film named too.
6. Else the heading itself, with its year where it gives one, unless it reads as a sentence
   (a sentence's end, or more than three words not all capitalised as a name is): "The hospital
   explosion had a very real hiccup." proposes nothing, and the story is noted as untitled.

People are those ``PersonIndex.find`` finds in the heading and the text. A correction is offered
for a name the text garbles: a capitalised two- or three-word name nobody is known by that looks
or sounds like a known person's or title's ("Kino Rives" → Keanu Reeves, ``closest``), or a
known alias that is such a garbling; "Sean Penn" is not "corrected" to Sean Bean.
"""

import re

from ..matching.mentions import name_runs
from ..matching.names import SMALL_WORDS, close_spelling, normalize_name, text_words
from ..matching.titles import name_and_year
from .units import SENTENCE_END_RE

# Words after which a capitalised name is the film being made: "while shooting X", "the set of X".
_MAKING = frozenset(
    "filming shooting making promoting casting editing producing directing rehearsing".split()
)
_OF_WHAT = frozenset(
    "set filming shooting making production premiere sequel prequel remake cast director "
    "script screenplay adaptation".split()
)
# "filmed in Paris," and "born in Texas," name places, not films.
_PLACE_VERBS = frozenset(
    "filmed shot set born lived living based located held stayed raised grew moved arrived "
    "took place downtown".split()
)
_YEAR_AFTER_RE = re.compile(r"\s*\(((?:19|20)\d{2})\)")
_PAREN_END_RE = re.compile(r"^(?P<rest>.*\S)\s*[(\[](?P<inside>[^()\[\]]+)[)\]]\s*$")
_COLON_RE = re.compile(r"\s*:\s+")
_DASH_RE = re.compile(r"\s+[–—-]\s+")


def name_stories(article, *, titles, people, cited_names=()):
    """Set each story's ``title`` (keeping the splitter's match), ``proposed_title``,
    ``people``, ``corrections`` and ``notes``, by the module's rules. ``titles`` is a
    ``TitleIndex``, ``people`` a ``PersonIndex``; ``cited_names`` are the names the article
    set in italics or ``<cite>`` (the HTML reader's), perhaps none."""
    cited = [name for name in dict.fromkeys(cited_names) if normalize_name(name)]
    for story in article.stories:
        heading = story.heading or ""
        heading_words, text_words_ = text_words(heading), text_words(story.text)
        named = people.mentions(heading_words) + people.mentions(text_words_)
        story.people = list(dict.fromkeys(ref for mention in named for ref in mention.refs))
        if story.title is None:
            _name_title(
                story,
                titles=titles,
                people=people,
                heading_words=heading_words,
                text_words_=text_words_,
                cited=[name for name in cited if _names(heading_words + text_words_, name)],
            )
        story.corrections = _corrections(
            titles, people, [(heading, heading_words), (story.text, text_words_)]
        )


def _names(words, name):
    """Whether ``words`` hold ``name``'s words in a row."""
    key = [word.normal for word in text_words(name)]
    normals = [word.normal for word in words]
    return any(normals[i : i + len(key)] == key for i in range(len(normals) - len(key) + 1))


def _as_proposed(name, year=None):
    """A proposed title as the moderator reads it: "Squid Game (2021)"."""
    return f"{name} ({year})" if year else name


def _propose(story, titles, name, year=None, *, note=None):
    """Propose ``name`` as a new title, unless it garbles a known title of that year
    ("Jurrasic Park"), which is then the story's title, noted."""
    close = titles.closest(tuple(word.normal for word in text_words(name)))
    if close and (year is None or close[0].year in (None, year)):
        story.title = close[0]
        story.notes.append(f"“{name}” read as {close[0].name}.")
        return
    story.proposed_title = _as_proposed(name, year)
    if note:
        story.notes.append(f"{note}: {story.proposed_title}.")


def _name_title(story, *, titles, people, heading_words, text_words_, cited):
    heading, text = story.heading or "", story.text

    # 2. The heading's part that names a title beside a description.
    part = _heading_title_part(heading, titles)
    if part is not None:
        known = titles.match(part)
        if known:
            story.title = known
        else:
            _propose(story, titles, *name_and_year(part))
        return

    # 3. A known title the article cited.
    for name in cited:
        known = titles.match(name)
        if known:
            story.title = known
            return

    # 4. A known title the text and the heading name.
    in_heading = _refs(titles.mentions(heading_words, cited=cited))
    mentions = titles.mentions(text_words_, cited=cited)
    in_text = _refs(mentions)
    sentence_end = next(
        (i for i, word in enumerate(text_words_) if i and word.opens_sentence), len(text_words_)
    )
    in_first_sentence = _refs(m for m in mentions if m.at < sentence_end)
    both = [ref for ref in in_heading if ref in in_text]
    from_text = None
    if both:
        story.title = both[0]
    elif in_first_sentence:
        story.title = from_text = in_first_sentence[0]
    elif in_heading:
        story.title = in_heading[0]
    elif len(in_text) == 1:
        story.title = from_text = in_text[0]
    if from_text is not None:
        story.notes.append(f"Title found in the text: {from_text.name}.")
    if story.title is not None:
        return

    # 5. A new title: the heading's opening before a person, a cited name, the text's film.
    opening = _opening_before_person(heading, heading_words, people)
    if opening:
        _propose(story, titles, opening)
        return
    for name in cited:
        if not people.find(name) and _looks_like_a_name(text_words(name)):
            _propose(story, titles, *name_and_year(name), note="New title cited in the text")
            return
    film = _film_named_in(text, text_words_, people)
    if film:
        _propose(story, titles, *film, note="New title named in the text")
        return

    # 6. The heading itself, when it reads as a name; a sentence or a pun is no title.
    name, year = name_and_year(heading)
    words = text_words(name)
    if (
        heading
        and not SENTENCE_END_RE.search(name)
        and (_looks_like_a_name(words) or len(words) <= 3)
    ):
        story.proposed_title = _as_proposed(name, year)
    else:
        story.notes.append("No title found: choose one or create it.")


def _refs(mentions):
    """The one title each mention names (a name two titles share names neither), in order."""
    found = [mention.refs[0] for mention in mentions if len(mention.refs) == 1]
    return list(dict.fromkeys(found))


def _looks_like_a_name(words):
    """Written as a title is: its first word and every significant word capitalised."""
    return bool(words) and all(
        word.capitalised or word.normal.isdigit()
        for number, word in enumerate(words)
        if number == 0 or word.normal not in SMALL_WORDS
    )


def _describes(part):
    """Whether one side of a heading reads as a description rather than a name."""
    return not _looks_like_a_name(text_words(part))


def _heading_title_part(heading, titles):
    """The part of ``heading`` that names its title beside a description (rule 2), or None."""
    paren = _PAREN_END_RE.match(heading)
    if paren and name_and_year(heading)[0] == heading.strip():
        # "(Friends)", not "(2021)" or "(TV series)", which belong to the name before them.
        inside = paren.group("inside").strip()
        if _looks_like_a_name(text_words(inside)):
            return inside
    for separator in (_COLON_RE, _DASH_RE):
        sides = separator.split(heading, maxsplit=1)
        if len(sides) != 2 or not all(side.strip() for side in sides):
            continue
        for side in sides:
            if titles.match(side):
                return side
        with_year = [side for side in sides if name_and_year(side)[1] is not None]
        if len(with_year) == 1 and _looks_like_a_name(text_words(name_and_year(with_year[0])[0])):
            return with_year[0]
        if separator is _COLON_RE and _describes(sides[1]):
            if _looks_like_a_name(text_words(name_and_year(sides[0])[0])):
                return sides[0]
    return None


def _opening_before_person(heading, words, people):
    """ "Game of Thrones Kit Harington's fake acting" → "Game of Thrones": the capitalised
    words a heading opens with, up to a known person's name."""
    first = next(iter(people.mentions(words)), None)
    if first is None or first.at == 0:
        return None
    opening = words[: first.at]
    joined = all(
        heading[a.end : b.start].strip() == "" for a, b in zip(opening, opening[1:], strict=False)
    )
    if joined and _looks_like_a_name(opening) and opening[-1].normal not in SMALL_WORDS:
        return heading[opening[0].start : opening[-1].end]
    return None


def _film_named_in(text, words, people):
    """A film the text names the ways articles do ("while filming X", "on the set of X", "in
    X,"), as its name and the year after it, or None."""
    for i, word in enumerate(words):
        before = words[i - 1].normal if i else ""
        if word.normal in _MAKING and before in ("while", "when", "before", "after"):
            end = _title_run(text, words, i + 1)
        elif word.normal in ("of", "to") and before in _OF_WHAT:
            end = _title_run(text, words, i + 1)
        elif (
            word.capitalised
            and (i == 0 or not words[i - 1].capitalised or before in SMALL_WORDS)
            and (word.normal not in SMALL_WORDS or word.normal in ("the", "a", "an"))
        ):
            # "For Speed (1994), …": a name its year follows.
            end = _title_run(text, words, i)
            if end is None or not _YEAR_AFTER_RE.match(text, words[end - 1].end):
                continue
            name = text[word.start : words[end - 1].end]
            if not people.find(name):
                return name, int(_YEAR_AFTER_RE.match(text, words[end - 1].end).group(1))
            continue
        elif word.normal == "in" and before not in _PLACE_VERBS:
            # "In Titanic, …", "in The Big Lebowski, …"; "then in Paris, …" is a place.
            end = _title_run(text, words, i + 1)
            if end is not None and not text.startswith(",", words[end - 1].end):
                end = None
            if end is not None and end - (i + 1) < 2 and not word.opens_sentence:
                end = None
        else:
            continue
        if end is None:
            continue
        name = text[words[i + 1].start : words[end - 1].end]
        if not people.find(name):
            year = _YEAR_AFTER_RE.match(text, words[end - 1].end)
            return name, int(year.group(1)) if year else None
    return None


def _title_run(text, words, start):
    """Where the title-like words from ``start`` end (capitalised, small words between them,
    nothing but spaces apart), or None when there are none."""
    end = start
    while end < len(words):
        word = words[end]
        if end > start and text[words[end - 1].end : word.start].strip() != "":
            break
        small = end > start and word.normal in SMALL_WORDS
        if not (word.capitalised or word.normal.isdigit() or small):
            break
        end += 1
    while end > start and words[end - 1].normal in SMALL_WORDS:
        end -= 1
    return end if any(word.capitalised for word in words[start:end]) else None


# --- Garbled names -----------------------------------------------------------------------------


def _corrections(titles, people, texts):
    """The garbled names of ``texts`` (pairs of text and its words) as {"typed", "known"}."""
    corrections = {}
    for text, words in texts:
        person_mentions = people.mentions(words)
        title_mentions = titles.mentions(words)
        for mention in person_mentions:
            # A known alias that garbles the person's own name: "Kino Rives" for Keanu Reeves.
            if len(mention.refs) == 1:
                name = mention.refs[0].name
                own = tuple(word.normal for word in text_words(name))
                if close_spelling(mention.key, own) is not None:
                    corrections.setdefault(mention.typed(text), name)
        known_words = {
            position
            for mention in person_mentions + title_mentions
            for position in range(mention.at, mention.at + len(mention.words))
        }
        for typed, known in _unknown_names(text, words, known_words, titles, people):
            corrections.setdefault(typed, known)
    return [{"typed": typed, "known": known} for typed, known in corrections.items()]


def _unknown_names(text, words, known_words, titles, people):
    """(typed, known name) for each capitalised two- or three-word name in ``words`` nobody is
    known by but that is close to a known person's or title's name, in the text's order; where
    two such names overlap, the closer one."""
    scored = []
    for run in name_runs(words, text):
        for length in (2, 3):
            for first in range(run.start, run.stop - length + 1):
                span = range(first, first + length)
                if known_words.intersection(span):
                    continue
                key = tuple(words[i].normal for i in span)
                for index in (people, titles):
                    found = index.closest(key)
                    if found:
                        ref, score = found
                        scored.append((-score, span.start, span, ref.name))
    taken, found = set(), []
    for _score, _start, span, name in sorted(scored, key=lambda item: item[:2]):
        if taken.isdisjoint(span):
            taken.update(span)
            typed = text[words[span.start].start : words[span.stop - 1].end]
            found.append((span.start, typed, name))
    return [(typed, name) for _start, typed, name in sorted(found)]
