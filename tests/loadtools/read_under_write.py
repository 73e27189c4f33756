"""`make bench`'s read-under-write scenario (issue 12): many readers, a steady writer.

Anonymous readers ask for pages spread over the site with a skewed popularity, as a real
audience does: 80 % title pages over the 2,000 titles with the most stories, 15 % tag pages,
5 % the home page; within titles and tags, Zipf's law (the page of rank r is asked for in
proportion to 1 / r), so a few pages take most of the traffic and a long tail the rest.
``build_mix`` draws the paths into a file; wrk picks one at random for each request
(``LUA_SCRIPT``) and counts the answers served from the page cache (``X-Page-Cache: hit``).

Meanwhile a writer in the bench process approves pending stories through the services at a
steady rate (``Writer``), as moderators would. Each approval changes what some pages show, and
the question is how much of the cache it costs: ideally the story's title, its tags and the
home page, and nothing else. The stories are made up front (``prepare_stories``), on titles
drawn with the readers' popularity and tags with the dataset's, by the "bench-writer" account,
and deleted at the end (``remove_stories``), so the dataset is the seeded one again.

The command (``bench --scenario read-under-write``) puts these together; the title pages'
latency is measured on its own by ``tests.loadtools.probe``, since wrk gives one distribution
for the whole mix.
"""

import math
import re
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from trivia.models import Anecdote, Citation, Source, TaggedAnecdote, Title

from .management.commands.seed_bench import (
    BENCH_MODERATOR,
    BENCH_WRITER,
    EMAIL_DOMAIN,
    SOURCE_PUBLISHER,
    TAGS_PER_STORY,
    WORDS,
)

# Approvals per second, one stage each, in this order.
RATES = (0.0, 0.2, 1.0, 5.0)
# Which pages readers ask for: (kind, share of requests).
MIX = (("title", 0.80), ("tag", 0.15), ("home", 0.05))
POPULAR_TITLES = 2_000
POPULAR_TAGS = 2_000
# Paths drawn into the file wrk picks from: enough that each thread's random picks follow the
# distribution, small enough to load in a blink.
PATHS = 100_000
# Seconds of load before the first stage (the cache starts empty) and before each stage's
# measure (the cache settles to the new rate of approvals).
WARM_UP = 20
STAGE_WARM_UP = 5
# Title pages asked for by the probe, a second, beside wrk.
PROBE_RATE = 20
# The target, at 1 approval a second (300,000 stories, 2 cores).
TARGET_RATE = 1.0
TARGET_HIT_SHARE = 0.90
TARGET_TITLE_P99_MS = 25.0


# --- What readers ask for ----------------------------------------------------------------------


def zipf_weights(count):
    """Zipf's law: the item of rank r (from 1) weighs 1 / r."""
    return [1 / rank for rank in range(1, count + 1)]


def ranked_titles(limit=POPULAR_TITLES):
    """The titles with the most published stories, most first: [(path, stories)]."""
    rows = list(
        Anecdote.objects.published()
        .values("title")
        .annotate(n=Count("pk"))
        .order_by("-n", "title")[:limit]
    )
    titles = Title.objects.in_bulk([row["title"] for row in rows])
    return [(titles[row["title"]].get_absolute_url(), row["n"], row["title"]) for row in rows]


def ranked_tags(limit=POPULAR_TAGS):
    """The tags on the most published stories, most first: [(path, stories, pk)]."""
    rows = list(
        TaggedAnecdote.objects.filter(content_object__in=Anecdote.objects.published())
        .values("tag")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag")[:limit]
    )
    slugs = dict(Tag.objects.filter(pk__in=[row["tag"] for row in rows]).values_list("pk", "slug"))
    return [
        (reverse("tag_detail", kwargs={"slug": slugs[row["tag"]]}), row["n"], row["tag"])
        for row in rows
    ]


@dataclass
class Mix:
    """The readers' paths as drawn, and what describes them in the record."""

    paths: list
    title_paths: list
    titles: list  # ranked_titles()
    tags: list  # ranked_tags()
    counts: dict = field(default_factory=dict)  # requests drawn per kind

    def describe(self):
        weights = zipf_weights(len(self.titles))
        top, top20 = weights[0] / sum(weights), sum(weights[:20]) / sum(weights)
        shares = ", ".join(f"{kind} {share:.0%}" for kind, share in MIX)
        return (
            f"{shares} of requests; title pages over the {len(self.titles):,} titles with the "
            f"most stories ({self.titles[0][1]:,} to {self.titles[-1][1]:,} published), tag "
            f"pages over {len(self.tags):,} tags, both by Zipf's law (weight 1 / rank: the top "
            f"title takes {top:.0%} of title requests, the top 20 {top20:.0%}); "
            f"{len(self.paths):,} paths drawn, "
            f"{len(set(self.paths)):,} distinct, picked at random by each wrk thread"
        )


def build_mix(rng, size=PATHS):
    """Draw ``size`` paths with the readers' popularity (``MIX``, ``zipf_weights``)."""
    titles, tags = ranked_titles(), ranked_tags()
    pages = {
        "title": [path for path, _, _ in titles],
        "tag": [path for path, _, _ in tags],
        "home": [reverse("home")],
    }
    population, weights = [], []
    for kind, share in MIX:
        kind_weights = zipf_weights(len(pages[kind]))
        total = sum(kind_weights)
        population += [(kind, path) for path in pages[kind]]
        weights += [share * weight / total for weight in kind_weights]
    drawn = rng.choices(population, weights=weights, k=size)
    title_weights = zipf_weights(len(pages["title"]))
    counts = {kind: sum(1 for k, _ in drawn if k == kind) for kind, _ in MIX}
    return Mix(
        paths=[path for _, path in drawn],
        title_paths=rng.choices(pages["title"], weights=title_weights, k=size // 10),
        titles=titles,
        tags=tags,
        counts=counts,
    )


# wrk's script: each request a path picked at random from the file given after "--"; each
# thread counts the answers by their X-Page-Cache header, and done() adds the threads' counts.
LUA_SCRIPT = """\
-- Written by tests/loadtools/read_under_write.py for `make bench`.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  math.randomseed((tonumber(args[2]) or 1) * 1000 + id)
  hits, misses, uncached = 0, 0, 0
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  local cache = headers["X-Page-Cache"] or headers["x-page-cache"]
  if cache == "hit" then
    hits = hits + 1
  elseif cache == "miss" then
    misses = misses + 1
  else
    uncached = uncached + 1
  end
end

function done(summary, latency, requests)
  local h, m, u = 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    m = m + thread:get("misses")
    u = u + thread:get("uncached")
  end
  io.write(string.format("X-Page-Cache: hit %d, miss %d, none %d\\n", h, m, u))
end
"""


@dataclass
class CacheCounts:
    hits: int
    misses: int
    uncached: int

    @property
    def share(self):
        total = self.hits + self.misses + self.uncached
        return self.hits / total if total else None


def parse_cache_counts(output):
    """The counts the script's done() printed, or None."""
    match = re.search(r"^X-Page-Cache: hit (\d+), miss (\d+), none (\d+)$", output, re.MULTILINE)
    return CacheCounts(*(int(n) for n in match.groups())) if match else None


# --- The writer --------------------------------------------------------------------------------


def bench_user(username, **fields):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}{EMAIL_DOMAIN}", **fields}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def moderator():
    """The account that approves: a moderator by the permission, nothing more."""
    user = bench_user(BENCH_MODERATOR)
    user.user_permissions.add(Permission.objects.get(codename="moderate_anecdote"))
    return get_user_model().objects.get(pk=user.pk)  # without the cached permissions


def stories_needed(rates, seconds):
    """Pending stories enough for every stage at its rate for ``seconds``, with a margin."""
    return sum(math.ceil(rate * seconds * 1.2) + 2 for rate in rates if rate > 0)


def prepare_stories(count, rng, titles, tags):
    """``count`` pending stories by the bench writer, ready to approve (a title, three tags, a
    source), on titles drawn with the readers' popularity and tags with the dataset's: most
    approvals touch popular pages, as on a live site. Their pks, in the order to approve."""
    writer = bench_user(BENCH_WRITER)
    source = Source.objects.filter(publisher=SOURCE_PUBLISHER).order_by("pk").first()
    if source is None:
        source = Source.objects.create(title="Bench writer's source", publisher=SOURCE_PUBLISHER)
    title_pks = rng.choices([pk for _, _, pk in titles], weights=zipf_weights(len(titles)), k=count)
    tag_pks, tag_weights = [pk for _, _, pk in tags], [n for _, n, _ in tags]
    tag_objects = Tag.objects.in_bulk(tag_pks)
    pks = []
    for n, title_pk in enumerate(title_pks, 1):
        chosen = set()
        while len(chosen) < min(TAGS_PER_STORY, len(tag_pks)):
            chosen.update(rng.choices(tag_pks, weights=tag_weights, k=1))
        words = rng.choices(WORDS, k=rng.randint(20, 40))
        story = Anecdote.objects.create(
            title_id=title_pk,
            text=f"Bench writer story {n}: " + " ".join(words) + ".",
            contributor=writer,
            state=Anecdote.State.PENDING,
            submitted_at=timezone.now(),
        )
        story.tags.add(*(tag_objects[pk] for pk in sorted(chosen)))
        Citation.objects.create(anecdote=story, source=source, locator=f"p. {n}")
        pks.append(story.pk)
    return pks


def remove_stories():
    """Delete every story of the bench writer, through the ORM so that whatever follows a
    deletion (counts, search, cached pages) follows. How many were deleted."""
    stories = Anecdote.objects.filter(
        contributor__username=BENCH_WRITER, contributor__email__endswith=EMAIL_DOMAIN
    )
    count = stories.count()
    for pk in list(stories.values_list("pk", flat=True)):
        Anecdote.objects.get(pk=pk).delete()
    return count


def approve(story, moderator):
    """Approve through the services, as a moderator's click does."""
    from trivia import services

    services.approve_story(story=story, moderator=moderator)


class Writer(threading.Thread):
    """Approves the stories ``pks`` at ``rate`` a second on a fixed schedule (the n-th at
    start + n / rate, late ones at once) until stopped. Its own database connection."""

    def __init__(self, pks, rate, moderator):
        super().__init__(name=f"bench-writer-{rate}", daemon=True)
        self.pending = deque(pks)
        self.rate = rate
        self.moderator = moderator
        self.stopping = threading.Event()
        self.done = []  # (monotonic time at the end, milliseconds) of each approval
        self.errors = []
        self.ran_out = False

    def run(self):
        try:
            started, n = time.monotonic(), 0
            while self.rate > 0:
                if self.stopping.wait(max(0.0, started + n / self.rate - time.monotonic())):
                    break
                if not self.pending:
                    self.ran_out = True
                    break
                story = Anecdote.objects.get(pk=self.pending.popleft())
                begun = time.perf_counter()
                try:
                    approve(story, self.moderator)
                except Exception as error:  # noqa: BLE001 - counted and shown, never hidden
                    self.errors.append(repr(error))
                else:
                    self.done.append((time.monotonic(), 1000 * (time.perf_counter() - begun)))
                n += 1
            self.stopping.wait()
        finally:
            connection.close()

    def stop(self):
        self.stopping.set()
        self.join()

    def between(self, start, end):
        """The approvals' durations (ms) that ended between two monotonic times."""
        return [ms for at, ms in self.done if start <= at <= end]


# --- The figures -------------------------------------------------------------------------------


def percentile(values, p):
    """The p-th percentile (nearest rank) of ``values``, or None."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class Stage:
    rate: float
    result: object = None  # bench.WrkResult
    cache: CacheCounts | None = None
    seconds: float = 0.0
    approvals: list = field(default_factory=list)  # ms, each that ended in the measure
    approval_errors: int = 0
    ran_out: bool = False
    probe: dict | None = None
    cpu_ms: float | None = None
    load_start: str = ""
    load_end: str = ""

    @property
    def approvals_per_second(self):
        return len(self.approvals) / self.seconds if self.seconds else 0.0

    @property
    def errors(self):
        probe_errors = self.probe["errors"] if self.probe else 0
        return self.result.errors + probe_errors + self.approval_errors

    def title_p(self, p):
        return percentile(self.probe["latencies_ms"], p) if self.probe else None

    @property
    def title_hit_share(self):
        if not (self.probe and self.probe["latencies_ms"]):
            return None
        return self.probe["hits"] / len(self.probe["latencies_ms"])

    def target(self):
        return "≥ 90 % cached, title p99 < 25 ms" if self.rate == TARGET_RATE else "—"

    def verdict(self):
        share, p99 = (self.cache.share if self.cache else None), self.title_p(99)
        met = self.errors == 0 and not self.ran_out
        if self.rate == TARGET_RATE:
            met = met and share is not None and share >= TARGET_HIT_SHARE
            met = met and p99 is not None and p99 < TARGET_TITLE_P99_MS
        return "✓" if met else "✗"


def _ms(value):
    return "—" if value is None else f"{value:.1f}"


def _share(value):
    return "—" if value is None else f"{value:.2f}"


def render_stages(stages):
    """The stages as a Markdown table."""
    lines = [
        "| approvals/s | done/s | req/s | p50 ms | p99 ms | errors | from page cache "
        "| title p50 ms | title p99 ms | title from cache | server CPU ms/req "
        "| approval ms p50 / max | load avg start → end | target | met |",
        "| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- | --- "
        "| :-: |",
    ]
    for stage in stages:
        approval = (
            f"{statistics.median(stage.approvals):.0f} / {max(stage.approvals):.0f}"
            if stage.approvals
            else "—"
        )
        done = f"{stage.approvals_per_second:.2f}" + (" (ran out)" if stage.ran_out else "")
        cells = [
            f"{stage.rate:g}",
            done,
            f"{stage.result.requests_per_second:,.0f}",
            _ms(stage.result.p50_ms),
            _ms(stage.result.p99_ms),
            f"{stage.errors:,}",
            _share(stage.cache.share if stage.cache else None),
            _ms(stage.title_p(50)),
            _ms(stage.title_p(99)),
            _share(stage.title_hit_share),
            _ms(stage.cpu_ms),
            approval,
            f"{stage.load_start} → {stage.load_end}",
            stage.target(),
            stage.verdict(),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
