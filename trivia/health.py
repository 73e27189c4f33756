"""/healthz, for load balancers and uptime checks: is this process alive, and what does it lean on.

The status code is liveness only: 200 when the database answers, 503 when it does not, since
without it no page can be served. The cache and the task queue are reported in the JSON body
without changing the status: pages are served without the cache (it fails open), and tasks
wait for their worker. ::

    {"status": "ok",
     "database": {"status": "ok"},
     "cache": {"status": "down", "backend": "redis"},
     "tasks": {"status": "ok", "queued": 3, "failed": 0}}

A cache kept in this process's memory (development) is "not configured": there is nothing to
probe. The shared cache (Redis, or the disk cache of a machine) is probed with one read through
its fail-open wrapper, whose short timeouts bound a stalled server to a quarter of a second.

Not django-health-check: its value is many ready-made probes and a status page; Backlot needs
three probes whose meaning is its own (a cache that is down is not a failure here), and one
small view costs less than an app, its settings and its URLs.
"""

import logging

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    database = check_database()
    body = {
        "status": database["status"],
        "database": database,
        "cache": check_cache(),
        "tasks": check_tasks() if database["status"] == "ok" else {"status": "unknown"},
    }
    return JsonResponse(body, status=200 if database["status"] == "ok" else 503)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # A warning, not an error: probes come every few seconds, and errors are mailed.
        logger.warning("Health check: the database did not answer (%s).", error)
        return {"status": "down"}
    return {"status": "ok"}


def check_cache(alias="default"):
    cache = caches[alias]
    ping = getattr(cache, "ping", None)  # the fail-open wrapper of a shared cache
    if ping is None:
        return {"status": "not configured", "backend": "this process's memory"}
    name = cache.inner_class.__name__
    backend = {"RedisCache": "redis", "DjangoCache": "disk"}.get(name, name)
    return {"status": "ok" if ping() else "down", "backend": backend}


def check_tasks():
    """Tasks waiting for the worker (retries included) and tasks that failed for good."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not isinstance(backend, DatabaseBackend):
        return {"status": "not queued", "backend": type(backend).__name__}
    try:
        counts = dict(
            DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.FAILED]
            )
            .order_by()
            .values_list("status")
            .annotate(count=Count("pk"))
        )
    except DatabaseError as error:
        logger.warning("Health check: the task queue could not be read (%s).", error)
        return {"status": "down"}
    return {
        "status": "ok",
        "queued": counts.get(TaskResultStatus.READY, 0),
        "failed": counts.get(TaskResultStatus.FAILED, 0),
    }
