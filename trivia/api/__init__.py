"""The public read API, ``/api/v1/`` (DESIGN §4), on django-ninja: published content only,
described by OpenAPI at ``/api/v1/openapi.json`` and browsable at ``/api/v1/docs``.

- ``stories``: stories, filtered and sorted as the site's lists are, and one by its id;
- ``catalogue``: titles, tags and people with published stories;
- ``search``: what the site's search finds;
- ``schemas``: the answers' shapes, from which the OpenAPI description is generated;
- ``pagination``: ``page``, ``page_size``, ``count``, ``next`` and ``previous``;
- ``caching``: the page cache's exact invalidation, ETags, CORS and JSON errors at the edge;
- ``limits``: the rate limit per client address.

docs/api.md is the guide for the API's users.
"""

from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from ..caching.pages import cache_public_page
from . import catalogue, search, stories
from .schemas import ERRORS


class ReadAPI(NinjaAPI):
    """A NinjaAPI whose every view goes through the site's page cache (``trivia.api.caching``)."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        return [_cached(pattern) for pattern in patterns], app_name, namespace

    def get_openapi_operation_id(self, operation):
        """The view's own name ("list_stories"), not ninja's module path."""
        return operation.view_func.__name__


def _cached(pattern):
    if not isinstance(pattern, URLPattern):
        return pattern
    # Reads only: the description and its page too (ninja would render them for a POST).
    view = cache_public_page(require_safe(pattern.callback))
    return path(str(pattern.pattern), view, pattern.default_args, name=pattern.name)


api = ReadAPI(
    title="Backlot read API",
    version="1",
    description=(
        "Behind-the-scenes stories about films and series, as published on Backlot: titles, "
        "stories, tags, people and search. Published content only; no account needed. "
        "Answers carry an ETag (send If-None-Match for a 304) and are fresh at the very next "
        "request after a change. A client may send a limited number of requests a minute: "
        "over it, a 429 with Retry-After. See docs/api.md."
    ),
    urls_namespace="api",
    # The online validator's badge would be fetched from the internet, which the CSP refuses.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("", stories.router)
api.add_router("", catalogue.router)
api.add_router("", search.router)


@api.exception_handler(ValidationError)
def bad_parameters(request, exc):
    """A parameter the schema refuses: 400, naming each parameter and what is wrong with it."""
    errors = [
        {
            "parameter": ".".join(str(part) for part in error.get("loc", ())[1:]) or "request",
            "message": error.get("msg", "Invalid value."),
        }
        for error in exc.errors
    ]
    detail = "; ".join(f"{error['parameter']}: {error['message']}" for error in errors)
    return api.create_response(
        request, {"detail": f"Bad parameters. {detail}", "errors": errors}, status=400
    )


@api.get(
    "/",
    response={200: dict[str, str], **ERRORS},
    url_name="index",
    summary="Where everything is",
    tags=["index"],
)
def index(request):
    """The address of each list, of the OpenAPI description and of its documentation page."""
    links = {
        name: reverse(f"api:{url_name}")
        for name, url_name in [
            ("titles", "title_list"),
            ("stories", "story_list"),
            ("tags", "tag_list"),
            ("people", "person_list"),
            ("search", "search"),
            ("openapi", "openapi-json"),
            ("docs", "openapi-view"),
        ]
    }
    links["search"] += "?q="
    return {name: request.build_absolute_uri(path) for name, path in links.items()}
