"""A cache backend that keeps the site up when the cache server (Redis) is down or slow, or
the disk cache's files cannot be opened (its directory removed, the disk full).

Wraps the real backend (``OPTIONS["CACHE"]``). When a call fails for want of the server
(refused, reset, timed out), it answers as a cache that holds nothing would: a miss, a write
dropped (an ``add`` succeeds, as on an empty cache), a count of one. Pages are then computed
instead of read: slower, never a 500. After a failure the server is left alone for
``RETRY_AFTER`` seconds, so that a dead server costs one failed connection per worker per
interval rather than one per request; the failure is logged at most once per ``LOG_EVERY``
seconds. The first call after the pause tries the server again: when it answers, the site is
back on the cache by itself.

Only the server's absence is hidden; a wrong use of the cache (an ``incr`` of a missing key)
raises as the real backend does.
"""

import logging
import sqlite3
import time

from diskcache import Timeout as DiskTimeout
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Redis absent or stalled; the disk cache's SQLite files unreadable or locked for too long.
FAILURES = (RedisError, OSError, sqlite3.Error, DiskTimeout)


class FailOpenCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        options = dict(params.get("OPTIONS", {}))
        self.inner_params = dict(options.pop("CACHE"))
        self.inner_class = import_string(self.inner_params.pop("BACKEND"))
        self._inner = None
        self.retry_after = options.get("RETRY_AFTER", 5)
        self.log_every = options.get("LOG_EVERY", 60)
        self.name = location or "cache"
        self._down_until = 0.0
        self._logged_at = float("-inf")

    @property
    def inner(self):
        """The real backend, made on first use: a disk cache whose directory cannot be made
        fails there, and that is an outage like any other."""
        if self._inner is None:
            params = dict(self.inner_params)
            self._inner = self.inner_class(params.pop("LOCATION", ""), params)
        return self._inner

    @property
    def is_down(self):
        """Whether the server failed within the last ``RETRY_AFTER`` seconds."""
        return time.monotonic() < self._down_until

    def _call(self, method, fallback, *args, **kwargs):
        if self.is_down:
            return fallback
        try:
            return getattr(self.inner, method)(*args, **kwargs)
        except FAILURES as error:
            now = time.monotonic()
            self._down_until = now + self.retry_after
            if now - self._logged_at >= self.log_every:
                self._logged_at = now
                logger.warning(
                    "Cache %r unavailable (%s: %s); serving without it, retrying every %s s.",
                    self.name,
                    type(error).__name__,
                    error,
                    self.retry_after,
                )
            return fallback

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, key, value, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", delta, key, delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", -delta, key, delta, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version=version)

    def clear(self):
        self._call("clear", None)

    def close(self, **kwargs):
        self._call("close", None, **kwargs)

    def ping(self):
        """Whether the server answers now (for /healthz), bypassing the pause."""
        self._down_until = 0.0
        marker = object()
        return self._call("get", marker, "healthz:ping") is not marker
