"""What the API answers at its edge, for every address under ``/api/``: caching, ETags, CORS,
the rate limit and JSON errors.

**Caching.** Every view of the API is wrapped in ``trivia.caching.pages.cache_public_page``,
as the site's pages are (``ReadAPI.urls``): an answer is stored for signed-out clients with
the publication clock read before anything it shows and the scopes it shows (``shows``: each
story on it, the title, tag or person it is about, ``lists``, ``ranking`` for the site-wide
list by interest), and served while none of them was stamped since; ``trivia.publication``
stamps them in the transaction of every change. So a story unpublished, edited or voted on, a
title renamed, is in (or out of) the API at the very next request, on every worker.

**ETags.** Each 200 answer carries a strong ETag, the digest of its body, computed on the way
out whether the body was stored or just made: it changes exactly when the body does, and
``If-None-Match`` with it is answered 304 without the body. ``Cache-Control: no-cache`` lets
any cache keep a copy but makes it ask again each time: a client revalidating gets a 304 while
nothing changed, and the change itself at the next request.

**CORS.** The API is public and reads only: ``Access-Control-Allow-Origin: *`` on every
answer, preflight ``OPTIONS`` answered here, credentials never allowed. A middleware of a few
lines rather than django-cors-headers: one rule for one prefix, and it must wrap the page
cache's hits and the 429s, which answer before any view runs.
"""

from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag

from . import limits

PREFIX = "/api/"
DOCS_PAGE = "/api/v1/docs"
READ_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": ", ".join(READ_METHODS),
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Language, If-None-Match",
    "Access-Control-Max-Age": "86400",
    "Allow": ", ".join(READ_METHODS),
}


def error(status, detail, **headers):
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _json_error(response):
    """A 4xx or 5xx the API's views did not write (an address no route matches, a method no
    view offers, a server error) in the API's own shape."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response
    replaced = error(response.status_code, response.reason_phrase)
    if response.has_header("Allow"):
        replaced["Allow"] = response["Allow"]
    return replaced


def _finish(request, response):
    """ETag, 304, Cache-Control and CORS on an answer of the API."""
    if response.status_code == 200 and not response.streaming and request.method in ("GET", "HEAD"):
        set_response_etag(response)
        response = get_conditional_response(request, etag=response["ETag"], response=response)
    # Every answer, an error too (a 404 may be kept by a cache unless told): ask again.
    if response.status_code in (200, 304) and not response.has_header("Cache-Control"):
        patch_cache_control(response, public=True, no_cache=True)
    else:
        patch_cache_control(response, no_cache=True)
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


class ApiEdgeMiddleware:
    """The edge of ``/api/`` (see the module docstring). Placed before the page cache's
    middleware, so that its hits are counted, tagged and made conditional too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            for name, value in PREFLIGHT_HEADERS.items():
                response[name] = value
            return _finish(request, response)
        if limits.is_limited(request):
            seconds = limits.retry_after()
            count, period = limits.rule()
            response = error(
                429,
                f"Too many requests: at most {count} every {period} seconds from one client. "
                f"Try again in {seconds} seconds.",
                **{"Retry-After": str(seconds)},
            )
            return _finish(request, response)
        head = request.method == "HEAD"
        if head:  # answered as a GET (the views offer GET), without its body
            request.method = "GET"
        response = self.get_response(request)
        if request.path != DOCS_PAGE:
            response = _json_error(response)
        response = _finish(request, response)
        if head:
            request.method = "HEAD"
            if not response.streaming:
                response.content = b""
        return response
