"""Unpublished stories are invisible to the public everywhere (DESIGN §3), seen from outside.

One story in every state, all on the same title with the same tags, each with its own marker
text: a reader crawling every public page must only ever meet the published one, and every count
must say 1. Only a story's contributor and the moderators may open an unpublished permalink.
"""

import json
import re
from unittest import mock

import pytest
from django.urls import reverse

from tests.factories import make_anecdote, make_moderator, make_title, make_user
from trivia import services
from trivia.models import Anecdote, Person
from trivia.sitemaps import SITEMAPS

pytestmark = pytest.mark.django_db

State = Anecdote.State
TAGS = ["stunts", "night shoots"]
PUBLISHED_MARKER = "Marker of the published story"
HIDDEN_MARKERS = {
    State.PENDING: "Marker of the pending story",
    State.REJECTED: "Marker of the rejected story",
    State.WITHDRAWN: "Marker of the withdrawn story",
    "unpublished": "Marker of the story taken down",
}


@pytest.fixture
def stories(contributor):
    """The title "Heat" with one story per state (and one published, then taken down)."""
    title = make_title("Heat", year=1995)
    person = Person.objects.create(name="Val Kilmer")

    def story(state, text):
        return make_anecdote(
            title=title, contributor=contributor, state=state, tags=TAGS, text=text, people=[person]
        )

    # Published first: until their first approval, a new account may submit 3 stories a day.
    made = {State.PUBLISHED: story(State.PUBLISHED, PUBLISHED_MARKER)}
    for state in (State.PENDING, State.REJECTED, State.WITHDRAWN):
        made[state] = story(state, HIDDEN_MARKERS[state])
    taken_down = story(State.PUBLISHED, HIDDEN_MARKERS["unpublished"])
    services.unpublish_story(
        story=taken_down, moderator=make_moderator(), reason="duplicate", message="Twice."
    )
    made["unpublished"] = taken_down

    # A title, a tag and a person that only unpublished stories have do not exist for readers
    # (the person's name holds "Secret Film", a marker every page is checked for).
    make_anecdote(
        title=make_title("Secret Film"),
        state=State.PENDING,
        tags=["secret-tag"],
        text="Unseen.",
        people=[Person.objects.create(name="Secret Film Extra")],
    )
    return title, made


@pytest.fixture(params=["anonymous", "another signed-in user"])
def reader(request, client):
    if request.param != "anonymous":
        client.force_login(make_user("someone_else"))
    return client


def public_urls(title, published):
    return [
        reverse("home"),
        reverse("title_list"),
        reverse("title_list") + "?kind=film",
        reverse("title_list") + "?kind=series",
        title.get_absolute_url(),
        reverse("tag_list"),
        reverse("tag_detail", kwargs={"slug": "stunts"}),
        reverse("tag_detail", kwargs={"slug": "night-shoots"}),
        reverse("story_list"),
        reverse("story_list") + "?sort=interest",
        reverse("story_list") + "?accuracy=unverified",
        reverse("myth_list"),
        reverse("disputed_list"),
        reverse("person_list"),
        reverse("person_list") + "?letter=K",
        reverse("person_detail", kwargs={"slug": "val-kilmer"}),
        published.get_absolute_url(),
        reverse("healthz"),
        *crawler_urls(title),
    ]


def crawler_urls(title):
    """What machines read: feeds, the sitemap and its sections, robots.txt."""
    return [
        reverse("latest_feed"),
        reverse("title_feed", kwargs={"slug": title.slug}),
        reverse("tag_feed", kwargs={"slug": "stunts"}),
        reverse("tag_feed", kwargs={"slug": "night-shoots"}),
        reverse("myth_feed"),
        reverse("disputed_feed"),
        reverse("person_feed", kwargs={"slug": "val-kilmer"}),
        reverse("sitemap"),
        *(reverse("sitemap_section", kwargs={"section": section}) for section in SITEMAPS),
        reverse("robots_txt"),
    ]


def test_only_the_published_story_appears_on_any_public_page(stories, reader):
    title, made = stories
    for url in public_urls(title, made[State.PUBLISHED]):
        response = reader.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for marker in [*HIDDEN_MARKERS.values(), "Unseen.", "Secret Film", "secret-tag"]:
            assert marker not in page, f"{marker!r} leaked on {url}"


def test_the_published_story_is_on_home_title_tag_and_permalink_pages(stories, reader):
    title, made = stories
    published = made[State.PUBLISHED]
    for url in [
        reverse("home"),
        title.get_absolute_url(),
        reverse("tag_detail", kwargs={"slug": "stunts"}),
        reverse("story_list"),
        published.get_absolute_url(),
    ]:
        assert PUBLISHED_MARKER in reader.get(url).content.decode(), url


def test_every_count_shown_counts_the_published_story_only(stories, reader):
    title, _ = stories

    home = reader.get(reverse("home"))
    assert [(t.name, t.story_count) for t in home.context["top_titles"]] == [("Heat", 1)]
    assert {(t.name, t.recent_count) for t in home.context["popular_tags"]} == {
        ("stunts", 1),
        ("night shoots", 1),
    }
    assert "1 story" in home.content.decode()

    titles = reader.get(reverse("title_list"))
    assert [(t.name, t.story_count) for t in titles.context["titles"]] == [("Heat", 1)]
    assert "1 story" in titles.content.decode()

    title_page = reader.get(title.get_absolute_url())
    assert title_page.context["paginator"].count == 1
    assert "1 story" in title_page.content.decode()

    tags = reader.get(reverse("tag_list"))
    assert {(t.name, t.story_count) for t in tags.context["tags"]} == {
        ("stunts", 1),
        ("night shoots", 1),
    }
    assert '<span class="count">1</span>' in tags.content.decode()
    assert '<span class="count">2</span>' not in tags.content.decode()

    tag_page = reader.get(reverse("tag_detail", kwargs={"slug": "stunts"}))
    assert tag_page.context["paginator"].count == 1
    assert "1 published story" in tag_page.content.decode()


def test_unpublished_permalinks_are_not_found(stories, reader):
    _, made = stories
    for state in HIDDEN_MARKERS:
        assert reader.get(made[state].get_absolute_url()).status_code == 404, state


def test_a_title_or_tag_with_only_unpublished_stories_is_not_found(stories, reader):
    assert reader.get(reverse("title_detail", kwargs={"slug": "secret-film"})).status_code == 404
    assert reader.get(reverse("tag_detail", kwargs={"slug": "secret-tag"})).status_code == 404
    for name in ("person_detail", "person_feed"):
        assert reader.get(reverse(name, kwargs={"slug": "secret-film-extra"})).status_code == 404


def test_a_title_with_no_story_at_all_is_not_listed_nor_found(client):
    empty = make_title("Nothing Yet")
    assert client.get(empty.get_absolute_url()).status_code == 404
    assert "Nothing Yet" not in client.get(reverse("title_list")).content.decode()


@pytest.mark.parametrize("state", list(HIDDEN_MARKERS))
def test_contributor_sees_own_unpublished_story_marked_not_public(stories, client, state):
    _, made = stories
    story = made[state]
    client.force_login(story.contributor)
    response = client.get(story.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert HIDDEN_MARKERS[state] in page
    assert f"{story.get_state_display()} — not public" in page
    assert '<meta name="robots" content="noindex">' in page


def test_moderator_sees_any_unpublished_story_marked_not_public(stories, client):
    _, made = stories
    client.force_login(make_moderator())
    response = client.get(made[State.PENDING].get_absolute_url())
    assert response.status_code == 200
    assert "Pending — not public" in response.content.decode()


def test_published_story_has_no_not_public_banner(stories, client):
    _, made = stories
    client.force_login(made[State.PUBLISHED].contributor)
    page = client.get(made[State.PUBLISHED].get_absolute_url()).content.decode()
    assert "not public" not in page
    assert "noindex" not in page


def test_contributors_unpublished_story_stays_off_the_lists_they_browse(stories, client):
    """Signed in as the author, the lists are still the public's: only the permalink widens."""
    title, made = stories
    client.force_login(made[State.PENDING].contributor)
    for url in public_urls(title, made[State.PUBLISHED]):
        page = client.get(url).content.decode()
        assert HIDDEN_MARKERS[State.PENDING] not in page, url


def test_moderator_sees_a_pending_story_without_a_title_under_its_proposed_title(client):
    story = services.submit_story(
        contributor=make_user(),
        text="A paragraph with no heading.",
        proposed_title="Unknown Film",
        citations=[],
    )
    client.force_login(make_moderator())
    page = client.get(story.get_absolute_url()).content.decode()
    assert "<h1>A story about “Unknown Film”</h1>" in page
    assert "A paragraph with no heading." in page
    assert client.get(reverse("home")).status_code == 200


def test_feeds_and_the_sitemap_carry_the_published_storys_address_only(stories, reader):
    title, made = stories
    feeds_and_sitemaps = "".join(
        reader.get(url).content.decode() for url in crawler_urls(title) if "robots" not in url
    )
    assert f"http://testserver{made[State.PUBLISHED].get_absolute_url()}<" in feeds_and_sitemaps
    for state in HIDDEN_MARKERS:
        assert f"{made[state].get_absolute_url()}<" not in feeds_and_sitemaps, state
    assert "secret-film" not in feeds_and_sitemaps
    assert "secret-tag" not in feeds_and_sitemaps


def test_open_graph_and_json_ld_describe_the_published_story_only(stories, reader):
    title, made = stories
    for url in [title.get_absolute_url(), made[State.PUBLISHED].get_absolute_url()]:
        html = reader.get(url).content.decode()
        head = html[: html.index("</head>")]
        # The page's own document and its breadcrumbs' BreadcrumbList.
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head)
        assert len(scripts) == 2, url
        documents = [json.loads(script) for script in scripts]
        machine_readable = json.dumps(documents) + "".join(
            re.findall(r'<meta property="og:\w+" content="([^"]*)">', head)
        )
        for state, marker in HIDDEN_MARKERS.items():
            assert marker not in machine_readable, url
            assert made[state].get_absolute_url() not in machine_readable, url
    story_page = reader.get(made[State.PUBLISHED].get_absolute_url()).content.decode()
    assert f'<meta property="og:description" content="{PUBLISHED_MARKER}">' in story_page


def test_unpublished_story_pages_describe_nothing_to_machines_even_to_the_author(stories, client):
    _, made = stories
    client.force_login(made[State.PENDING].contributor)
    for state in HIDDEN_MARKERS:
        html = client.get(made[state].get_absolute_url()).content.decode()
        assert "og:" not in html and "application/ld+json" not in html, state


def test_surprise_me_never_lands_on_an_unpublished_story(stories, reader):
    _, made = stories
    ids = sorted(story.pk for story in made.values())
    # Every id the random pick could be, within the bounds the view asks for.
    for pick in range(ids[0], ids[-1] + 1):

        def randint(low, high, pick=pick):
            return min(max(pick, low), high)

        with mock.patch("trivia.queries.random.randint", randint):
            location = reader.get(reverse("random_story"))["Location"]
        assert location == made[State.PUBLISHED].get_absolute_url(), pick


def test_filters_and_sorts_show_the_published_story_only(stories, reader):
    title, _ = stories
    for url in [title.get_absolute_url(), reverse("tag_detail", kwargs={"slug": "stunts"})]:
        for params in [{"sort": "interest"}, {"accuracy": "unverified"}]:
            page = reader.get(url, params).content.decode()
            assert PUBLISHED_MARKER in page
            for marker in HIDDEN_MARKERS.values():
                assert marker not in page, (url, params)
    letter_page = reader.get(reverse("title_list"), {"letter": "S"}).content.decode()
    assert "Secret Film" not in letter_page


# --- The public read API (/api/v1/) ------------------------------------------------------------


def api_urls(title, published):
    """Every answer of the API about the world of ``stories``: lists, details, every filter,
    sort and search."""
    stories = "/api/v1/stories/"
    return [
        "/api/v1/",
        stories,
        f"{stories}?sort=interest",
        f"{stories}?title={title.slug}",
        f"{stories}?title={title.slug}&sort=interest",
        f"{stories}?tag=stunts",
        f"{stories}?tag=stunts&sort=interest",
        f"{stories}?tag=night-shoots&accuracy=unverified",
        *(f"{stories}?accuracy={accuracy}" for accuracy in Anecdote.Accuracy.values),
        f"{stories}{published.pk}/",
        "/api/v1/titles/",
        "/api/v1/titles/?kind=film",
        "/api/v1/titles/?letter=S",
        f"/api/v1/titles/{title.slug}/",
        "/api/v1/tags/",
        "/api/v1/tags/stunts/",
        "/api/v1/people/",
        "/api/v1/search/?q=marker",
        "/api/v1/search/?q=story",
        "/api/v1/search/?q=secret",
        "/api/v1/search/?q=unseen",
        "/api/v1/openapi.json",
    ]


def test_only_the_published_story_appears_anywhere_in_the_api(stories, reader):
    title, made = stories
    for url in api_urls(title, made[State.PUBLISHED]):
        response = reader.get(url)
        assert response.status_code == 200, url
        answer = response.content.decode()
        for marker in [*HIDDEN_MARKERS.values(), "Unseen.", "Secret Film", "secret-tag"]:
            assert marker not in answer, f"{marker!r} leaked on {url}"
        for state in HIDDEN_MARKERS:
            assert f'"id": {made[state].pk},' not in answer, f"{state} story listed on {url}"
    found = reader.get("/api/v1/search/?q=marker").json()
    assert [story["text"] for story in found["results"]] == [PUBLISHED_MARKER]


def test_every_count_in_the_api_counts_the_published_story_only(stories, reader):
    title, _ = stories
    assert reader.get("/api/v1/stories/").json()["count"] == 1
    (listed,) = reader.get("/api/v1/titles/").json()["results"]
    assert (listed["name"], listed["story_count"]) == ("Heat", 1)
    detail = reader.get(f"/api/v1/titles/{title.slug}/").json()
    assert detail["story_count"] == sum(detail["accuracy_counts"].values()) == 1
    tags = reader.get("/api/v1/tags/").json()["results"]
    assert {(tag["name"], tag["story_count"]) for tag in tags} == {
        ("stunts", 1),
        ("night shoots", 1),
    }
    assert reader.get("/api/v1/tags/stunts/").json()["story_count"] == 1


def test_unpublished_stories_are_not_found_in_the_api_even_by_their_author_or_a_moderator(
    stories, client
):
    _, made = stories
    for who in [None, made[State.PENDING].contributor, make_moderator()]:
        if who is not None:
            client.force_login(who)
        for state in HIDDEN_MARKERS:
            response = client.get(f"/api/v1/stories/{made[state].pk}/")
            assert response.status_code == 404, (state, who)
            assert HIDDEN_MARKERS[state] not in response.content.decode()


def test_a_title_or_tag_with_only_unpublished_stories_is_not_found_in_the_api(stories, reader):
    for url in [
        "/api/v1/titles/secret-film/",
        "/api/v1/tags/secret-tag/",
        "/api/v1/stories/?title=secret-film",
        "/api/v1/stories/?tag=secret-tag",
    ]:
        assert reader.get(url).status_code == 404, url


def test_a_person_named_only_by_unpublished_stories_is_not_in_the_api(client):
    hidden = Person.objects.create(name="Hidden Person")
    story = make_anecdote(title=make_title("Quiet Film"), text="Pending, with a person.")
    services.edit_story(story=story, editor=make_moderator(), people=[hidden])
    assert "Hidden Person" not in client.get("/api/v1/people/").content.decode()
    assert client.get("/api/v1/people/hidden-person/").status_code == 404
    assert client.get("/api/v1/stories/?person=hidden-person").status_code == 404
    assert client.get("/api/v1/search/?q=hidden").json()["people"] == []
