"""Which person is this name? The people a story's text names, and those whose names begin
with what a reader typed.

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

Names are found by ``mentions.NameIndex``, the mechanism titles are found with too, and
compared as ``names.text_words`` writes them: the normal form, except that a leading article is
kept. ``PersonIndex.closest`` names the person a garbled name nobody knows ("Kino Rives", with
no such alias) is likely to be.

``people_matching`` answers the search page: people with published stories whose name or an
alias begins a word with the query.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from ..models import Person, PersonAlias
from ..queries import people_with_stories, person_has_stories
from .mentions import NameIndex
from .names import NAME_ORDER, normalize_name, note_alias, starts_a_word, text_words

SURNAME_MIN_LETTERS = 5

# --- The people a text names -------------------------------------------------------------------


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
        self._names = NameIndex()
        self._full_names = set()  # the keys of full names and aliases, which need no capital
        # Which people each word belongs to, over all names and aliases: a surname that is
        # also a word of somebody else's name is ambiguous on its own.
        owners: dict[str, set[PersonRef]] = {}
        surnames: dict[str, PersonRef] = {}
        for ref, names in entries:
            for number, name in enumerate(names):
                key = tuple(word.normal for word in text_words(name))
                if not key:
                    continue
                self._names.add(ref, key)
                self._full_names.add(key)
                for word in key:
                    owners.setdefault(word, set()).add(ref)
                # The surname is the last word of the person's own name (names[0]), not of an
                # alias: "Tutu" of "Audrey Tutu" is a garbling, not a name to look for alone.
                if number == 0 and len(key) > 1 and len(key[-1]) >= SURNAME_MIN_LETTERS:
                    surnames[key[-1]] = ref
        for word, ref in surnames.items():
            if owners[word] == {ref}:
                self._names.add(ref, (word,))

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
        return len(self._names.refs())

    def mentions(self, words):
        """The mentions (``mentions.Mention``) of people among a text's ``words``
        (``names.text_words``), by the module's rules, in order."""
        return [
            mention
            for mention in self._names.find(words)
            if mention.key in self._full_names or mention.words[0].capitalised
        ]

    def find(self, text):
        """The people ``text`` names, in the order they first appear (see the module rules).
        A name two people share names neither for sure: both are suggested."""
        found = [ref for mention in self.mentions(text_words(text)) for ref in mention.refs]
        return list(dict.fromkeys(found))

    def closest(self, key):
        """The person a name nobody knows (a tuple of normal words) is likely a garbling of, as
        ``(PersonRef, score)``, or None (``mentions.NameIndex.closest``)."""
        return self._names.closest(key)


def find_people(text, index=None):
    """The people whose name, alias or unambiguous surname ``text`` mentions (module rules)."""
    index = index if index is not None else PersonIndex.from_db()
    return index.find(text)


# --- The people whose names begin with what was typed -------------------------------------------


def people_matching(typed, *, limit, among=None):
    """At most ``limit`` people with published stories whose name or an alias holds what was
    ``typed`` at a word's start, shortest name first, each with ``story_count`` and ``alias``
    (the first alias that matched, where their own name did not; else None). ``among`` narrows
    whom to choose from (people with published stories by default; the search page passes
    those holding a short word whole).

    The names are matched on their own small table first, then only those people are checked
    for published stories, and the chosen few counted in a second query, which most searches
    (words of stories, not names) never need. Measured on SQLite with 300,000 stories:
    checking every person for stories first cost ~30 ms, this ~2 ms.
    """
    phrase = normalize_name(typed)
    if not phrase:
        return []
    aliases = PersonAlias.objects.filter(starts_a_word("normalized_name", phrase))
    names = Person.objects.filter(starts_a_word("normalized_name", phrase))
    chosen = list(
        (person_has_stories() if among is None else among)
        .filter(Q(pk__in=names.values("pk")) | Q(pk__in=aliases.values("person")))
        .order_by(*NAME_ORDER)
        .values_list("pk", flat=True)[:limit]
    )
    if not chosen:
        return []
    first_alias = aliases.filter(person=OuterRef("pk")).order_by("name").values("name")[:1]
    people = people_with_stories().annotate(alias=Subquery(first_alias))
    return note_alias(list(people.filter(pk__in=chosen).order_by(*NAME_ORDER)), phrase)
