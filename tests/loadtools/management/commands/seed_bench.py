"""Fill a database of its own with a synthetic Backlot for ``make bench`` (issue 6).

    python manage.py seed_bench                  # 10,000 titles, 300,000 stories, 2,000 tags,
                                                 # 1,000 contributors
    python manage.py seed_bench --anecdotes 20000 --titles 1000 --tags 300 --contributors 100
    python manage.py seed_bench --reset          # delete the bench rows and seed again
    python manage.py seed_bench --dry-run        # say what it would do, write nothing

The numbers ``make bench`` prints are only worth something at the sizes the site must serve, so
the dataset is large and shaped like a real one: a few titles hold thousands of stories and most
a handful (``title_story_counts``), one tag is on ~12 % of the stories (``TagPicker``), every
story has 3 tags, a source and 20–60 words of text, published over 3 years. The same ``--seed``
gives the same rows.

Speed (DESIGN §5): ``bulk_create`` in batches inside one transaction; one ``save()`` and
``tags.add()`` at a time would take a quarter of an hour. For the same reason the stories are
written as published directly instead of through ``trivia.services``: they get what approval
would have left, state, version 1, a publication date, a search entry built like
``trivia.search.index.build_body``'s and an "approved" moderation event with the story's snapshot
(the events cost a fifth of the seeding time; no page measured reads them, the admin does);
the published-story counts of titles and tags are counted once at the end
(``trivia.counters.recount``).

It never touches real content. Every row it writes is marked twice over, so that no real row
passes for one: titles have the slug "bench-N" and the synopsis ``TITLE_SYNOPSIS``; tags the slug
"bench-tag-N" and a lower-case name "bench …"; users are "bench-user-N" (and ``bench``'s
signed-in reader "bench-reader") with an address at bench.invalid; sources are published by
"Backlot bench". It refuses a database holding any story that is not on a bench title, with or
without ``--reset``, and ``--reset`` deletes marked rows only.
"""

import random
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from taggit.models import Tag

from trivia import counters, publication
from trivia.matching.names import normalize_name
from trivia.models import (
    Anecdote,
    Citation,
    ModerationEvent,
    SearchEntry,
    Source,
    TaggedAnecdote,
    Title,
    TitleKind,
)
from trivia.search.index import MAX_BODY_CHARS
from trivia.search.words import words

TITLE_SLUG = r"^bench-[0-9]+$"
TITLE_SYNOPSIS = "A synthetic title made by `manage.py seed_bench` for `make bench`."
TAG_SLUG = r"^bench-tag-[0-9]+$"
TAG_NAME = r"^bench [a-z]+( [0-9]+)?$"
CONTRIBUTOR = r"^bench-user-[0-9]+$"
BENCH_READER = "bench-reader"
# ``bench --scenario read-under-write``'s accounts: the stories it approves are the writer's
# (deleted after the run), the moderator approves them.
BENCH_WRITER = "bench-writer"
BENCH_MODERATOR = "bench-moderator"
EMAIL_DOMAIN = "@bench.invalid"
SOURCE_PUBLISHER = "Backlot bench"
SOURCES = 1000
TAGS_PER_STORY = 3
BATCH = 5000
SQLITE_CACHE_KIB = 256 * 1024
# Zipf-like weights 1 / (rank + offset). For titles, offset 10 gives the top title ~1.4 % of
# the stories (4,311 of 300,000) and 861 titles of 10,000 at least 50; for tags, offset 3.7 puts
# the top tag on ~12 % of the stories with 2,000 tags, as in the prototype's measurements.
TITLE_OFFSET = 10
TAG_OFFSET = 3.7
WORD_OFFSET = 2
# Publication dates: a fixed window, so that --seed alone decides the dataset.
PUBLISHED_FROM = datetime(2022, 11, 1, tzinfo=UTC)
PUBLISHED_SPAN = timedelta(days=3 * 365)

# The stories' vocabulary, most frequent first (weights 1 / (rank + 2)).
WORDS = tuple(
    dict.fromkeys(
        """
        camera director actor scene set crew take script studio stunt shot lens light sound
        costume makeup rehearsal producer editor location night rain fire horse car train
        boat castle desert forest city street bridge tower kitchen hospital prison school
        ship plane weeks months days hours budget schedule storm snow sun wind ocean river
        mountain cave improvised cried laughed refused insisted broke learned trained wore
        lost found hid built painted burned flooded rewrote cut added replaced recast filmed
        shot reshot dubbed original sequel prequel trilogy pilot finale episode season
        series remake adaptation novel comic play song score composer theme orchestra guitar
        piano drum voice accent language dialect line lines dialogue monologue speech joke
        prank accident injury bruise cast extras double stand body wig mask prosthetic suit
        armor sword gun prop model miniature puppet creature robot alien ghost monster
        zombie dragon spaceship planet effects practical digital green screen matte painting
        explosion crash fall jump fight chase dance kiss scream whisper silence dark bright
        cold hot wet dry real fake secret famous legendary unknown young old first last
        final single every whole entire actual during before after while between behind
        inside outside across through along around because although nearly almost never
        always again still only just really truly producers executives critics audience fans
        premiere festival award nomination oscar box office opening weekend release delay
        trailer poster title credit cameo writer writers novelist playwright cinematographer
        gaffer grip choreographer coordinator assistant runner caterer driver animal trainer
        dog cat bird snake spider
        """.split()
    )
)
TITLE_ADJECTIVES = (
    "Silent Last Broken Golden Hidden Crimson Distant Endless Frozen Burning Lost Wild "
    "Midnight Iron Glass Paper Hollow Bright Quiet Restless Northern Southern Secret Little "
    "Great Final Second Strange Lonely Savage"
).split()
TITLE_NOUNS = (
    "Harbor River Empire Garden Station Kingdom Frontier Mirror Signal Winter Summer Voyage "
    "Orchard Lighthouse Circus Engine Canyon Island Archive Theater Highway Compass Horizon "
    "Shadow Ember Tide Citadel Meridian Anthem Parade"
).split()


def zipf_weights(count, offset):
    return [1 / (rank + offset) for rank in range(count)]


def title_story_counts(titles, anecdotes):
    """How many stories each title gets, most first: Zipf-like, summing to ``anecdotes``
    exactly (largest remainders), so that the dataset's shape does not depend on chance."""
    weights = zipf_weights(titles, TITLE_OFFSET)
    total = sum(weights)
    shares = [anecdotes * weight / total for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(titles), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: anecdotes - sum(counts)]:
        counts[i] += 1
    return counts


class TagPicker:
    """Draws a story's distinct tags, popular ones more often (``TAG_OFFSET``)."""

    def __init__(self, tags, rng):
        self.tags = tags
        self.rng = rng
        self.cum_weights = list(accumulate(zipf_weights(tags, TAG_OFFSET)))
        self.per_story = min(TAGS_PER_STORY, tags)

    def pick(self):
        chosen = set()
        while len(chosen) < self.per_story:
            chosen.update(
                self.rng.choices(
                    range(self.tags), cum_weights=self.cum_weights, k=self.per_story - len(chosen)
                )
            )
        return sorted(chosen)


def search_body(title_words, tag_words, text_words):
    """The body ``trivia.search.index.build_body`` writes for a story of a title without original
    title or aliases, about nobody: the folded words of the title's name, of the tag names and
    of the text. The callers fold each name once, and the text is made of already folded
    words: folding 300,000 texts letter by letter would cost more than writing them."""
    body = " ".join([*title_words, *tag_words, *text_words])
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS].rsplit(" ", 1)[0]
    return body


def insert_rows(model, fields, rows):
    """Insert plain values into a narrow link table with one ``executemany``.

    For the 1.5 million rows of tags, citations and search entries: ``bulk_create`` would
    build a model instance and prepare every value of each through its field, which costs as
    much as the database's own work. The values here are ints and strings that need no
    preparing; the table and column names come from the model. A new column without a
    database default makes this fail loudly, and tests/test_bench.py with it.
    """
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})", rows
        )


def delete_tag_rows(story_ids):
    """Delete the tag rows of ``story_ids`` in one statement, past the ORM's signals."""
    quote = connection.ops.quote_name
    meta = TaggedAnecdote._meta
    column = quote(meta.get_field("content_object").column)
    placeholders = ", ".join(["%s"] * len(story_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(meta.db_table)} WHERE {column} IN ({placeholders})", story_ids
        )


class ProgressBar:
    """A plain-text bar on stderr, redrawn in place after every batch."""

    WIDTH = 30

    def __init__(self, stream, label, total):
        self.stream, self.label, self.total = stream, label, total
        self.started = time.monotonic()

    def update(self, done):
        filled = self.WIDTH * done // self.total if self.total else self.WIDTH
        percent = 100 * done // self.total if self.total else 100
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r  {self.label:<9} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{percent:3d}% {done:>9,}/{self.total:,}  {elapsed:5.1f} s",
            ending="",
            style_func=lambda text: text,
        )
        self.stream.flush()

    def finish(self):
        self.stream.write("")


def bench_titles():
    return Title.objects.filter(slug__regex=TITLE_SLUG, synopsis=TITLE_SYNOPSIS)


def bench_stories():
    return Anecdote.objects.filter(title__in=bench_titles())


def seeded_stories():
    """The bench stories but those of ``bench``'s writer, which a run that was stopped half
    way may have left behind."""
    return bench_stories().exclude(contributor__username=BENCH_WRITER)


def bench_tags():
    return Tag.objects.filter(slug__regex=TAG_SLUG, name__regex=TAG_NAME)


def bench_contributors():
    return get_user_model().objects.filter(
        username__regex=CONTRIBUTOR, email__endswith=EMAIL_DOMAIN
    )


def bench_users():
    """The contributors and ``bench``'s own accounts (reader, writer, moderator)."""
    return get_user_model().objects.filter(
        Q(username__regex=CONTRIBUTOR)
        | Q(username__in=[BENCH_READER, BENCH_WRITER, BENCH_MODERATOR]),
        email__endswith=EMAIL_DOMAIN,
    )


def bench_sizes():
    """The sizes of the bench dataset the database holds now (all zero when it holds none)."""
    return {
        "titles": bench_titles().count(),
        "anecdotes": seeded_stories().count(),
        "tags": bench_tags().count(),
        "contributors": bench_contributors().count(),
    }


def foreign_stories():
    """Stories that are not bench stories: the database is someone's site."""
    return Anecdote.objects.filter(Q(title__isnull=True) | ~Q(title__in=bench_titles()))


def skip_foreign_key_checks():
    """PostgreSQL: no foreign-key check for this transaction's rows, which are made consistent
    here, as ``pg_restore --disable-triggers`` loads a dump. Django's foreign keys are checked
    at commit; at 300,000 stories that commit ran for over 20 minutes, its time growing far
    faster than the rows. Only a superuser may; anyone else pays the checks."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass  # not a superuser: the rows are checked as usual


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic published dataset for `make bench`. "
        "Refuses a database that holds real stories."
    )

    def add_arguments(self, parser):
        parser.add_argument("--titles", type=int, default=10_000, help="Default: 10,000.")
        parser.add_argument(
            "--anecdotes", type=int, default=300_000, help="Published stories. Default: 300,000."
        )
        parser.add_argument("--tags", type=int, default=2_000, help="Default: 2,000.")
        parser.add_argument("--contributors", type=int, default=1_000, help="Default: 1,000.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same dataset.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the bench rows (and only those) and seed again.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what it would do only.")

    def handle(self, *args, reset=False, dry_run=False, seed=1, **options):
        sizes = {name: options[name] for name in ("titles", "anecdotes", "tags", "contributors")}
        for name, value in sizes.items():
            if value < 1:
                raise CommandError(f"--{name} must be at least 1 (got {value}).")
        others = foreign_stories().count()
        if others:
            raise CommandError(
                f"This database holds {others:,} stories that are not bench stories: seed_bench "
                "fills a database of its own and deletes nothing else. Point it at another one "
                "(SQLITE_PATH=bench.sqlite3 or DATABASE_URL=…/backlot_bench), as `make bench` does."
            )
        present = bench_sizes()
        described = self.describe(sizes)
        if present == sizes and not reset:
            self.stdout.write(
                f"The database already holds the bench dataset ({described}): nothing to do. "
                "--reset rebuilds it."
            )
            return
        if any(present.values()) and not reset:
            raise CommandError(
                f"The database holds a bench dataset of other sizes ({self.describe(present)}). "
                "Run with --reset to replace it."
            )
        if dry_run:
            action = "delete the bench rows and " if any(present.values()) else ""
            self.stdout.write(f"Would {action}seed {described} (seed {seed}).")
            return
        started = time.monotonic()
        if connection.vendor == "sqlite":
            # Room for the indexes being filled: with SQLite's default 2 MB, the transaction
            # writes its pages out to the WAL again and again (2 GB for a 500 MB database).
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        with transaction.atomic():
            skip_foreign_key_checks()
            if any(present.values()):
                self.delete_bench_rows()
            self.seed(sizes, random.Random(seed))
            counters.recount()
            publication.stamp_everything()
        seeded = time.monotonic() - started
        self.analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {described} in {seeded:.0f} s "
                f"(+ {time.monotonic() - started - seeded:.0f} s of ANALYZE)."
            )
        )

    def describe(self, sizes):
        return (
            f"{sizes['titles']:,} titles, {sizes['anecdotes']:,} published stories, "
            f"{sizes['tags']:,} tags, {sizes['contributors']:,} contributors"
        )

    # --- Deleting ---------------------------------------------------------------------------

    def delete_bench_rows(self):
        """Delete every marked row. Stories go in chunks through the ORM, so that whatever
        refers to a story (citations, search entries, votes, events…) goes with it without
        loading 300,000 stories at once. Their tags go first, in one statement a chunk: through
        the ORM, each of the 900,000 would be taken off its tag's count one by one, and the
        counts are counted again after seeding anyway."""
        ids = list(bench_stories().order_by("pk").values_list("pk", flat=True))
        bar = ProgressBar(self.stderr, "deleting", len(ids))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            delete_tag_rows(chunk)
            Anecdote.objects.filter(pk__in=chunk).delete()
            bar.update(min(start + BATCH, len(ids)))
        bar.finish()
        bench_titles().delete()
        bench_tags().delete()
        Source.objects.filter(publisher=SOURCE_PUBLISHER).delete()
        bench_users().delete()

    # --- Seeding ----------------------------------------------------------------------------

    def seed(self, sizes, rng):
        contributor_ids = self.create_contributors(sizes["contributors"])
        tags = self.create_tags(sizes["tags"])
        titles = self.create_titles(sizes["titles"], rng)
        source_ids = self.create_sources(rng)
        self.create_stories(sizes["anecdotes"], rng, titles, tags, contributor_ids, source_ids)

    def create_contributors(self, count):
        User = get_user_model()
        # Nobody signs in as them: one unusable password, hashed once.
        password = make_password(None)
        users = User.objects.bulk_create(
            (
                User(
                    username=f"bench-user-{n}",
                    email=f"bench-user-{n}{EMAIL_DOMAIN}",
                    password=password,
                )
                for n in range(1, count + 1)
            ),
            batch_size=BATCH,
        )
        return [user.pk for user in users]

    def create_tags(self, count):
        """Tags named after the story words, most popular first: "bench camera", …"""
        names = [f"bench {WORDS[n % len(WORDS)]}" for n in range(count)]
        names = [
            name if n < len(WORDS) else f"{name} {n // len(WORDS) + 1}"
            for n, name in enumerate(names)
        ]
        tags = Tag.objects.bulk_create(
            [Tag(name=name, slug=f"bench-tag-{n}") for n, name in enumerate(names, 1)],
            batch_size=BATCH,
        )
        return [(tag.pk, tag.name, words(tag.name)) for tag in tags]

    def create_titles(self, count, rng):
        titles = []
        for n in range(1, count + 1):
            name = f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)} {n}"
            year = rng.randint(1950, 2024)
            series = rng.random() < 0.2
            titles.append(
                Title(
                    name=name,
                    slug=f"bench-{n}",
                    normalized_name=normalize_name(name),
                    synopsis=TITLE_SYNOPSIS,
                    kind=TitleKind.SERIES if series else TitleKind.FILM,
                    year=year,
                    end_year=year + rng.randint(0, 8) if series else None,
                )
            )
        titles = Title.objects.bulk_create(titles, batch_size=BATCH)
        return [(title.pk, title.name, words(title.name)) for title in titles]

    def create_sources(self, rng):
        kinds = Source.Kind.values
        sources = Source.objects.bulk_create(
            Source(
                kind=rng.choice(kinds),
                title=f"Bench source {n}",
                publisher=SOURCE_PUBLISHER,
                author=f"Author {n}",
            )
            for n in range(1, SOURCES + 1)
        )
        return [(source.pk, str(source)) for source in sources]

    def create_stories(self, count, rng, titles, tags, contributor_ids, sources):
        # Each title gets its exact share, in random order over time.
        title_of_story = []
        for index, stories_of_title in enumerate(title_story_counts(len(titles), count)):
            title_of_story += [index] * stories_of_title
        rng.shuffle(title_of_story)
        tag_picker = TagPicker(len(tags), rng)
        word_weights = list(accumulate(zipf_weights(len(WORDS), WORD_OFFSET)))
        step = PUBLISHED_SPAN / count
        bar = ProgressBar(self.stderr, "stories", count)
        for start in range(0, count, BATCH):
            stories, story_tags, story_words = [], [], []
            for n in range(start, min(start + BATCH, count)):
                text_words = rng.choices(WORDS, cum_weights=word_weights, k=rng.randint(20, 60))
                # Later stories are published later, as on a live site.
                published_at = PUBLISHED_FROM + step * (n + rng.random())
                stories.append(
                    Anecdote(
                        title_id=titles[title_of_story[n]][0],
                        text=" ".join(text_words).capitalize() + ".",
                        contributor_id=rng.choice(contributor_ids),
                        state=Anecdote.State.PUBLISHED,
                        version=1,
                        submitted_at=published_at - timedelta(hours=rng.randint(1, 72)),
                        published_at=published_at,
                    )
                )
                story_tags.append(tag_picker.pick())
                story_words.append(text_words)
            Anecdote.objects.bulk_create(stories)
            self.create_story_rows(stories, story_tags, story_words, rng, titles, tags, sources)
            bar.update(start + len(stories))
        bar.finish()

    def create_story_rows(self, stories, story_tags, story_words, rng, titles, tags, sources):
        """What hangs off a batch of stories: their tags, a citation, a search entry and the
        "approved" event the services would have recorded."""
        title_of = {pk: (name, title_words) for pk, name, title_words in titles}
        cited = [(rng.choice(sources), f"p. {rng.randint(1, 400)}") for _ in stories]
        insert_rows(
            TaggedAnecdote,
            ["tag", "content_object"],
            [
                (tags[index][0], story.pk)
                for story, indexes in zip(stories, story_tags, strict=True)
                for index in indexes
            ],
        )
        insert_rows(
            Citation,
            ["anecdote", "source", "locator", "quote"],
            [
                (story.pk, source_pk, locator, "")
                for story, ((source_pk, _), locator) in zip(stories, cited, strict=True)
            ],
        )
        # On SQLite, the FTS5 triggers of trivia.search index each entry as it is inserted.
        insert_rows(
            SearchEntry,
            ["anecdote", "body"],
            [
                (
                    story.pk,
                    search_body(
                        title_of[story.title_id][1],
                        [word for index in indexes for word in tags[index][2]],
                        text_words,
                    ),
                )
                for story, indexes, text_words in zip(stories, story_tags, story_words, strict=True)
            ],
        )
        # The snapshot is Anecdote.snapshot()'s, as approve_story records it.
        ModerationEvent.objects.bulk_create(
            ModerationEvent(
                anecdote_id=story.pk,
                action=ModerationEvent.Action.APPROVED,
                from_state=Anecdote.State.PENDING,
                to_state=Anecdote.State.PUBLISHED,
                snapshot={
                    "text": story.text,
                    "title": title_of[story.title_id][0],
                    "proposed_title": "",
                    "is_spoiler": False,
                    "accuracy": story.accuracy,
                    "accuracy_note": story.accuracy_note,
                    "image": "",
                    "tags": sorted(tags[index][1] for index in indexes),
                    "people": [],
                    "sources": [f"{source_name} {locator}"],
                },
            )
            for story, indexes, ((_, source_name), locator) in zip(
                stories, story_tags, cited, strict=True
            )
        )

    def analyze(self):
        """Fresh planner statistics, as a live site's would be. On PostgreSQL VACUUM too: a
        freshly loaded table has no visibility map yet (autovacuum would set it within
        minutes on a live site), and without one no index-only scan is possible. VACUUM cannot
        run inside a transaction (a caller's, or a test's): then ANALYZE alone."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA optimize")
            elif connection.vendor == "postgresql":
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
