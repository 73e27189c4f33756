"""Concurrency and load with faults, bounded in time, on loopback only (issue 7): ``make soak``.

    python manage.py soak                          # what `make soak` runs: 60 s, 3 workers
    python manage.py soak --duration 10 --no-pg-restart

Readers load title pages, contributors sign in and send stories through /submit/, and four
moderators work the admin's queue, all over HTTP against gunicorn (``DJANGO_DEBUG=0``, several
workers) on PostgreSQL and Redis. The moderators race: each picks one of the oldest few
pending stories, so two of them often decide the same story, and the loser must be told so
("already published"), not shown an error. A third of the way in, one gunicorn worker is
killed (SIGKILL) and gunicorn starts another; half way, PostgreSQL is restarted.

Afterwards the database is checked against what the server acknowledged: every decision a
moderator was told succeeded is there (with its event), no story was decided twice, every
story a contributor was shown as sent exists. Errors (an answer of 500 or more, or none at
all) are allowed only while a request overlaps a fault: the outage window, from the restart
command until the first good ``/healthz`` after PostgreSQL accepts connections again, or the
second after the kill. Recovery (PostgreSQL back → the site answering 200) must take 15 s at
most. The figures are printed in one block; a missed target makes the command fail.

It needs what ``make soak`` gives it: ``DATABASE_URL`` naming a PostgreSQL database whose name
contains "soak" (dropped and created anew: never point it at real data), ``REDIS_URL``, and a
``CACHE_KEY_PREFIX`` containing "soak" (its keys are deleted first). Restarting PostgreSQL
takes ``pg_ctlcluster`` (Debian's, run as root) or ``--pg-restart-command``. The database is
kept afterwards for a look; the server's log is kept in a folder under the temporary directory.
"""

import csv
import html
import http.client
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import override_settings
from psycopg import sql
from psycopg.conninfo import make_conninfo

from trivia import services
from trivia.models import Anecdote, Citation, ModerationEvent, Source, Title
from trivia.roles import MODERATORS_GROUP

State = Anecdote.State
Action = ModerationEvent.Action
DECIDED_STATE = {Action.APPROVED: State.PUBLISHED, Action.REJECTED: State.REJECTED}

RECOVERY_TARGET = 15.0  # seconds from PostgreSQL accepting connections to the site answering
RESPAWN_TARGET = 15.0  # seconds for gunicorn to replace the killed worker
KILL_GRACE = 1.0  # requests in flight on the killed worker fail within this of the kill
REQUEST_TIMEOUT = 20  # a hung request counts as an error, never as a stuck soak
SERVER_START_TIMEOUT = 30
PG_BACK_TIMEOUT = 60
RACE_WINDOW = 3  # moderators pick among the oldest few pending stories, so they collide
PENDING_AT_START = 40
TITLES = 20
PASSWORD = "soak-password-not-secret"
# Pauses between one actor's steps: enough load to keep every worker busy on two cores
# without turning the soak into a benchmark.
READER_PAUSE = 0.05
CONTRIBUTOR_PAUSE = 0.3
MODERATOR_PAUSE = 0.2
PROBE_INTERVAL = 0.2
ERROR_PAUSE = 0.25
SUBMIT_RETRIES = 3


# --- What a run measured, and whether it met the targets ---------------------------------------


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


# --- Checking the database against what the server acknowledged -------------------------------


@dataclass(frozen=True)
class DecisionAck:
    story: int
    action: str  # ModerationEvent.Action.APPROVED or REJECTED
    moderator: str


@dataclass(frozen=True)
class SubmissionAck:
    story: int
    key: str
    contributor: str
    retried: bool = False


def audit_decisions(acks):
    """(lost, doubled, unrecorded).

    Lost: acknowledged decisions the database does not hold, the story in that state with
    that moderator's event. Doubled: stories with more than one approval or rejection event, or
    acknowledged to more than one moderator. Unrecorded: stories published or rejected without
    any decision event.
    """
    ids = {ack.story for ack in acks}
    states = dict(Anecdote.objects.filter(pk__in=ids).values_list("pk", "state"))
    events = set(
        ModerationEvent.objects.filter(anecdote__in=ids, action__in=DECIDED_STATE).values_list(
            "anecdote", "action", "actor__username"
        )
    )
    lost = [
        ack
        for ack in acks
        if states.get(ack.story) != DECIDED_STATE[ack.action]
        or (ack.story, ack.action, ack.moderator) not in events
    ]
    twice_in_database = (
        ModerationEvent.objects.filter(action__in=DECIDED_STATE)
        .values("anecdote")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("anecdote", flat=True)
    )
    twice_acknowledged = [story for story, n in Counter(a.story for a in acks).items() if n > 1]
    doubled = sorted({*twice_in_database, *twice_acknowledged})
    unrecorded = list(
        Anecdote.objects.filter(state__in=DECIDED_STATE.values())
        .exclude(events__action__in=DECIDED_STATE)
        .values_list("pk", flat=True)
    )
    return lost, doubled, unrecorded


def audit_submissions(acks):
    """Acknowledged submissions with no story of that key and contributor, submitted once."""
    found = {
        (pk, str(key), username)
        for pk, key, username in Anecdote.objects.filter(
            pk__in=[ack.story for ack in acks]
        ).values_list("pk", "submission_key", "contributor__username")
    }
    submitted_once = set(
        ModerationEvent.objects.filter(
            anecdote__in=[ack.story for ack in acks], action=Action.SUBMITTED
        )
        .values("anecdote")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .values_list("anecdote", flat=True)
    )
    return [
        ack
        for ack in acks
        if (ack.story, ack.key, ack.contributor) not in found or ack.story not in submitted_once
    ]


# --- HTTP, as a browser does it --------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    text: str
    call: Call


_FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S)
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
_MESSAGES = re.compile(r'<ul class="messagelist">(.*?)</ul>', re.S)
_MESSAGE = re.compile(r'<li class="(\w+)">(.*?)</li>', re.S)
_SELECTED = re.compile(r'name="_selected_action" value="(\d+)"')
_SENT = re.compile(r"/submit/sent/(\d+)/$")


def hidden_fields(page, containing):
    """The hidden inputs of the page's form that contains ``containing``, as (name, value)."""
    for form in _FORM.findall(page):
        if containing in form:
            fields = []
            for tag in _INPUT.findall(form):
                attributes = dict(_ATTRIBUTE.findall(tag))
                if attributes.get("type") == "hidden" and "name" in attributes:
                    fields.append((attributes["name"], html.unescape(attributes.get("value", ""))))
            return fields
    return None


def messages_of(page):
    """The admin's messages on a page, as (level, text)."""
    block = _MESSAGES.search(page)
    if not block:
        return []
    return [(level, html.unescape(text).strip()) for level, text in _MESSAGE.findall(block[1])]


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects by itself, so that each
    answer is recorded as it came."""

    def __init__(self, run, actor, *, address=None):
        self.run, self.actor = run, actor
        self.cookies = {}
        # Each contributor comes from an address of its own, as behind a proxy: the submit
        # limit counts per address too (TRUSTED_PROXY_COUNT=1 on the soak's server).
        self.headers = {"X-Forwarded-For": address} if address else {}

    def get(self, path, *, step, expect=200):
        return self.request("GET", path, None, step=step, expect=expect)

    def post(self, path, data, *, step, expect=302):
        return self.request("POST", path, data, step=step, expect=expect)

    def request(self, method, path, data, *, step, expect):
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = self.run.clock()
        conn = http.client.HTTPConnection(self.run.host, self.run.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.run.record(
                Call(self.actor, step, start, self.run.clock(), error=type(error).__name__)
            )
            return None
        finally:
            conn.close()
        call = Call(self.actor, step, start, self.run.clock(), status=response.status)
        if response.status < 500 and response.status != expect:
            call.unexpected = f"HTTP {response.status}, expected {expect}"
        self.run.record(call)
        self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return Answer(response.status, response.getheader("Location", ""), text, call)

    def keep_cookies(self, headers):
        for header in headers:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value


def ok(answer, status=200):
    return answer is not None and answer.status == status


SIGNED_OUT = "signed out"


def signed_out(answer):
    """A redirect to a sign-in page: the session is gone."""
    return answer is not None and answer.status == 302 and "login/" in answer.location


# --- The actors -------------------------------------------------------------------------------


@dataclass
class Account:
    username: str
    address: str
    sent: int = 0  # final-step posts, each counted by the submit rate limit


class Run:
    """The shared state of one soak: the clock, every call, and what was acknowledged."""

    def __init__(self, *, host, port, titles):
        self.host, self.port = host, port
        self.titles = titles  # (id, slug, name)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.calls = []
        self.decisions = []
        self.submissions = []
        self.refused_stale = 0
        self.refused_other = []
        self.unconfirmed = 0
        self.notes = []
        self.origin = time.monotonic()
        self.ready = 0  # actors signed in and waiting for the start
        self.go = threading.Event()
        self.ended = None  # the clock when the load stopped

    def clock(self):
        """Seconds since the start of the load (negative while the actors sign in)."""
        return time.monotonic() - self.origin

    def wait_for_start(self):
        """Signing in is setup: each actor waits here, signed in, until every one is."""
        with self.lock:
            self.ready += 1
        self.go.wait()

    def start(self):
        """Start the clock: the sign-ins so far keep their times, before zero."""
        with self.lock:
            shift = time.monotonic() - self.origin
            self.origin += shift
            for call in self.calls:
                call.start -= shift
                call.end -= shift
        self.go.set()

    def record(self, call):
        with self.lock:
            self.calls.append(call)

    def running(self):
        return not self.stop.is_set()

    def pause(self, seconds):
        self.stop.wait(seconds * random.uniform(0.5, 1.5))

    def note(self, text):
        with self.lock:
            if text not in self.notes:
                self.notes.append(text)

    # --- readers ---

    def reader(self):
        browser = Browser(self, "reader")
        self.wait_for_start()
        while self.running():
            _pk, slug, name = random.choice(self.titles)
            answer = browser.get(f"/titles/{slug}/", step="title page")
            if ok(answer) and name not in answer.text:
                answer.call.unexpected = "the title page does not name its title"
            self.pause(READER_PAUSE if ok(answer) else ERROR_PAUSE)

    def probe(self):
        browser = Browser(self, "probe")
        while self.running():
            browser.get("/healthz", step="healthz")
            self.stop.wait(PROBE_INTERVAL)

    # --- contributors ---

    def contributor(self, accounts):
        """Sends stories from one account after another: each may send only so many an hour
        (RATE_LIMITS["submit"]), and the soak is not about that limit."""
        accounts = iter(accounts)
        account = next(accounts)
        browser = Browser(self, "contributor", address=account.address)
        signed_in = self.sign_in_contributor(browser, account)
        self.wait_for_start()
        cap = settings.RATE_LIMITS["submit"][0] - SUBMIT_RETRIES
        while self.running():
            if account.sent >= cap:
                account = next(accounts, None)
                if account is None:
                    self.note("a contributor used up its accounts before the end")
                    return
                browser, signed_in = Browser(self, "contributor", address=account.address), False
            if not signed_in:
                signed_in = self.sign_in_contributor(browser, account)
            else:
                signed_in = self.submit_one(browser, account) != SIGNED_OUT
            self.pause(CONTRIBUTOR_PAUSE if signed_in else ERROR_PAUSE)

    def sign_in_contributor(self, browser, account):
        page = browser.get("/accounts/login/", step="sign-in form")
        fields = hidden_fields(page.text, 'name="password"') if ok(page) else None
        if fields is None:
            if ok(page):
                page.call.unexpected = "no sign-in form"
            return False
        data = [*fields, ("login", account.username), ("password", PASSWORD)]
        answer = browser.post("/accounts/login/", data, step="sign in")
        return ok(answer, 302)

    def submit_one(self, browser, account):
        """Form, preview, send: the three steps a person takes. The send is retried with the
        same one-time key after an error, as a person pressing the button again would."""
        title, slug, name = random.choice(self.titles)
        form = browser.get(f"/submit/?title={slug}", step="submit form")
        if signed_out(form):
            return SIGNED_OUT
        if not ok(form):
            return False
        fields = hidden_fields(form.text, 'name="submission_key"')
        if fields is None:
            form.call.unexpected = "no submit form"
            return False
        number = secrets.token_hex(4)
        data = [
            *fields,
            ("title", str(title)),
            (
                "text",
                f"Soak story {number}: on the set of {name} the crew rebuilt the {slug} "
                f"stage overnight after {account.username} spotted the wrong lamps.",
            ),
            ("tags", "soak, set design"),
            ("new_title_kind", "film"),
            ("source-TOTAL_FORMS", "1"),
            ("source-INITIAL_FORMS", "0"),
            ("source-MIN_NUM_FORMS", "0"),
            ("source-MAX_NUM_FORMS", "3"),
            ("source-0-kind", "article"),
            ("source-0-title", f"Soak source {number}"),
            ("website", ""),
            ("action", "preview"),
        ]
        preview = browser.post("/submit/", data, step="submit preview", expect=200)
        if not ok(preview):
            return False
        carried = hidden_fields(preview.text, 'value="submit"')
        if carried is None:
            preview.call.unexpected = "no preview (the form came back)"
            return False
        final = [*carried, ("action", "submit")]
        key = dict(carried).get("submission_key", "")
        for attempt in range(1 + SUBMIT_RETRIES):
            account.sent += 1
            answer = browser.post("/submit/", final, step="submit send")
            if answer is not None and answer.status < 500:
                sent = _SENT.search(answer.location) if answer.status == 302 else None
                if sent is None:
                    answer.call.unexpected = answer.call.unexpected or "not sent"
                    return False
                ack = SubmissionAck(int(sent[1]), key, account.username, retried=attempt > 0)
                with self.lock:
                    self.submissions.append(ack)
                return True
            if not self.running():
                return False
            self.pause(ERROR_PAUSE * 2)
        return False

    # --- moderators ---

    def moderator(self, username):
        browser = Browser(self, "moderator")
        signed_in = self.sign_in_moderator(browser, username)
        self.wait_for_start()
        while self.running():
            if not signed_in:
                signed_in = self.sign_in_moderator(browser, username)
                if not signed_in:
                    self.pause(ERROR_PAUSE)
                continue
            queue = browser.get(QUEUE, step="queue")
            if signed_out(queue):
                signed_in = False
                continue
            if not ok(queue):
                self.pause(ERROR_PAUSE)
                continue
            pending = _SELECTED.findall(queue.text)
            csrf = hidden_fields(queue.text, 'name="_selected_action"')
            if not pending or csrf is None:
                self.pause(MODERATOR_PAUSE)
                continue
            story = random.choice(pending[:RACE_WINDOW])
            way = random.choices(
                [self.approve_from_list, self.reject_from_list, self.reject_from_page],
                weights=[2, 1, 1],
            )[0]
            way(browser, username, int(story), csrf)
            self.pause(MODERATOR_PAUSE)

    def sign_in_moderator(self, browser, username):
        page = browser.get("/admin/login/?next=/admin/", step="admin sign-in form")
        fields = hidden_fields(page.text, 'name="password"') if ok(page) else None
        if fields is None:
            return False
        data = [*fields, ("username", username), ("password", PASSWORD)]
        return ok(browser.post("/admin/login/?next=/admin/", data, step="admin sign in"), 302)

    def approve_from_list(self, browser, username, story, list_fields):
        """The queue's "Approve the selected stories" action, one story ticked."""
        data = [
            *[(n, v) for n, v in list_fields if n == "csrfmiddlewaretoken"],
            ("action", "approve_selected"),
            ("index", "0"),
            ("_selected_action", str(story)),
        ]
        answer = browser.post(QUEUE, data, step="approve")
        self.read_outcome(browser, answer, story, Action.APPROVED, username)

    def reject_from_list(self, browser, username, story, list_fields):
        """The queue's "Reject the selected stories…": its page asking why, then the decision."""
        data = [
            *[(n, v) for n, v in list_fields if n == "csrfmiddlewaretoken"],
            ("action", "reject_selected"),
            ("index", "0"),
            ("_selected_action", str(story)),
        ]
        page = browser.post(QUEUE, data, step="reject form (list)", expect=200)
        self.reject_on(browser, page, QUEUE, story, username)

    def reject_from_page(self, browser, username, story, _list_fields):
        """The story page's "Reject…": the version it was read at travels with the form."""
        path = f"{QUEUE}{story}/reject/"
        page = browser.get(path, step="reject form (story)")
        self.reject_on(browser, page, path, story, username)

    def reject_on(self, browser, page, path, story, username):
        if not ok(page):
            return
        fields = hidden_fields(page.text, 'name="reason"')
        if fields is None:
            page.call.unexpected = "no reject form"
            return
        reason = random.choice(["duplicate", "unsourced", "not_bts"])
        data = [*fields, ("reason", reason), ("message", "Closed by the soak.")]
        answer = browser.post(path, data, step="reject")
        self.read_outcome(browser, answer, story, Action.REJECTED, username)

    def read_outcome(self, browser, answer, story, action, username):
        """Follow the redirect to the page carrying the admin's message and read it: "1 story
        approved." is the acknowledgement; "Not approved: … it is rejected (…)" is a story
        someone else decided first, which the moderator must be told and not shown an error."""
        if not ok(answer, 302):
            return
        page = browser.get(answer.location, step="decision outcome")
        if not ok(page):
            with self.lock:
                self.unconfirmed += 1
            return
        said = messages_of(page.text)
        if f"1 story {action}." in [text for level, text in said if level in ("info", "success")]:
            with self.lock:
                self.decisions.append(DecisionAck(story, action, username))
            return
        refusals = [text for level, text in said if level == "error"]
        if not refusals:
            page.call.unexpected = f"no message after a decision: {said}"
        elif any(marker in refusals[0] for marker in STALE_MARKERS):
            with self.lock:
                self.refused_stale += 1
        else:
            with self.lock:
                self.refused_other.append(refusals[0])


QUEUE = "/admin/trivia/pendinganecdote/"
# What a refused moderator reads when someone else decided the story first (trivia.services).
STALE_MARKERS = (
    "it is published",
    "it is rejected",
    "changed while you were looking at it",
    "Someone else decided",
)


# --- The server and the faults ---------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def workers_of(master):
    try:
        return {int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()}
    except FileNotFoundError:
        return set()


def kill_worker(run, master, at, result):
    """SIGKILL one of gunicorn's workers at ``at`` s and wait for the master to replace it."""
    if run.stop.wait(max(0.0, at - run.clock())):
        return
    before = workers_of(master)
    if not before:
        run.note("no gunicorn worker to kill")
        return
    victim = random.choice(sorted(before))
    os.kill(victim, signal.SIGKILL)
    kill = Kill(pid=victim, at=run.clock())
    result.append(kill)
    deadline = time.monotonic() + RESPAWN_TARGET * 2
    while time.monotonic() < deadline:
        new = workers_of(master) - before
        if new and len(workers_of(master)) >= len(before):
            kill.new_pid, kill.respawned_at = min(new), run.clock()
            return
        time.sleep(0.02)


def restart_postgresql(run, command, conninfo, at, result):
    """Restart PostgreSQL at ``at`` s, watching from the side when it stops answering and
    when it accepts a connection again (``pg_ctlcluster`` returns seconds after that)."""
    if run.stop.wait(max(0.0, at - run.clock())):
        return
    restart = Restart(at=run.clock())
    result.append(restart)
    watcher = threading.Thread(target=watch_postgresql, args=(run, conninfo, restart))
    watcher.start()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            restart.command_error = (done.stderr or done.stdout).strip()[-300:] or "failed"
    except (OSError, subprocess.TimeoutExpired) as error:
        restart.command_error = str(error)
    restart.command_seconds = run.clock() - restart.at
    watcher.join()


def watch_postgresql(run, conninfo, restart):
    deadline = time.monotonic() + PG_BACK_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(conninfo, connect_timeout=2) as probe:
                probe.execute("SELECT 1")
        except psycopg.Error:
            if restart.pg_down_at is None:
                restart.pg_down_at = run.clock()
        else:
            # Back after being seen down; or the restart was too quick to be seen at all.
            if restart.pg_down_at is not None or restart.command_seconds is not None:
                restart.pg_back_at = run.clock()
                return
        time.sleep(0.05)


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


# --- The command ------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Readers, contributors and racing moderators over HTTP against gunicorn on PostgreSQL "
        "and Redis, with a worker killed and PostgreSQL restarted; checks that no decision was "
        "lost or doubled and that errors stayed inside the outage. Fails when a target is missed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=60, help="Seconds of load (60).")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3).")
        parser.add_argument("--readers", type=int, default=4, help="Reader threads (4).")
        parser.add_argument("--contributors", type=int, default=2, help="Contributors (2).")
        parser.add_argument("--moderators", type=int, default=4, help="Moderators (4).")
        parser.add_argument(
            "--kill-at", type=float, help="Second at which a worker is killed (a third in)."
        )
        parser.add_argument(
            "--restart-at", type=float, help="Second at which PostgreSQL restarts (half way)."
        )
        parser.add_argument("--no-kill", action="store_true", help="Kill no worker.")
        parser.add_argument("--no-pg-restart", action="store_true", help="Restart nothing.")
        parser.add_argument(
            "--pg-restart-command",
            help="How to restart PostgreSQL (default: pg_ctlcluster for the server's cluster).",
        )

    def progress(self, text):
        self.stderr.write(f"soak [{time.monotonic() - self.began:5.1f} s]: {text}…", style_func=str)

    def handle(self, *args, **options):
        self.options, self.began = options, time.monotonic()
        if (
            options["duration"] < 3
            or min(options["workers"], options["contributors"], options["moderators"]) < 1
        ):
            raise CommandError(
                "--duration must be at least 3 s; --workers, --contributors and --moderators 1."
            )
        database = self.check_setup()
        restart_command = None if options["no_pg_restart"] else self.restart_command()
        workdir = Path(tempfile.gettempdir()) / f"backlot-{database}"
        (workdir / "media").mkdir(parents=True, exist_ok=True)

        self.progress(f"creating the database {database}")
        self.recreate_database(database)
        self.clear_cache_keys()
        self.progress("seeding")
        titles, accounts, moderators = self.seed()
        connection.close()  # its server goes away with the restart; the checks reconnect

        environment = self.server_environment(workdir)
        self.progress("collecting static files, starting gunicorn")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=environment,
            check=True,
        )
        port = free_port()
        log_path = workdir / "gunicorn.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [
                    Path(sys.executable).parent / "gunicorn",
                    "trivia.wsgi",
                    "--workers",
                    str(options["workers"]),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "info",
                    "--graceful-timeout",
                    "5",
                    # Its own control socket would be the one every gunicorn here shares.
                    "--no-control-socket",
                ],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self.wait_for(server, port, log_path)
            run = Run(host="127.0.0.1", port=port, titles=titles)
            kills, restarts = self.load(run, server, accounts, moderators, restart_command)
        finally:
            self.progress("stopping gunicorn")
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

        self.progress("checking the database")
        figures = self.figures(run, kills, restarts, log_path, database)
        write_calls(run.calls, workdir / "calls.csv")
        self.stdout.write("")
        for line in figures.lines():
            self.stdout.write(line)
        for note in run.notes:
            self.stdout.write(f"  note: {note}")
        for call in figures.errors_outside[:10]:
            self.stdout.write(f"  error outside the windows: {call.describe()}")
        for call in figures.unexpected_outside[:10]:
            self.stdout.write(f"  unexpected: {call.describe()} ({call.unexpected})")
        for ack in figures.lost[:10]:
            self.stdout.write(f"  lost: story {ack.story} {ack.action} by {ack.moderator}")
        for text in figures.refused_other[:5]:
            self.stdout.write(f"  refused otherwise: {text}")
        missed = figures.missed()
        if missed:
            raise CommandError(f"soak: {len(missed)} target(s) missed: {', '.join(missed)}.")
        self.stdout.write(self.style.SUCCESS("soak: every target met."))

    # --- setting up ---

    def check_setup(self):
        db = settings.DATABASES["default"]
        if connection.vendor != "postgresql" or "soak" not in db["NAME"]:
            raise CommandError(
                "soak needs DATABASE_URL naming a PostgreSQL database whose name contains "
                '"soak" (it is dropped and created anew), e.g. '
                "postgres://postgres@127.0.0.1:5432/backlot_soak: run it through `make soak`."
            )
        cache = settings.CACHES["default"]
        if not cache["BACKEND"].endswith("RedisCache") or "soak" not in cache["KEY_PREFIX"]:
            raise CommandError(
                'soak needs REDIS_URL and a CACHE_KEY_PREFIX containing "soak" (its keys are '
                "deleted first): run it through `make soak`."
            )
        return db["NAME"]

    def maintenance_conninfo(self, dbname="postgres"):
        db = settings.DATABASES["default"]
        parts = {
            "dbname": dbname,
            "host": db.get("HOST") or "",
            "port": str(db.get("PORT") or ""),
            "user": db.get("USER") or "",
            "password": db.get("PASSWORD") or "",
        }
        return make_conninfo(**{k: v for k, v in parts.items() if v})

    def restart_command(self):
        if self.options["pg_restart_command"]:
            return shlex.split(self.options["pg_restart_command"])
        with psycopg.connect(self.maintenance_conninfo()) as server:
            cluster = server.execute("SHOW cluster_name").fetchone()[0]  # Debian's "15/main"
        version, _, name = cluster.partition("/")
        if not (version and name):
            versions = (
                sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
            )
            version, name = (versions[0], "main") if len(versions) == 1 else ("", "")
        if not (version and name) or not shutil.which("pg_ctlcluster"):
            raise CommandError(
                "Cannot tell how to restart PostgreSQL here: give --pg-restart-command, or "
                "--no-pg-restart."
            )
        return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"]

    def recreate_database(self, database):
        connection.close()
        with psycopg.connect(self.maintenance_conninfo(), autocommit=True) as admin:
            name = sql.Identifier(database)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        call_command("migrate", interactive=False, verbosity=0)

    def clear_cache_keys(self):
        import redis

        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)

    def seed(self):
        """Titles with published stories, contributors (verified, each with an approved story,
        so no new-account limit applies), the moderators, and a queue to start on."""
        from allauth.account.models import EmailAddress

        options = self.options
        users = get_user_model()
        hasher = PBKDF2PasswordHasher()
        # A cheap hash to create; the server upgrades it to the full one at the first sign-in.
        password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
        group = Group.objects.get(name=MODERATORS_GROUP)
        seeder = users.objects.create(username="soak-seeder", password=password, is_staff=True)
        seeder.groups.add(group)
        moderators = []
        for n in range(1, options["moderators"] + 1):
            moderator = users.objects.create(
                username=f"soak-mod-{n}",
                email=f"soak-mod-{n}@soak.invalid",
                password=password,
                is_staff=True,
            )
            moderator.groups.add(group)
            moderators.append(moderator.username)

        # Enough accounts that the submit limit (per hour, per account) never answers: seven
        # stories an account, and a contributor sends one every second at most.
        per_contributor = int(options["duration"] / 7) + 2
        accounts = []
        for c in range(options["contributors"]):
            pool = []
            for n in range(per_contributor):
                username = f"soak-user-{c}-{n}"
                user = users.objects.create(
                    username=username, email=f"{username}@soak.invalid", password=password
                )
                EmailAddress.objects.create(
                    user=user, email=user.email, verified=True, primary=True
                )
                pool.append(Account(username, f"127.0.{c + 1}.{n + 1}"))
            accounts.append(pool)
        contributors = list(users.objects.filter(username__startswith="soak-user-"))

        titles = []
        for n in range(1, TITLES + 1):
            title = Title.objects.create(name=f"Soak Film {n}", year=1990 + n)
            titles.append((title.pk, title.slug, title.name))
        stories = 0

        def story(contributor):
            nonlocal stories
            stories += 1
            pk, _slug, name = titles[stories % len(titles)]
            source = Source.objects.create(title=f"Seed source {stories}")
            return services.submit_anecdote(
                contributor=contributor,
                title=Title.objects.get(pk=pk),
                text=f"Seed story {stories}: the {name} crew worked through the night.",
                citations=[Citation(source=source)],
            )

        # Every title has published stories (a title page without any is a 404), every
        # contributor one of them.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for n in range(max(len(contributors), 2 * TITLES)):
                published = story(contributors[n % len(contributors)])
                services.approve_anecdote(anecdote=published, moderator=seeder)
            for n in range(PENDING_AT_START):
                story(contributors[n % len(contributors)])
        return titles, accounts, moderators

    def server_environment(self, workdir):
        return {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",  # plain http on loopback
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "TRUSTED_PROXY_COUNT": "1",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "PYTHONUNBUFFERED": "1",
        }

    def wait_for(self, server, port, log_path):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        tail = log_path.read_text()[-2000:]
        raise CommandError(
            f"gunicorn did not answer /healthz within {SERVER_START_TIMEOUT} s:\n{tail}"
        )

    # --- the run ---

    def load(self, run, server, accounts, moderators, restart_command):
        options = self.options
        duration = options["duration"]
        actors = [threading.Thread(target=run.reader) for _ in range(options["readers"])]
        actors += [threading.Thread(target=run.contributor, args=(pool,)) for pool in accounts]
        actors += [threading.Thread(target=run.moderator, args=(name,)) for name in moderators]
        others = [threading.Thread(target=run.probe)]
        kills, restarts = [], []
        if not options["no_kill"]:
            at = options["kill_at"] if options["kill_at"] is not None else duration / 3
            others.append(threading.Thread(target=kill_worker, args=(run, server.pid, at, kills)))
        if restart_command:
            at = options["restart_at"] if options["restart_at"] is not None else duration / 2
            conninfo = self.maintenance_conninfo(settings.DATABASES["default"]["NAME"])
            others.append(
                threading.Thread(
                    target=restart_postgresql, args=(run, restart_command, conninfo, at, restarts)
                )
            )
        self.progress("signing in")
        for thread in actors:
            thread.daemon = True
            thread.start()
        # Two requests each at most, each bounded by its timeout.
        deadline = time.monotonic() + 2 * REQUEST_TIMEOUT + 5
        while run.ready < len(actors) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.progress(f"{duration:g} s of load on http://127.0.0.1:{run.port}/")
        run.start()
        for thread in others:
            thread.daemon = True
            thread.start()
        run.stop.wait(duration)
        run.stop.set()
        run.ended = run.clock()
        for thread in actors + others:
            thread.join(timeout=REQUEST_TIMEOUT + PG_BACK_TIMEOUT)
        return kills, restarts

    def figures(self, run, kills, restarts, log_path, database):
        options = self.options
        calls = list(run.calls)
        kill = kills[0] if kills else None
        restart = restarts[0] if restarts else None
        windows = []
        if kill is not None:
            windows.append(Window("worker kill", kill.at, kill.at + KILL_GRACE))
        if restart is not None:
            if restart.pg_back_at is not None:
                restart.app_back_at = first_good_probe(calls, restart.pg_back_at)
            end = restart.app_back_at if restart.app_back_at is not None else float("inf")
            windows.append(Window("outage", restart.at, end))
        inside, outside = sort_errors(calls, windows)
        good = [
            (c.end - c.start) * 1000
            for c in calls
            if not c.failed and not any(w.covers(c) for w in windows)
        ]
        connection.close()
        lost, doubled, unrecorded = audit_decisions(run.decisions)
        log = log_path.read_text(errors="replace")
        figures = Figures(
            duration=run.ended,
            setup=(
                f"PostgreSQL ({database}) + Redis, gunicorn {options['workers']} workers; "
                f"{options['readers']} readers, {options['contributors']} contributors, "
                f"{options['moderators']} moderators"
            ),
            requests=Counter(c.actor for c in calls),
            errors_inside=inside,
            errors_outside=outside,
            unexpected_inside=sum(
                1 for c in calls if c.unexpected and any(w.covers(c) for w in windows)
            ),
            unexpected_outside=unexpected_outside(calls, windows),
            submissions=len(run.submissions),
            submissions_retried=sum(1 for ack in run.submissions if ack.retried),
            submissions_missing=audit_submissions(run.submissions),
            approved=sum(1 for ack in run.decisions if ack.action == Action.APPROVED),
            rejected=sum(1 for ack in run.decisions if ack.action == Action.REJECTED),
            refused_stale=run.refused_stale,
            refused_other=run.refused_other,
            unconfirmed=run.unconfirmed,
            lost=lost,
            doubled=doubled,
            unrecorded=unrecorded,
            kill=kill,
            restart=restart,
            latency_p50_ms=percentile(good, 0.5),
            latency_p99_ms=percentile(good, 0.99),
            server_errors_logged=log.count("Internal Server Error"),
            log_path=str(log_path),
        )
        if not options["no_kill"] and kill is None:
            figures.kill = Kill(pid=0, at=0.0)  # planned and not done: the target is missed
        if not options["no_pg_restart"] and restart is None:
            figures.restart = Restart(at=0.0)
        return figures
