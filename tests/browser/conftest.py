"""Real-browser journeys (issue 7): a reader, a contributor and a moderator go through the site in
Debian's Chromium, driven by Playwright (pytest-playwright) against pytest-django's live server.

- The browser is the system's Chromium (``/usr/bin/chromium``, or ``BACKLOT_CHROMIUM``):
  Playwright never downloads one. Without it every journey is skipped, and the reason, shown in
  the run's summary, says how to install it.
- Every browser context is watched (``Guard``): a JavaScript dialog, a Content-Security-Policy
  violation, an uncaught JavaScript error or an answer of 500 or more fails the journey.
- Each journey runs at phone and at desktop width and leaves a screenshot of each step in
  ``build/screenshots/<journey>-<width>-<nn>-<step>.png``; a failed one, of each page it had open.
- While Playwright's sync API is started, it leaves an asyncio loop marked as running in the
  main thread, which Django takes for async code and refuses the ORM. So Playwright starts and
  stops with this package (pytest-playwright would keep it for the whole session, breaking every
  test after these) and the ORM is allowed meanwhile.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.hostile.figures import FIGURES

CHROMIUM = Path(os.environ.get("BACKLOT_CHROMIUM", "/usr/bin/chromium"))
NO_CHROMIUM = (
    f"no Chromium at {CHROMIUM}, so the browser journeys did not run. "
    "Install it with `apt-get install -y chromium` (or set BACKLOT_CHROMIUM to a Chromium binary)."
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
HERE = Path(__file__).resolve().parent
# A step that takes longer than this on a loaded 2-core machine is a bug worth failing on.
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int

    @property
    def size(self):
        return {"width": self.width, "height": self.height}


VIEWPORTS = {
    "phone": Viewport("phone", 390, 844),
    "desktop": Viewport("desktop", 1280, 800),
}


def chromium_available():
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    """Without Chromium, every test of this folder is skipped, with how to install it. In a
    parallel run (``--dist loadgroup``) they all go to one worker: one Chromium, one server."""
    journeys = [item for item in items if HERE in item.path.parents]
    for item in journeys:
        item.add_marker(pytest.mark.xdist_group("browser"))
    if chromium_available():
        return
    for item in journeys:
        item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


# --- Playwright, started for this package only -------------------------------------------------
# pytest-playwright's own fixtures of these names are session-scoped; these replace them.


@pytest.fixture(scope="package")
def playwright():
    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        yield driver
    finally:
        driver.stop()
        if allowed is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allowed


@pytest.fixture(scope="package")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's (--headed, --slowmo...), with the system's Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    if browser_name != "chromium":
        pytest.skip("the browser journeys run in Chromium only")
    return playwright.chromium


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(live_server):
    """Relative addresses (``page.goto("/")``) go to the live server."""
    return {"base_url": live_server.url}


# --- Every context watched, at the journey's width -----------------------------------------


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__backlotCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"}` +
    ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`
  );
});
"""


class Guard:
    """What must never happen in a journey, collected from every page of every context."""

    def __init__(self):
        self.problems = []
        self.contexts = []

    def watch(self, context):
        self.contexts.append(context)
        context.expose_binding("__backlotCspViolation", self._csp_violation)
        context.add_init_script(script=CSP_LISTENER)
        context.on("dialog", self._dialog)
        context.on("console", self._console)
        context.on("weberror", self._page_error)
        context.on("response", self._response)

    def _csp_violation(self, source, text):
        self.problems.append(f"Content-Security-Policy violation on {source['page'].url}: {text}")

    def _dialog(self, dialog):
        page = dialog.page.url if dialog.page else "?"
        self.problems.append(f"a JavaScript {dialog.type} dialog on {page}: {dialog.message!r}")
        dialog.dismiss()

    def _console(self, message):
        if re.search(r"Content.Security.Policy|Refused to", message.text):
            page = message.page.url if message.page else "?"
            self.problems.append(f"console on {page}: {message.text}")

    def _page_error(self, web_error):
        page = web_error.page.url if web_error.page else "?"
        self.problems.append(f"JavaScript error on {page}: {web_error.error.message}")

    def _response(self, response):
        if response.status >= 500:
            self.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def check(self):
        problems, self.problems = self.problems, []
        assert not problems, "The browser saw what must never happen:\n" + "\n".join(problems)


@pytest.fixture
def guard():
    return Guard()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A problem the guard saw after the journey's last check still fails it; a failed journey
    leaves a screenshot of each page it had open (build/screenshots/failed-...)."""
    guard = item.funcargs.get("guard")
    try:
        return (yield)
    except BaseException:
        if guard is not None:
            screenshot_open_pages(item, guard)
        raise
    finally:
        if guard is not None:
            guard.check()


def screenshot_open_pages(item, guard):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "-", item.name).strip("-")
    pages = [page for context in guard.contexts for page in context.pages]
    for number, page in enumerate(pages, 1):
        try:
            page.screenshot(path=SCREENSHOTS / f"failed-{name}-{number}.png", full_page=True)
        except Exception:  # a page that cannot be drawn must not hide why the journey failed
            continue


@pytest.fixture
def viewport(request):
    """Desktop, unless a journey is parametrized (indirectly) over ``VIEWPORTS``."""
    return VIEWPORTS[getattr(request, "param", "desktop")]


@pytest.fixture
def new_context(new_context, guard, viewport):
    """pytest-playwright's, with the guard on every context and the journey's viewport."""

    def make(**kwargs):
        context = new_context(**{"viewport": viewport.size, **kwargs})
        context.set_default_timeout(TIMEOUT_MS)
        guard.watch(context)
        return context

    return make


@pytest.fixture
def screenshot(request, viewport, guard):
    """``screenshot(page, "home")``: after checking the guard and that the page is no wider
    than the screen (a reader would have to scroll sideways), the whole page to
    build/screenshots/<journey>-<width>-<nn>-<step>.png."""
    journey = request.module.__name__.rpartition(".")[2]
    journey = journey.removeprefix("test_").removesuffix("_journey")
    for stale in SCREENSHOTS.glob(f"{journey}-{viewport.width}-*.png"):
        stale.unlink()  # from an earlier run, perhaps of steps since renamed
    taken = []

    def take(page, step):
        guard.check()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport.width, f"{step}: {width} px wide on a {viewport.width} px screen"
        taken.append(step)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{journey}-{viewport.width}-{len(taken):02d}-{step}.png"
        page.screenshot(path=SCREENSHOTS / name, full_page=True)

    return take


# --- Figures -----------------------------------------------------------------------------------

_outcomes = {}


def pytest_runtest_logreport(report):
    """Count the journeys (tests of the test_*_journey.py modules) for the figures block. In a
    parallel run the worker that ran the journey counts it, not the controller."""
    if not report.fspath.endswith("_journey.py") or hasattr(report, "node"):
        return
    outcome = _outcomes.setdefault(report.nodeid, "passed")
    if report.failed:
        _outcomes[report.nodeid] = "failed"
    elif report.skipped and outcome == "passed":
        _outcomes[report.nodeid] = "skipped"
    if report.when != "teardown":
        return
    outcome = _outcomes.pop(report.nodeid)
    FIGURES.browser_journeys += 1
    if outcome == "passed":
        FIGURES.browser_journeys_passed += 1
    elif outcome == "skipped" and not chromium_available():
        FIGURES.browser_journeys_no_chromium += 1
