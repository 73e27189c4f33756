"""The reader pages (DESIGN §4): what they show, how they page, what bad input gets, their cost."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.template import loader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from taggit.models import Tag

from tests.caching import rendering_queries
from tests.factories import (
    make_anecdote,
    make_moderator,
    make_source,
    make_title,
    make_user,
    texts_of,
)
from trivia import services
from trivia.models import Anecdote, Citation
from trivia.views.tags import TagListView
from trivia.views.titles import TitleListView

pytestmark = pytest.mark.django_db

State = Anecdote.State


def published(**kwargs):
    kwargs.setdefault("title", make_title("Alien", year=1979))
    return make_anecdote(state=State.PUBLISHED, **kwargs)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- Home, titles, tags --------------------------------------------------------------------


def test_home_shows_newest_stories_first_with_their_titles(client):
    published(text="The older story.", title=make_title("Jaws", year=1975))
    published(text="The newer story.")
    html = page(client, reverse("home"))
    assert html.index("The newer story.") < html.index("The older story.")
    assert 'href="/titles/jaws/">Jaws</a>' in html


def test_home_lists_popular_tags_and_titles_with_the_most_stories(client):
    alien, jaws = make_title("Alien"), make_title("Jaws")
    for _ in range(3):
        published(title=alien, tags=["creature effects"])
    published(title=jaws, tags=["sharks"])
    response = client.get(reverse("home"))
    assert [(t.name, t.story_count) for t in response.context["top_titles"]] == [
        ("Alien", 3),
        ("Jaws", 1),
    ]
    assert [t.name for t in response.context["popular_tags"]] == ["creature effects", "sharks"]
    assert "3 stories" in response.content.decode()


def test_title_list_is_alphabetical_by_name_ignoring_leading_articles(client):
    for name in ["Zodiac", "The Matrix", "alien", "2001: A Space Odyssey"]:
        published(title=make_title(name))
    response = client.get(reverse("title_list"))
    assert [t.name for t in response.context["titles"]] == [
        "2001: A Space Odyssey",
        "alien",
        "The Matrix",
        "Zodiac",
    ]
    html = response.content.decode()
    assert html.index(">#<") < html.index(">A<") < html.index(">M<") < html.index(">Z<")


def test_title_list_filters_by_kind(client):
    published(title=make_title("Fargo", kind="film", year=1996))
    published(title=make_title("Twin Peaks", kind="series", year=1990, end_year=1991))
    films = client.get(reverse("title_list"), {"kind": "film"})
    series = client.get(reverse("title_list"), {"kind": "series"})
    assert [t.name for t in films.context["titles"]] == ["Fargo"]
    assert [t.name for t in series.context["titles"]] == ["Twin Peaks"]
    assert "1990–1991" in series.content.decode()


def test_title_list_with_an_unknown_kind_shows_every_title(client):
    published(title=make_title("Fargo"))
    response = client.get(reverse("title_list"), {"kind": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert [t.name for t in response.context["titles"]] == ["Fargo"]
    assert "<script>alert(1)" not in response.content.decode()


def test_title_page_shows_its_details_and_other_names(client):
    title = make_title(
        "Amélie",
        year=2001,
        original_title="Le Fabuleux Destin d'Amélie Poulain",
        synopsis="A shy waitress decides to change the lives of those around her.",
        aliases=["Amelie", "The Fabulous Destiny of Amélie Poulain"],
    )
    published(title=title, text="The café still exists.")
    html = page(client, title.get_absolute_url())
    assert "<h1>Amélie</h1>" in html
    assert "Film</span> · <span>2001" in html
    assert "Original title: Le Fabuleux Destin d&#x27;Amélie Poulain" in html
    assert "Also known as Amelie, The Fabulous Destiny of Amélie Poulain" in html
    assert "A shy waitress" in html
    assert "The café still exists." in html


def test_tag_page_lists_stories_across_titles_with_their_title(client):
    published(title=make_title("Alien"), tags=["practical effects"], text="The chestburster.")
    published(title=make_title("The Thing"), tags=["practical effects"], text="The blood test.")
    published(title=make_title("Heat"), tags=["shootouts"], text="Not about effects.")
    html = page(client, reverse("tag_detail", kwargs={"slug": "practical-effects"}))
    assert "The chestburster." in html and "The blood test." in html
    assert "Not about effects." not in html
    assert 'href="/titles/the-thing/">The Thing</a>' in html


def test_tag_with_accented_slug_has_a_working_page(client):
    published(tags=["café"], text="Shot in Montmartre.")
    tag = Tag.objects.get(name="café")
    url = reverse("tag_detail", kwargs={"slug": tag.slug})
    assert f'href="{url}"' in page(client, reverse("tag_list"))
    assert "Shot in Montmartre." in page(client, url)


def test_tag_list_is_alphabetical_with_counts(client):
    published(tags=["Zoetrope", "blue screen"])
    published(tags=["blue screen"])
    response = client.get(reverse("tag_list"))
    assert [(t.name, t.story_count) for t in response.context["tags"]] == [
        ("blue screen", 2),
        ("Zoetrope", 1),
    ]


# --- The story card ---------------------------------------------------------------------


def test_card_shows_tags_sources_contributor_date_and_permalink(client):
    story = services.submit_story(
        contributor=make_user("ripley"),
        title=make_title("Alien"),
        text="The cast were not told what would happen.",
        tags=["reactions"],
        citations=[
            Citation(
                source=make_source(
                    title="The Beast Within",
                    publisher="Fox",
                    author="C. Bouzereau",
                    url="https://example.org/beast",
                    kind="documentary",
                )
            ),
            Citation(source=make_source(title="Alien Companion", kind="book"), locator="p. 42"),
        ],
    )
    services.approve_story(story=story, moderator=make_moderator())
    html = page(client, story.title.get_absolute_url())
    assert '<a href="/tags/reactions/">reactions</a>' in html
    assert (
        '<a href="https://example.org/beast" rel="nofollow noopener">The Beast Within</a>, '
        "by C. Bouzereau, Fox, documentary" in html
    )
    assert "<cite>Alien Companion</cite>, p. 42, book" in html
    assert 'Shared by <a href="/users/ripley/">ripley</a>' in html
    assert f'href="{story.get_absolute_url()}"' in html


def test_a_source_address_that_is_not_a_web_address_is_not_linked(client):
    story = make_anecdote(state=State.PENDING, sources=0)
    Citation.objects.create(anecdote=story, source=make_source(title="", url="javascript:alert(1)"))
    services.approve_story(story=story, moderator=make_moderator())
    html = page(client, story.get_absolute_url())
    assert "javascript:" not in html
    assert "<cite>An untitled article</cite>" in html


@pytest.mark.parametrize(
    ("accuracy", "shown"),
    [
        ("corroborated", "Corroborated"),
        ("disputed", "<strong>Disputed — </strong>The crew remembers it differently."),
        ("debunked", "<strong>Myth — </strong>The crew remembers it differently."),
    ],
)
def test_card_shows_the_moderators_judgement_of_accuracy(client, accuracy, shown):
    story = published()
    services.edit_story(
        story=story,
        editor=make_moderator(),
        changes={"accuracy": accuracy, "accuracy_note": "The crew remembers it differently."},
    )
    assert shown in page(client, story.get_absolute_url())


def test_unverified_story_has_no_accuracy_badge(client):
    html = page(client, published().get_absolute_url())
    assert "badge" not in html


def test_spoiler_text_is_in_the_page_but_folded_until_revealed(client):
    story = published(text="Ripley survives.", is_spoiler=True)
    for url in [reverse("home"), story.title.get_absolute_url(), story.get_absolute_url()]:
        html = page(client, url)
        details = html[html.index('<details class="spoiler">') : html.index("</details>")]
        assert (
            '<summary><span class="spoiler__reveal">Reveal spoiler</span>'
            '<span class="spoiler__hide">Hide spoiler</span></summary>'
        ) in details
        assert "Ripley survives." in details
        assert html.count("Ripley survives.") == 1, f"spoiler outside its fold on {url}"


def test_story_text_keeps_its_line_breaks(client):
    story = published(text="First line.\nSecond line.")
    assert "First line.<br>Second line." in page(client, story.get_absolute_url())


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<a" * 700, "&lt;a" * 700),  # as long as a story may be
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
def test_stories_are_plain_text_escaped_on_every_page(client, text, escaped):
    story = published(text=text, tags=["markup"])
    pages_with_story = [
        reverse("home"),
        story.title.get_absolute_url(),
        reverse("tag_detail", kwargs={"slug": "markup"}),
        reverse("story_list"),
        story.get_absolute_url(),
    ]
    for url in [*pages_with_story, reverse("title_list"), reverse("tag_list")]:
        html = page(client, url)
        assert text not in html, url
        if url in pages_with_story:
            assert escaped in html, url


# --- Pagination and bad input ----------------------------------------------------------------


def test_title_page_is_paginated(client, settings):
    title = make_title("Alien")
    for number in range(1, 23):
        published(title=title, text=f"Story {number:02d}.")
    first = client.get(title.get_absolute_url())
    second = client.get(title.get_absolute_url(), {"page": 2})
    assert len(first.context["stories"]) == settings.STORIES_PER_PAGE == 20
    assert texts_of(second.context["stories"]) == ["Story 02.", "Story 01."]
    assert 'rel="next" href="?page=2"' in first.content.decode()
    assert 'rel="prev" href="?"' in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_title_list_pagination_keeps_the_kind_filter(client):
    for number in range(3):
        published(title=make_title(f"Series {number}", kind="series"))
    with mock.patch.object(TitleListView, "paginate_by", 2):
        html = page(client, reverse("title_list") + "?kind=series")
    assert 'rel="next" href="?kind=series&amp;page=2"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/titles/%00/",
        "/titles/a%00b/",
        "/tags/%00x/",
        "/tags/x%00/",
        "/anecdotes/abc/",
        "/anecdotes/%00/",
        "/anecdotes/-1/",
        "/anecdotes/99999999999999999999999999/",
        "/anecdotes/0/",
        "/titles/?page=999",
        "/titles/?page=abc",
        "/titles/?page=%00",
        "/tags/?page=0",
        "/titles/no-such-title/",
        "/tags/no-such-tag/",
    ],
)
def test_garbage_in_addresses_is_not_found_never_an_error(client, url):
    published(tags=["stunts"])
    assert client.get(url).status_code == 404


def test_garbage_page_number_on_title_and_tag_pages_is_not_found(client):
    story = published(tags=["stunts"])
    for url in [story.title.get_absolute_url(), reverse("tag_detail", kwargs={"slug": "stunts"})]:
        assert client.get(url, {"page": "abc"}).status_code == 404
        assert client.get(url, {"page": "999"}).status_code == 404


# --- Health, errors, sign in ------------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == {"status": "ok"}  # more in tests/test_health.py
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch("trivia.health.connection", broken):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == {"status": "down"}


def test_not_found_page_has_the_site_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/titles/no-such-title/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert 'class="brand" href="/">Backlot</a>' in html
    assert "css/site.css" in html


def test_an_expired_form_is_refused_in_the_sites_page_saying_what_to_do(db):
    """A form sent with no valid CSRF token (an old page, a sign-out in another tab)."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"login": "someone", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>This form has expired</h1>" in html
    assert "reload the page, and send it again" in html
    assert 'class="brand" href="/">Backlot</a>' in html


def boom(request):
    raise RuntimeError("A bug in a view.")


urlpatterns = [path("boom/", boom)]


@pytest.mark.urls(__name__)
def test_server_error_page_renders_without_context_or_database(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert len(queries) == 0
    assert "Backlot" in loader.get_template("500.html").render()


# --- Query budget -----------------------------------------------------------------------------


def queries_for(client, url):
    return rendering_queries(client, url)[0]


def add_stories(title, count, contributor):
    for _ in range(count):
        make_anecdote(
            title=title,
            contributor=contributor,
            state=State.PUBLISHED,
            tags=["stunts", "casting", "music"],
            sources=2,
        )


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed in"])
def test_pages_run_the_same_queries_with_6_or_60_stories(client, signed_in):
    contributor = make_user()
    title = make_title("Alien")
    if signed_in:
        client.force_login(make_user())
    urls = [
        reverse("home"),
        reverse("title_list"),
        title.get_absolute_url(),
        reverse("tag_list"),
        reverse("tag_detail", kwargs={"slug": "stunts"}),
        reverse("story_list"),
        reverse("myth_list"),
    ]
    add_stories(title, 6, contributor)
    few = {url: queries_for(client, url) for url in urls}
    add_stories(title, 54, contributor)
    many = {url: queries_for(client, url) for url in urls}
    assert many == few
    # Cards: stories, then their tags, citations and people, and the stamps of the cached ones;
    # the publication clock; signed in, the session, the user and their votes. The title page
    # reads its side column (verdicts, people, tags: three grouped queries) once, then keeps it.
    assert max(many.values()) <= (14 if signed_in else 11)


def test_permalink_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    story = make_anecdote(state=State.PUBLISHED, tags=["a", "b", "c"], sources=3)
    # The story, its card's relations, the generation, and its related stories (one query).
    with django_assert_max_num_queries(6):
        assert client.get(story.get_absolute_url()).status_code == 200


def test_tag_page_lists_newest_submitted_stories_first(client):
    for number in range(1, 4):
        published(tags=["stunts"], text=f"Stunt {number}.")
    response = client.get(reverse("tag_detail", kwargs={"slug": "stunts"}))
    assert texts_of(response.context["stories"]) == ["Stunt 3.", "Stunt 2.", "Stunt 1."]


def test_popular_tags_on_home_follow_the_newest_stories(client):
    for _ in range(3):
        published(tags=["old favourite"])
    published(tags=["new thing"])
    with mock.patch("trivia.queries.POPULAR_AMONG", 1):
        response = client.get(reverse("home"))
    assert [t.name for t in response.context["popular_tags"]] == ["new thing"]


def test_tag_list_is_paginated_and_counts_each_page(client):
    published(tags=["alpha", "beta", "gamma"])
    published(tags=["gamma"])
    with mock.patch.object(TagListView, "paginate_by", 2):
        first = client.get(reverse("tag_list"))
        second = client.get(reverse("tag_list"), {"page": 2})
    assert [(t.name, t.story_count) for t in first.context["tags"]] == [("alpha", 1), ("beta", 1)]
    assert [(t.name, t.story_count) for t in second.context["tags"]] == [("gamma", 2)]
    assert "Page 2 of 2" in second.content.decode()
