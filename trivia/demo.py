"""Backlot's demo content: the seed articles, worked through the queue as a moderator would.

1. The titles of ``demo_data/titles.csv`` (name, original title, kind, years), with the names
   the seeds garble them into as aliases ("Boxing Club" is Fight Club) and their original
   titles, so that headings, imports and searches find them.
2. The people of ``demo_data/people.json`` the stories are about, with the names the seeds
   garble them into as aliases ("Kino Rives" is Keanu Reeves) - before the import, so that the
   importer finds them in the stories' text and attaches them.
3. Both seed articles imported through ``trivia.importer`` exactly as a moderator receives
   them: pending stories, one source per article, an "imported" event each.
4. ``demo_data/corrections.json`` applied by the demo moderator through the services: garbled
   names and machine-translated English corrected (``edit_story``, so the history keeps the
   imported text), heading-less stories given their title, tags, spoiler flags and disputed
   claims marked, and the people the corrected text names added to those the importer found
   (as a moderator accepts the change page's suggestions); then each approved
   (``approve_story``). A handful are marked ``"approve": false`` and stay in the queue
   untouched, for a visitor to try moderating.

Every step is idempotent: titles, people and aliases are looked up before they are created, an
article is imported once (its fingerprint), and a story is corrected and approved only while
nobody has touched it since its import, so a moderator's later decision (unpublishing a demo
story, say) stands. Running it again creates nothing.
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Exists, OuterRef

from . import services
from .importer.reading import read_article
from .importer.writing import import_article
from .matching.names import normalize_name
from .matching.people import PersonIndex
from .matching.titles import TitleIndex
from .models import Anecdote, ModerationEvent, Person, PersonAlias, Title, TitleAlias

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
SEED_FILES = ("000_afe1879c3c2b59d4.txt", "001_c5f5178235522b27.txt")
CORRECTED_FIELDS = ("text", "is_spoiler", "accuracy", "accuracy_note")


class DemoDataError(Exception):
    """The demo data and the importer disagree (e.g. a seed no longer splits as expected)."""


@dataclass
class DemoSummary:
    titles_created: int = 0
    aliases_created: int = 0
    people_created: int = 0
    articles_imported: int = 0
    stories_imported: int = 0
    corrected: int = 0
    approved: int = 0

    def __str__(self):
        published = Anecdote.objects.published().count()
        waiting = Anecdote.objects.pending().count()
        return (
            f"Demo content: {self.people_created} people, {self.titles_created} titles, "
            f"{self.aliases_created} aliases, "
            f"{self.stories_imported} stories from {self.articles_imported} articles added now, "
            f"{self.corrected} corrected and {self.approved} approved; "
            f"{published} stories published, {waiting} waiting in the moderation queue."
        )


def title_rows():
    """The rows of titles.csv as dicts.

    Its heading-less rows quote a paragraph's opening words inside the field, as in
    `(no heading: "Adrien Brody, the protagonist, …")`, so a comma there splits the field:
    the columns between the first and the last five are rejoined.
    """
    with (DEMO_DATA / "titles.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = csv.reader(handle)
    tail = len(header) - 2
    return [
        dict(zip(header, [row[0], ",".join(row[1:-tail]), *row[-tail:]], strict=True))
        for row in rows
        if row
    ]


def load_titles(summary):
    """Create the CSV's titles and aliases that do not exist yet; return them by name."""
    rows = title_rows()
    wanted = {}
    for row in rows:
        wanted.setdefault(row["title"], row)
    existing = {
        (title.normalized_name, title.year): title
        for title in Title.objects.filter(
            normalized_name__in={normalize_name(name) for name in wanted}
        )
    }
    titles = {}
    for name, row in wanted.items():
        year = int(row["year"]) if row["year"] else None
        title = existing.get((normalize_name(name), year))
        if title is None:
            title = Title.objects.create(
                name=name,
                original_title=row["original_title"],
                kind=row["kind"],
                year=year,
                end_year=int(row["end_year"]) if row["end_year"] else None,
            )
            summary.titles_created += 1
        titles[name] = title

    # A seed heading that names its title differently, and an original title, become aliases.
    aliases = {}
    for row in rows:
        title = titles[row["title"]]
        for alias in (row["seed_heading"], row["original_title"]):
            normal = normalize_name(alias)
            if alias and not alias.startswith("(") and normal != title.normalized_name:
                aliases.setdefault(normal, (title, alias))
    known = set(
        TitleAlias.objects.filter(normalized_name__in=aliases).values_list(
            "normalized_name", flat=True
        )
    )
    for normal, (title, alias) in aliases.items():
        if normal not in known:
            TitleAlias.objects.create(title=title, name=alias)
            summary.aliases_created += 1
    return titles


def people_rows():
    with (DEMO_DATA / "people.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def load_people(summary):
    """Create the people of people.json and their aliases that do not exist yet."""
    rows = people_rows()
    existing = {
        person.normalized_name: person
        for person in Person.objects.filter(
            normalized_name__in={normalize_name(row["name"]) for row in rows}
        )
    }
    known_aliases = set(PersonAlias.objects.values_list("normalized_name", flat=True))
    for row in rows:
        person = existing.get(normalize_name(row["name"]))
        if person is None:
            person = Person.objects.create(name=row["name"], known_for=row.get("known_for", ""))
            summary.people_created += 1
        for alias in row.get("aliases", []):
            if normalize_name(alias) not in known_aliases:
                PersonAlias.objects.create(person=person, name=alias)
                known_aliases.add(normalize_name(alias))
                summary.aliases_created += 1


def import_seeds(moderator, summary):
    """Import each seed article (once); return (file name, import result) pairs."""
    index = TitleIndex.from_db()
    results = []
    for name in SEED_FILES:
        result = import_article(read_article(DEMO_DATA / name), user=moderator, index=index)
        if result.created:
            summary.articles_imported += 1
            summary.stories_imported += len(result.article.stories)
        results.append((name, result))
    return results


def corrections():
    with (DEMO_DATA / "corrections.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def apply_corrections(moderator, titles, imports, summary):
    """Correct and approve each imported story as its entry in corrections.json says."""
    table = corrections()
    people_index = PersonIndex.from_db()
    for name, result in imports:
        entries = table[name]
        stories = result.article.stories
        # A story anyone has touched since its import is the moderators' now: left alone.
        touched = ModerationEvent.objects.filter(anecdote=OuterRef("pk")).exclude(
            action=ModerationEvent.Action.IMPORTED
        )
        anecdotes = list(
            Anecdote.objects.filter(citations__source=result.source)
            .annotate(touched=Exists(touched))
            .select_related("title")
            .prefetch_related("tags", "people")
            .order_by("pk")
        )
        if not len(entries) == len(stories) == len(anecdotes):
            raise DemoDataError(
                f"{name} splits into {len(stories)} stories and {len(anecdotes)} were imported, "
                f"but corrections.json has {len(entries)} entries for it."
            )
        for number, (entry, story, anecdote) in enumerate(
            zip(entries, stories, anecdotes, strict=True), start=1
        ):
            if not story.text.startswith(entry["was"]):
                raise DemoDataError(
                    f"Story {number} of {name} starts “{story.text[:40]}…”, "
                    f"but corrections.json expects “{entry['was']}…”."
                )
            if anecdote.touched or not entry.get("approve", True):
                continue
            changes = {
                field: entry[field]
                for field in CORRECTED_FIELDS
                if field in entry and getattr(anecdote, field) != entry[field]
            }
            title = titles[entry["title"]]
            if anecdote.title_id != title.pk:
                changes["title"] = title
            tags = sorted(entry.get("tags", []))
            attached = {person.pk for person in anecdote.people.all()}
            named = {person.pk for person in people_index.find(entry.get("text", anecdote.text))}
            people = sorted(attached | named)
            if (
                changes
                or sorted(tag.name for tag in anecdote.tags.all()) != tags
                or people != sorted(attached)
            ):
                services.edit_story(
                    story=anecdote, editor=moderator, changes=changes, tags=tags, people=people
                )
                summary.corrected += 1
            services.approve_story(story=anecdote, moderator=moderator)
            summary.approved += 1


def load_demo_content(*, moderator):
    """Titles, seed imports, corrections and approvals; returns what was added this time."""
    summary = DemoSummary()
    titles = load_titles(summary)
    load_people(summary)
    imports = import_seeds(moderator, summary)
    apply_corrections(moderator, titles, imports, summary)
    return summary
