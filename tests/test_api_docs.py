"""The API's documentation page (/api/v1/docs) in Chromium, under the site's CSP, served as in
production (gunicorn, DJANGO_DEBUG=0, static files collected and served by WhiteNoise): Swagger
UI from the files django-ninja ships (no CDN, no inline script) draws every operation and runs
one; the browser reports no error, so no CSP violation either, and asks nothing of another
host."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_anecdote, make_title
from tests.ports import free_port
from tests.servers import ROOT, start_server, stop_server
from trivia.models import Anecdote

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = Path(os.environ.get("BACKLOT_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()
    if allowed is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allowed


@pytest.fixture
def production_server(tmp_path):
    make_anecdote(title=make_title("Heat"), state=Anecdote.State.PUBLISHED, text="Real blanks.")
    environment = {
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "test-only-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, **environment},
        check=True,
        timeout=120,
    )
    port = free_port()
    server = start_server(port, **environment)
    yield f"http://127.0.0.1:{port}"
    stop_server(server)


def test_the_documentation_page_works_under_the_csp_without_the_internet(
    production_server, chromium
):
    base = production_server
    page = chromium.new_page()
    problems = []
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    outside = []
    page.on(
        "request",
        lambda request: outside.append(request.url) if not request.url.startswith(base) else None,
    )
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() == 10
    page.locator("#operations-stories-list_stories .opblock-summary").click()
    page.get_by_text("Try it out").click()
    page.get_by_text("Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=10_000)
    assert status.inner_text().strip() == "200"
    assert "Real blanks." in page.locator(".live-responses-table").inner_text()
    assert not [problem for problem in problems if not problem.startswith(("log", "info"))]
    assert outside == []
