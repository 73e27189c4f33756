"""The faults a soak injects: one gunicorn worker killed (SIGKILL), PostgreSQL restarted, the
soak's own Redis stopped and started again, each watched from the side so the figures say when
it happened and when the site came back."""

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import psycopg

from .figures import RESPAWN_TARGET, Kill, RedisOutage, Restart

PG_BACK_TIMEOUT = 60
REDIS_WATCH_INTERVAL = 0.25


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


def redis_outage(run, server, at, seconds, result):
    """Stop the soak's Redis (SIGKILL) at ``at`` s, start it again ``seconds`` later on the same
    port, empty, and watch it until the end of the run: when the site stores a page in it again
    and when a read finds its key again (the site back on the cache)."""
    if run.stop.wait(max(0.0, at - run.clock())):
        return
    outage = RedisOutage(at=run.clock(), planned_seconds=seconds, before=server.stats())
    result.append(outage)
    server.kill()
    outage.stopped_at = run.clock()
    # Started again even when the load ends first: the server is the soak's to leave tidy.
    run.stop.wait(max(0.0, outage.at + seconds - run.clock()))
    try:
        server.start()
    except RuntimeError as error:
        outage.start_error = str(error)[-300:]
        return
    outage.back_at = run.clock()
    while True:
        stats = server.stats()
        if stats is not None:
            outage.after = stats
            if stats.pages and outage.written_at is None:
                outage.written_at = run.clock()
            if stats.hits and outage.hit_at is None:
                outage.hit_at = run.clock()
        if run.stop.wait(REDIS_WATCH_INTERVAL):
            break
    outage.after = server.stats() or outage.after
