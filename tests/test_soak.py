"""`make soak` (tests/loadtools: the soak command and its parts in soak/): its verdict, its checks
of the database, its reading of pages, and a short soak over HTTP where PostgreSQL runs on
loopback and the soak starts (and stops for a while) a Redis of its own.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.factories import make_anecdote, make_moderator
from tests.loadtools.soak.audit import (
    DecisionAck,
    SubmissionAck,
    audit_decisions,
    audit_submissions,
)
from tests.loadtools.soak.client import hidden_fields, messages_of
from tests.loadtools.soak.figures import (
    Call,
    Figures,
    Kill,
    RedisOutage,
    Restart,
    Window,
    errors_during,
    page_cache_shares,
    sort_errors,
)
from tests.loadtools.soak.redis_server import Stats
from trivia import services
from trivia.models import ModerationEvent

ROOT = Path(__file__).resolve().parent.parent


def test_errors_count_against_the_run_only_outside_the_fault_windows():
    outage = Window("outage", 30.0, 32.0)
    kill = Window("worker kill", 20.0, 21.0)
    calls = [
        Call("reader", "title page", 29.5, 30.2, status=500),  # in flight when it began
        Call("moderator", "queue", 31.0, 31.1, status=500),
        Call("reader", "title page", 20.5, 20.6, error="RemoteDisconnected"),
        Call("probe", "healthz", 31.9, 32.5, status=503),  # began inside, ended after
        Call("reader", "title page", 32.1, 32.2, status=500),  # after the site was back
        Call("contributor", "submit send", 10.0, 10.3, error="ConnectionRefusedError"),
        Call("reader", "title page", 12.0, 12.1, status=200),
        Call("contributor", "submit send", 31.0, 31.1, status=429),  # not an error
    ]

    inside, outside = sort_errors(calls, [kill, outage])

    assert inside == {"outage": 3, "worker kill": 1}
    assert [(c.start, c.status, c.error) for c in outside] == [
        (32.1, 500, ""),
        (10.0, None, "ConnectionRefusedError"),
    ]


def test_the_redis_outage_excuses_no_error():
    redis = Window("Redis outage", 40.0, 48.0, excused=False)
    postgresql = Window("outage", 30.0, 32.0)
    calls = [
        Call("reader", "title page", 41.0, 41.2, status=500),
        Call("reader", "home", 47.9, 48.3, error="RemoteDisconnected"),
        Call("reader", "title page", 31.0, 31.2, status=500),
        Call("reader", "title page", 42.0, 42.1, status=200),
    ]

    inside, outside = sort_errors(calls, [postgresql, redis])

    assert inside == {"outage": 1}
    assert [c.start for c in outside] == [41.0, 47.9]
    assert [c.start for c in errors_during(calls, redis)] == [41.0, 47.9]


def test_the_share_of_pages_from_the_cache_is_counted_before_during_and_after_redis():
    outage = RedisOutage(at=40.0, planned_seconds=8, back_at=48.0)
    calls = [
        Call("reader", "title page", 10.0, 10.1, status=200, cache="hit"),
        Call("reader", "title page", 11.0, 11.1, status=200, cache="miss"),
        Call("reader", "home", 39.9, 40.1, status=200, cache="hit"),  # started before
        Call("reader", "title page", 41.0, 41.1, status=200, cache="miss"),
        Call("reader", "title page", 50.0, 50.1, status=200, cache="hit"),
        Call("reader", "title page", 51.0, 51.1, status=500),  # not an answered page
        Call("moderator", "queue", 52.0, 52.1, status=200),  # not a reader's
        Call("reader", "title page", 53.0, 53.1, status=200),  # not a cacheable page
    ]

    assert page_cache_shares(calls, outage) == {
        "before": (2, 3),
        "during": (0, 1),
        "after": (1, 1),
    }
    assert page_cache_shares(calls, None) == {"before": (3, 5)}


def good_run(**changes):
    figures = Figures(
        duration=60,
        approved=10,
        rejected=5,
        submissions=12,
        kill=Kill(pid=10, at=20.0, new_pid=11, respawned_at=20.4),
        restart=Restart(
            at=30.0, command_seconds=6.0, pg_down_at=30.1, pg_back_at=31.5, app_back_at=32.0
        ),
        redis=RedisOutage(
            at=40.0,
            planned_seconds=8,
            before=Stats(keys=90, pages=60, hits=700, misses=600),
            back_at=48.1,
            after=Stats(keys=50, pages=40, hits=150, misses=250),
            written_at=51.0,
            hit_at=50.0,
        ),
        page_cache={"before": (50, 100), "during": (10, 40), "after": (45, 90)},
        cache_warnings=6,
        cache_warnings_allowed=8,
    )
    for name, value in changes.items():
        setattr(figures, name, value)
    return figures


def test_a_run_without_loss_doubling_or_late_errors_meets_every_target():
    figures = good_run()

    assert figures.missed() == []
    assert figures.lines()[-1] == "Targets met: 16 of 16"
    recovery = next(line for line in figures.lines() if "recovery" in line)
    assert "0.50 s" in recovery and "[target ≤ 15 s: ok]" in recovery
    back = next(line for line in figures.lines() if "back on Redis" in line)
    assert "2.9 s after its return" in back and "[target ≤ 10 s: ok]" in back
    hits = next(line for line in figures.lines() if "page cache hits (readers)" in line)
    assert "before 0.50 (50 of 100); during 0.25 (10 of 40); after 0.50 (45 of 90)" in hits


def test_a_redis_outage_too_late_to_see_the_return_is_not_judged_on_it():
    figures = good_run(duration=50)
    figures.redis.written_at = None

    assert figures.missed() == []
    back = next(line for line in figures.lines() if "back on Redis" in line)
    assert "the load ended 1.9 s after its return: not judged" in back
    hits = next(line for line in figures.lines() if "hits after Redis returned" in line)
    assert "not judged" in hits and "target" not in hits


RECOVERY = "recovery (PostgreSQL back → 200)"
BACK_ON_REDIS = "the site back on Redis"
HITS_AFTER = "page cache hits after Redis returned"


@pytest.mark.parametrize(
    "changes, missed",
    [
        ({"lost": [DecisionAck(1, "approved", "mod")]}, ["decisions lost"]),
        ({"doubled": [7]}, ["decisions doubled"]),
        ({"unrecorded": [8]}, ["decided without an event"]),
        ({"submissions_missing": [SubmissionAck(3, "k", "carol")]}, ["submissions missing"]),
        (
            {"errors_outside": [Call("reader", "x", 50, 51, 500)]},
            ["errors outside kill + PostgreSQL"],
        ),
        (
            {
                "errors_outside": [Call("reader", "x", 41, 42, 500)],
                "redis_errors": [Call("reader", "x", 41, 42, 500)],
            },
            ["errors outside kill + PostgreSQL", "errors during the Redis outage"],
        ),
        (
            {"unexpected_outside": [Call("reader", "x", 5, 6, 403)]},
            ["unexpected answers outside them"],
        ),
        ({"approved": 0, "rejected": 0}, ["decisions acknowledged"]),
        ({"submissions": 0}, ["submissions acknowledged"]),
        ({"kill": Kill(pid=10, at=20.0)}, ["worker kill (SIGKILL)"]),
        ({"kill": Kill(pid=10, at=20.0, new_pid=11, respawned_at=35.5)}, ["worker kill (SIGKILL)"]),
        (
            {"restart": Restart(at=30.0, command_seconds=6, pg_back_at=31.0, app_back_at=46.5)},
            [RECOVERY],
        ),
        ({"restart": Restart(at=30.0, command_seconds=6, pg_back_at=31.0)}, [RECOVERY]),
        (
            {"restart": Restart(at=30.0, command_seconds=0.1, command_error="not root")},
            ["PostgreSQL restart", RECOVERY],
        ),
        (
            {"redis": RedisOutage(at=40.0, planned_seconds=8, start_error="port taken")},
            ["Redis outage (the soak's own)", BACK_ON_REDIS],
        ),
        (
            {"redis": RedisOutage(at=40.0, planned_seconds=8, back_at=48.0, written_at=58.5)},
            [BACK_ON_REDIS],
        ),
        (
            {"redis": RedisOutage(at=40.0, planned_seconds=8, back_at=48.0)},
            [BACK_ON_REDIS],
        ),
        ({"cache_warnings": 0}, ["Redis failures logged by the site"]),
        ({"cache_warnings": 9}, ["Redis failures logged by the site"]),
        (
            {"page_cache": {"before": (50, 100), "during": (0, 40), "after": (35, 90)}},
            [HITS_AFTER],
        ),
    ],
)
def test_each_missed_target_fails_the_run(changes, missed):
    figures = good_run(**changes)

    assert figures.missed() == missed
    assert figures.lines()[-1].endswith(f"; missed: {', '.join(missed)}")


def test_the_audit_finds_decisions_lost_doubled_or_unrecorded(db):
    moderator = make_moderator("mod-a")
    approved = make_anecdote()
    services.approve_story(story=approved, moderator=moderator)
    rejected = make_anecdote()
    services.reject_story(story=rejected, moderator=moderator, reason="duplicate")
    still_pending = make_anecdote()

    lost, doubled, unrecorded = audit_decisions(
        [
            DecisionAck(approved.pk, ModerationEvent.Action.APPROVED, "mod-a"),
            DecisionAck(rejected.pk, ModerationEvent.Action.REJECTED, "mod-a"),
        ]
    )
    assert (lost, doubled, unrecorded) == ([], [], [])

    told_but_not_done = DecisionAck(still_pending.pk, ModerationEvent.Action.APPROVED, "mod-a")
    right = DecisionAck(approved.pk, ModerationEvent.Action.APPROVED, "mod-a")
    wrong_moderator = DecisionAck(approved.pk, ModerationEvent.Action.APPROVED, "mod-b")
    lost, doubled, _ = audit_decisions([told_but_not_done, right, wrong_moderator])
    assert lost == [told_but_not_done, wrong_moderator]
    assert doubled == [approved.pk]  # acknowledged to two moderators

    ModerationEvent.objects.create(
        anecdote=rejected, actor=moderator, action="approved", from_state="pending", to_state="x"
    )
    ModerationEvent.objects.filter(anecdote=approved, action="approved").delete()
    _, doubled, unrecorded = audit_decisions([])
    assert doubled == [rejected.pk]
    assert unrecorded == [approved.pk]


def test_the_audit_finds_a_submission_the_database_does_not_hold(db):
    story = make_anecdote()
    key = "4f0c6a56-1e35-4d4e-9a59-2f6f1b1c5a10"
    story.submission_key = key
    story.save(update_fields=["submission_key"])
    held = SubmissionAck(story.pk, key, story.contributor.username)
    other_key = SubmissionAck(story.pk, "00000000-0000-0000-0000-000000000000", held.contributor)
    gone = SubmissionAck(story.pk + 1000, key, held.contributor)

    assert audit_submissions([held, other_key, gone]) == [other_key, gone]


def test_pages_are_read_as_a_browser_reads_them():
    page = """
    <form id="logout-form" method="post" action="/admin/logout/">
      <input type="hidden" name="csrfmiddlewaretoken" value="logout-token"></form>
    <ul class="messagelist"><li class="info">1 story approved.</li>
      <li class="error">Not rejected: “A &amp; B”: it is published.</li></ul>
    <form method="post" novalidate>
      <input type="hidden" name="csrfmiddlewaretoken" value="form-token">
      <input type="hidden" name="version" id="id_version">
      <input type="hidden" name="text" value="&quot;Quoted&quot; &lt;b&gt;">
      <select name="reason"></select></form>
    """

    assert hidden_fields(page, 'name="reason"') == [
        ("csrfmiddlewaretoken", "form-token"),
        ("version", ""),
        ("text", '"Quoted" <b>'),
    ]
    assert hidden_fields(page, 'name="nothing"') is None
    assert messages_of(page) == [
        ("info", "1 story approved."),
        ("error", "Not rejected: “A & B”: it is published."),
    ]


# --- A short soak over HTTP ------------------------------------------------------------------

# A database of this test run's own, removed afterwards: two suites running at once must not
# drop each other's. The soak starts its own Redis on a spare port and stops it at the end.
SOAK_DATABASE = f"backlot_soak_test_{os.getpid()}"
SOAK_SERVER = "postgres://postgres@127.0.0.1:5432"


def reachable(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def soak_leftovers():
    """Drop what the soak keeps for a look (its database, its folder)."""
    yield
    import psycopg

    with psycopg.connect(f"{SOAK_SERVER}/postgres", autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {SOAK_DATABASE} WITH (FORCE)")
    shutil.rmtree(Path(tempfile.gettempdir()) / f"backlot-{SOAK_DATABASE}", ignore_errors=True)


@pytest.mark.skipif(
    not (reachable(5432) and shutil.which("redis-server")),
    reason="the short soak needs PostgreSQL (127.0.0.1:5432) and redis-server installed",
)
def test_a_short_soak_with_a_worker_killed_and_redis_stopped_loses_nothing(soak_leftovers):
    environment = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "DJANGO_", "REDIS_", "CACHE_"))
        },
        "DATABASE_URL": f"{SOAK_SERVER}/{SOAK_DATABASE}",
    }
    command = [sys.executable, "manage.py", "soak", "--duration", "12", "--workers", "2"]
    command += ["--readers", "1", "--contributors", "1", "--moderators", "2", "--kill-at", "2"]
    command += ["--redis-outage-at", "4", "--redis-outage-for", "2"]
    done = subprocess.run(
        [*command, "--no-pg-restart"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"Targets met: (\d+) of \1$", done.stdout, re.M), output
    lines = {line.split("  ")[1].strip(): line for line in done.stdout.splitlines() if "  " in line}
    assert "0   [target 0: ok]" in lines["decisions lost"]
    assert "0   [target 0: ok]" in lines["decisions doubled"]
    assert "respawned as pid" in lines["worker kill (SIGKILL)"]
    assert "started again at" in lines["Redis outage (the soak's own)"]
    assert "0   [target 0: ok]" in lines["errors during the Redis outage"]
    assert "0   [target 0: ok]" in lines["errors outside kill + PostgreSQL"]
