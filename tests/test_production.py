"""Production settings, as an operator meets them: check --deploy and the security headers."""

import base64
import hashlib
import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from tests.factories import make_anecdote, make_moderator
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 20 + "-production-secret-key-for-the-test-run",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_script_tight_content_security_policy(client):
    response = client.get("/")
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=")


def inline_style_hash(body):
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


@pytest.mark.django_db
def test_no_inline_style_is_allowed_but_the_500_pages_by_its_hash(client, settings):
    """Styles come from the site's files: an injected style attribute or element does nothing.
    The one inline style left, the self-contained 500 page's, is allowed by its hash, which
    changes with it. (Django's change list has one too, only for an admin that hides its
    actions both above and below the list: none does.)"""
    style_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert "'unsafe-inline'" not in style_src
    story = make_anecdote()
    published = make_anecdote(state="published")
    client.force_login(make_moderator())
    urls = [
        "/admin/trivia/moderationevent/",
        "/admin/trivia/pendinganecdote/",
        f"/admin/trivia/pendinganecdote/{story.pk}/change/",
        f"/admin/trivia/pendinganecdote/{story.pk}/reject/",
        "/admin/trivia/pendinganecdote/import/",
        "/",
        published.get_absolute_url(),
    ]
    pages = [client.get(url).content.decode() for url in urls] + [render_to_string("500.html")]
    styles = [body for page in pages for body in re.findall(r"<style>(.*?)</style>", page, re.S)]
    assert [inline_style_hash(body) for body in styles] == style_src[1:]
    named = zip([*urls, "500.html"], pages, strict=True)
    assert not [name for name, page in named if STYLE_ATTRIBUTE.search(page)]


def test_the_server_header_names_no_software(tmp_path):
    """gunicorn as `make serve` starts it (its config file) answers with no "gunicorn" in the
    Server header: the software and its version are a scanner's first question."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_DEBUG="1", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "trivia.wsgi", "--config", "gunicorn.conf.py"]
        + ["--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning"],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/no-such-page/")
                server_header = connection.getresponse().getheader("Server", "")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "gunicorn" not in server_header.lower()


@pytest.mark.django_db
def test_postgresql_stops_a_runaway_query():
    from django.db import OperationalError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "15s"
        cursor.execute("SET LOCAL statement_timeout = 50")
        with pytest.raises(OperationalError, match="statement timeout"), transaction.atomic():
            cursor.execute("SELECT pg_sleep(1)")
