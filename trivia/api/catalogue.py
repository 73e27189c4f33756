"""``/api/v1/titles/``, ``/tags/``, ``/people/``: what stories hang on, each listed only while it
has a published story, with its published-story count, as the site's pages list them
(``trivia.queries``).

Lists show ``lists`` (every publication, and every rename, stamps it); a title, tag or person
shows its own scope, stamped when it or one of its stories changes.
"""

from typing import Annotated

from django.db.models import Q
from django.db.models.functions import Lower, Substr
from django.urls import reverse
from ninja import Path, Query, Router
from ninja.errors import HttpError

from .. import queries
from ..caching.pages import LISTS, shows
from ..models import Anecdote
from ..views.lists import DIGIT_INITIALS
from .pagination import PAGE, PAGE_SIZE, absolute, paginate
from .schemas import (
    ERRORS,
    PersonDetail,
    PersonPage,
    TagDetail,
    TagPage,
    TitleDetail,
    TitleKindValue,
    TitlePage,
)
from .stories import SLUG

router = Router(tags=["catalogue"])

LETTER = r"^(#|[^\W\d_])$"


def _stories_url(request, **filters):
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return absolute(request, f"{reverse('api:story_list')}?{query}")


def _not_found(kind, slug):
    return HttpError(404, f"No {kind} with published stories has the slug {slug!r}.")


# --- Titles ----------------------------------------------------------------------------------


def title_out(request, title):
    return {
        "slug": title.slug,
        "name": title.name,
        "url": absolute(request, title.get_absolute_url()),
        "api_url": absolute(request, reverse("api:title_detail", kwargs={"slug": title.slug})),
        "kind": title.kind,
        "year": title.year,
        "end_year": title.end_year,
        "original_title": title.original_title,
        "story_count": title.story_count,
        "poster": absolute(request, title.poster.url) if title.poster else None,
    }


@router.get(
    "/titles/",
    response={200: TitlePage, **ERRORS},
    url_name="title_list",
    summary="Titles with published stories",
)
def list_titles(
    request,
    kind: Annotated[TitleKindValue, Query(description="film or series.")] = None,
    letter: str = Query(
        None, pattern=LETTER, description='Names starting with this letter; "#": a digit.'
    ),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    """Titles A–Z by their normal form ("The Matrix" under M), as ``/titles/`` lists them."""
    shows(request, LISTS)
    titles = queries.titles_with_stories().order_by("normalized_name", "pk")
    if kind is not None:
        titles = titles.filter(kind=kind)
    if letter == "#":
        titles = titles.alias(initial=Substr("normalized_name", 1, 1)).filter(
            Q(initial__in=DIGIT_INITIALS) | Q(normalized_name="")
        )
    elif letter:
        titles = titles.filter(normalized_name__startswith=letter.casefold())
    rows, links = paginate(request, titles, page=page, page_size=page_size)
    return {**links, "results": [title_out(request, title) for title in rows]}


@router.get(
    "/titles/{slug}/",
    response={200: TitleDetail, **ERRORS},
    url_name="title_detail",
    summary="One title",
)
def title_detail(request, slug: str = Path(..., pattern=SLUG)):
    """A title with its aliases and its published stories counted by accuracy."""
    title = queries.titles_with_stories().filter(slug=slug).first()
    if title is None:
        raise _not_found("title", slug)
    shows(request, f"title:{title.pk}")
    names = {title.name, title.original_title}
    return {
        **title_out(request, title),
        "synopsis": title.synopsis,
        "aliases": [alias.name for alias in title.aliases.all() if alias.name not in names],
        "accuracy_counts": queries.accuracy_counts(
            Anecdote.objects.published().filter(title=title)
        ),
        "stories_url": _stories_url(request, title=title.slug),
    }


# --- Tags ------------------------------------------------------------------------------------


def tag_out(request, tag):
    return {
        "slug": tag.slug,
        "name": tag.name,
        "url": absolute(request, reverse("tag_detail", kwargs={"slug": tag.slug})),
        "api_url": absolute(request, reverse("api:tag_detail", kwargs={"slug": tag.slug})),
        "story_count": tag.story_count,
    }


@router.get(
    "/tags/",
    response={200: TagPage, **ERRORS},
    url_name="tag_list",
    summary="Tags of published stories",
)
def list_tags(request, page: int = PAGE, page_size: int = PAGE_SIZE):
    """Tags A–Z with their published-story counts."""
    shows(request, LISTS)
    tags = queries.tags_with_stories().order_by(Lower("name"), "pk")
    rows, links = paginate(request, tags, page=page, page_size=page_size)
    return {**links, "results": [tag_out(request, tag) for tag in rows]}


@router.get(
    "/tags/{slug}/",
    response={200: TagDetail, **ERRORS},
    url_name="tag_detail",
    summary="One tag",
)
def tag_detail(request, slug: str = Path(..., pattern=SLUG)):
    tag = queries.tags_with_stories().filter(slug=slug).first()
    if tag is None:
        raise _not_found("tag", slug)
    shows(request, f"tag:{tag.pk}")
    return {**tag_out(request, tag), "stories_url": _stories_url(request, tag=tag.slug)}


# --- People ----------------------------------------------------------------------------------


def person_out(request, person):
    return {
        "slug": person.slug,
        "name": person.name,
        "url": absolute(request, person.get_absolute_url()),
        "api_url": absolute(request, reverse("api:person_detail", kwargs={"slug": person.slug})),
        "known_for": person.known_for,
        "story_count": person.story_count,
    }


@router.get(
    "/people/",
    response={200: PersonPage, **ERRORS},
    url_name="person_list",
    summary="People stories are about",
)
def list_people(request, page: int = PAGE, page_size: int = PAGE_SIZE):
    """The people of published stories, A–Z by their normal form, with their counts."""
    shows(request, LISTS)
    people = queries.people_with_stories().order_by("normalized_name", "pk")
    rows, links = paginate(request, people, page=page, page_size=page_size)
    return {**links, "results": [person_out(request, person) for person in rows]}


@router.get(
    "/people/{slug}/",
    response={200: PersonDetail, **ERRORS},
    url_name="person_detail",
    summary="One person",
)
def person_detail(request, slug: str = Path(..., pattern=SLUG)):
    """A person with the other names they go by ("Kino Rives" for Keanu Reeves)."""
    person = queries.people_with_stories().filter(slug=slug).prefetch_related("aliases").first()
    if person is None:
        raise _not_found("person", slug)
    shows(request, f"person:{person.pk}")
    return {
        **person_out(request, person),
        "aliases": sorted(alias.name for alias in person.aliases.all()),
        "stories_url": _stories_url(request, person=person.slug),
    }
