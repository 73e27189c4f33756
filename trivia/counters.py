"""How many published stories each title and each tag has, kept exact as stories change.

Counting on every request is what made the busiest pages slow at 300,000 stories (docs/
benchmarks.md): "titles with the most stories" counted every title's stories (60 ms on SQLite,
1 s on PostgreSQL), the tag page's paginator counted 36,578 stories (50–200 ms), the tag list
every tag's (0.3–2.4 s). The counts now live in two small tables (``TitleStoryCount``,
``TagStoryCount``) that the pages read like any column. ``trivia.publication`` moves them with
``follow`` in the same transaction as every change to where a story shows (published, taken
down, given another title or other tags, deleted), so a count never includes a story that is
not published.

Rows written around the ORM (``seed_bench``'s bulk inserts, a restored dump) carry no counts:
``recount()`` (``manage.py recount_stories``) counts everything again from
``Anecdote.objects.published()``. A decrement never takes a count below zero, so that a story
that was never counted cannot block a moderator's unpublishing.
"""

from django.db import connection, transaction
from django.db.models import Count

from .models import Anecdote, TaggedAnecdote, TagStoryCount, TitleStoryCount

# Both statements are written in SQL: an upsert adding to the stored value has no ORM form,
# and the decrement runs once for each story a superuser or seed_bench --reset deletes, where
# building it through the ORM cost ten times the statement.


def _execute(statement, model, ids, *, each):
    """Run ``statement`` once for all of ``ids`` (those that are None left out) on ``model``'s
    table: ``{table}``, ``{key}`` and ``{value}`` stand for its quoted names, ``{each}`` for
    the ``each`` placeholder repeated once an id."""
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return
    quote = connection.ops.quote_name
    sql = statement.format(
        table=quote(model._meta.db_table),
        key=quote(model._meta.pk.column),
        value=quote("value"),
        each=", ".join([each] * len(ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)


def _increment(model, ids):
    """+1 on the count of each of ``ids``, creating the rows still missing, in one statement
    (an upsert both SQLite and PostgreSQL understand; concurrent first stories of one title
    both count)."""
    _execute(
        "INSERT INTO {table} ({key}, {value}) VALUES {each} "
        "ON CONFLICT ({key}) DO UPDATE SET {value} = {table}.{value} + 1",
        model,
        ids,
        each="(%s, 1)",
    )


def _decrement(model, ids):
    _execute(
        "UPDATE {table} SET {value} = {value} - 1 WHERE {key} IN ({each}) AND {value} > 0",
        model,
        ids,
        each="%s",
    )


def follow(before, after):
    """Move the counts from where a story showed (``before``, a ``publication.Footprint``) to
    where it shows now (``after``): only the titles and tags whose count changes are written."""
    title_delta, tag_delta = {}, {}
    for where, sign in ((before, -1), (after, +1)):
        if where.published:
            title_delta[where.title_id] = title_delta.get(where.title_id, 0) + sign
            for tag_id in where.tag_ids:
                tag_delta[tag_id] = tag_delta.get(tag_id, 0) + sign
    for model, delta in ((TitleStoryCount, title_delta), (TagStoryCount, tag_delta)):
        _increment(model, [pk for pk, n in delta.items() if n > 0])
        _decrement(model, [pk for pk, n in delta.items() if n < 0])


def published_counts():
    """How many published stories each title and each tag has, counted from the stories:
    ({title id: count}, {tag id: count}), leaving out those that have none."""
    published = Anecdote.objects.published()
    per_title = published.values_list("title").annotate(n=Count("pk")).order_by()
    per_tag = (
        TaggedAnecdote.objects.filter(content_object__in=published)
        .values_list("tag")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(per_title), dict(per_tag)


def recount():
    """Count every title's and every tag's published stories again, from the stories.

    For data written around the ORM (bulk loads, restores) and as a repair; run it while no
    one is moderating, as a story decided meanwhile may be counted from the old numbers.
    Returns (titles counted, tags counted).
    """
    with transaction.atomic():
        per_title, per_tag = published_counts()
        TitleStoryCount.objects.all().delete()
        TagStoryCount.objects.all().delete()
        titles = TitleStoryCount.objects.bulk_create(
            [TitleStoryCount(title_id=title, value=n) for title, n in per_title.items()],
            batch_size=1000,
        )
        tags = TagStoryCount.objects.bulk_create(
            [TagStoryCount(tag_id=tag, value=n) for tag, n in per_tag.items()], batch_size=1000
        )
    return len(titles), len(tags)
