"""PostgreSQL only: the pg_trgm extension, whose trigram similarity measures how alike two
stories are for duplicate detection (trivia/similar.py). SQLite gets nothing here: it compares
stories word by word in Python instead.

No trigram index: pg_trgm's GIN index answers ``%`` well for short strings, but a story is a
paragraph whose trigrams are mostly common ones, and at 300,000 stories a search through it read
nearly every story (past the 15 s statement timeout). Comparing a bounded set of recent stories
takes milliseconds.
"""

from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("trivia", "0008_story_counts")]

    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop)]
