"""What a response tells the caches between the site and the reader (``Cache-Control``).

- A response to a signed-in reader is ``private``: it names them, and a shared proxy that
  ignores ``Vary: Cookie`` must not hand it to someone else.
- Account pages (everything under /accounts/, "My submissions" among them) and the admin are
  ``private, no-store`` for everyone: not even the browser of a shared computer keeps them.
- A story's permalink while it is not published is ``private, no-store`` too; its view says
  so (``never_stored``), since only it knows the story's state.
- Anonymous readers' public pages keep what ``trivia.caching.pages`` gives them: no
  ``Cache-Control`` and ``Vary: Cookie``. The page cache stores only pages without one.

A response that already says ``public`` (a published story's image, a poster: the same for
everyone), ``private``, ``no-cache`` or ``no-store`` keeps what its view decided, except under
the private prefixes, which are always ``private, no-store``.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control

# Where every page is about one person's account or is the moderators' (see trivia/urls.py).
PRIVATE_PREFIXES = ("/accounts/", "/admin/")
DECIDED = ("public", "private", "no-cache", "no-store")


def never_stored(response):
    """Mark ``response`` as one no cache may keep: ``private, no-store``."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def _decided(response):
    directives = {
        part.split("=", 1)[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
    }
    return any(directive in directives for directive in DECIDED)


def _signed_in(request):
    """Whether a reader is signed in, without reading the session of a request that has no
    session cookie (reading it would add ``Vary: Cookie`` to pages that do not vary)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


class PrivatePageMiddleware:
    """Sets the rules above on every response. Placed after ``AuthenticationMiddleware``, so
    that it knows who asked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES):
            never_stored(response)
        elif not _decided(response) and _signed_in(request):
            patch_cache_control(response, private=True)
        return response
