"""Answers to a request that is the client's fault (4xx): the site's 400 page, NUL bytes refused
in the admin before they reach the database, and such errors logged in one line.

Django answers a body it cannot parse (a file name past its header limit, a broken multipart
body, too many fields) with its 400 handler before any view runs; ``handler400`` in
``trivia.urls`` makes that the site's page.
"""

import logging

from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

NUL = "\x00"


@requires_csrf_token
def bad_request(request, exception):
    """The site's 400 page. Django's own renders ``400.html`` without the request (no
    signed-in header, no links that depend on it)."""
    return render(request, "400.html", status=400)


def carries_nul(request):
    """Whether a NUL byte is anywhere the client wrote it: the path, a query parameter, a form
    field's name or value, an uploaded file's name. Percent-encoded ones are decoded by then."""
    fields = [*request.GET.lists(), *request.POST.lists()]
    texts = [request.path, *(name for name, _ in fields)]
    texts += [value for _, values in fields for value in values]
    texts += [upload.name or "" for _, uploads in request.FILES.lists() for upload in uploads]
    return any(NUL in text for text in texts)


class RefuseNulInAdminMiddleware:
    """A NUL byte in any admin request is answered 400 before the view runs.

    PostgreSQL cannot hold a NUL in text, not even to compare: the admin builds its list
    filters, searches and lookups from the request as sent (``state__exact=%00``), and the
    query fails, a 500. The site's own views clean what they read; the admin is Django's, so it
    is guarded as a whole, whatever its future lists and filters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.app_name == "admin" and carries_nul(request):
            raise BadRequest("A NUL byte in an admin request")


class OneLineForClientErrors(logging.Filter):
    """On ``django.request``: a 4xx (a moderator opening a page they may not, a forged form) is
    logged as its one line, without the traceback Django attaches; a 500 keeps it."""

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
