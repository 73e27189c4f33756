"""Time the importer on 1,000 articles and say whether it keeps up with issue 13's target: at
least 1,000 articles a minute.

    python manage.py bench_importer                      # 1,000 articles, 2,000 titles
    python manage.py bench_importer --articles 50 --titles 200

The articles are the test corpus (tests/data/listicles: text and HTML pages), the seeds and the
other invented listicles of tests/data. Texts are taken as they are, as a longer list (their
stories two to four times over) and with their paragraphs shuffled after the title, so that no
two are the same; pages as they are. Each is read (``load_article``: a page through the HTML
reader) and imported as a dry run (``import_article``: split, titles and people named, repeats
looked for among the published stories, long stories marked), against a ``TitleIndex`` of
``--titles`` titles built in memory (the seeds' titles and invented ones, a fifth with an alias)
and the site's people: all an import does but write. Run it on a database with content (``make
demo``) for repeats to have something to find. It prints articles a minute and the time per
article (p50, p95, slowest); it is never a timed test: a figure depends on the machine.
"""

import random
import statistics
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trivia import demo
from trivia.importer.reading import ArticleError, load_article, read_article
from trivia.importer.writing import import_article
from trivia.matching.people import PersonIndex
from trivia.matching.titles import TitleIndex, TitleRef

DATA = Path(__file__).resolve().parents[3] / "data"
TARGET = 1_000  # articles a minute (issue 13)
_WORDS = (
    "night day city river shadow glass storm iron silent last first golden broken hidden "
    "wild lost secret dark bright long cold red blue black white little great empty "
    "northern distant burning frozen falling rising stolen paper winter summer garden "
    "house road station island harbour mountain forest kingdom circus theatre hotel"
).split()


def title_index(count, rng):
    """``count`` titles: the seeds' and invented ones such as "The Silent Harbour (1987)"."""
    names = list(dict.fromkeys(row["title"] for row in demo.title_rows()))
    while len(names) < count:
        words = rng.sample(_WORDS, rng.choice((1, 2, 2, 3)))
        name = " ".join(word.capitalize() for word in words)
        names.append(f"The {name}" if rng.random() < 0.4 else name)
    entries = []
    for pk, name in enumerate(names[:count], start=1):
        ref = TitleRef(pk=pk, slug=f"title-{pk}", name=name, year=rng.randint(1920, 2024))
        aliases = {name, f"{name} {rng.choice(('II', 'Returns', 'Reloaded'))}"}
        entries.append((ref, aliases if rng.random() < 0.2 else {name}))
    return TitleIndex(entries)


def sources():
    """The texts to vary, and the pages (as their bytes, read by the timed import)."""
    paths = [
        *sorted((DATA / "listicles" / "text").glob("*.txt")),
        *sorted(demo.DEMO_DATA.glob("*.txt")),
        *sorted(DATA.glob("listicle_*.txt")),
    ]
    pages = sorted((DATA / "listicles" / "html").glob("*.html"))
    return [read_article(path) for path in paths], [path.read_bytes() for path in pages]


def varied(text, number, rng):
    """The ``number``-th variant of an article: as it is, a longer list, or shuffled."""
    title, _, body = text.partition("\n")
    title = f"{title} ({number})"
    blocks = body.split("\n\n")
    if number % 3 == 1:
        blocks = blocks * rng.randint(2, 4)
    elif number % 3 == 2:
        rng.shuffle(blocks)
    return f"{title}\n" + "\n\n".join(blocks)


class Command(BaseCommand):
    help = "Import 1,000 listicles as a dry run against 2,000 titles and print articles a minute."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1_000, help="How many to split.")
        parser.add_argument("--titles", type=int, default=2_000, help="The index's size.")
        parser.add_argument("--seed", type=int, default=13, help="The same seed, the same run.")

    def handle(self, *args, articles, titles, seed, **options):
        if articles < 1 or titles < 1:
            raise CommandError("--articles and --titles must be at least 1.")
        rng = random.Random(seed)
        index = title_index(titles, rng)
        people = PersonIndex.from_db()
        texts, pages = sources()
        # One article in five a page, the others texts.
        batch = [
            pages[n // 5 % len(pages)] if n % 5 == 4 else varied(texts[n % len(texts)], n, rng)
            for n in range(articles)
        ]
        self.stdout.write(
            f"Importing {articles:,} articles as a dry run ({len(texts)} texts, varied, and "
            f"{len(pages)} pages) against {len(index):,} titles and {len(people):,} people."
        )

        times, stories, matched, flagged, refused = [], 0, 0, 0, 0
        started = time.perf_counter()
        for number, source in enumerate(batch):
            begun = time.perf_counter()
            page = isinstance(source, bytes)
            loaded = load_article(source, name=f"page-{number}.html" if page else None)
            try:
                article = import_article(
                    loaded.text,
                    dry_run=True,
                    index=index,
                    people_index=people,
                    cited_names=loaded.cited_names,
                ).article
            except ArticleError:  # a shuffled variant may leave no heading where one is read
                refused += 1
                continue
            finally:
                times.append(time.perf_counter() - begun)
            stories += len(article.stories)
            matched += article.counts["matched"]
            flagged += sum(1 for story in article.stories if story.duplicates)
        elapsed = time.perf_counter() - started

        per_minute = articles / elapsed * 60
        milliseconds = sorted(seconds * 1000 for seconds in times)
        p95 = milliseconds[min(len(milliseconds) - 1, int(len(milliseconds) * 0.95))]
        self.stdout.write(
            f"{articles:,} articles, {stories:,} stories ({matched:,} matched a title, "
            f"{flagged:,} flagged as possible repeats; {refused:,} with no story found) in "
            f"{elapsed:.2f} s"
        )
        self.stdout.write(
            f"Per article: p50 {statistics.median(milliseconds):.1f} ms, p95 {p95:.1f} ms, "
            f"slowest {milliseconds[-1]:.1f} ms"
        )
        verdict = self.style.SUCCESS if per_minute >= TARGET else self.style.WARNING
        self.stdout.write(verdict(f"{per_minute:,.0f} articles a minute (target: {TARGET:,})"))
