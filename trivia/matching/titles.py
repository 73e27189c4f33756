"""Which title is this name? Four questions, one function each, all in normal form (``names``).

- ``TitleIndex.match``: the one title an article's heading names, by its name, original title or
  an alias ("Batman: The Dark Knight", "Titanic (1997)", "Movie: Titanic", "Rocky 4" for Rocky
  IV). It never guesses: a name two titles share names neither unless the heading gives the
  year. The index holds every title in memory, built with one query, because an import asks
  for each of up to a thousand headings and for the candidates of each.
- ``TitleIndex.mentions``: the titles a running text names (``mentions.NameIndex``, the mechanism
  people are found with too), by the rules below; ``TitleIndex.closest``: the title a garbled
  name ("Jurrasic Park") is likely to be.
- ``titles_named``: every title a proposed new title would duplicate, by its name or an alias:
  one query for the one name a contributor proposes, listing all of them for the contributor
  to choose from, so it does not narrow them to one as the index does.
- ``titles_matching``: the titles whose name, original title or an alias begins a word with
  what was typed ("club" finds Fight Club), shortest name first: the submit form's title list
  and the search page's titles, which passes the public titles as ``among``.

Many titles are common words ("It", "Up", "Her", "Us", "Signs", "Friends"), so a text names a
title only where it writes it as a name: every significant word capitalised, not after a
lower-case article ("the Joker" is the character), and, for a one-word title, neither opening
a sentence ("Signs of wear…") nor in a text that capitalises all its words (a heading, where a
capital says nothing) nor before a number ("Room 237"). A name the article set in italics or
``<cite>`` (``cited``) counts as written.
"""

import re
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from ..models import Title, TitleAlias
from .mentions import NameIndex
from .names import NAME_ORDER, SMALL_WORDS, normalize_name, note_alias, starts_a_word, text_words

# --- How a heading names a title -------------------------------------------------------------

# What follows a title's name in a heading: "(1999)", "(James Cameron, 1997)", "(TV series)",
# ", 1999", " – 1999"; and what may precede it: "Movie: ", "Series – ".
_YEAR_SUFFIX_RE = re.compile(
    r"\s*(?:[(\[][^()\[\]]*\b(?:19|20)\d{2}\b[^()\[\]]*[)\]]|"
    r"[(\[]\s*(?:tv(?: series| show)?|film|movie|series|tv movie|miniseries)\s*[)\]]|"
    r",\s*(?:19|20)\d{2}|\s[-–—]\s*(?:19|20)\d{2})$",
    re.IGNORECASE,
)
_KIND_PREFIX_RE = re.compile(
    r"^(?:movie|film|series|tv series|tv show|show)\s*(?::|[-–—]\s)\s*", re.IGNORECASE
)
_YEAR_RE = re.compile(r"\b((?:19|20)\d{2})\b")
_ENGLISH_ARTICLES = ("the", "a", "an")

_ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18,
    "xix": 19, "xx": 20,
}  # fmt: skip


def clean_heading(text):
    """A heading as it should be shown: no trailing colon or dash, no surrounding quotes."""
    text = re.sub(r"^[:–—-]+\s+|\s*[:–—-]+$", "", text.strip())
    if len(text) > 2 and text[0] in "\"“‘'" and text[-1] in "\"”’'":
        text = text[1:-1].strip()
    return text


def without_year(heading):
    """ "Titanic (James Cameron, 1997)" → "Titanic": the heading without what follows the name."""
    return _YEAR_SUFFIX_RE.sub("", heading)


def name_and_year(heading):
    """The name a heading gives, as written, and the year it adds, if any: "Movie: Titanic
    (1997)" → ("Titanic", 1997)."""
    suffix = _YEAR_SUFFIX_RE.search(heading)
    year_match = _YEAR_RE.search(suffix.group()) if suffix else None
    year = int(year_match.group(1)) if year_match else None
    return _KIND_PREFIX_RE.sub("", without_year(clean_heading(heading))).strip(), year


def _numeral_key(key):
    """("rocky", "iv") and ("rocky", "4") share a key: sequels are numbered both ways."""
    return tuple(str(_ROMAN.get(word, word)) for word in key)


def _keys(name):
    """The word tuples a title's name is found by: as written, without an English leading
    article ("The Terminator" is often just "Terminator"), and with its numerals as digits."""
    written = tuple(word.normal for word in text_words(name))
    keys = {written}
    if len(written) > 1 and written[0] in _ENGLISH_ARTICLES:
        keys.add(written[1:])
    return keys | {_numeral_key(key) for key in keys}


# --- The titles a heading or a text names ------------------------------------------------------


@dataclass(frozen=True)
class TitleRef:
    """What matching needs to know of a title, without loading the model."""

    pk: int
    slug: str
    name: str
    year: int | None


class TitleIndex:
    """Every title's names (name, original title, aliases) in normal form, for matching.

    Built with one query (``from_db``); reuse it for every heading and text of an import:
    ``index.match("Batman: The Dark Knight")``, ``index.mentions(text_words(text))``.
    """

    def __init__(self, entries=()):
        self._names = NameIndex()
        for ref, names in entries:
            self.add(ref, names)

    def add(self, ref, names):
        for name in names:
            for key in _keys(name or ""):
                self._names.add(ref, key)

    @classmethod
    def from_db(cls):
        rows = Title.objects.values_list(
            "pk", "slug", "name", "year", "original_title", "aliases__name"
        ).order_by("pk")
        refs, names = {}, {}
        for pk, slug, name, year, original, alias in rows:
            refs.setdefault(pk, TitleRef(pk=pk, slug=slug, name=name, year=year))
            names.setdefault(pk, {name, original}).add(alias)
        return cls((refs[pk], names[pk]) for pk in refs)

    def __len__(self):
        return len(self._names.refs())

    def match(self, heading):
        """The one title ``heading`` names, or None (unknown, or ambiguous without a year)."""
        if not heading:
            return None
        name, year = name_and_year(heading)
        # Its normal form (no leading article, as in "Dark Knight"), else as written ("Le
        # Fabuleux Destin…", whose "Le" the index keeps), else with numerals as digits.
        normal = tuple(normalize_name(name).split())
        written = tuple(word.normal for word in text_words(name))
        keys = (normal, written, _numeral_key(normal), _numeral_key(written))
        for key in dict.fromkeys(key for key in keys if key):
            candidates = self._names.named(key)
            if year is not None and len(candidates) > 1:
                candidates = {ref for ref in candidates if ref.year == year} or candidates
            if len(candidates) == 1:
                return next(iter(candidates))
            if candidates:
                return None
        return None

    def mentions(self, words, *, cited=()):
        """The mentions (``mentions.Mention``) of titles among a text's ``words``
        (``names.text_words``) that the text writes as a title's name (module rules), in order;
        ``cited`` holds the names the article set in italics or ``<cite>``."""
        cited = {tuple(normalize_name(name).split()) for name in cited}
        title_case = _capitalises_everything(words)
        return [
            mention
            for mention in self._names.find(words)
            if _names_a_title(mention, words, title_case=title_case, cited=cited)
        ]

    def closest(self, key):
        """The title a name nobody knows (a tuple of normal words) is likely a garbling of, as
        ``(TitleRef, score)``, or None (``mentions.NameIndex.closest``)."""
        return self._names.closest(key)


def _capitalises_everything(words):
    """A heading's Title Case (or a text in capitals), where a capital says nothing."""
    counted = [word for word in words[1:] if word.normal not in SMALL_WORDS]
    return len(counted) >= 2 and sum(word.capitalised for word in counted) >= 0.6 * len(counted)


def _names_a_title(mention, words, *, title_case, cited):
    if tuple(normalize_name(" ".join(mention.key)).split()) in cited:
        return True
    written = mention.words
    if not written[0].capitalised and not written[0].normal.isdigit():
        return False
    if any(
        not (word.capitalised or word.normal.isdigit())
        for word in written
        if word.normal not in SMALL_WORDS
    ):
        return False
    before = words[mention.at - 1] if mention.at else None
    if before and before.normal in _ENGLISH_ARTICLES and not before.capitalised:
        return False  # "the Joker": a character, not the film
    if len(written) == 1:
        after = words[mention.at + 1] if mention.at + 1 < len(words) else None
        if written[0].opens_sentence or title_case or (after and after.normal.isdigit()):
            return False
    return True


# --- The titles a proposed name duplicates ----------------------------------------------------


def titles_named(name, year=None):
    """Titles whose name or an alias is ``name`` once normalised (and, given a ``year``, of
    that year or of no known year: a remake of the same name is another title)."""
    normal = normalize_name(name)
    if not normal:
        return Title.objects.none()
    titles = Title.objects.filter(Q(normalized_name=normal) | Q(aliases__normalized_name=normal))
    if year:
        titles = titles.filter(Q(year=year) | Q(year__isnull=True))
    return titles.distinct().order_by("year", "pk")


# --- The titles whose names begin with what was typed ------------------------------------------


def titles_matching(typed, *, limit, among=None):
    """At most ``limit`` titles whose name, original title or an alias holds what was
    ``typed`` at a word's start, in normal form ("amelie" finds Amélie, "rocky 4" Rocky IV
    through its alias), shortest name first so that the exact name leads. Each has ``alias``:
    the first alias that matched, where its own name did not (else None).

    ``among`` is the titles to choose from: every title by default (a contributor may pick a
    title without stories); the search page passes ``queries.titles_with_stories()``, whose
    ``story_count`` the results keep. One query.
    """
    typed = (typed or "").replace("\x00", "").strip()
    phrase = normalize_name(typed)
    if not phrase:
        return []
    aliases = TitleAlias.objects.filter(starts_a_word("normalized_name", phrase))
    names = Title.objects.filter(
        starts_a_word("normalized_name", phrase) | Q(original_title__icontains=typed)
    )
    first_alias = aliases.filter(title=OuterRef("pk")).order_by("name").values("name")[:1]
    titles = (
        (Title.objects.all() if among is None else among)
        .filter(Q(pk__in=names.values("pk")) | Q(pk__in=aliases.values("title")))
        .annotate(alias=Subquery(first_alias))
        .order_by(*NAME_ORDER)
    )
    return note_alias(list(titles[:limit]), phrase)
