"""What a soak measured, and whether it met its targets: every request (``Call``), the fault
windows that excuse errors (``Window``), the worker kill and the PostgreSQL restart as they
happened, and the block of figures the command prints (``Figures``), with ``calls.csv``."""

import csv
from collections import Counter
from dataclasses import dataclass, field

RECOVERY_TARGET = 15.0  # seconds from PostgreSQL accepting connections to the site answering
RESPAWN_TARGET = 15.0  # seconds for gunicorn to replace the killed worker


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

    @property
    def failed(self):
        return self.status is None or self.status >= 500

    def describe(self):
        answer = f"HTTP {self.status}" if self.status is not None else self.error or "no answer"
        return f"{self.actor} {self.step} at {self.start:.1f}–{self.end:.1f} s: {answer}"


@dataclass(frozen=True)
class Window:
    """A span of the run in which a fault excuses errors."""

    name: str
    start: float
    end: float

    def covers(self, call):
        """Whether ``call`` was in flight at any moment of the window."""
        return call.start <= self.end and call.end >= self.start


def sort_errors(calls, windows):
    """Failed calls by the window that excuses them, and those no window excuses."""
    inside, outside = Counter(), []
    for call in calls:
        if not call.failed:
            continue
        window = next((w for w in windows if w.covers(call)), None)
        if window is None:
            outside.append(call)
        else:
            inside[window.name] += 1
    return inside, outside


def unexpected_outside(calls, windows):
    """Answers other than the step expected (a 403, a form shown again...) outside the windows:
    they mean the soak did not exercise what it claims to."""
    return [
        call
        for call in calls
        if call.unexpected and not call.failed and not any(w.covers(call) for w in windows)
    ]


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
        yield "latency outside the fault windows", latency, None, None
        yield (
            "errors inside the fault windows",
            f"{sum(self.errors_inside.values())}" + (f" ({inside})" if inside else ""),
            None,
            None,
        )
        outside = self.errors_outside
        yield "errors outside the fault windows", len(outside), "0", not outside
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
        writer.writerow(["actor", "step", "start", "end", "status", "error", "unexpected"])
        for c in sorted(calls, key=lambda c: c.start):
            row = [c.actor, c.step, f"{c.start:.3f}", f"{c.end:.3f}", c.status, c.error]
            writer.writerow([*row, c.unexpected])


def first_good_probe(calls, after):
    """When the first /healthz started at or after ``after`` answered 200."""
    ends = [c.end for c in calls if c.actor == "probe" and c.status == 200 and c.start >= after]
    return min(ends, default=None)
