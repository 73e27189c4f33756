"""The full-text index over ``SearchEntry.body``, in the database's own engine (trivia.search).

- SQLite: an FTS5 table with external content (``trivia_searchentry`` itself, rowid = the story's
  id), kept in step by triggers on ``trivia_searchentry``: every insert, update and delete of an
  entry, by the ORM or by hand, reaches the index in the same transaction. Caution: a later
  migration that alters ``SearchEntry`` makes Django rebuild that table on SQLite, which drops the
  triggers with it; such a migration must create them again (the search tests would fail).
  ``prefix='3'``: FTS5 answers a prefix query ("the"*) by merging the lists of every word it
  starts, unless it has an index of prefixes of exactly that length; three letters start the
  most words (at 300,000 stories, "the"* ranked in ~100 ms without it, ~23 ms with it), longer
  prefixes cost little. Indexing more lengths (2 to 6) made the index 2.3 times as big.
- PostgreSQL: a GIN index on ``search_vector``, a stored generated column holding
  ``to_tsvector('simple', body)``, unknown to Django's models (the ORM never reads or writes
  it; the database computes it on every insert and update). An index on the expression alone
  made PostgreSQL compute ``to_tsvector`` again for every row it checked or ranked: ~45 µs a
  story, 400 ms for a common word at 300,000 stories, against 3 ms with the stored column. Its
  statistics target is raised so that the planner knows how common a word, or a prefix, is:
  with the default, "kalo:*" on 8 % of the stories was estimated at 0.25 % and fetched all
  25,000 rows (100 ms) instead of walking the newest until 1,000 matched (7 ms). A later
  migration that alters ``body`` must drop and re-create the column.

Then the entries of the stories already published are written. The body recipe is frozen here
as it was when this migration was written; ``manage.py rebuild_search_index`` rewrites every
entry with the current one.
"""

import re
import unicodedata

from django.db import migrations

FTS = "trivia_searchentry_fts"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        body, content='trivia_searchentry', content_rowid='anecdote_id',
        tokenize='unicode61 remove_diacritics 2', prefix='3'
    )""",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON trivia_searchentry BEGIN
        INSERT INTO {FTS}(rowid, body) VALUES (new.anecdote_id, new.body);
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON trivia_searchentry BEGIN
        INSERT INTO {FTS}({FTS}, rowid, body) VALUES ('delete', old.anecdote_id, old.body);
    END""",
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE ON trivia_searchentry BEGIN
        INSERT INTO {FTS}({FTS}, rowid, body) VALUES ('delete', old.anecdote_id, old.body);
        INSERT INTO {FTS}(rowid, body) VALUES (new.anecdote_id, new.body);
    END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRESQL_CREATE = [
    "ALTER TABLE trivia_searchentry ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED",
    "ALTER TABLE trivia_searchentry ALTER COLUMN search_vector SET STATISTICS 1000",
    "CREATE INDEX trivia_searchentry_fts ON trivia_searchentry USING GIN (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS trivia_searchentry_fts",
    "ALTER TABLE trivia_searchentry DROP COLUMN IF EXISTS search_vector",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return operation


def folded_words(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.findall(r"[^\W_]+", stripped.casefold())


def index_published_stories(apps, schema_editor):
    Anecdote = apps.get_model("trivia", "Anecdote")
    SearchEntry = apps.get_model("trivia", "SearchEntry")
    TaggedAnecdote = apps.get_model("trivia", "TaggedAnecdote")
    published = Anecdote.objects.filter(state="published")
    tags = {}
    for story_id, name in TaggedAnecdote.objects.filter(
        content_object__state="published"
    ).values_list("content_object_id", "tag__name"):
        tags.setdefault(story_id, []).append(name)
    stories = published.select_related("title").prefetch_related(
        "title__aliases", "people__aliases"
    )
    entries = []
    for story in stories.iterator(chunk_size=500):
        names = []
        if story.title is not None:
            names += [story.title.name, story.title.original_title]
            names += [alias.name for alias in story.title.aliases.all()]
        for person in story.people.all():
            names += [person.name, *(alias.name for alias in person.aliases.all())]
        names += tags.get(story.pk, [])
        body = " ".join(folded_words(" ".join([*names, story.text])))[:50_000]
        entries.append(SearchEntry(anecdote_id=story.pk, body=body))
    SearchEntry.objects.bulk_create(entries, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("trivia", "0003_people_votes_search_renditions"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
        migrations.RunPython(index_published_stories, migrations.RunPython.noop),
    ]
