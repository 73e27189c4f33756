"""Load the running site from loopback with wrk and say how fast its reader pages are (issues 6
and 12).

    python manage.py bench --base-url http://127.0.0.1:8765       # what `make bench` runs
    python manage.py bench --scenario read-under-write --duration 10 --no-record

Two scenarios, both by default (``--scenario``), on the same server in the same run:

**read-only**: the home page, a title with at least 50 published stories, the most used tag, a
story and a search for a common word, each loaded on its own and measured twice: as an
anonymous reader (what the page cache serves) and as a signed-in reader (never cached). For
each it prints requests/s, p50, p99, errors and the queries the page runs, and its throughput
as a ratio of the floor: the site's stylesheet, a static file that WhiteNoise serves from the
same gunicorn workers, measured first and last (issue 12: a cached page ≥ 0.6× of it). Ratios
carry from one machine to another where requests/s do not. ``/healthz`` is measured too, first
and last, and kept as the reference of issue 6's target for the uncached title page (≥ 0.1×);
it reads the database and checks the cache and the task queue, so it is no floor.

**read-under-write** (``tests/loadtools/read_under_write.py``): anonymous readers over 2,000
titles, the tags and the home page with a skewed popularity, while stories are approved
through the services at a steady 0, 0.2, 1 and 5 a second; for each rate, requests/s, p50,
p99, errors, the share of requests served from the page cache and the title pages' own p50 and
p99 (``tests.loadtools.probe``).

Given the server's process id (``--server-pid``, as ``make bench`` does), it also gives the
server's CPU time per request, read from /proc: the one number that other programs running on
the machine do not change. The load average is recorded with each stage, for the same reason.

It must run with the server's settings, same database and same ``DJANGO_SECRET_KEY``: it picks
the pages from the database, counts each page's queries in-process with Django's test client,
signs in a reader ("bench-reader", created when missing) whose session cookie wrk sends, and
approves stories as "bench-moderator". ``make bench`` sets all of that up. Each run is appended
to docs/benchmarks.md with the machine, the database and the dataset.
"""

import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from taggit.models import Tag

from tests.loadtools import read_under_write as rw
from trivia.models import Anecdote, SearchEntry, TaggedAnecdote, Title

from .seed_bench import BENCH_READER, EMAIL_DOMAIN

TITLE_STORIES = 50
WARM_UP_SECONDS = 1
NEWEST_FOR_WORDS = 200
ANONYMOUS = "anonymous (cacheable)"
SIGNED_IN = "signed-in (never cached)"
TRIVIAL_READER = "anonymous (never cached)"
STATIC_READER = "anyone (static file)"
# Anonymous pages the page cache serves: they must keep up with the static file (issue 12).
CACHED_PAGES = {"home", "title", "tag", "story"}
FLOOR_TARGET = 0.6
SCENARIOS = ("read-only", "read-under-write")
STYLESHEET = "css/site.css"


# --- wrk ---------------------------------------------------------------------------------------

WRK_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_LATENCY = r"^\s*{}%\s+([\d.]+)(us|ms|s|m|h)\s*$"


class WrkError(Exception):
    """wrk did not run, or printed something that is not a report."""


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    p50_ms: float | None
    p99_ms: float | None
    non_2xx_3xx: int = 0
    socket_errors: int = 0

    @property
    def errors(self):
        return self.non_2xx_3xx + self.socket_errors


def _latency(output, percentile):
    match = re.search(_LATENCY.format(percentile), output, re.MULTILINE)
    return float(match[1]) * WRK_UNITS_MS[match[2]] if match else None


def parse_wrk(output):
    """The numbers of a ``wrk --latency`` report: requests/s, p50 and p99 in milliseconds,
    responses other than 2xx/3xx, and socket errors (connect, read, write, timeout)."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    count = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    if not (rate and count):
        raise WrkError(f"Not a wrk report:\n{output.strip()}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(rate[1]),
        requests=int(count[1]),
        p50_ms=_latency(output, 50),
        p99_ms=_latency(output, 99),
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def run_wrk(url, *, seconds, connections, threads, cookie=None, script=None, script_args=()):
    """wrk's report on ``url``; with ``script`` (a Lua file), the report and what the script
    printed, unparsed."""
    command = [
        "wrk",
        "--latency",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        # A slow page is a slow page, not an error: only a hung one should count as one.
        "--timeout",
        "10s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    try:
        result = subprocess.run(
            [*command, url, *(["--", *script_args] if script_args else [])],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise WrkError(f"wrk did not finish: {' '.join(command)} {url}") from None
    if result.returncode != 0:
        raise WrkError(f"wrk failed on {url}: {result.stderr.strip() or result.stdout.strip()}")
    return (parse_wrk(result.stdout), result.stdout) if script else parse_wrk(result.stdout)


# --- What is measured --------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    name: str
    path: str
    detail: str = ""


def pick_pages():
    """The pages to load, found in the database: the same kinds of page whatever the dataset."""
    published = Anecdote.objects.published()
    newest = published.order_by("-published_at", "-pk").first()
    if newest is None:
        raise CommandError("The database has no published story: run `manage.py seed_bench`.")
    per_title = published.values("title").annotate(n=Count("pk"))
    # The title closest to a 50-story page; with a small dataset, the biggest there is.
    busiest = per_title.filter(n__gte=TITLE_STORIES).order_by("n", "title").first()
    busiest = busiest or per_title.order_by("-n", "title").first()
    title = Title.objects.get(pk=busiest["title"])
    tag_use = (
        TaggedAnecdote.objects.filter(content_object__in=published)
        .values("tag")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag")
        .first()
    )
    pages = [
        Page("home", "home", reverse("home")),
        Page(
            "title",
            "title",
            title.get_absolute_url(),
            f"{busiest['n']:,} published stories, {settings.STORIES_PER_PAGE} a page",
        ),
    ]
    if tag_use:
        tag = Tag.objects.get(pk=tag_use["tag"])
        pages.append(
            Page(
                "tag",
                "tag",
                reverse("tag_detail", kwargs={"slug": tag.slug}),
                f"the most used: {tag_use['n']:,} published stories",
            )
        )
    pages.append(Page("story", "story", newest.get_absolute_url(), "the newest"))
    word = common_word()
    pages.append(Page("search", "search", f"{search_path()}?{urlencode({'q': word})}", word))
    return pages


def common_word():
    """The most frequent word of four letters or more in the newest stories."""
    texts = Anecdote.objects.published().order_by("-published_at", "-pk")[:NEWEST_FOR_WORDS]
    counts = Counter(
        word
        for text in texts.values_list("text", flat=True)
        for word in re.findall(r"[^\W\d_]{4,}", text.casefold())
    )
    return counts.most_common(1)[0][0] if counts else "story"


def search_path():
    try:
        return reverse("search")
    except NoReverseMatch:  # not built yet: the row says so
        return "/search/"


def count_queries(client, path, cookie=None):
    """(status, queries) of a repeated request: the first fills whatever a page caches, the
    second is what wrk's thousands look like. Both carry only what wrk sends, ``cookie`` or
    nothing, never the cookies a response set."""
    client.cookies = SimpleCookie(cookie or "")
    client.get(path)
    client.cookies = SimpleCookie(cookie or "")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries.captured_queries)


def http_status(url, cookie=None):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target, headers={"Cookie": cookie} if cookie else {})
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


# --- Results -----------------------------------------------------------------------------------


@dataclass
class Row:
    page: Page
    reader: str
    status: int | None = None
    queries: int | None = None
    result: WrkResult | None = None
    ratio: float | None = None
    targets: list = field(default_factory=list)
    cpu_ms: float | None = None
    healthz_ratio: float | None = None  # requests/s as a ratio of /healthz's

    @property
    def measured(self):
        return self.result is not None

    def verdict(self):
        if not self.measured:
            return "—"
        met = self.result.errors == 0 and all(check(self) for _, check in self.targets)
        return "✓" if met else "✗"


def targets_for(key, reader):
    """Issues 6 and 12's targets, for a 2-core machine: (what the table says, how it is
    checked). A cached page against the static file (issue 12, which replaced issue 6's 0.8× of
    /healthz); the uncached title page against /healthz, as issue 6 set it."""
    targets = []
    if reader == ANONYMOUS and key in CACHED_PAGES:
        targets.append(
            (f"≥ {FLOOR_TARGET}× static (cached)", lambda row: row.ratio >= FLOOR_TARGET)
        )
    if reader == SIGNED_IN and key == "title":
        targets.append(("≥ 0.1× /healthz", lambda row: _at_least(row.healthz_ratio, 0.1)))
    if key == "search":
        targets.append(("p99 < 100 ms", lambda row: _below(row.result.p99_ms, 100)))
    if key == "tag":
        targets.append(("p99 < 50 ms", lambda row: _below(row.result.p99_ms, 50)))
    return targets


def _below(value, limit):
    return value is not None and value < limit


def _at_least(value, limit):
    return value is not None and value >= limit


def _ratio(value):
    return "—" if value is None else f"{value:.2f}"


def _ms(value):
    return "—" if value is None else f"{value:.1f}"


def render_table(rows):
    """The results as a Markdown table: readable in a terminal, and as it is in the docs."""
    lines = [
        "| page | path | reader | req/s | × static | × /healthz | p50 ms | p99 ms | errors "
        "| queries | server CPU ms/req | target | met |",
        "| --- | --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --- | :-: |",
    ]
    for row in rows:
        target = ", ".join(label for label, _ in row.targets) or "—"
        queries = "—" if row.queries is None else str(row.queries)
        if row.measured:
            numbers = [
                f"{row.result.requests_per_second:,.0f}",
                _ratio(row.ratio),
                _ratio(row.healthz_ratio),
                _ms(row.result.p50_ms),
                _ms(row.result.p99_ms),
                f"{row.result.errors:,}",
            ]
        else:
            why = f"HTTP {row.status}" if row.status else "no answer"
            if row.page.key == "search" and row.status == 404:
                why += ": search not built yet"
            numbers = [f"not measured ({why})", "—", "—", "—", "—", "—"]
        path = f"`{row.page.path}`"
        lines.append(
            f"| {row.page.name} | {path} | {row.reader} | "
            + " | ".join([*numbers, queries, _ms(row.cpu_ms), target, row.verdict()])
            + " |"
        )
    return "\n".join(lines)


# --- The machine ------------------------------------------------------------------------------


def machine():
    cpus = len(os.sched_getaffinity(0))  # what `nproc` prints
    model = memory = "unknown"
    try:
        model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)[1]
        kib = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)[1]
        memory = f"{int(kib) / 1024**2:.1f} GiB"
    except (OSError, TypeError):
        pass
    return f"{cpus} CPUs (`nproc`), {model.strip()}, {memory} of memory"


def server_cpu_seconds(pid):
    """CPU time (user + system) used so far by a server and its workers: gunicorn's master and
    its children, from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for process in [pid, *children]:
        try:
            # Fields after the ")" closing the process name: utime and stime are the 12th and
            # 13th, in clock ticks.
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just exited
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def load_average():
    return " / ".join(f"{load:.1f}" for load in os.getloadavg())


def database():
    """The database as the record names it, without a password."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} (`{db['NAME']}`)"
    if connection.vendor == "postgresql":
        major, rest = divmod(connection.pg_version, 10_000)
        version = f"{major}.{rest}"
        return f"PostgreSQL {version} (`{db['NAME']}` on {db['HOST'] or 'a local socket'})"
    return connection.vendor


def cache():
    """The content cache, as the record names it (this tree's and older ones')."""
    content = settings.CACHES["content"]
    backend = content["BACKEND"].rsplit(".", 1)[-1]
    if backend == "FailOpenCache":  # trivia.caching.failopen: the real one is inside
        inner = content["OPTIONS"]["CACHE"]["BACKEND"].rsplit(".", 1)[-1]
        location = content["OPTIONS"]["CACHE"].get("LOCATION", "")
        return {
            "RedisCache": "Redis (failing open), with each worker's own copy in front",
            "DjangoCache": (
                f"a disk cache every worker shares (diskcache in `{location}`), with each "
                "worker's own copy in front"
            ),
        }.get(inner, inner)
    return {
        "TieredCache": "Redis, with each worker's own copy of pages and fragments in front",
        "LocMemCache": "local memory (per process)",
    }.get(backend, backend)


def setup():
    """ "SQLite", "PostgreSQL + Redis"…: what the run is named after."""
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        connection.vendor, connection.vendor
    )
    return f"{name} + Redis" if cache().startswith("Redis") else name


def dataset():
    published = Anecdote.objects.published()
    contributors = published.values("contributor").distinct().count()
    return (
        f"{Title.objects.count():,} titles, {published.count():,} published stories, "
        f"{Tag.objects.count():,} tags, {contributors:,} contributors, "
        f"{SearchEntry.objects.count():,} search entries"
    )


def wrk_version():
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0].split(" [")[0] if first else "wrk"


# --- The command ------------------------------------------------------------------------------


def rates(text):
    """ "0,0.2,1,5" as approvals a second."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise CommandError(f"--rates takes numbers separated by commas, not {text!r}.") from None
    if any(value < 0 for value in values):
        raise CommandError("--rates cannot be negative.")
    return values


class Command(BaseCommand):
    help = (
        "Load the running site with wrk: its reader pages one by one against the static floor "
        "(read-only), and many pages while stories are approved (read-under-write); print "
        "the figures and append the run to docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="The server (http://host:port)."
        )
        parser.add_argument(
            "--scenario",
            choices=["all", *SCENARIOS],
            default="all",
            help="read-only, read-under-write, or both, in that order (all, the default).",
        )
        parser.add_argument(
            "--duration",
            type=int,
            default=10,
            help="read-only: seconds of load per page and reader (10).",
        )
        parser.add_argument(
            "--stage-duration",
            type=int,
            default=30,
            help="read-under-write: seconds measured per rate of approvals (30).",
        )
        parser.add_argument(
            "--rates",
            type=rates,
            default=rw.RATES,
            help="read-under-write: approvals a second, one stage each (0,0.2,1,5).",
        )
        parser.add_argument(
            "--warm-up",
            type=int,
            default=rw.WARM_UP,
            help=f"read-under-write: seconds of load before the first stage ({rw.WARM_UP}).",
        )
        parser.add_argument(
            "--settle",
            type=int,
            default=rw.STAGE_WARM_UP,
            help=f"read-under-write: seconds of load at each rate before its measure "
            f"({rw.STAGE_WARM_UP}).",
        )
        parser.add_argument(
            "--probe-rate",
            type=float,
            default=rw.PROBE_RATE,
            help=f"read-under-write: title pages a second timed apart ({rw.PROBE_RATE}).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="read-under-write: same seed, same paths (1)."
        )
        parser.add_argument(
            "--connections", type=int, default=6, help="wrk connections (6: two per worker)."
        )
        parser.add_argument("--threads", type=int, default=2, help="wrk threads (2).")
        parser.add_argument("--label", default="", help="Names the run, e.g. the server setup.")
        parser.add_argument(
            "--server-pid",
            type=int,
            help="The server's main process (gunicorn's master), for its CPU time per request.",
        )
        parser.add_argument("--notes", default="", help="Added to the record of the run.")
        parser.add_argument(
            "--wait", type=int, default=30, help="Seconds to wait for the server's /healthz (30)."
        )
        parser.add_argument(
            "--record",
            default=str(settings.BASE_DIR / "docs" / "benchmarks.md"),
            help="Where the run is appended (docs/benchmarks.md).",
        )
        parser.add_argument("--no-record", action="store_true", help="Print only.")

    def handle(self, *args, **options):
        base_url = options["base_url"].rstrip("/")
        if urlsplit(base_url).scheme != "http":
            raise CommandError(f"--base-url must be a plain http:// address, not {base_url}.")
        if min(options["duration"], options["stage_duration"], options["threads"]) < 1:
            raise CommandError("--duration, --stage-duration and --threads must be at least 1.")
        if options["connections"] < options["threads"]:
            raise CommandError("wrk needs at least as many --connections as --threads.")
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (Debian: apt-get install wrk).")
        if options["server_pid"] and not Path(f"/proc/{options['server_pid']}").exists():
            raise CommandError(f"No process {options['server_pid']} (--server-pid) runs here.")
        self.options, self.base_url = options, base_url
        scenarios = SCENARIOS if options["scenario"] == "all" else (options["scenario"],)
        self.wait_for_server()
        started_at, load_before = timezone.now(), load_average()
        record = Record(started_at=started_at, load_before=load_before)
        if "read-only" in scenarios:
            self.read_only(record)
        if "read-under-write" in scenarios:
            self.read_under_write(record)
        if not options["no_record"]:
            self.record(record)

    def wait_for_server(self):
        url = self.base_url + reverse("healthz")
        deadline = time.monotonic() + self.options["wait"]
        while http_status(url) != 200:
            if time.monotonic() > deadline:
                raise CommandError(f"{url} did not answer 200 within {self.options['wait']} s.")
            time.sleep(0.5)

    # --- read-only ----------------------------------------------------------------------------

    def read_only(self, record):
        self.stderr.write("read-only: each page on its own", style_func=str)
        record.pages = pick_pages()
        stylesheet = Page("static", "stylesheet", static(STYLESHEET), "WhiteNoise")
        healthz = Page("healthz", "/healthz", reverse("healthz"))
        record.stylesheet = stylesheet.path
        host = urlsplit(self.base_url).netloc
        self.client = Client(HTTP_HOST=host, raise_request_exception=False)
        cookie = self.sign_in()

        # The floor and /healthz first and last: the ratios are to the mean of each's two runs,
        # and the two rows show how much the machine's own speed moved during the run.
        rows = [
            self.measure(stylesheet, STATIC_READER, None),
            self.measure(healthz, TRIVIAL_READER, None),
        ]
        for page in record.pages:
            rows.append(self.measure(page, ANONYMOUS, None))
            rows.append(self.measure(page, SIGNED_IN, cookie))
        rows.append(self.measure(healthz, TRIVIAL_READER, None))
        rows.append(self.measure(stylesheet, STATIC_READER, None))
        floor = [row for row in rows if row.page.key == "static"]
        if not all(row.measured for row in floor):
            raise CommandError("The stylesheet did not answer 200: no ratio can be given.")
        static_rate = statistics.mean(row.result.requests_per_second for row in floor)
        healthz_rows = [row for row in rows if row.page.key == "healthz" and row.measured]
        healthz_rate = (
            statistics.mean(row.result.requests_per_second for row in healthz_rows)
            if healthz_rows
            else None
        )
        for row in rows:
            if row.measured:
                row.ratio = row.result.requests_per_second / static_rate
                if healthz_rate:
                    row.healthz_ratio = row.result.requests_per_second / healthz_rate

        record.read_only = render_table(rows)
        record.floor = floor_summary(rows)
        self.stdout.write("\nRead-only: each page on its own, against the static floor.\n")
        self.stdout.write(record.read_only)
        met = sum(row.verdict() == "✓" for row in rows)
        self.stdout.write(f"\nTargets met on {met} of {len(rows)} rows (every row: 0 errors).")
        self.stdout.write(self.style.WARNING(f"Floor: {record.floor}"))

    def sign_in(self):
        """Sign the bench reader in and check that the server accepts its session, which it
        does only with the same database and secret key as this process."""
        reader, created = get_user_model().objects.get_or_create(
            username=BENCH_READER, defaults={"email": f"{BENCH_READER}{EMAIL_DOMAIN}"}
        )
        if created:
            reader.set_unusable_password()
            reader.save(update_fields=["password"])
        self.client.force_login(reader)
        session = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
        status = http_status(self.base_url + reverse("my_submissions"), cookie)
        if status != 200:
            raise CommandError(
                f"The server did not take the bench reader's session (HTTP {status} for "
                f"{reverse('my_submissions')}): run bench with the server's database and "
                "DJANGO_SECRET_KEY, as `make bench` does."
            )
        return cookie

    def load(self, **extra):
        return {
            "connections": self.options["connections"],
            "threads": self.options["threads"],
            **extra,
        }

    def cpu_seconds(self):
        server = self.options["server_pid"]
        return server_cpu_seconds(server) if server else None

    def measure(self, page, reader, cookie):
        row = Row(page=page, reader=reader, targets=targets_for(page.key, reader))
        _, row.queries = count_queries(self.client, page.path, cookie)
        url = self.base_url + page.path
        row.status = http_status(url, cookie)
        self.stderr.write(f"  {page.name:<16} {reader:<25} {page.path}", ending="", style_func=str)
        self.stderr.flush()
        if row.status != 200:
            self.stderr.write(f"  HTTP {row.status}: not measured", style_func=str)
            return row
        try:
            run_wrk(url, seconds=WARM_UP_SECONDS, **self.load(cookie=cookie))
            cpu_before = self.cpu_seconds()
            row.result = run_wrk(url, seconds=self.options["duration"], **self.load(cookie=cookie))
        except WrkError as error:
            raise CommandError(str(error)) from None
        if cpu_before is not None and row.result.requests:
            row.cpu_ms = 1000 * (self.cpu_seconds() - cpu_before) / row.result.requests
        self.stderr.write(
            f"  {row.result.requests_per_second:,.0f} req/s, p99 {_ms(row.result.p99_ms)} ms",
            style_func=str,
        )
        return row

    # --- read-under-write ---------------------------------------------------------------------

    def read_under_write(self, record):
        o = self.options
        rng = random.Random(o["seed"])
        left = rw.remove_stories()  # by a run stopped half way
        mix = rw.build_mix(rng)
        record.mix = mix
        # Each stage approves during its warm-up and its measure; the probe ends a little later.
        seconds = o["settle"] + o["stage_duration"] + 10
        needed = rw.stories_needed(o["rates"], seconds)
        self.stderr.write(
            f"read-under-write: {needed} pending stories to approve"
            + (f" ({left} left by an earlier run deleted)" if left else ""),
            style_func=str,
        )
        pks = rw.prepare_stories(needed, rng, mix.titles, mix.tags)
        moderator = rw.moderator()
        with tempfile.TemporaryDirectory(prefix="backlot-bench-") as folder:
            folder = Path(folder)
            (folder / "paths.txt").write_text("\n".join(mix.paths) + "\n")
            (folder / "titles.txt").write_text("\n".join(mix.title_paths) + "\n")
            (folder / "mix.lua").write_text(rw.LUA_SCRIPT)
            self.files = folder
            stages = []
            try:
                self.fill(mix)
                self.stderr.write(f"  warm-up: {o['warm_up']} s, no approval", style_func=str)
                self.run_mix(o["warm_up"])
                for rate in o["rates"]:
                    count = rw.stories_needed([rate], seconds) if rate > 0 else 0
                    writer = rw.Writer(pks[:count], rate, moderator)
                    pks = pks[count:]
                    writer.start()
                    try:
                        stages.append(self.stage(rate, writer))
                    finally:
                        writer.stop()
            finally:
                rw.remove_stories()
        record.stages = stages
        record.filled = self.record_fill
        record.read_under_write = rw.render_stages(stages)
        self.stdout.write(
            "\nRead under write: anonymous readers over many pages while stories are approved.\n"
        )
        self.stdout.write(record.read_under_write)
        self.stdout.write(self.style.WARNING(under_write_summary(stages)))

    def fill(self, mix):
        """Ask for every page of the mix once, a few at a time: the stages then measure a
        cache in its steady state, as a live site's is, not one filling from empty (whose
        first misses would be counted against the first rates)."""
        pages = list(dict.fromkeys(mix.paths))
        self.stderr.write(f"  fill: {len(pages):,} pages asked for once", ending="", style_func=str)
        self.stderr.flush()
        begun = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, self.options["connections"] // 2)) as pool:
            statuses = Counter(pool.map(lambda path: http_status(self.base_url + path), pages))
        if set(statuses) != {200}:
            raise CommandError(f"Some of the mix's pages did not answer 200: {dict(statuses)}.")
        self.record_fill = (len(pages), time.monotonic() - begun)
        self.stderr.write(f", {self.record_fill[1]:.0f} s", style_func=str)

    def run_mix(self, seconds):
        """The readers' mix for ``seconds``: wrk's report and the page cache's counts."""
        try:
            result, output = run_wrk(
                self.base_url + reverse("home"),
                seconds=seconds,
                script=self.files / "mix.lua",
                script_args=[str(self.files / "paths.txt"), str(self.options["seed"])],
                **self.load(),
            )
        except WrkError as error:
            raise CommandError(str(error)) from None
        counts = rw.parse_cache_counts(output)
        if counts is None:  # wrk runs on without a script it cannot load
            raise CommandError(f"wrk's script counted nothing:\n{output.strip()}")
        return result, counts

    def stage(self, rate, writer):
        o = self.options
        self.stderr.write(f"  {rate:g} approvals/s", ending="", style_func=str)
        self.stderr.flush()
        if o["settle"]:
            self.run_mix(o["settle"])  # the cache settles to the new rate
        stage = rw.Stage(rate=rate, load_start=load_average())
        cpu_before = self.cpu_seconds()
        probe = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.loadtools.probe",
                f"--base-url={self.base_url}",
                f"--paths={self.files / 'titles.txt'}",
                f"--rate={o['probe_rate']}",
                f"--duration={o['stage_duration']}",
                f"--seed={o['seed']}",
            ],
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        begun = time.monotonic()
        stage.result, stage.cache = self.run_mix(o["stage_duration"])
        ended = time.monotonic()
        cpu = self.cpu_seconds()
        try:
            out, err = probe.communicate(timeout=o["stage_duration"] + 60)
        except subprocess.TimeoutExpired:
            probe.kill()
            raise CommandError("The title-page probe did not finish.") from None
        if probe.returncode != 0:
            raise CommandError(f"The title-page probe failed: {err.strip()}")
        stage.probe = json.loads(out)
        stage.seconds = ended - begun
        stage.approvals = writer.between(begun, ended)
        stage.approval_errors = len(writer.errors)
        stage.ran_out = writer.ran_out
        stage.load_end = load_average()
        answered = stage.result.requests + len(stage.probe["latencies_ms"])
        if cpu_before is not None and answered:
            stage.cpu_ms = 1000 * (cpu - cpu_before) / answered
        share = stage.cache.share if stage.cache else None
        self.stderr.write(
            f": {stage.result.requests_per_second:,.0f} req/s, "
            f"{'—' if share is None else f'{share:.2f}'} from the page cache, title p99 "
            f"{_ms(stage.title_p(99))} ms",
            style_func=str,
        )
        for error in writer.errors[:3]:
            self.stderr.write(f"    approval failed: {error}", style_func=str)
        return stage

    # --- The record ---------------------------------------------------------------------------

    def record(self, record):
        path = Path(self.options["record"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(RECORD_INTRO)
        o = self.options
        label = f" · {o['label']}" if o["label"] else ""
        lines = [
            "",
            f"## {record.started_at:%Y-%m-%d %H:%M} UTC · {setup()}{label}",
            "",
            f"- Machine: {machine()}; load average (1 / 5 / 15 min) {record.load_before} at the "
            f"start, {load_average()} at the end.",
            f"- Database: {database()}; cache: {cache()}.",
            f"- Dataset: {dataset()}.",
        ]
        if record.read_only:
            described = "; ".join(
                f"{page.name} `{page.path}`" + (f" ({page.detail})" if page.detail else "")
                for page in record.pages
            )
            lines += [
                f"- Read-only: {wrk_version()} from loopback, {o['duration']} s per page and "
                f"reader after a {WARM_UP_SECONDS} s warm-up, {o['threads']} threads, "
                f"{o['connections']} connections. The floor, the stylesheet "
                f"`{record.stylesheet}` (WhiteNoise, same workers), and `/healthz` are measured "
                'first and last; "× static" and "× /healthz" are to the mean of each one\'s '
                "two runs.",
                f"- Pages: {described}.",
                "- Queries: counted in-process with Django's test client on a repeated request, "
                "so a page served from a cache shows only what the cache itself reads. Server "
                "CPU: user + system time of gunicorn's processes during the load, per request "
                "answered.",
                f"- **Floor: {record.floor}**",
            ]
        if record.read_under_write:
            lines += [
                f"- Read under write: {wrk_version()}, {o['threads']} threads, "
                f"{o['connections']} connections; {record.mix.describe()}. Every page of the "
                f"mix asked for once ({record.filled[0]:,} pages in {record.filled[1]:.0f} s), "
                f"a {o['warm_up']} s warm-up with no approval, then for each rate "
                f"{o['settle']} s of settling and {o['stage_duration']} s measured, while a "
                "thread of the bench process approves stories through `trivia.services` at "
                "that rate on a fixed schedule "
                '("done/s": those that ended in the measure). "From page cache": the share of '
                "wrk's answers with `X-Page-Cache: hit`. Title p50 / p99: "
                f"`tests/loadtools/probe.py`, {o['probe_rate']:g} title pages a second drawn "
                "with the same popularity, timed apart on their own connection beside wrk "
                "(errors count wrk's, the probe's and failed approvals). **"
                + under_write_summary(record.stages)
                + "**",
            ]
        if o["notes"]:
            lines.append(f"- Notes: {o['notes']}")
        if record.read_only:
            lines += ["", "Read-only:", "", record.read_only]
        if record.read_under_write:
            lines += ["", "Read under write:", "", record.read_under_write]
        lines.append("")
        with path.open("a") as file:
            file.write("\n".join(lines))
        self.stdout.write(self.style.SUCCESS(f"Recorded in {path}."))


@dataclass
class Record:
    """What one run of the command measured, for docs/benchmarks.md."""

    started_at: object
    load_before: str
    pages: list = field(default_factory=list)
    stylesheet: str = ""
    read_only: str = ""
    floor: str = ""
    mix: object = None
    filled: tuple = (0, 0.0)  # pages asked for once before the stages, seconds it took
    stages: list = field(default_factory=list)
    read_under_write: str = ""


def floor_summary(rows):
    """Cached anonymous pages against the static file, in requests/s and in server CPU."""
    static_rows = [row for row in rows if row.page.key == "static" and row.measured]
    cached = [
        row
        for row in rows
        if row.reader == ANONYMOUS and row.page.key in CACHED_PAGES and row.measured
    ]
    if not (static_rows and cached):
        return "not measured"
    ratios = ", ".join(f"{row.page.name} {row.ratio:.2f}×" for row in cached)
    worst = min(row.ratio for row in cached)
    verdict = "met" if worst >= FLOOR_TARGET else "not met"
    text = (
        f"cached anonymous pages at {ratios} the stylesheet's requests/s "
        f"({statistics.mean(row.result.requests_per_second for row in static_rows):,.0f}); "
        f"target ≥ {FLOOR_TARGET}×, {verdict}"
    )
    cpu_static = [row.cpu_ms for row in static_rows if row.cpu_ms is not None]
    cpu_cached = [row.cpu_ms for row in cached if row.cpu_ms is not None]
    if cpu_static and cpu_cached:
        text += (
            f". Server CPU per request: stylesheet {statistics.mean(cpu_static):.2f} ms, cached "
            f"pages {min(cpu_cached):.2f}–{max(cpu_cached):.2f} ms"
        )
    return text + "."


def under_write_summary(stages):
    """The issue's target, at 1 approval a second, in one sentence."""
    target = [stage for stage in stages if stage.rate == rw.TARGET_RATE]
    if not target:
        return f"No stage at {rw.TARGET_RATE:g} approval/s: the target is not measured."
    stage = target[0]
    share = stage.cache.share if stage.cache else None
    return (
        f"At {rw.TARGET_RATE:g} approval/s: {_share(share)} of requests from the page cache "
        f"(target ≥ {rw.TARGET_HIT_SHARE:.2f}), title p99 {_ms(stage.title_p(99))} ms (target "
        f"< {rw.TARGET_TITLE_P99_MS:g} ms): {'met' if stage.verdict() == '✓' else 'not met'}."
    )


def _share(value):
    return "—" if value is None else f"{value:.2f}"


RECORD_INTRO = """# Benchmarks

One section per run of `make bench` (README, "Benchmark"), appended by `manage.py bench`: the
machine, the database, the dataset and the results of its two scenarios.

**Read-only**: each reader page loaded on its own, anonymous and signed in. "× static" is a
page's requests/s as a ratio of the site's stylesheet, a static file WhiteNoise serves from the
same gunicorn workers in the same run: the real floor of a request, which carries from one
machine to another where requests/s do not. "× /healthz" is to `/healthz`, the reference before
issue 12 ("× trivial" in the sections before 2026-12-03); it now checks the database, the cache
and the task queue, so it is no floor.

**Read under write**: anonymous readers spread over 2,000 titles (80 % of requests), the tags
(15 %) and the home page (5 %) with a skewed popularity, while stories are approved through the
services at a steady 0, 0.2, 1 and 5 a second: requests/s, p50, p99, errors, the share served
from the page cache and the title pages' own p50 and p99.

Targets, on a 2-core machine at 300,000 stories. Issue 12: a cached anonymous page ≥ 0.6× the
static file; at 1 approval a second, ≥ 90 % of anonymous page requests from the page cache and
title-page p99 < 25 ms. Issue 6: the uncached title page ≥ 0.1× `/healthz`; search p99 < 100 ms;
tag page p99 < 50 ms; 0 errors. A row is met (✓) when all of its targets are and it had no
error. The machine is shared with other work: each run records the load average (each stage
of the read-under-write run, its own), and server CPU per request is the figure that other
programs on the machine move least.
"""
