"""What a soak measured, and whether it met its targets: every request (``Call``), the fault
windows (``Window``), the worker kill, the PostgreSQL restart and the Redis outage as they
happened, and the block of figures the command prints (``Figures``), with ``calls.csv``.

The worker kill and the PostgreSQL restart excuse the errors of the requests in flight during
them; the Redis outage excuses none: the cache fails open, so pages are computed, not refused.
"""

import csv
import math
from collections import Counter
from dataclasses import dataclass, field

from .redis_server import Stats

RECOVERY_TARGET = 15.0  # seconds from PostgreSQL accepting connections to the site answering
RESPAWN_TARGET = 15.0  # seconds for gunicorn to replace the killed worker
# Seconds from Redis answering again to the site storing a page in it: each worker leaves a
# failed Redis alone for 5 s (trivia.caching.failopen.RETRY_AFTER), then tries it again.
BACK_ON_REDIS_TARGET = 10.0
# After Redis returns, the share of reader pages served from the cache must come back to at
# least this much of what it was before the outage.
HIT_SHARE_RECOVERY = 0.8


@dataclass
class Call:
    """One HTTP request: who sent it, its step, when (seconds into the run) and its answer."""

    actor: str
    step: str
    start: float
    end: float
    status: int | None = None  # None: no answer at all (refused, reset, timed out)
    error: str = ""
    unexpected: str = ""  # an answer, but not the one this step should get
    cache: str = ""  # the site's X-Page-Cache: "hit", "miss", or none (not a cacheable page)

    @property
    def failed(self):
        return self.status is None or self.status >= 500

    def describe(self):
        answer = f"HTTP {self.status}" if self.status is not None else self.error or "no answer"
        return f"{self.actor} {self.step} at {self.start:.1f}–{self.end:.1f} s: {answer}"


@dataclass(frozen=True)
class Window:
    """A span of the run in which a fault was on; ``excused``: errors then are allowed."""

    name: str
    start: float
    end: float
    excused: bool = True

    def covers(self, call):
        """Whether ``call`` was in flight at any moment of the window."""
        return call.start <= self.end and call.end >= self.start


def excused(call, windows):
    return any(w.excused and w.covers(call) for w in windows)


def sort_errors(calls, windows):
    """Failed calls by the window that excuses them, and those no window excuses (a window
    that excuses nothing, as the Redis outage's, leaves its errors outside)."""
    inside, outside = Counter(), []
    for call in calls:
        if not call.failed:
            continue
        window = next((w for w in windows if w.excused and w.covers(call)), None)
        if window is None:
            outside.append(call)
        else:
            inside[window.name] += 1
    return inside, outside


def unexpected_outside(calls, windows):
    """Answers other than the step expected (a 403, a form shown again...) outside the windows:
    they mean the soak did not exercise what it claims to."""
    return [
        call for call in calls if call.unexpected and not call.failed and not excused(call, windows)
    ]


def errors_during(calls, window):
    """The failed calls in flight at any moment of ``window``."""
    return [call for call in calls if call.failed and window.covers(call)]


BEFORE, DURING, AFTER = "before", "during", "after"


def page_cache_shares(calls, outage):
    """Readers' cacheable pages answered 200, as (served from the cache, answered), by when
    they started: before the Redis outage, during it, after Redis answered again. Without an
    outage, the whole run is "before"."""
    shares = {}
    for call in calls:
        if call.actor != "reader" or call.status != 200 or call.cache not in ("hit", "miss"):
            continue
        phase = BEFORE
        if outage is not None and call.start >= outage.at:
            phase = DURING if outage.back_at is None or call.start < outage.back_at else AFTER
        hits, answered = shares.get(phase, (0, 0))
        shares[phase] = (hits + (call.cache == "hit"), answered + 1)
    return shares


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Kill:
    pid: int
    at: float
    new_pid: int | None = None
    respawned_at: float | None = None

    @property
    def respawn_seconds(self):
        return None if self.respawned_at is None else self.respawned_at - self.at


@dataclass
class Restart:
    at: float
    command_seconds: float | None = None
    command_error: str = ""
    pg_down_at: float | None = None  # PostgreSQL first refused a connection
    pg_back_at: float | None = None  # then accepted one again
    app_back_at: float | None = None  # then the first 200 from /healthz

    @property
    def recovery_seconds(self):
        if self.pg_back_at is None or self.app_back_at is None:
            return None
        return self.app_back_at - self.pg_back_at


@dataclass
class RedisOutage:
    """The soak's own Redis stopped (SIGKILL) at ``at`` and started again, empty, on the same
    port at ``back_at``; watched until the end of the run."""

    at: float
    planned_seconds: float
    before: Stats | None = None  # the server's use from the start until it was stopped
    stopped_at: float | None = None
    back_at: float | None = None
    start_error: str = ""
    after: Stats | None = None  # the new server's use from its start to the end of the run
    written_at: float | None = None  # the first page stored in the new server
    hit_at: float | None = None  # the first read of the new server that found its key

    @property
    def end(self):
        return self.back_at if self.back_at is not None else math.inf

    @property
    def back_on_redis_seconds(self):
        if self.back_at is None or self.written_at is None:
            return None
        return self.written_at - self.back_at


@dataclass
class Figures:
    """Everything the block prints; ``targets()`` says which were met."""

    duration: float = 0.0
    setup: str = ""
    requests: Counter = field(default_factory=Counter)  # by actor
    errors_inside: Counter = field(default_factory=Counter)  # by window
    errors_outside: list = field(default_factory=list)
    unexpected_inside: int = 0
    unexpected_outside: list = field(default_factory=list)
    submissions: int = 0
    submissions_retried: int = 0
    submissions_missing: list = field(default_factory=list)
    approved: int = 0
    rejected: int = 0
    refused_stale: int = 0
    refused_other: list = field(default_factory=list)
    unconfirmed: int = 0
    lost: list = field(default_factory=list)
    doubled: list = field(default_factory=list)
    unrecorded: list = field(default_factory=list)  # decided stories with no decision event
    kill: Kill | None = None
    restart: Restart | None = None
    redis: RedisOutage | None = None
    redis_errors: list = field(default_factory=list)  # failed calls during the Redis outage
    page_cache: dict = field(default_factory=dict)  # phase: (hits, answered), readers' pages
    redis_p50_ms: float | None = None  # answered requests in flight during the Redis outage
    redis_p99_ms: float | None = None
    cache_warnings: int = 0  # "Cache … unavailable" in the server's log
    cache_warnings_allowed: int = 0  # one per cache, process and started minute
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None
    server_errors_logged: int = 0
    log_path: str = ""

    @property
    def decisions(self):
        return self.approved + self.rejected

    def rows(self):
        """(label, value, target, met) of each line of the block; target and met are None on
        the lines that only inform."""
        total = sum(self.requests.values())
        rate = total / self.duration if self.duration else 0
        by_actor = ", ".join(f"{actor} {n:,}" for actor, n in sorted(self.requests.items()))
        inside = ", ".join(f"{name} {n}" for name, n in sorted(self.errors_inside.items()))
        latency = f"p50 {_ms(self.latency_p50_ms)}, p99 {_ms(self.latency_p99_ms)}"
        yield "run", f"{self.duration:.1f} s", None, None
        yield "requests", f"{total:,} ({rate:,.1f}/s): {by_actor}", None, None
        yield "latency outside kill + PostgreSQL", latency, None, None
        yield (
            "errors in the kill + PostgreSQL",
            f"{sum(self.errors_inside.values())}" + (f" ({inside})" if inside else ""),
            None,
            None,
        )
        outside = self.errors_outside
        yield "errors outside kill + PostgreSQL", len(outside), "0", not outside
        yield (
            "unexpected answers outside them",
            f"{len(self.unexpected_outside)} (inside: {self.unexpected_inside})",
            "0",
            not self.unexpected_outside,
        )
        yield (
            "submissions acknowledged",
            f"{self.submissions:,} ({self.submissions_retried} after resending the same form)",
            "> 0",
            self.submissions > 0,
        )
        missing = self.submissions_missing
        yield "submissions missing", len(missing), "0", not missing
        yield (
            "decisions acknowledged",
            f"{self.decisions:,} ({self.approved:,} approved, {self.rejected:,} rejected)",
            "> 0",
            self.decisions > 0,
        )
        yield (
            "refused: already decided",
            f"{self.refused_stale:,} (the moderator told so, no error)",
            None,
            None,
        )
        yield "refused for another reason", len(self.refused_other), None, None
        yield "decided, answer not seen", f"{self.unconfirmed} (not acknowledged)", None, None
        yield "decisions lost", len(self.lost), "0", not self.lost
        yield "decisions doubled", len(self.doubled), "0", not self.doubled
        yield "decided without an event", len(self.unrecorded), "0", not self.unrecorded
        if self.kill is None:
            yield "worker kill", "not done (--no-kill)", None, None
        else:
            seconds = self.kill.respawn_seconds
            respawn = "NOT respawned"
            if seconds is not None:
                respawn = f"respawned as pid {self.kill.new_pid} after {seconds:.1f} s"
            yield (
                "worker kill (SIGKILL)",
                f"pid {self.kill.pid} at {self.kill.at:.1f} s; {respawn}",
                f"≤ {RESPAWN_TARGET:.0f} s",
                seconds is not None and seconds <= RESPAWN_TARGET,
            )
        yield from self.restart_rows()
        yield from self.redis_rows()

    def restart_rows(self):
        if self.restart is None:
            yield "PostgreSQL restart", "not done (--no-pg-restart)", None, None
            return
        restart = self.restart
        took = "did not finish"
        if restart.command_seconds is not None:
            took = f"took {restart.command_seconds:.1f} s"
        if restart.command_error:
            took += f", failed: {restart.command_error}"
        yield (
            "PostgreSQL restart",
            f"at {restart.at:.1f} s; the command {took}",
            "done",
            restart.command_seconds is not None and not restart.command_error,
        )
        down = "—" if restart.pg_down_at is None else f"{restart.pg_down_at:.1f} s"
        back = "never" if restart.pg_back_at is None else f"{restart.pg_back_at:.1f} s"
        yield "PostgreSQL down / accepting again", f"{down} / {back}", None, None
        end = restart.app_back_at
        window = f"from {restart.at:.1f} s, never closed"
        if end is not None:
            window = f"{restart.at:.1f}–{end:.1f} s ({end - restart.at:.1f} s)"
        yield "outage window", window, None, None
        seconds = restart.recovery_seconds
        yield (
            "recovery (PostgreSQL back → 200)",
            "none" if seconds is None else f"{seconds:.2f} s",
            f"≤ {RECOVERY_TARGET:.0f} s",
            seconds is not None and seconds <= RECOVERY_TARGET,
        )

    def redis_rows(self):
        outage = self.redis
        if outage is None:
            yield "Redis outage", "not done (--no-redis-outage)", None, None
            yield "page cache hits (readers)", self.share(BEFORE), None, None
            return
        back = "not started again"
        if outage.back_at is not None:
            back = f"started again at {outage.back_at:.1f} s, empty"
        if outage.start_error:
            back += f", failed: {outage.start_error}"
        yield (
            "Redis outage (the soak's own)",
            f"stopped at {outage.at:.1f} s for {outage.planned_seconds:.1f} s; {back}",
            "done",
            outage.back_at is not None and not outage.start_error,
        )
        errors = self.redis_errors
        yield "errors during the Redis outage", len(errors), "0", not errors
        latency = f"p50 {_ms(self.redis_p50_ms)}, p99 {_ms(self.redis_p99_ms)}"
        yield "latency during the Redis outage", latency, None, None
        yield (
            "Redis failures logged by the site",
            f"{self.cache_warnings} warnings (at most one a minute per cache and process: "
            f"{self.cache_warnings_allowed})",
            f"1–{self.cache_warnings_allowed}",
            1 <= self.cache_warnings <= self.cache_warnings_allowed,
        )
        seconds = outage.back_on_redis_seconds
        value = "no page stored in it again"
        if seconds is not None:
            value = f"first page stored in it {seconds:.1f} s after its return"
            if outage.hit_at is not None:
                value += f", first read found at {outage.hit_at - outage.back_at:.1f} s"
        target, met = f"≤ {BACK_ON_REDIS_TARGET:.0f} s", seconds is not None
        met = met and seconds <= BACK_ON_REDIS_TARGET
        if seconds is None and outage.back_at is not None:
            left = self.duration - outage.back_at
            if left < BACK_ON_REDIS_TARGET:
                value += f" (the load ended {left:.1f} s after its return: not judged)"
                target = met = None
        yield "the site back on Redis", value, target, met
        yield "Redis reads (found / missed)", self.redis_reads(), None, None
        yield (
            "page cache hits (readers)",
            "; ".join(f"{phase} {self.share(phase)}" for phase in (BEFORE, DURING, AFTER)),
            None,
            None,
        )
        yield from self.recovery_of_hits()

    def recovery_of_hits(self):
        before, after = self.hit_share(BEFORE), self.hit_share(AFTER)
        if before is None or after is None or self.redis.back_at is None:
            return
        floor = HIT_SHARE_RECOVERY * before
        value = f"{after:.2f} (before the outage {before:.2f})"
        left = self.duration - self.redis.back_at
        if left < BACK_ON_REDIS_TARGET:
            value += f" (the load ended {left:.1f} s after Redis returned: not judged)"
            yield "page cache hits after Redis returned", value, None, None
            return
        yield "page cache hits after Redis returned", value, f"≥ {floor:.2f}", after >= floor

    def hit_share(self, phase):
        hits, answered = self.page_cache.get(phase, (0, 0))
        return hits / answered if answered else None

    def share(self, phase):
        hits, answered = self.page_cache.get(phase, (0, 0))
        if not answered:
            return "— (no page)"
        return f"{hits / answered:.2f} ({hits:,} of {answered:,})"

    def redis_reads(self):
        def reads(stats):
            if stats is None:
                return "not read"
            share = stats.hit_share
            share = "" if share is None else f", {share:.2f} found"
            return f"{stats.hits:,} / {stats.misses:,}{share}; {stats.pages:,} pages held"

        outage = self.redis
        return f"before the outage {reads(outage.before)}; after it {reads(outage.after)}"

    def targets(self):
        """(name, met) of every target of the run."""
        return [(label, met) for label, _value, target, met in self.rows() if target]

    def missed(self):
        return [name for name, met in self.targets() if not met]

    def lines(self):
        lines = [f"Soak figures: {self.setup}"]
        for label, value, target, met in self.rows():
            line = f"  {label:<34} {value}"
            if target:
                line += f"   [target {target}: {'ok' if met else 'MISSED'}]"
            lines.append(line)
        lines.append(
            f'  {"server log":<34} {self.server_errors_logged} "Internal Server Error" in '
            f"{self.log_path} (each request: calls.csv beside it)"
        )
        targets, missed = self.targets(), self.missed()
        verdict = f"Targets met: {len(targets) - len(missed)} of {len(targets)}"
        lines.append(verdict + (f"; missed: {', '.join(missed)}" if missed else ""))
        return lines


def _ms(milliseconds):
    return "—" if milliseconds is None else f"{milliseconds:.0f} ms"


def write_calls(calls, path):
    """Every request of the run, for a closer look than the figures give."""
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["actor", "step", "start", "end", "status", "error", "unexpected", "cache"])
        for c in sorted(calls, key=lambda c: c.start):
            row = [c.actor, c.step, f"{c.start:.3f}", f"{c.end:.3f}", c.status, c.error]
            writer.writerow([*row, c.unexpected, c.cache])


def first_good_probe(calls, after):
    """When the first /healthz started at or after ``after`` answered 200."""
    ends = [c.end for c in calls if c.actor == "probe" and c.status == 200 and c.start >= after]
    return min(ends, default=None)
