"""Published-story counts per title and per tag (``trivia.counters``), filled from the stories
published before this migration, and two indexes for a tag's stories sorted by interest or
narrowed by accuracy (``Anecdote.Meta.indexes``).

"Published" is frozen here as it was when this migration was written (``state = 'published'``);
``manage.py recount_stories`` counts again with the current definition. The new tables are then
analyzed, and the stories for their new indexes: without statistics, SQLite reads "the titles
with the most stories" by scanning every title (7 ms at 10,000 titles) instead of the first rows
of ``title_most_stories`` (0.6 ms)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count

PUBLISHED = "published"


def count_published(apps, schema_editor):
    Anecdote = apps.get_model("trivia", "Anecdote")
    TaggedAnecdote = apps.get_model("trivia", "TaggedAnecdote")
    TitleStoryCount = apps.get_model("trivia", "TitleStoryCount")
    TagStoryCount = apps.get_model("trivia", "TagStoryCount")
    per_title = (
        Anecdote.objects.filter(state=PUBLISHED)
        .values_list("title")
        .annotate(n=Count("pk"))
        .order_by()
    )
    TitleStoryCount.objects.bulk_create(
        [TitleStoryCount(title_id=title, value=n) for title, n in per_title], batch_size=1000
    )
    per_tag = (
        TaggedAnecdote.objects.filter(content_object__state=PUBLISHED)
        .values_list("tag")
        .annotate(n=Count("pk"))
        .order_by()
    )
    TagStoryCount.objects.bulk_create(
        [TagStoryCount(tag_id=tag, value=n) for tag, n in per_tag], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("trivia", "0007_story_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="TagStoryCount",
            fields=[
                ("value", models.PositiveIntegerField(default=0)),
                (
                    "tag",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="story_counter",
                        serialize=False,
                        to="taggit.tag",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="TitleStoryCount",
            fields=[
                ("value", models.PositiveIntegerField(default=0)),
                (
                    "title",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="story_counter",
                        serialize=False,
                        to="trivia.title",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["-value", "title"], name="title_most_stories")],
            },
        ),
        migrations.AddIndex(
            model_name="anecdote",
            index=models.Index(
                fields=["state", "-interest_count", "-published_at"], name="anecdote_interest"
            ),
        ),
        migrations.AddIndex(
            model_name="anecdote",
            index=models.Index(
                fields=["accuracy", "state", "-id"], name="anecdote_accuracy_newest"
            ),
        ),
        migrations.RunPython(count_published, migrations.RunPython.noop, elidable=True),
        # The same statement on SQLite and PostgreSQL; both allow it inside a transaction.
        migrations.RunSQL(
            [
                "ANALYZE trivia_titlestorycount",
                "ANALYZE trivia_tagstorycount",
                "ANALYZE trivia_anecdote",
            ],
            migrations.RunSQL.noop,
            elidable=True,
        ),
    ]
