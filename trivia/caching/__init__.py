"""Caches in front of the database.

- ``pages``: whole public pages, story cards and kept results, each checked against the
  publication stamps (``trivia.publication``) before it is served;
- ``headers``: what each response tells the caches outside the site (``Cache-Control``):
  private for signed-in readers, never stored for accounts, the admin and unpublished stories;
- ``failopen``: the cache backend that keeps the site up when Redis is down or slow;
- ``release``: the code's digest that keys the content cache, so a deploy never serves the old
  code's pages.
"""
