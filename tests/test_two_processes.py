"""Two application processes sharing one database (and Redis, when configured): a moderator
approves through one, and the other shows the story on its very next request.

Each process has its own memory; only the database and the cache are shared, as with several
gunicorn workers or machines. The test runs real gunicorn processes on loopback ports against
the test database, so it needs committed data (a transactional test).
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.factories import PASSWORD, make_anecdote, make_moderator, make_title
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def database_url():
    """The test database, as an address the child processes understand."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return None, settings["NAME"]
    user = settings["USER"] or "postgres"
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}", None


def start_server(port):
    url, sqlite_path = database_url()
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    environment.update(DJANGO_DEBUG="1", DJANGO_HTTPS="0", PYTHONUNBUFFERED="1")
    if url:
        environment["DATABASE_URL"] = url
    else:
        environment["SQLITE_PATH"] = str(sqlite_path)
    server = subprocess.Popen(
        [
            Path(sys.executable).parent / "gunicorn",
            "trivia.wsgi",
            "--workers",
            "1",
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


@pytest.fixture
def two_servers():
    ports = [free_port(), free_port()]
    servers = [start_server(port) for port in ports]
    yield [f"http://127.0.0.1:{port}" for port in ports]
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


class Browser:
    """A cookie-keeping HTTP client, enough to sign in to the admin and press a button."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path, data):
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(
            self.base + path, data=body.encode(), headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=10) as response:
            return response.read().decode()


def test_an_approval_through_one_process_shows_in_the_other_at_once(two_servers):
    first, second = two_servers
    title = make_title("Heat", year=1995)
    make_anecdote(title=title, state="published", text="Already public.")
    story = make_anecdote(title=title, text="The bank scene used real gunfire sounds.")
    moderator = make_moderator("racer")
    # The servers hash passwords as production does; the suite's fast hasher is not theirs.
    hasher = PBKDF2PasswordHasher()
    moderator.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    moderator.save(update_fields=["password"])
    reader = Browser(second)
    assert "real gunfire" not in reader.get("/titles/heat/")  # cached now in the second
    assert "real gunfire" not in reader.get("/titles/heat/")

    admin = Browser(first)
    admin.post("/admin/login/?next=/admin/", {"username": moderator.username, "password": PASSWORD})
    queue = "/admin/trivia/pendinganecdote/"
    result = admin.post(queue, {"action": "approve_selected", "_selected_action": [story.pk]})
    assert "1 story approved" in result

    assert "real gunfire" in reader.get("/titles/heat/")
