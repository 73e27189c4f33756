"""PostgreSQL only: pg_trgm and a trigram index on published stories' text, for duplicate
detection (trivia/similar.py). "Is it one of these?" can then look across every title, for a
story sent with a title still to be created, in a few milliseconds at 300,000 stories.

The index is partial (published stories only: the only ones ever compared) and GIN, which
answers the ``%`` operator. SQLite gets nothing here: it compares a title's recent stories word
by word in Python instead.
"""

from django.db import migrations

POSTGRESQL_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS trivia_anecdote_text_trgm ON trivia_anecdote "
    "USING GIN (text gin_trgm_ops) WHERE state = 'published'",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS trivia_anecdote_text_trgm"]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("trivia", "0008_story_counts")]

    operations = [migrations.RunPython(run(POSTGRESQL_CREATE), run(POSTGRESQL_DROP))]
