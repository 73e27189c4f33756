"""How many published stories each title and each tag has, kept exact as stories change.

Counting on every request is what made the busiest pages slow at 300,000 stories (docs/
benchmarks.md): "titles with the most stories" counted every title's stories (60 ms on SQLite,
1 s on PostgreSQL), the tag page's paginator counted 36,578 stories (50–200 ms), the tag list
every tag's (0.3–2.4 s). The counts now live in two small tables (``TitleStoryCount``,
``TagStoryCount``) that the pages read like any column, and each change that moves a count
moves it in the same transaction, so a count never includes a story that is not published:

- a story published or taken down: ``story_published`` / ``story_unpublished``, called by
  ``services._transition`` under the story's row lock: its title and its tags, ±1;
- a published story given another title: ``story_moved`` (``services.edit_anecdote``);
- a tag added to or removed from a published story, by the services, the admin's form or
  anything else that saves or deletes ``TaggedAnecdote`` rows through the ORM: the receivers
  ``tag_added`` / ``tag_removed`` (connected in ``trivia.apps``), which lock the story's row
  first, as the services do, so that a tag change and an approval racing on one story are
  counted once whichever commits first;
- a published story deleted (a superuser in the admin): its tag rows go first, through the
  receivers above, then ``story_deleted`` takes it off its title's count.

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


def _names(model):
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), quote(model._meta.pk.column), quote("value")


def _increment(model, ids):
    """+1 on the count of each of ``ids``, creating the rows still missing, in one statement
    (an upsert both SQLite and PostgreSQL understand; concurrent first stories of one title
    both count)."""
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return
    table, key, value = _names(model)
    rows = ", ".join(["(%s, 1)"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {value}) VALUES {rows} "
            f"ON CONFLICT ({key}) DO UPDATE SET {value} = {table}.{value} + 1",
            ids,
        )


def _decrement(model, ids):
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return
    table, key, value = _names(model)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {value} = {value} - 1 "
            f"WHERE {key} IN ({placeholders}) AND {value} > 0",
            ids,
        )


def _tag_ids(story_id):
    return list(
        TaggedAnecdote.objects.filter(content_object_id=story_id).values_list("tag_id", flat=True)
    )


def story_published(story):
    """``story`` was just published: its title and each of its tags count it."""
    _increment(TitleStoryCount, [story.title_id])
    _increment(TagStoryCount, _tag_ids(story.pk))


def story_unpublished(story):
    """``story`` (published until now) was taken down."""
    _decrement(TitleStoryCount, [story.title_id])
    _decrement(TagStoryCount, _tag_ids(story.pk))


def story_moved(*, from_title_id, to_title_id):
    """A published story changed titles."""
    if from_title_id != to_title_id:
        _decrement(TitleStoryCount, [from_title_id])
        _increment(TitleStoryCount, [to_title_id])


def _is_published_now(story_id):
    """Whether the story is published, read under its row lock when in a transaction (the
    services hold it while they publish or unpublish), so that its tags are counted once."""
    stories = Anecdote.objects.published().filter(pk=story_id)
    if connection.in_atomic_block:
        stories = stories.select_for_update()
    return stories.exists()


def tag_added(sender, instance, created, raw=False, **kwargs):
    """``post_save`` of ``TaggedAnecdote``: a published story got a tag."""
    if created and not raw and _is_published_now(instance.content_object_id):
        _increment(TagStoryCount, [instance.tag_id])


def tag_removed(sender, instance, **kwargs):
    """``post_delete`` of ``TaggedAnecdote``: a published story lost a tag (or is being
    deleted, or the tag is)."""
    if _is_published_now(instance.content_object_id):
        _decrement(TagStoryCount, [instance.tag_id])


def story_deleted(sender, instance, **kwargs):
    """``post_delete`` of ``Anecdote``: a published story is gone from its title's count (its
    tags were taken off one by one before it, by ``tag_removed``). ``instance`` is the row as
    the deletion read it, inside the deleting transaction."""
    if instance.is_published:
        _decrement(TitleStoryCount, [instance.title_id])


def recount():
    """Count every title's and every tag's published stories again, from the stories.

    For data written around the ORM (bulk loads, restores) and as a repair; run it while no
    one is moderating, as a story decided meanwhile may be counted from the old numbers.
    Returns (titles counted, tags counted).
    """
    published = Anecdote.objects.published()
    per_title = published.values_list("title").annotate(n=Count("pk")).order_by()
    per_tag = (
        TaggedAnecdote.objects.filter(content_object__in=published)
        .values_list("tag")
        .annotate(n=Count("pk"))
        .order_by()
    )
    with transaction.atomic():
        TitleStoryCount.objects.all().delete()
        TagStoryCount.objects.all().delete()
        titles = TitleStoryCount.objects.bulk_create(
            [TitleStoryCount(title_id=title, value=n) for title, n in per_title], batch_size=1000
        )
        tags = TagStoryCount.objects.bulk_create(
            [TagStoryCount(tag_id=tag, value=n) for tag, n in per_tag], batch_size=1000
        )
    return len(titles), len(tags)
