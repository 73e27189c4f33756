"""What the API answers, as pydantic schemas: the OpenAPI description is generated from them,
and every answer is checked against its schema before it leaves (django-ninja does)."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from ..models import Accuracy, SourceKind, TitleKind

AccuracyValue = Literal[tuple(Accuracy.values)]
TitleKindValue = Literal[tuple(TitleKind.values)]
SourceKindValue = Literal[tuple(SourceKind.values)]


class Error(Schema):
    """Every 4xx answer: what went wrong, in a sentence; for bad parameters, each of them."""

    detail: str
    errors: list[dict[str, str]] | None = Field(
        None, description="Bad parameters: [{'parameter': ..., 'message': ...}]"
    )


class TitleRef(Schema):
    slug: str
    name: str
    url: str = Field(description="The title's page on the site.")


class TagRef(Schema):
    slug: str
    name: str
    url: str


class PersonRef(Schema):
    slug: str
    name: str
    url: str


class SourceOut(Schema):
    """A source the story cites, with where in it (``locator``) and what it says (``quote``).
    Any field may be empty: the seed articles' sources are mostly unknown."""

    kind: SourceKindValue
    title: str
    url: str
    site: str = Field(description="The publisher or site.")
    author: str
    date: str | None = Field(None, description="ISO date, when known.")
    locator: str
    quote: str


class StoryOut(Schema):
    id: int
    url: str = Field(description="The story's permanent link on the site.")
    api_url: str
    title: TitleRef
    text: str = Field(
        description="Plain text, never HTML. Hide it behind a button when "
        "``is_spoiler`` is true, as the site does."
    )
    summary: str = Field(
        description="What may be shown without a spoiler button: a short "
        "excerpt, labelled for myths and disputed stories; for a spoiler, "
        "only a notice."
    )
    is_spoiler: bool
    accuracy: AccuracyValue
    accuracy_label: str
    accuracy_note: str = Field(description="For disputed or debunked stories: what is true.")
    tags: list[TagRef]
    people: list[PersonRef]
    sources: list[SourceOut]
    image: str | None = Field(None, description="The story's image, when it has one.")
    published_at: datetime
    interest_count: int


class Page(Schema):
    count: int = Field(description="Items in the whole list, every page together.")
    page: int
    page_size: int
    pages: int
    next: str | None = Field(description="The next page's address, or null on the last.")
    previous: str | None


class StoryPage(Page):
    results: list[StoryOut]


class TitleOut(Schema):
    slug: str
    name: str
    url: str
    api_url: str
    kind: TitleKindValue
    year: int | None
    end_year: int | None
    original_title: str
    story_count: int = Field(description="Its published stories.")
    poster: str | None = None


class TitleDetail(TitleOut):
    synopsis: str
    aliases: list[str]
    accuracy_counts: dict[str, int] = Field(
        description="Its published stories per accuracy: unverified, corroborated, disputed, "
        "debunked (each present, 0 when none)."
    )
    stories_url: str = Field(description="Its stories in this API.")


class TitlePage(Page):
    results: list[TitleOut]


class TagOut(Schema):
    slug: str
    name: str
    url: str
    api_url: str
    story_count: int


class TagDetail(TagOut):
    stories_url: str


class TagPage(Page):
    results: list[TagOut]


class PersonOut(Schema):
    slug: str
    name: str
    url: str
    api_url: str
    known_for: str
    story_count: int


class PersonDetail(PersonOut):
    aliases: list[str]
    stories_url: str


class PersonPage(Page):
    results: list[PersonOut]


class SearchPage(StoryPage):
    """The stories found, ranked, page by page; the titles, people and tags whose names match
    are the same on every page."""

    query: str = Field(
        description="The query as it was read (cut to its first 200 characters, NUL bytes removed)."
    )
    titles: list[TitleOut]
    people: list[PersonOut]
    tags: list[TagOut]


# What every operation may answer besides its 200: a bad parameter, nothing there (or a page
# past the last), too many requests from one client.
ERRORS = {400: Error, 404: Error, 429: Error}
