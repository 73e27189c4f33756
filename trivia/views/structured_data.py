"""schema.org JSON-LD for the public pages, and the breadcrumbs a reader sees with it.

A view puts what it describes in its context: ``structured_data``, a list of JSON-LD
documents (each from ``json_ld``), rendered in the page's head by ``base.html``; and
``breadcrumbs`` (from ``breadcrumbs``), the trail shown above the page's heading, whose
``BreadcrumbList`` joins ``structured_data``. One way to build each document, so a parser
reads every page alike.
"""

import json
from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import mark_safe

SITE_NAME = "Backlot"

# Written into <script type="application/ld+json"> as \u escapes, as Django's json_script does:
# no story text can then close the script element or open a comment in it.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    """``data`` (a dict, "@context" added) as the text of a JSON-LD script element."""
    document = {"@context": "https://schema.org", **data}
    return mark_safe(json.dumps(document, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str  # a path; empty for the page itself, the trail's last crumb


@dataclass(frozen=True)
class Breadcrumbs:
    """The trail from home to the page, and its ``BreadcrumbList`` document."""

    trail: list
    json_ld: str

    def __iter__(self):
        return iter(self.trail)


def breadcrumbs(request, *trail):
    """``breadcrumbs(request, ("Titles", "/titles/"), ("Fight Club", ""))``: Home first,
    the page itself last (its url empty: it is not a link on its own page)."""
    crumbs = [Crumb("Home", reverse("home")), *(Crumb(name, url) for name, url in trail)]
    items = [
        {
            "@type": "ListItem",
            "position": position,
            "name": crumb.name,
            "item": request.build_absolute_uri(crumb.url or request.path),
        }
        for position, crumb in enumerate(crumbs, start=1)
    ]
    return Breadcrumbs(crumbs, json_ld({"@type": "BreadcrumbList", "itemListElement": items}))


def collection_page(request, *, name, description, items):
    """A list page (stories, titles, people, tags, results) as a ``CollectionPage`` whose
    ``ItemList`` names what this page of it shows: ``items`` are (name, path) pairs."""
    return json_ld(
        {
            "@type": "CollectionPage",
            "name": name,
            "description": description,
            "url": request.build_absolute_uri(),
            "isPartOf": {"@type": "WebSite", "name": SITE_NAME, "url": site_url(request)},
            "mainEntity": _item_list(request, items),
        }
    )


def item_list(request, *, name, items):
    """A list on a page that is about more than it (home's latest stories) as an
    ``ItemList``: ``items`` are (name, path) pairs."""
    return json_ld({"name": name, **_item_list(request, items)})


def _item_list(request, items):
    return {
        "@type": "ItemList",
        "numberOfItems": len(items),
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": item_name,
                "url": request.build_absolute_uri(path),
            }
            for position, (item_name, path) in enumerate(items, start=1)
        ],
    }


def website(request):
    """The site as a ``WebSite`` whose search a search engine may offer in its results."""
    # Written out, not built by build_absolute_uri, which would escape the braces.
    search = site_url(request).rstrip("/") + reverse("search") + "?q={search_term_string}"
    return json_ld(
        {
            "@type": "WebSite",
            "name": SITE_NAME,
            "url": site_url(request),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint", "urlTemplate": search},
                "query-input": "required name=search_term_string",
            },
        }
    )


def profile_page(request, *, name, items):
    """A contributor's public page: a ``ProfilePage`` about them, listing the stories this page
    of it shows (``items``: (name, path) pairs)."""
    return json_ld(
        {
            "@type": "ProfilePage",
            "url": request.build_absolute_uri(),
            "mainEntity": {
                "@type": "Person",
                "name": name,
                "url": request.build_absolute_uri(request.path),
            },
            "hasPart": [
                {"@type": "Article", "headline": headline, "url": request.build_absolute_uri(path)}
                for headline, path in items
            ],
        }
    )


def site_url(request):
    return request.build_absolute_uri(reverse("home"))
