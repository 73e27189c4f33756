"""A cache backend: this process's memory in front of the shared cache (Redis).

Only for values whose keys never change meaning: the ``content`` cache, where every key of the
page cache, the story cards and the kept results holds the content generation
(``trivia/caching/pages.py``). A copy in one worker's memory can then never be stale, since any
change to the content gives new keys, so a worker reads what it has served before without a
round trip to Redis: ~0.25 ms of CPU in redis-py, a fifth of what a cached page costs.

Writes go to both tiers; a read tries this process first and copies a shared hit into it.
Copies live at most ``NEAR_TIMEOUT`` seconds, so that what a generation does not cover (interest
counts) lags no longer than the shared entry's own timeout plus that.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.module_loading import import_string


class TieredCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        options = dict(params.get("OPTIONS", {}))
        self.near_timeout = options.get("NEAR_TIMEOUT", 60)
        self.near = LocMemCache(
            f"near-{location}",
            {"OPTIONS": {"MAX_ENTRIES": options.get("NEAR_MAX_ENTRIES", 3000)}},
        )
        shared = dict(options["SHARED"])
        self.shared = import_string(shared.pop("BACKEND"))(shared.pop("LOCATION"), shared)

    def _near_timeout(self, timeout):
        if timeout is DEFAULT_TIMEOUT or timeout is None:
            return self.near_timeout
        return min(timeout, self.near_timeout)

    def get(self, key, default=None, version=None):
        missing = object()
        value = self.near.get(key, missing, version=version)
        if value is missing:
            value = self.shared.get(key, missing, version=version)
            if value is missing:
                return default
            self.near.set(key, value, self.near_timeout, version=version)
        return value

    def get_many(self, keys, version=None):
        found = self.near.get_many(keys, version=version)
        rest = [key for key in keys if key not in found]
        if rest:
            shared = self.shared.get_many(rest, version=version)
            self.near.set_many(shared, self.near_timeout, version=version)
            found.update(shared)
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.shared.set(key, value, timeout, version=version)
        self.near.set(key, value, self._near_timeout(timeout), version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = self.shared.set_many(data, timeout, version=version)
        self.near.set_many(data, self._near_timeout(timeout), version=version)
        return failed

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        added = self.shared.add(key, value, timeout, version=version)
        if added:
            self.near.set(key, value, self._near_timeout(timeout), version=version)
        return added

    def delete(self, key, version=None):
        self.near.delete(key, version=version)
        return self.shared.delete(key, version=version)

    def clear(self):
        self.near.clear()
        self.shared.clear()
