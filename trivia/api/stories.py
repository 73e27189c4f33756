"""``/api/v1/stories/``: published stories, filtered by title, tag, person and accuracy, newest
or most interesting first, and one story by its id.

Every list starts from ``Anecdote.objects.published()``; a story that is not published is a
404, whoever asks. Each answer says what it shows (``shows``: the stories on it, the title, tag
or person it is filtered by, ``lists``), so the page cache drops it exactly when one of them
changes (``trivia.caching.pages``).
"""

from typing import Annotated, Literal

from django.urls import reverse
from ninja import Path, Query, Router
from ninja.errors import HttpError

from .. import queries
from ..caching.pages import LISTS, RANKING, shows, story_scope
from ..feeds import story_summary
from ..models import Anecdote, card_lists
from .pagination import PAGE, PAGE_SIZE, absolute, page_path, paginate
from .schemas import ERRORS, AccuracyValue, StoryOut, StoryPage

router = Router(tags=["stories"])

# Slugs as the site's addresses spell them: letters (of any alphabet, for tags), digits, "-"
# and "_". Anything else (a NUL byte, a quote) is refused before any query is made.
SLUG = r"^[-\w]+$"


def story_rows(stories):
    """What a story's answer reads, in a fixed number of queries: its title, and its tags,
    citations with their sources and people (``card_lists``), one query each."""
    return stories.select_related("title").prefetch_related(*card_lists())


def story_out(request, story):
    title = story.title
    return {
        "id": story.pk,
        "url": absolute(request, story.get_absolute_url()),
        "api_url": absolute(request, reverse("api:story_detail", kwargs={"pk": story.pk})),
        "title": {
            "slug": title.slug,
            "name": title.name,
            "url": absolute(request, page_path("title_detail", title.slug)),
        },
        "text": story.text,
        "summary": story_summary(story),
        "is_spoiler": story.is_spoiler,
        "accuracy": story.accuracy,
        "accuracy_label": story.get_accuracy_display(),
        "accuracy_note": story.accuracy_note,
        "tags": [
            {
                "slug": tag.slug,
                "name": tag.name,
                "url": absolute(request, page_path("tag_detail", tag.slug)),
            }
            for tag in sorted(story.tag_list, key=lambda tag: tag.name.casefold())
        ],
        "people": [
            {
                "slug": person.slug,
                "name": person.name,
                "url": absolute(request, page_path("person_detail", person.slug)),
            }
            for person in sorted(story.people_list, key=lambda person: person.normalized_name)
        ],
        "sources": [
            {
                "kind": citation.source.kind,
                "title": citation.source.title,
                "url": citation.source.url,
                "site": citation.source.publisher,
                "author": citation.source.author,
                "date": citation.source.date.isoformat() if citation.source.date else None,
                "locator": citation.locator,
                "quote": citation.quote,
            }
            for citation in story.citation_list
        ],
        "image": absolute(request, story.image.url) if story.image else None,
        "published_at": story.published_at,
        "interest_count": story.interest_count,
    }


def stories_out(request, stories):
    """A page of stories as the API gives them; the answer shows each of them."""
    stories = list(stories)
    shows(request, *(story_scope(story.pk) for story in stories))
    return [story_out(request, story) for story in stories]


def _subject(request, queryset, slug, kind, scope):
    """The title, tag or person a list is narrowed to, which must have published stories: a
    404 naming it otherwise. The answer shows it."""
    subject = queryset.filter(slug=slug).first()
    if subject is None:
        raise HttpError(404, f"No {kind} with published stories has the slug {slug!r}.")
    shows(request, f"{scope}:{subject.pk}")
    return subject


@router.get(
    "/stories/",
    response={200: StoryPage, **ERRORS},
    url_name="story_list",
    summary="Published stories",
)
def list_stories(
    request,
    title: str = Query(None, pattern=SLUG, description="A title's slug."),
    tag: str = Query(None, pattern=SLUG, description="A tag's slug."),
    person: str = Query(None, pattern=SLUG, description="A person's slug."),
    accuracy: Annotated[AccuracyValue, Query(description="The moderators' verdict.")] = None,
    sort: Literal["newest", "interest"] = Query(
        "newest",
        description="newest: latest published first (on a tag, latest submitted first, as "
        "the tag's page); interest: most readers found it interesting first.",
    ),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    """Published stories, newest first unless ``sort=interest``; the filters combine. A
    title, tag or person that has no published story is a 404."""
    shows(request, LISTS)
    most_interesting = sort == "interest"
    stories = Anecdote.objects.published()
    count = None
    if tag is not None:
        subject = _subject(request, queries.tags_with_stories(), tag, "tag", "tag")
        # The tag's pages' own query: O(page) on a tag of many stories (trivia.queries).
        stories = queries.stories_tagged(subject, most_interesting=most_interesting)
        count = subject.story_count
    if title is not None:
        subject = _subject(request, queries.titles_with_stories(), title, "title", "title")
        stories = stories.filter(title=subject)
        count = subject.story_count if count is None else None
    if person is not None:
        subject = _subject(request, queries.person_has_stories(), person, "person", "person")
        stories = stories.filter(people=subject)
        count = None
    if accuracy is not None:
        stories = stories.filter(accuracy=accuracy)
        count = None
    if most_interesting:
        stories = stories.order_by("-interest_count", "-published_at", "-pk")
        if not (title or tag or person):
            # Any vote may reorder it (a voted story's own title, tags and people are
            # stamped in any case).
            shows(request, RANKING)
    elif tag is None:
        stories = stories.order_by("-published_at", "-pk")
    page_rows, links = paginate(
        request, story_rows(stories), page=page, page_size=page_size, count=count
    )
    return {**links, "results": stories_out(request, page_rows)}


@router.get(
    "/stories/{pk}/",
    response={200: StoryOut, **ERRORS},
    url_name="story_detail",
    summary="One published story",
)
def story_detail(request, pk: int = Path(..., ge=1, le=2**63 - 1)):
    """A published story by its id; any other is a 404."""
    shows(request, story_scope(pk))
    story = story_rows(Anecdote.objects.published()).filter(pk=pk).first()
    if story is None:
        raise HttpError(404, f"No published story has the id {pk}.")
    return story_out(request, story)
