"""What an import repeats: published stories an imported story may retell (``flag_repeats``), and
an article imported before, perhaps with small differences (``find_imported``).

**Stories.** Each story is compared with the published stories most likely to tell the same
thing, and with the stories before it in the same import. The candidates are bounded, in a fixed
number of queries whatever the size of the import or the site: the latest ``CANDIDATES``
published stories of each title the import names, the latest ``PER_PERSON`` of each person it
names, and on PostgreSQL, for stories with neither a title nor a person to go by (the first
``TRIGRAM_STORIES`` of them), the site's recent stories whose trigram similarity reaches
``similar.TRIGRAM_THRESHOLD`` (as ``trivia.similar`` finds them for the submit form). A
candidate is a repeat when

    words + TITLE_BONUS (same title) + PERSON_BONUS (a person in common) ≥ THRESHOLD

where ``words`` is ``similar.similarity`` of their content words without the names they share
(the title's, the people's: counted by the bonuses, and shared by every story of a famous
role), or when its trigram similarity alone reaches the trigram threshold. So "Heath Ledger
locked himself in a hotel room for roughly a month and a half" repeats "Ledger hid in a motel
room for six weeks" (the same title and person, and "seclud", "hotel", "room" in common), while
another Heath Ledger story on The Dark Knight (his Joker diary) does not. Each story keeps its
``SHOWN`` closest repeats in ``Story.duplicates``; ``writing`` stores them on the queued story
(``Anecdote.possible_duplicate_of``), which the queue shows and a bulk approval respects.

**Articles.** An article is imported once: the same text (``reading.fingerprint``, its exact
hash), or one with small differences, such as a changed word or another byline, whose wording
(a MinHash ``sketch`` of its three-word shingles) resembles an earlier import's. A 64-bit simhash
was tried first: a byline moved short articles up to 8 bits away, as far as ~20 from another
article, so no number of bits told them apart reliably; the sketches keep ≥ 0.9 and ≤ 0.05.
"""

import hashlib
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from .. import similar
from ..matching.names import strip_accents, text_words
from ..models import Anecdote, Source
from .reading import clean_text, fingerprint

CANDIDATES = 100  # per title the import names
PER_PERSON = 50
TRIGRAM_STORIES = 10  # per import, compared across titles on PostgreSQL
TITLE_BONUS = 0.1
PERSON_BONUS = 0.1
THRESHOLD = 0.45
SHOWN = 3
SHARED_WORDS = 6  # of the words two stories share, how many the preview lists


def story_anchor(number):
    """Where the import's preview shows its ``number``-th story (1-based): the "url" of a
    repeat within the same import, which has no page yet."""
    return f"#story-{number}"


# --- Stories ---------------------------------------------------------------------------------


@dataclass
class _Told:
    """A story as the comparison needs it: its content words without its own names (its
    title's and people's), its title and its people ({pk: name})."""

    words: dict
    title_id: int | None
    title_name: str | None
    people: dict
    url: str = ""
    first_words: str = ""


def _told(text, *, title_id, title_name, people, **where):
    names = [title_name or "", *people.values()]
    own = {word.normal for name in names for word in text_words(name)}
    words = {stem: word for stem, word in similar.content_words(text).items() if word not in own}
    return _Told(words, title_id, title_name, people, **where)


def flag_repeats(stories):
    """Set each story's ``duplicates``: the published stories, and the stories before it in the
    same import, it may repeat (module docstring), closest first, at most ``SHOWN``."""
    told = [
        _told(
            story.text,
            title_id=story.title.pk if story.title else None,
            title_name=story.title.name if story.title else None,
            people={person.pk: person.name for person in story.people},
        )
        for story in stories
    ]
    published, trigram = _published_candidates(stories, told)
    published_near = _by_title_and_person(published.items())
    earlier_near = {}  # the same, for the stories of this import before the current one
    for number, (story, this) in enumerate(zip(stories, told, strict=True)):
        found = []
        near = _near(published_near, this) | {pk for n, pk in trigram if n == number}
        for pk in near:
            score = max(_score(this, published[pk]), trigram.get((number, pk), 0.0))
            if score >= THRESHOLD:
                entry = _published_entry(pk, published[pk], _shared(this, published[pk]))
                found.append((score, entry))
        # A story with neither title nor person is compared with every one before it.
        alone = this.title_id is None and not this.people
        for earlier in range(number) if alone else sorted(_near(earlier_near, this)):
            score = _score(this, told[earlier])
            if score >= THRESHOLD:
                entry = _earlier_entry(earlier, stories[earlier], _shared(this, told[earlier]))
                found.append((score, entry))
        found.sort(key=lambda item: -item[0])
        story.duplicates = [entry for _score, entry in found[:SHOWN]]
        for key in _keys(this):
            earlier_near.setdefault(key, set()).add(number)


def _keys(this):
    """What a story is found by among others: its title and each of its people."""
    title = [("title", this.title_id)] if this.title_id is not None else []
    return title + [("person", pk) for pk in this.people]


def _by_title_and_person(items):
    """{("title", pk) or ("person", pk): the keys of ``items`` with that title or person}."""
    index = {}
    for key, this in items:
        for found_by in _keys(this):
            index.setdefault(found_by, set()).add(key)
    return index


def _near(index, this):
    """The stories of ``index`` with the title or a person of ``this``."""
    return set().union(*(index.get(key, set()) for key in _keys(this)))


def _score(this, other):
    """How likely ``this`` repeats ``other`` (module docstring)."""
    score = similar.similarity(this.words, other.words)
    if this.title_id is not None and this.title_id == other.title_id:
        score += TITLE_BONUS
    if not this.people.keys().isdisjoint(other.people):
        score += PERSON_BONUS
    return score


def _shared(this, other):
    """What two stories share, as the preview lists it: the title, the people, some words."""
    title = [this.title_name] if this.title_id and this.title_id == other.title_id else []
    people = [name for pk, name in this.people.items() if pk in other.people]
    words = [this.words[stem] for stem in this.words if stem in other.words]
    return title + people + words[:SHARED_WORDS]


def _published_entry(pk, other, shared):
    return {
        "id": pk,
        "url": other.url,
        "heading": other.title_name or other.first_words,
        "shared": shared,
    }


def _earlier_entry(index, story, shared):
    return {
        "id": None,
        "url": story_anchor(index + 1),
        "heading": story.heading or _first_words(story.text),
        "shared": shared,
    }


def _first_words(text, count=8):
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _published_candidates(stories, told):
    """The published stories to compare with, as {pk: _Told with ``url`` and
    ``first_words``}, and on PostgreSQL {(story number, pk): trigram similarity}."""
    title_ids = {this.title_id for this in told if this.title_id is not None}
    person_ids = {pk for this in told for pk in this.people}
    published = Anecdote.objects.published()
    newest = [F("published_at").desc(), F("pk").desc()]
    ids = set()
    if title_ids:
        ids.update(
            published.filter(title_id__in=title_ids)
            .annotate(rank=Window(RowNumber(), partition_by=[F("title_id")], order_by=newest))
            .filter(rank__lte=CANDIDATES)
            .values_list("pk", flat=True)
        )
    if person_ids:
        through = Anecdote.people.through.objects.filter(
            person_id__in=person_ids, anecdote__state=Anecdote.State.PUBLISHED
        )
        ids.update(
            through.annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("person_id")],
                    order_by=[F("anecdote__published_at").desc(), F("anecdote_id").desc()],
                )
            )
            .filter(rank__lte=PER_PERSON)
            .values_list("anecdote_id", flat=True)
        )
    trigram = _by_trigrams(stories, told) if connection.vendor == "postgresql" else {}
    ids.update(pk for _number, pk in trigram)
    if not ids:
        return {}, trigram
    people = {}
    for anecdote_id, person_id, name in Anecdote.people.through.objects.filter(
        anecdote_id__in=ids
    ).values_list("anecdote_id", "person_id", "person__name"):
        people.setdefault(anecdote_id, {})[person_id] = name
    candidates = {}
    for pk, title_id, title_name, text in Anecdote.objects.filter(pk__in=ids).values_list(
        "pk", "title_id", "title__name", "text"
    ):
        candidates[pk] = _told(
            text,
            title_id=title_id,
            title_name=title_name,
            people=people.get(pk, {}),
            url=Anecdote(pk=pk).get_absolute_url(),
            first_words=_first_words(text),
        )
    return candidates, trigram


def _by_trigrams(stories, told):
    """PostgreSQL: {(story number, pk): trigram similarity} of the site's latest
    ``similar.ACROSS_TITLES`` stories that reach ``similar.TRIGRAM_THRESHOLD``, for the first
    ``TRIGRAM_STORIES`` stories with neither a title nor a person to find candidates by; one
    query. Each story costs ~0.1 s (~0.2 ms a comparison): comparing every story of a long
    import so took past the statement timeout."""
    numbers = [number for number, this in enumerate(told) if not (this.title_id or this.people)]
    numbers = numbers[:TRIGRAM_STORIES]
    if not numbers:
        return {}
    recent = similar.recent_stories()[: similar.ACROSS_TITLES].values("pk", "text")
    recent_sql, recent_params = recent.query.sql_with_params()  # its columns: "pk", "text"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT story.number, recent.pk, similarity(recent.text, story.text) "
            f"FROM unnest(%s::int[], %s::text[]) AS story(number, text) "
            f"CROSS JOIN ({recent_sql}) AS recent "
            f"WHERE similarity(recent.text, story.text) >= %s",
            [
                numbers,
                [stories[number].text for number in numbers],
                *recent_params,
                similar.TRIGRAM_THRESHOLD,
            ],
        )
        return {(number, pk): score for number, pk, score in cursor.fetchall()}


# --- Articles --------------------------------------------------------------------------------

SKETCH_SIZE = 64
SAME_ARTICLE = 0.7  # the share of wording two imports have in common to be one article
_SHINGLE_WORDS = 3


def sketch(text):
    """A sample of an article's wording that a few changed words change a little: the
    ``SKETCH_SIZE`` smallest 32-bit hashes of its three-word shingles (a bottom-k MinHash).
    A changed word or an added byline leaves ~95 % of it in common; another article, ~0 %."""
    words = re.findall(r"\w+", strip_accents(clean_text(text)).casefold())
    shingles = {
        " ".join(words[i : i + _SHINGLE_WORDS])
        for i in range(max(1, len(words) - _SHINGLE_WORDS + 1))
    }
    hashes = {
        int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=4).digest(), "big")
        for shingle in shingles
    }
    return sorted(hashes)[:SKETCH_SIZE]


def resemblance(one, other):
    """How much wording two articles share (the Jaccard index of their shingles, 0–1), as
    their sketches estimate it."""
    union = sorted(set(one) | set(other))[:SKETCH_SIZE]
    if not union:
        return 0.0
    both = set(one) & set(other)
    return sum(1 for value in union if value in both) / len(union)


def find_imported(text):
    """The source this article, or one that differs from it by a few words, was imported as,
    if any: the same text first (its exact fingerprint), then the import whose wording it
    most resembles, from ``SAME_ARTICLE`` up (one query over the imports' sketches)."""
    exact = Source.objects.filter(import_fingerprint=fingerprint(text)).first()
    if exact is not None:
        return exact
    mine = sketch(text)
    near = [
        (resemblance(mine, other), pk)
        for pk, other in Source.objects.filter(import_sketch__isnull=False).values_list(
            "pk", "import_sketch"
        )
    ]
    best = max((item for item in near if item[0] >= SAME_ARTICLE), default=None)
    return Source.objects.get(pk=best[1]) if best else None
