"""With Redis stopped mid-run, every public page is still served, and the cache comes back.

Each test starts its own ``redis-server`` on a spare port and stops it; the machine's shared
Redis is never touched. Skipped where no ``redis-server`` is installed.
"""

import logging
import shutil
import time

import pytest
from django.core.cache import caches

from tests.factories import make_anecdote, make_title
from tests.loadtools.soak.redis_server import RedisServer
from tests.ports import free_port
from trivia.caching.pages import near

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="apt-get install redis-server"),
]

PAGES = ["/", "/titles/", "/titles/heat/", "/tags/heists/", "/search/?q=bank", "/sitemap.xml"]


@pytest.fixture
def redis_server(tmp_path):
    """The soak's private redis-server (tests/loadtools/soak/redis_server.py), on a spare port."""
    server = RedisServer(free_port(), tmp_path / "redis.log")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_caches(settings, redis_server):
    url = f"redis://127.0.0.1:{redis_server.port}/0"

    def fail_open(alias):
        return {
            "BACKEND": "trivia.caching.failopen.FailOpenCache",
            "LOCATION": alias,
            "OPTIONS": {
                "CACHE": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": url,
                    "KEY_PREFIX": f"outage-{alias}",
                    "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
                },
                "RETRY_AFTER": 0.3,
            },
        }

    settings.CACHES = {"default": fail_open("default"), "content": fail_open("content")}
    yield redis_server
    for alias in ("default", "content"):
        caches[alias].close()


@pytest.fixture
def stories(db):
    title = make_title("Heat", year=1995)
    make_anecdote(title=title, state="published", tags=["heists"], text="The bank scene was real.")


def page_cache_state(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get("X-Page-Cache")


def forget_this_process():
    """Drop what this process keeps in its own memory, so the next read must ask Redis."""
    near.clear()


def test_pages_are_served_while_redis_is_down_and_the_cache_comes_back(
    client, settings, redis_caches, stories, caplog
):
    for url in PAGES:
        page_cache_state(client, url)
    forget_this_process()
    assert page_cache_state(client, "/titles/heat/") == "hit"  # read from Redis

    redis_caches.kill()
    forget_this_process()
    with caplog.at_level(logging.WARNING, logger="trivia.caching.failopen"):
        for _ in range(3):
            for url in PAGES:
                page_cache_state(client, url)
    warnings = [r for r in caplog.records if r.name == "trivia.caching.failopen"]
    assert 1 <= len(warnings) <= 2  # once per cache alias per interval, not per request

    redis_caches.start()
    time.sleep(0.4)  # past RETRY_AFTER
    forget_this_process()
    page_cache_state(client, "/titles/heat/")  # stored in Redis again
    forget_this_process()
    assert page_cache_state(client, "/titles/heat/") == "hit"


def test_sign_in_pages_and_rate_limited_forms_work_while_redis_is_down(
    client, redis_caches, stories
):
    redis_caches.kill()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"login": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_healthz_reports_the_cache_down_but_stays_alive(client, redis_caches, stories):
    redis_caches.kill()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"]["status"] == "down"


def test_pages_and_sign_in_are_served_when_the_disk_cache_directory_is_removed(
    client, settings, tmp_path, stories
):
    """Production without Redis keeps its caches on disk (CACHE_DIR): a directory cleaned away
    by an operator or a full disk is an outage like Redis stopping, never a 500."""

    def on_disk(alias):
        return {
            "BACKEND": "trivia.caching.failopen.FailOpenCache",
            "LOCATION": alias,
            "OPTIONS": {
                "CACHE": {
                    "BACKEND": "diskcache.DjangoCache",
                    "LOCATION": str(tmp_path / "cache" / alias),
                    "DATABASE_TIMEOUT": 0.05,
                }
            },
        }

    settings.CACHES = {"default": on_disk("default"), "content": on_disk("content")}
    for url in PAGES:
        page_cache_state(client, url)

    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "cache").write_text("a file where the directory was")
    forget_this_process()

    for url in PAGES:
        page_cache_state(client, url)
    response = client.post("/accounts/login/", {"login": "nobody", "password": "wrong"})
    assert response.status_code == 200
    for alias in ("default", "content"):
        caches[alias].close()
