import os
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests import factories


def pytest_configure(config):
    """The suite needs the load tooling app (tests/loadtools); in a parallel run each worker also
    gets a Redis database of its own, as pytest-django gives it a test database of its own."""
    from django.conf import settings

    if "tests.loadtools" not in settings.INSTALLED_APPS:
        raise pytest.UsageError(
            "The tests need tests/loadtools: run them in DEBUG or with BACKLOT_DEVTOOLS=1, as "
            "`make test` does."
        )
    worker = getattr(config, "workerinput", {}).get("workerid")  # "gw0", "gw1"... or None
    if worker and settings.REDIS_URL:
        own_redis_database(settings, int(worker.removeprefix("gw")))


def own_redis_database(settings, worker):
    """Between tests the cache is emptied (FLUSHDB empties the whole Redis database), and two
    workers' pages of the same content generation would answer each other: so worker N uses
    the database after the configured one by N + 1, and so do the servers its tests start."""
    url = urlsplit(settings.REDIS_URL)
    database = (int(url.path.strip("/") or 0) + worker + 1) % 16
    own = url._replace(path=f"/{database}").geturl()
    for cache in settings.CACHES.values():
        for config in cache_configs(cache):
            if config.get("LOCATION") == settings.REDIS_URL:
                config["LOCATION"] = own
    settings.REDIS_URL = os.environ["REDIS_URL"] = own


def cache_configs(config):
    """A cache's configuration and those of the caches it wraps (in its OPTIONS)."""
    yield config
    for value in config.get("OPTIONS", {}).values():
        if isinstance(value, dict) and "BACKEND" in value:
            yield from cache_configs(value)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def moderator(db):
    return factories.make_moderator("mod")


@pytest.fixture
def contributor(db):
    return factories.make_user("carol")


@pytest.fixture
def me(client, contributor):
    """The contributor, signed in with ``client``: pages of "My submissions" are theirs."""
    client.force_login(contributor)
    return contributor


@pytest.fixture
def author(db):
    """A contributor whose email address is confirmed: one who may submit."""
    return factories.verified_user("ines")


@pytest.fixture
def author_client(author):
    """The author's browser; the ``client`` fixture is someone else's."""
    browser = Client()
    browser.force_login(author)
    return browser


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks (trivia/tasks.py) run as they are queued, so a test sees their effect
    (the email sent, the image's copies) without a worker; tests/test_tasks.py queues them in
    the database and runs the real worker instead."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def no_new_account_limit(settings):
    """Most tests build many stories for one contributor; test_limits turns the limit back on."""
    settings.NEW_ACCOUNT_DAILY_STORIES = None


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the database rolls back between tests, the
    cache would not, and a page cached by one test must not answer the next one."""
    from tests.caching import clear_caches

    clear_caches()


def pytest_sessionfinish(session):
    """A pytest-xdist worker hands its figures to the controller (pytest_testnodedown)."""
    from tests.hostile.figures import FIGURES

    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = FIGURES.counts()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller adds up the figures of its workers, for the block below."""
    from tests.hostile.figures import FIGURES

    FIGURES.add(getattr(node, "workeroutput", {}).get("figures", {}))


def pytest_terminal_summary(terminalreporter):
    """Issue 7's figures, in one block at the end of every run that counted any: hostile inputs
    tried, answers of 500 or more, leaks, permission-matrix cells, browser journeys passed,
    decisions lost or doubled by racing moderators (tests/hostile/figures.py)."""
    from tests.hostile.figures import FIGURES

    if FIGURES.any():
        terminalreporter.section("issue 7 figures")
        for line in FIGURES.lines():
            terminalreporter.write_line(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The answers of 500 met by a test of a known bug (marked xfail) are counted apart."""
    from tests.hostile.figures import FIGURES

    before = FIGURES.server_errors
    try:
        return (yield)
    finally:
        if item.get_closest_marker("xfail"):
            FIGURES.known_bug_errors += FIGURES.server_errors - before
