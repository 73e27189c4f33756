"""Emptying every cache between steps of a test: the shared ones and this process's own; and
counting the queries a page takes to render past them."""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trivia.caching.pages import near


def clear_caches():
    """Pages, fragments and kept results (``content`` and this process's ``near`` copy) and
    rate limits (``default``)."""
    for alias in caches.settings:
        caches[alias].clear()
    near.clear()


def rendering_queries(client, url):
    """How many queries ``url`` takes to render, and its response: measured once what is cached
    per process (content types, templates) is warm, with the page cache empty."""
    client.get(url)
    clear_caches()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response
