"""The soak's own Redis: a ``redis-server`` on a spare loopback port, which the soak may stop and
start again on the same port. Never the machine's shared Redis: stopping that one would take
every other process using it down with the soak.

It keeps nothing on disk (``--save "" --appendonly no``), so a server started again is empty, as
a Redis that lost its memory is: the site must find the cache empty and fill it again."""

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

START_TIMEOUT = 10


@dataclass(frozen=True)
class Stats:
    """What the server says of its use since it started (``INFO``): keys held, whole pages
    among them, reads that found their key (``keyspace_hits``) and reads that did not."""

    keys: int
    pages: int
    hits: int
    misses: int

    @property
    def hit_share(self):
        reads = self.hits + self.misses
        return self.hits / reads if reads else None


class RedisServer:
    def __init__(self, port, log_path, executable="redis-server"):
        self.port, self.log_path = port, log_path
        self.executable = shutil.which(executable)
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        """Start the server (again) on its port and wait until it answers PING."""
        if self.executable is None:
            raise RuntimeError("no redis-server here (apt-get install redis-server)")
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [
                    self.executable,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--protected-mode",
                    "yes",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.answers():
                return
            time.sleep(0.02)
        self.kill()
        tail = self.log_path.read_text(errors="replace")[-1000:]
        raise RuntimeError(f"redis-server did not answer on port {self.port}:\n{tail}")

    def kill(self):
        """Stop it at once (SIGKILL), as a crash or a lost machine would: the site's open
        connections are closed under it."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stats(self):
        """``Stats`` now, or None when the server does not answer."""
        import redis

        try:
            client = redis.Redis(
                host="127.0.0.1", port=self.port, socket_timeout=1, socket_connect_timeout=1
            )
            try:
                info = client.info("stats")
                keys = client.dbsize()
                # The site's page keys: "<prefix>:<version>:page:<digest>" (trivia.caching.pages).
                pages = sum(1 for _ in client.scan_iter(match="*:page:*", count=1000))
            finally:
                client.close()
        except (redis.RedisError, OSError):
            return None
        return Stats(
            keys=keys, pages=pages, hits=info["keyspace_hits"], misses=info["keyspace_misses"]
        )
