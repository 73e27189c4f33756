"""Concurrency and load with faults, bounded in time, on loopback only (issue 7): ``make soak``.

    python manage.py soak                          # what `make soak` runs: 60 s, 3 workers
    python manage.py soak --duration 10 --no-pg-restart

Readers load the public pages (title pages mostly, home, the lists, tag pages, search, the feed
and the sitemap), contributors sign in and send stories through /submit/, and four moderators
work the admin's queue, all over HTTP against gunicorn (``DJANGO_DEBUG=0``, several workers)
on PostgreSQL and a Redis of the soak's own. The moderators race: each picks one of the oldest
few pending stories, so two of them often decide the same story, and the loser must be told so
("already published"), not shown an error. A third of the way in, one gunicorn worker is
killed (SIGKILL) and gunicorn starts another; half way, PostgreSQL is restarted; two thirds in,
Redis is stopped (SIGKILL) for 8 s and started again, empty, on the same port.

Afterwards the database is checked against what the server acknowledged: every decision a
moderator was told succeeded is there (with its event), no story was decided twice, every
story a contributor was shown as sent exists. Errors (an answer of 500 or more, or none at
all) are allowed only while a request overlaps the worker kill (the second after it) or the
PostgreSQL outage (from the restart command until the first good ``/healthz`` after PostgreSQL
accepts connections again). The Redis outage excuses none: the cache fails open, so pages are
computed while it is down, and the site must store pages in Redis again within 10 s of its
return, with the share of readers' pages served from the cache back to at least 0.8 of what it
was before. Recovery (PostgreSQL back → the site answering 200) must take 15 s at most. The
figures are printed in one block; a missed target makes the command fail.

It needs what ``make soak`` gives it: ``DATABASE_URL`` naming a PostgreSQL database whose name
contains "soak" (dropped and created anew: never point it at real data), and ``redis-server``
installed: the soak starts its own on a spare loopback port and gives the site its address as
``REDIS_URL`` (the machine's shared Redis is never touched; stopping it would take every other
user of it down too). Restarting PostgreSQL takes ``pg_ctlcluster`` (Debian's, run as root) or
``--pg-restart-command``. The database is kept afterwards for a look; the server's log and
Redis's are kept in a folder under the temporary directory. The parts are in
``tests/loadtools/soak/``, one module each; this command puts them together.
"""

import http.client
import math
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tests.loadtools.soak.actors import Run
from tests.loadtools.soak.audit import Action, audit_decisions, audit_submissions
from tests.loadtools.soak.client import REQUEST_TIMEOUT
from tests.loadtools.soak.faults import (
    PG_BACK_TIMEOUT,
    kill_worker,
    redis_outage,
    restart_postgresql,
)
from tests.loadtools.soak.figures import (
    Figures,
    Kill,
    RedisOutage,
    Restart,
    Window,
    errors_during,
    excused,
    first_good_probe,
    page_cache_shares,
    percentile,
    sort_errors,
    unexpected_outside,
    write_calls,
)
from tests.loadtools.soak.redis_server import RedisServer
from tests.loadtools.soak.seed import seed
from tests.ports import free_port

KILL_GRACE = 1.0  # requests in flight on the killed worker fail within this of the kill
SERVER_START_TIMEOUT = 30
REDIS_OUTAGE_SECONDS = 8.0
CACHE_KEY_PREFIX = "backlot-soak"
# The site's warning when a cache fails (trivia.caching.failopen), once a minute per cache and
# process at most.
CACHE_WARNING = "trivia.caching.failopen"
CACHES = 2  # "default" and "content", each failing open on its own


class Command(BaseCommand):
    help = (
        "Readers, contributors and racing moderators over HTTP against gunicorn on PostgreSQL "
        "and the soak's own Redis, with a worker killed, PostgreSQL restarted and Redis stopped "
        "for a while; checks that no decision was lost or doubled, that errors stayed inside the "
        "worker kill and the PostgreSQL outage, and that the site went back to the cache. Fails "
        "when a target is missed."
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
        parser.add_argument(
            "--redis-outage-at",
            type=float,
            help="Second at which the soak's Redis is stopped (two thirds in).",
        )
        parser.add_argument(
            "--redis-outage-for",
            type=float,
            help=f"Seconds Redis stays down ({REDIS_OUTAGE_SECONDS:g}, or a sixth of a short run).",
        )
        parser.add_argument("--no-kill", action="store_true", help="Kill no worker.")
        parser.add_argument("--no-pg-restart", action="store_true", help="Restart nothing.")
        parser.add_argument("--no-redis-outage", action="store_true", help="Leave Redis up.")
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
        self.progress("seeding")
        self.titles, self.accounts, self.moderators = seed(
            duration=options["duration"],
            contributors=options["contributors"],
            moderators=options["moderators"],
        )
        connection.close()  # its server goes away with the restart; the checks reconnect

        redis_log = workdir / "redis.log"
        redis_log.write_text("")
        redis = RedisServer(free_port(), redis_log)
        self.progress(f"starting the soak's own Redis on port {redis.port}")
        try:
            redis.start()
        except RuntimeError as error:
            raise CommandError(f"soak: {error}") from error
        try:
            self.serve(database, workdir, redis, restart_command)
        finally:
            redis.kill()

    def serve(self, database, workdir, redis, restart_command):
        options = self.options
        environment = self.server_environment(workdir, redis)
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
            run = Run(host="127.0.0.1", port=port, titles=self.titles)
            faults = self.load(run, server, redis, restart_command)
        finally:
            self.progress("stopping gunicorn")
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

        self.progress("checking the database")
        figures = self.figures(run, faults, log_path, database, redis)
        write_calls(run.calls, workdir / "calls.csv")
        self.stdout.write("")
        for line in figures.lines():
            self.stdout.write(line)
        for note in run.notes:
            self.stdout.write(f"  note: {note}")
        for call in figures.errors_outside[:10]:
            self.stdout.write(f"  error outside kill + PostgreSQL: {call.describe()}")
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
        if not shutil.which("redis-server"):
            raise CommandError(
                "soak starts a Redis of its own: it needs redis-server (apt-get install "
                "redis-server)."
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

    def server_environment(self, workdir, redis):
        return {
            **os.environ,
            "REDIS_URL": redis.url,  # the soak's own Redis, which it stops for a while
            "CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
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
            "BACKLOT_DEVTOOLS": "0",  # the server is production: no load tooling in it
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

    def redis_outage_plan(self):
        """(second, length) of the Redis outage, or None."""
        options = self.options
        if options["no_redis_outage"]:
            return None
        duration = options["duration"]
        length = options["redis_outage_for"]
        if length is None:
            length = min(REDIS_OUTAGE_SECONDS, duration / 6)
        at = options["redis_outage_at"]
        return (duration * 2 / 3 if at is None else at), length

    def load(self, run, server, redis, restart_command):
        options = self.options
        duration = options["duration"]
        actors = [threading.Thread(target=run.reader) for _ in range(options["readers"])]
        actors += [threading.Thread(target=run.contributor, args=(pool,)) for pool in self.accounts]
        actors += [threading.Thread(target=run.moderator, args=(name,)) for name in self.moderators]
        others = [threading.Thread(target=run.probe)]
        kills, restarts, outages = [], [], []
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
        plan = self.redis_outage_plan()
        if plan is not None:
            others.append(threading.Thread(target=redis_outage, args=(run, redis, *plan, outages)))
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
        return kills, restarts, outages

    def figures(self, run, faults, log_path, database, redis):
        options = self.options
        calls = list(run.calls)
        kill, restart, outage = (found[0] if found else None for found in faults)
        windows = []
        if kill is not None:
            windows.append(Window("worker kill", kill.at, kill.at + KILL_GRACE))
        if restart is not None:
            if restart.pg_back_at is not None:
                restart.app_back_at = first_good_probe(calls, restart.pg_back_at)
            end = restart.app_back_at if restart.app_back_at is not None else float("inf")
            windows.append(Window("outage", restart.at, end))
        redis_window = None
        if outage is not None:
            redis_window = Window("Redis outage", outage.at, outage.end, excused=False)
            windows.append(redis_window)
        inside, outside = sort_errors(calls, windows)
        good = [(c.end - c.start) * 1000 for c in calls if not c.failed and not excused(c, windows)]
        without_redis = [
            (c.end - c.start) * 1000
            for c in calls
            if redis_window and not c.failed and redis_window.covers(c)
        ]
        connection.close()
        lost, doubled, unrecorded = audit_decisions(run.decisions)
        log = log_path.read_text(errors="replace")
        figures = Figures(
            duration=run.ended,
            setup=(
                f"PostgreSQL ({database}) + Redis (its own, port {redis.port}), "
                f"gunicorn {options['workers']} workers; "
                f"{options['readers']} readers, {options['contributors']} contributors, "
                f"{options['moderators']} moderators"
            ),
            requests=Counter(c.actor for c in calls),
            errors_inside=inside,
            errors_outside=outside,
            unexpected_inside=sum(1 for c in calls if c.unexpected and excused(c, windows)),
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
            redis=outage,
            redis_errors=errors_during(calls, redis_window) if redis_window else [],
            page_cache=page_cache_shares(calls, outage),
            redis_p50_ms=percentile(without_redis, 0.5),
            redis_p99_ms=percentile(without_redis, 0.99),
            cache_warnings=sum(
                1 for line in log.splitlines() if CACHE_WARNING in line and "unavailable" in line
            ),
            cache_warnings_allowed=CACHES
            * (options["workers"] + len(faults[0]))
            * max(1, math.ceil(options["duration"] / 60)),
            latency_p50_ms=percentile(good, 0.5),
            latency_p99_ms=percentile(good, 0.99),
            server_errors_logged=log.count("Internal Server Error"),
            log_path=str(log_path),
        )
        if not options["no_kill"] and kill is None:
            figures.kill = Kill(pid=0, at=0.0)  # planned and not done: the target is missed
        if not options["no_pg_restart"] and restart is None:
            figures.restart = Restart(at=0.0)
        plan = self.redis_outage_plan()
        if plan is not None and outage is None:
            figures.redis = RedisOutage(at=0.0, planned_seconds=plan[1])
        return figures
