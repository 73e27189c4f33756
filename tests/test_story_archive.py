"""Issue 15: every published story is reachable (``/stories/``), the home page leads there, and
home, the archive and the tag pages describe themselves to machines (JSON-LD).

Read from the outside, as an anonymous reader and through the page cache: a story published or
taken down shows or disappears on the very next request.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.caching import rendering_queries
from tests.factories import make_anecdote, make_moderator, make_title, make_user
from trivia import services
from trivia.models import Anecdote, Title

pytestmark = pytest.mark.django_db

State = Anecdote.State


def marker(number):
    return f"Archive story number {number:02d}."


@pytest.fixture
def archive(contributor):
    """31 published stories over three titles, story 31 the newest; tagged "stunts"."""
    titles = [make_title(name) for name in ("Heat", "Alien", "Speed")]
    return [
        make_anecdote(
            title=titles[number % 3],
            contributor=contributor,
            state=State.PUBLISHED,
            tags=["stunts"],
            text=marker(number),
        )
        for number in range(1, 32)
    ]


def page(client, url, data=None):
    response = client.get(url, data)
    assert response.status_code == 200, url
    return response.content.decode()


def markers_on(html):
    return [int(n) for n in re.findall(r"Archive story number (\d\d)\.", html)]


def next_link(html):
    found = re.search(r'<a rel="next" href="([^"]+)"', html)
    return found and found.group(1).replace("&amp;", "&")


def json_ld(html):
    """Every JSON-LD document of a page, parsed."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(script) for script in scripts]


def types(html):
    return {document["@type"] for document in json_ld(html)}


# --- Reaching every story -------------------------------------------------------------------------


def test_the_11th_and_30th_newest_stories_are_reached_from_home_through_the_archive(archive):
    client = Client()
    home = page(client, "/")
    assert markers_on(home) == list(range(31, 21, -1))  # the latest ten
    assert 'href="/stories/"' in home and "All stories →" in home

    first = page(client, "/stories/")
    assert markers_on(first) == list(range(31, 11, -1))
    assert 21 in markers_on(first)  # the 11th newest
    second_url = next_link(first)
    assert second_url == "?page=2"
    second = page(client, "/stories/" + second_url)
    assert markers_on(second) == list(range(11, 0, -1))
    assert 2 in markers_on(second)  # the 30th newest
    assert next_link(second) is None
    assert "Page 2 of 2" in second


def test_the_archive_counts_every_published_story_and_names_their_titles(archive):
    html = page(Client(), "/stories/")
    assert "31 published stories, newest first." in html
    assert re.search(r'class="story__title"><a href="/titles/alien/">Alien</a>', html)


def test_a_page_past_the_last_is_not_found(archive):
    client = Client()
    assert client.get("/stories/", {"page": 3}).status_code == 404
    assert client.get("/stories/", {"page": "nope"}).status_code == 404
    assert markers_on(page(client, "/stories/", {"page": "last"})) == list(range(11, 0, -1))


def test_the_archive_filters_by_verdict_and_sorts_by_interest(archive, moderator):
    services.edit_story(
        story=archive[4], editor=moderator, changes={"accuracy": "debunked", "accuracy_note": "No."}
    )
    services.edit_story(story=archive[9], editor=moderator, changes={"accuracy": "corroborated"})
    client = Client()
    myths = page(client, "/stories/", {"accuracy": "debunked"})
    assert markers_on(myths) == [5]
    assert "1 debunked story, newest first." in myths
    assert markers_on(page(client, "/stories/", {"accuracy": "corroborated"})) == [10]

    for voter in ("ann", "bob"):
        services.vote_interesting(story=archive[2], user=make_user(voter))
    services.vote_interesting(story=archive[7], user=make_user("cy"))
    ranked = markers_on(page(client, "/stories/", {"sort": "interest"}))
    assert ranked[:3] == [3, 8, 31]
    assert len(ranked) == 20


def test_the_ranking_by_interest_is_kept_until_a_vote_reorders_it(archive):
    client = Client()
    page(client, "/stories/", {"sort": "interest"})
    served = client.get("/stories/", {"sort": "interest"})
    assert served["X-Page-Cache"] == "hit"
    # Story 1 is the oldest: on the ranking's second page until a reader votes for it.
    assert 1 not in markers_on(served.content.decode())
    services.vote_interesting(story=archive[0], user=make_user("dee"))
    assert markers_on(page(client, "/stories/", {"sort": "interest"}))[0] == 1


def test_unknown_parameters_give_the_plain_list(archive):
    client = Client()
    plain = markers_on(page(client, "/stories/"))
    for data in (
        {"accuracy": "bogus"},
        {"sort": "oldest"},
        {"utm_source": "newsletter"},
        {"accuracy": "", "sort": ""},
        {"accuracy": "debunked\x00"},
    ):
        assert markers_on(page(client, "/stories/", data)) == plain, data


# --- Only published stories -----------------------------------------------------------------------


def test_unpublished_stories_never_appear_in_the_archive(contributor, moderator):
    title = make_title("Heat")
    make_anecdote(title=title, contributor=contributor, state=State.PUBLISHED, text=marker(1))
    hidden = {
        State.PENDING: marker(2),
        State.REJECTED: marker(3),
        State.WITHDRAWN: marker(4),
    }
    for state, text in hidden.items():
        make_anecdote(title=title, contributor=contributor, state=state, text=text)
    taken_down = make_anecdote(
        title=title, contributor=contributor, state=State.PUBLISHED, text=marker(5)
    )
    services.unpublish_story(story=taken_down, moderator=moderator, reason="duplicate")
    for story in Anecdote.objects.all():
        # Every verdict too, so that no filter of the archive shows them either.
        services.edit_story(story=story, editor=moderator, changes={"accuracy": "debunked"})
    reader = Client()
    signed_in = Client()
    signed_in.force_login(make_user("someone_else"))
    for client in (reader, signed_in):
        for data in ({}, {"accuracy": "debunked"}, {"sort": "interest"}):
            html = page(client, "/stories/", data)
            assert markers_on(html) == [1], data
            assert "1 " in html and "stories, newest" not in html


# --- Fresh at the next request --------------------------------------------------------------------


def test_a_story_published_or_taken_down_shows_on_the_cached_archive_at_once(contributor):
    title = make_title("Heat")
    make_anecdote(title=title, contributor=contributor, state=State.PUBLISHED, text=marker(1))
    waiting = make_anecdote(title=title, contributor=contributor, text=marker(2))
    client = Client()
    assert client.get("/stories/")["X-Page-Cache"] == "miss"
    cached = client.get("/stories/")
    assert cached["X-Page-Cache"] == "hit" and markers_on(cached.content.decode()) == [1]

    moderator = make_moderator()
    services.approve_story(story=waiting, moderator=moderator)
    assert markers_on(page(client, "/stories/")) == [2, 1]
    assert "2 published stories" in page(client, "/stories/")

    services.unpublish_story(story=waiting, moderator=moderator, reason="rumour")
    assert markers_on(page(client, "/stories/")) == [1]
    assert "1 published story," in page(client, "/stories/")


def test_an_edit_shows_on_the_cached_archive_at_once(contributor, moderator):
    story = make_anecdote(title=make_title("Heat"), state=State.PUBLISHED, text=marker(1))
    client = Client()
    page(client, "/stories/")
    services.edit_story(story=story, editor=moderator, changes={"text": marker(9)})
    assert markers_on(page(client, "/stories/")) == [9]


# --- Pages that cost the same with 3 stories or 30 ------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/stories/", "/stories/?accuracy=unverified", "/tags/stunts/", "/tags/"]
)
def test_the_archive_home_and_tag_pages_run_as_many_queries_for_3_stories_as_for_30(
    contributor, url
):
    title = make_title("Heat")

    def add(count):
        for _ in range(count):
            make_anecdote(
                title=title, contributor=contributor, state=State.PUBLISHED, tags=["stunts"]
            )

    add(3)
    few, _ = rendering_queries(Client(), url)
    add(27)
    many, _ = rendering_queries(Client(), url)
    assert few == many, url
    # The clock, the stories' rows, their names for the JSON-LD, the cards' stamps and whole
    # rows (four queries) and what each page shows beside them: a ceiling, not a target.
    assert many <= 16, url


# --- What machines read ---------------------------------------------------------------------------


def test_home_describes_the_site_and_its_search_and_lists_the_latest_stories(archive):
    documents = {document["@type"]: document for document in json_ld(page(Client(), "/"))}
    website = documents["WebSite"]
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "http://testserver/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    items = documents["ItemList"]["itemListElement"]
    assert len(items) == 10
    assert items[0]["position"] == 1
    assert items[0]["url"] == f"http://testserver/anecdotes/{archive[-1].pk}/"
    assert items[0]["name"] == f"A behind-the-scenes story about {archive[-1].title.name}"


def test_the_archive_and_tag_pages_are_collections_with_breadcrumbs(archive):
    client = Client()
    expected = {
        "/stories/": ["Home", "Stories"],
        "/stories/?page=2": ["Home", "Stories"],
        "/tags/": ["Home", "Tags"],
        "/tags/stunts/": ["Home", "Tags", "stunts"],
    }
    for url, trail in expected.items():
        html = page(client, url)
        documents = {document["@type"]: document for document in json_ld(html)}
        assert set(documents) == {"CollectionPage", "BreadcrumbList"}, url
        crumbs = documents["BreadcrumbList"]["itemListElement"]
        assert [crumb["name"] for crumb in crumbs] == trail, url
        assert 'class="breadcrumbs"' in html and 'class="eyebrow"' not in html
        listed = documents["CollectionPage"]["mainEntity"]["itemListElement"]
        assert listed, url
    stories = json_ld(page(client, "/stories/?page=2"))[0]["mainEntity"]["itemListElement"]
    assert [item["url"] for item in stories][-1] == f"http://testserver/anecdotes/{archive[0].pk}/"
    assert len(stories) == 11


def test_the_structured_data_cannot_be_closed_by_a_story_or_tag(contributor):
    make_anecdote(
        title=make_title("</script><script>alert(1)</script>"),
        contributor=contributor,
        state=State.PUBLISHED,
        tags=["</script>"],
    )
    for url in ("/", "/stories/", "/tags/"):
        html = page(Client(), url)
        assert "<script>alert(1)" not in html
        assert json_ld(html)  # every document still parses


def test_the_sitemap_lists_the_archive_and_the_verdict_pages(archive):
    xml = page(Client(), reverse("sitemap_section", kwargs={"section": "pages"}))
    for path in ("/stories/", "/myths/", "/disputed/"):
        assert f"<loc>http://testserver{path}</loc>" in xml


# --- Home on a phone and the tag page's side column -----------------------------------------------


def test_home_puts_its_top_titles_and_tags_before_the_stories(archive):
    html = page(Client(), "/")
    strip = html.index('class="home-strip"')
    assert strip < html.index('id="latest-heading"')
    top = html[strip : html.index("</nav>", strip)]
    assert 'href="/titles/' in top and 'href="/tags/stunts/"' in top
    assert 'href="/myths/"' in top and 'href="/stories/"' in top


def test_a_tag_page_shows_its_verdicts_titles_and_related_tags_beside_its_stories(
    contributor, moderator
):
    heat, alien = make_title("Heat"), make_title("Alien")
    for title, count in ((heat, 3), (alien, 1)):
        for _ in range(count):
            make_anecdote(
                title=title,
                contributor=contributor,
                state=State.PUBLISHED,
                tags=["stunts", "night shoots"],
            )
    story = Anecdote.objects.filter(title=alien).get()
    services.edit_story(story=story, editor=moderator, changes={"accuracy": "debunked"})
    client = Client()
    html = page(client, "/tags/stunts/")
    side = html[html.index('class="with-side__side') :]
    assert re.search(r"Myths</a> <span class=\"count\">1</span>", side)
    assert re.search(r"Unverified</a> <span class=\"count\">3</span>", side)
    assert side.index(">Heat</a>") < side.index(">Alien</a>")
    assert 'href="/tags/night-shoots/"' in side

    # Kept until the tag's stories change: a second tag on one of them shows at once.
    services.edit_story(story=story, editor=moderator, tags=["stunts", "night shoots", "crane"])
    assert 'href="/tags/crane/"' in page(client, "/tags/stunts/")
    # ... and a title it names renamed.
    services.rename_title(title=Title.objects.get(pk=heat.pk), name="Heat (director's cut)")
    assert ">Heat (director&#x27;s cut)</a>" in page(client, "/tags/stunts/")
