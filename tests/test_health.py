"""/healthz: alive while the database answers, and what it says of the cache and the task queue."""

import time
from unittest import mock

import pytest
from django.db import OperationalError

from tests.ports import free_port
from tests.test_tasks import StalledServer
from trivia import tasks

pytestmark = pytest.mark.django_db


def fail_open(inner):
    return {
        "BACKEND": "trivia.caching.failopen.FailOpenCache",
        "LOCATION": "default",
        "OPTIONS": {"CACHE": inner},
    }


def redis_at(port):
    return fail_open(
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    )


def test_healthz_reports_every_dependency_as_json(client, settings):
    # The cache in this process's memory, as in development, whatever the run's REDIS_URL.
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "content")
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "database": {"status": "ok"},
        # The tests keep their cache in memory and run tasks at once: nothing to probe.
        "cache": {"status": "not configured", "backend": "this process's memory"},
        "tasks": {"status": "not queued", "backend": "ImmediateBackend"},
    }


def test_healthz_counts_the_queued_and_the_failed_tasks(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    for event_id in (1, 2, 3):
        tasks.send_decision_email.enqueue(event_id=event_id)
    DBTaskResult.objects.filter(args_kwargs__kwargs__event_id=3).update(status="FAILED")
    assert client.get("/healthz").json()["tasks"] == {"status": "ok", "queued": 2, "failed": 1}


def test_healthz_answers_503_when_the_database_does_not(client):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch("trivia.health.connection", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == {"status": "down"}


def test_healthz_says_the_task_queue_is_down_when_it_cannot_be_read(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with mock.patch(
        "trivia.health.DBTaskResult.objects.filter", side_effect=OperationalError("gone")
    ):
        response = client.get("/healthz")
    assert response.status_code == 200  # tasks wait for the worker; pages are still served
    assert response.json()["tasks"] == {"status": "down"}


def test_healthz_stays_alive_and_says_so_when_the_shared_cache_is_down(client, settings):
    settings.CACHES = {**settings.CACHES, "default": redis_at(free_port())}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"] == {"status": "down", "backend": "redis"}


def test_a_stalled_cache_server_holds_healthz_only_for_its_short_timeout(client, settings):
    with StalledServer() as stalled:
        settings.CACHES = {**settings.CACHES, "default": redis_at(stalled.port)}
        started = time.monotonic()
        response = client.get("/healthz")
        took = time.monotonic() - started
    assert response.json()["cache"]["status"] == "down"
    assert took < 2  # two socket timeouts of 0.25 s at most, not a worker held


def test_a_shared_cache_that_answers_is_ok(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": fail_open({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}),
    }
    assert client.get("/healthz").json()["cache"] == {"status": "ok", "backend": "LocMemCache"}
