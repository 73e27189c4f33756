"""Emptying every cache between steps of a test: the shared ones and this process's own."""

from django.core.cache import caches

from trivia.caching.pages import near


def clear_caches():
    """Pages, fragments and kept results (``content`` and this process's ``near`` copy) and
    rate limits (``default``)."""
    for alias in caches.settings:
        caches[alias].clear()
    near.clear()
