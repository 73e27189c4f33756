"""The people stories are about: finding them in a story's text, and listing them for readers.

``find_people`` suggests who a story is about from the names in its text, for the moderator to
review: the importer and the submit form attach its suggestions to a new pending story, and the
admin's change page lists those it finds but the story does not name yet. A wrong suggestion
costs a moderator a click; a missing one costs a reader the story on a person's page, so the
rules accept garbled names (through aliases) but never guess from a first name:

- a person's full name or one of their aliases ("Kino Rives" is Keanu Reeves), as whole words,
  ignoring case, accents and punctuation ("Chris Pratt’s", "LEONARDO DICAPRIO", "Amelie");
- their surname alone ("Schwarzenegger walks in…"), when it has at least ``SURNAME_MIN_LETTERS``
  letters, belongs to nobody else's name or alias, and is written with a capital in the text, as
  a name is: "Ledger" finds Heath Ledger where "the ledger" does not, "Brown" finds Millie Bobby
  Brown where "brown bears" does not;
- never a first name alone: "Will" is not Will Smith, "Chris" is not Chris Pratt.

Names are compared in the normal form of ``trivia.names.normalize_name``, except that a leading
article is kept: in running text, "The Rock" must not match every "rock".
"""

import re
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Subquery

from .models import Anecdote, Person, Title
from .names import strip_accents

SURNAME_MIN_LETTERS = 5

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_WORD = re.compile(r"\w+")


def name_words(text):
    """``(word, capitalised)`` pairs of ``text``, words in normal form: "Pratt’s" gives
    ("pratt", True) and ("s", False), "&" is "and", accents are dropped."""
    text = strip_accents(text or "").translate(_APOSTROPHES).replace("&", " and ")
    return [(word.casefold(), word[:1].isupper()) for word in _WORD.findall(text)]


@dataclass(frozen=True)
class PersonRef:
    """What matching needs to know of a person, without loading the model."""

    pk: int
    slug: str
    name: str


class PersonIndex:
    """Every person's name and aliases in normal form, for finding them in texts.

    Built with one query (``from_db``); reuse it for every story of an import.
    """

    def __init__(self, entries=()):
        # Word tuples of full names and aliases → the people they name.
        self._names: dict[tuple[str, ...], set[PersonRef]] = {}
        self._longest = 1
        # Which people each word belongs to, over all names and aliases: a surname that is
        # also a word of somebody else's name is ambiguous on its own.
        owners: dict[str, set[PersonRef]] = {}
        surnames: dict[str, PersonRef] = {}
        for ref, names in entries:
            for number, name in enumerate(names):
                words = tuple(word for word, _capital in name_words(name))
                if not words:
                    continue
                self._names.setdefault(words, set()).add(ref)
                self._longest = max(self._longest, len(words))
                for word in words:
                    owners.setdefault(word, set()).add(ref)
                # The surname is the last word of the person's own name (names[0]), not of an
                # alias: "Tutu" of "Audrey Tutu" is a garbling, not a name to look for alone.
                if number == 0 and len(words) > 1 and len(words[-1]) >= SURNAME_MIN_LETTERS:
                    surnames[words[-1]] = ref
        # Surnames that may stand alone → their one person.
        self._surnames = {word: ref for word, ref in surnames.items() if owners[word] == {ref}}

    @classmethod
    def from_db(cls):
        rows = Person.objects.values_list("pk", "slug", "name", "aliases__name").order_by(
            "pk", "aliases__pk"
        )
        refs, names = {}, {}
        for pk, slug, name, alias in rows:
            refs.setdefault(pk, PersonRef(pk=pk, slug=slug, name=name))
            names.setdefault(pk, [name])
            if alias:
                names[pk].append(alias)
        return cls((refs[pk], names[pk]) for pk in refs)

    def __len__(self):
        return len({ref for refs in self._names.values() for ref in refs})

    def find(self, text):
        """The people ``text`` names, in the order they first appear (see the module rules)."""
        words = name_words(text)
        found = []
        i = 0
        while i < len(words):
            matched = 0
            for length in range(min(self._longest, len(words) - i), 0, -1):
                refs = self._names.get(tuple(word for word, _ in words[i : i + length]))
                if refs:
                    # A name two people share names neither for sure: suggest both.
                    found.extend(sorted(refs, key=lambda ref: ref.pk))
                    matched = length
                    break
            if not matched:
                word, capitalised = words[i]
                ref = self._surnames.get(word)
                if ref is not None and capitalised:
                    found.append(ref)
                matched = 1
            i += matched
        return list(dict.fromkeys(found))


def find_people(text, index=None):
    """The people whose name, alias or unambiguous surname ``text`` mentions (module rules)."""
    index = index if index is not None else PersonIndex.from_db()
    return index.find(text)


# --- People as the public sees them -----------------------------------------------------------


def person_has_stories():
    """People a reader may open: someone named only by unpublished stories does not exist
    for them, whatever the admin holds."""
    return Person.objects.filter(Exists(Anecdote.objects.published().filter(people=OuterRef("pk"))))


def people_with_stories():
    """People with at least one published story, each with ``story_count`` of those stories.

    The count is a correlated subquery per person on the page, like the titles' (see
    ``trivia.queries``): the cost follows the page, not the number of stories.
    """
    stories = (
        Anecdote.objects.published()
        .filter(people=OuterRef("pk"))
        .order_by()
        .values("people")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return person_has_stories().annotate(story_count=Subquery(stories))


def titles_of(person):
    """The titles of a person's published stories, most stories first, each with
    ``story_count`` of them: one query, however many stories there are."""
    stories = Anecdote.objects.published().filter(people=person, title=OuterRef("pk"))
    counted = stories.order_by().values("title").annotate(n=Count("pk")).values("n")
    return (
        Title.objects.filter(Exists(stories))
        .annotate(story_count=Subquery(counted))
        .order_by("-story_count", "normalized_name", "pk")
    )
