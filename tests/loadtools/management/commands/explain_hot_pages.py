"""Print the database's plan for every query the hot reader pages run (issue 6).

    python manage.py explain_hot_pages                     # the pages `make bench` loads
    python manage.py explain_hot_pages --analyze           # with actual times (PostgreSQL)
    python manage.py explain_hot_pages --path /tags/ --path "/search/?q=ledger"

Meant for a database of benchmark size (``seed_bench``), where plans are the ones a large site
gets: a plan chosen for 30 rows says little. The pages are those ``bench`` picks from the
database (home, a 50-story title, the most used tag, the newest story, a search for a common
word) plus the title and tag lists, each requested in-process as a signed-in reader with a
cache that keeps nothing, so that every query a page can run is run. Each query is recorded
with its parameters as the page sent it and explained as is: EXPLAIN on PostgreSQL, EXPLAIN
QUERY PLAN on SQLite.

A full scan of one of the tables that grow with the stories (``BIG_TABLES``), once it holds
``BIG_ROWS`` rows or more, is flagged "FULL SCAN" and counted in the summary; the command exits
with an error when there is one, so it can guard a deployment. (An empty table is read whole in
no time, and PostgreSQL rightly does so.) ``--no-seqscan`` (PostgreSQL) makes the planner take
any usable index however small the tables, and then flags a full scan of a big table whatever
its size: it shows on a small database whether an index exists to serve each query.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from .bench import pick_pages
from .seed_bench import BENCH_READER, EMAIL_DOMAIN

# Tables that grow with the stories: a hot page must never read one of them whole.
BIG_TABLES = {
    "trivia_anecdote",
    "trivia_taggedanecdote",
    "trivia_citation",
    "trivia_searchentry",
    "trivia_moderationevent",
    "trivia_anecdote_people",
    "trivia_vote",
}
BIG_ROWS = 1000
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
NO_CACHE = {"default": DUMMY, "content": DUMMY}
# "Seq Scan on trivia_anecdote" (PostgreSQL), "SCAN trivia_anecdote" without an index (SQLite).
_PG_FULL_SCAN = re.compile(r"Seq Scan on (\w+)")
_SQLITE_FULL_SCAN = re.compile(r"^SCAN (\w+)(?! USING)")


@dataclass
class Recorded:
    page: str
    sql: str
    params: tuple
    plan: list = field(default_factory=list)
    full_scans: list = field(default_factory=list)


def full_scans(plan_lines, big_tables):
    """The tables of ``big_tables`` a plan reads whole."""
    pattern = _PG_FULL_SCAN if connection.vendor == "postgresql" else _SQLITE_FULL_SCAN
    found = []
    for line in plan_lines:
        match = pattern.search(line.strip())
        if match and match[1] in big_tables:
            found.append(match[1])
    return found


def big_tables(*, whatever_their_size=False):
    """The tables of ``BIG_TABLES`` that hold ``BIG_ROWS`` rows or more (all of them with
    ``whatever_their_size``)."""
    if whatever_their_size:
        return set(BIG_TABLES)
    quote = connection.ops.quote_name
    big = set()
    with connection.cursor() as cursor:
        for table in sorted(BIG_TABLES):
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(table)} LIMIT {BIG_ROWS}) t"
            )
            if cursor.fetchone()[0] >= BIG_ROWS:
                big.add(table)
    return big


def explain(sql, params, *, analyze=False):
    """The plan of one query, as lines of text."""
    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    elif connection.vendor == "sqlite":
        prefix = "EXPLAIN QUERY PLAN "
    else:
        raise CommandError(f"No plans for {connection.vendor}: SQLite or PostgreSQL only.")
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [row[0] for row in rows]
    return [row[-1] for row in rows]


def record_queries(paths, *, signed_in=True):
    """Request each path in-process and return every query it ran, with its parameters."""
    recorded = []
    current = {"page": ""}

    def wrapper(execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith("SELECT"):
            recorded.append(Recorded(current["page"], sql, tuple(params or ())))
        return execute(sql, params, many, context)

    client = Client()
    if signed_in:
        reader, _ = get_user_model().objects.get_or_create(
            username=BENCH_READER, defaults={"email": f"{BENCH_READER}{EMAIL_DOMAIN}"}
        )
        client.force_login(reader)
    with override_settings(CACHES=NO_CACHE), connection.execute_wrapper(wrapper):
        for path in paths:
            current["page"] = path
            status = client.get(path).status_code
            if status != 200:
                raise CommandError(f"{path} answered HTTP {status}: no plan for a page not shown.")
    return recorded


def hot_paths():
    """The pages ``bench`` measures, and the title and tag lists."""
    return [page.path for page in pick_pages()] + [reverse("title_list"), reverse("tag_list")]


class Command(BaseCommand):
    help = (
        "Print EXPLAIN for every query of the hot reader pages (those `make bench` loads, the "
        "title and tag lists) and flag any full scan of a big table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            action="append",
            default=[],
            help="A page to explain instead of the hot ones (repeatable), e.g. /tags/.",
        )
        parser.add_argument(
            "--analyze", action="store_true", help="PostgreSQL: run the queries, with times."
        )
        parser.add_argument(
            "--no-seqscan",
            action="store_true",
            help="PostgreSQL: let the planner use any index it can (shows missing indexes on a "
            "small database).",
        )
        parser.add_argument(
            "--anonymous", action="store_true", help="As a signed-out reader (fewer queries)."
        )

    def handle(self, *args, path, analyze, no_seqscan, anonymous, **options):
        if connection.vendor not in ("postgresql", "sqlite"):
            raise CommandError(f"No plans for {connection.vendor}: SQLite or PostgreSQL only.")
        paths = path or hot_paths()
        recorded = record_queries(paths, signed_in=not anonymous)
        # Explained in a transaction rolled back at the end: ANALYZE runs the queries, and
        # SET LOCAL must not outlive the command.
        no_seqscan = no_seqscan and connection.vendor == "postgresql"
        self.big_tables = big_tables(whatever_their_size=no_seqscan)
        with transaction.atomic():
            if no_seqscan:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_seqscan = off")
            for query in recorded:
                query.plan = explain(query.sql, query.params, analyze=analyze)
                query.full_scans = full_scans(query.plan, self.big_tables)
            transaction.set_rollback(True)
        self.report(paths, recorded)
        scans = [query for query in recorded if query.full_scans]
        if scans:
            tables = sorted({table for query in scans for table in query.full_scans})
            raise CommandError(
                f"{len(scans)} of {len(recorded)} queries read a big table whole "
                f"({', '.join(tables)}): see FULL SCAN above."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(recorded)} queries on {len(paths)} pages: no full scan of a big table."
            )
        )

    def report(self, paths, recorded):
        for page in paths:
            queries = [query for query in recorded if query.page == page]
            self.stdout.write(self.style.MIGRATE_HEADING(f"\n{page}: {len(queries)} queries"))
            for number, query in enumerate(queries, 1):
                sql = " ".join(query.sql.split())
                self.stdout.write(f"\n[{number}] {sql[:400]}{'…' if len(sql) > 400 else ''}")
                if query.params:
                    shown = ", ".join(repr(value)[:40] for value in query.params[:12])
                    more = f", … ({len(query.params)} in all)" if len(query.params) > 12 else ""
                    self.stdout.write(f"    params: {shown}{more}")
                for line in query.plan:
                    flag = "   <-- FULL SCAN" if full_scans([line], self.big_tables) else ""
                    style = self.style.ERROR if flag else (lambda text: text)
                    self.stdout.write(style(f"    {line}{flag}"))
