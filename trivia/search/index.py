"""What is searched: one ``SearchEntry`` per published story, kept in step with the stories.

The entry's ``body`` holds a published story's title names (name, original title, aliases), the
names and aliases of the people it is about, its tags and its text, as the folded words of
``words`` separated by spaces (``build_body``). So "Boxing Club" finds Fight Club's stories,
"Amelie" Amélie's and "Kino Rives" Keanu Reeves's.

Only published stories have an entry, built from ``Anecdote.objects.published()``. The services
call ``index_story`` when a story is published or edited while published and
``forget_story`` when it is taken down, inside their transaction: a story is findable from
the moment it is published and not a moment after it is not. Renaming a title or a person, or
changing their aliases, calls ``reindex_title`` / ``reindex_person``; ``rebuild_index`` (the
``rebuild_search_index`` command) rewrites everything. The engines' indexes follow the entries
by themselves (FTS5 through triggers, the GIN index as any index): see migration 0004.
"""

from django.db import transaction

from ..models import Anecdote, SearchEntry
from .engines import engine
from .words import words

# A story longer than this is found by its first words only: PostgreSQL refuses a tsvector
# over 1 MB, and no story of a few sentences comes near it.
MAX_BODY_CHARS = 50_000
BATCH = 500


def build_body(anecdote):
    """The words a published story is found by: its title's names, its people's, its tags and
    its text. Names come first, so that a very long text loses its own tail, never a name."""
    names = []
    if anecdote.title is not None:
        title = anecdote.title
        names += [title.name, title.original_title, *(alias.name for alias in title.aliases.all())]
    for person in anecdote.people.all():
        names += [person.name, *(alias.name for alias in person.aliases.all())]
    names += [tag.name for tag in anecdote.tags.all()]
    body = " ".join(words(" ".join([*names, anecdote.text])))
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS].rsplit(" ", 1)[0]
    return body


def _with_names(stories):
    """The published ones of ``stories``, with everything ``build_body`` reads, prefetched."""
    return (
        stories.published()
        .select_related("title")
        .prefetch_related("title__aliases", "people__aliases", "tags")
        .order_by("pk")
    )


def _save(stories):
    """Write the entries of published ``stories`` (new or changed) in one statement."""
    entries = [SearchEntry(anecdote=story, body=build_body(story)) for story in stories]
    SearchEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["anecdote"], update_fields=["body"]
    )
    return len(entries)


def index_story(anecdote):
    """Make search find ``anecdote`` as it now is; a story that is not published is forgotten,
    so calling this is always safe. Call it inside the transaction that changed the story."""
    story = _with_names(Anecdote.objects.filter(pk=anecdote.pk)).first()
    if story is None:
        forget_story(anecdote)
    else:
        _save([story])


def forget_story(anecdote):
    """Search no longer finds ``anecdote`` (it was taken down)."""
    SearchEntry.objects.filter(anecdote_id=anecdote.pk).delete()


def _reindex(stories, progress=None):
    """Rewrite the entries of the published ones of ``stories``, ``BATCH`` at a time."""
    ids = list(stories.published().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        _save(_with_names(Anecdote.objects.filter(pk__in=ids[start : start + BATCH])))
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return len(ids)


def reindex_stories(stories):
    """After what ``stories`` are found by changed outside them (``trivia.publication``: a
    title, person, tag or source renamed or deleted)."""
    return _reindex(stories)


def rebuild_index(*, progress=None):
    """Rewrite every entry from the published stories and drop any other, then have the engine
    rebuild its index from the entries. Returns (stories indexed, stale entries removed)."""
    with transaction.atomic():
        removed, _ = SearchEntry.objects.exclude(anecdote__in=Anecdote.objects.published()).delete()
        indexed = _reindex(Anecdote.objects.all(), progress)
        engine().rebuild()
    return indexed, removed
