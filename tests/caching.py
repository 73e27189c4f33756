"""Emptying every cache between steps of a test: the shared one and each process's copy."""

from django.core.cache import caches


def clear_caches():
    """Pages, fragments and kept results (the ``content`` cache) and rate limits (``default``)."""
    for alias in caches.settings:
        caches[alias].clear()
