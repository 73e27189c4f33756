"""Real gunicorn processes on loopback ports against the test database, and a cookie-keeping
client for them: for tests of what only several processes show (a page cached in one process,
a count shared by every worker). Their data must be committed (a transactional test)."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_environment():
    """The test database, as the child processes' environment names it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SQLITE_PATH": str(settings["NAME"])}
    user = settings["USER"] or "postgres"
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return {"DATABASE_URL": f"postgres://{user}@{host}:{port}/{settings['NAME']}"}


def start_server(port, *, workers=1, **env):
    """gunicorn with ``workers`` processes on ``port``, in development mode unless ``env`` says
    otherwise; returns once it answers /healthz."""
    environment = {
        k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJANGO_")
    }
    environment.update(DJANGO_DEBUG="1", DJANGO_HTTPS="0", PYTHONUNBUFFERED="1")
    environment.update(database_environment(), **env)
    server = subprocess.Popen(
        [
            Path(sys.executable).parent / "gunicorn",
            "trivia.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--no-control-socket",  # gunicorn's is one path per machine, not per server
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")


def stop_server(server):
    server.terminate()
    server.wait(timeout=10)


def hash_as_production_does(user, password):
    """The servers hash passwords as production does; the suite's fast hasher is not theirs."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])


class Browser:
    """A cookie-keeping HTTP client, enough to sign in and press a button. Each ``Browser`` is
    a new connection per request, so gunicorn hands its requests to any of its workers."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path, data):
        """The form at ``path`` posted with ``data``: the page's text; an error status raises."""
        return self.post_status(path, data)[1]

    def post_status(self, path, data):
        """The form at ``path`` posted with ``data``: (status, text), an error status included."""
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(
            self.base + path, data=body.encode(), headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
