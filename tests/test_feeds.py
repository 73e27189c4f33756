"""Feeds and crawlers: Atom feeds, the sitemap, robots.txt, canonical addresses, Open Graph tags
and JSON-LD. Machines show what they get without the page's spoiler button or escaping, so
each is checked for what it must never carry as well as for what it says."""

import json
import re
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.urls import reverse

from tests.factories import make_anecdote, make_moderator, make_title, make_user
from trivia import services
from trivia.models import Anecdote, Person

pytestmark = pytest.mark.django_db

State = Anecdote.State
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SERVER = "http://testserver"


def published(**kwargs):
    return make_anecdote(state=State.PUBLISHED, **kwargs)


def judged(story, accuracy, note=""):
    services.edit_story(
        story=story,
        editor=make_moderator(),
        changes={"accuracy": accuracy, "accuracy_note": note},
    )
    return story


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed


def entries(feed):
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "updated": entry.findtext(f"{ATOM}updated"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


# --- Atom feeds ---------------------------------------------------------------------------------


def test_the_latest_feed_lists_published_stories_newest_first_as_atom(client):
    author = make_user("ripley")
    older = published(title=make_title("Alien"), contributor=author, text="The chestburster.")
    newer = published(title=make_title("Heat"), text="The bank robbery was shot downtown.")
    make_anecdote(state=State.PENDING, text="Not yet.")
    feed = atom(client, reverse("latest_feed"))
    assert feed.findtext(f"{ATOM}title") == "Backlot: the latest behind-the-scenes stories"
    assert [entry["title"] for entry in entries(feed)] == [
        "Heat: The bank robbery was shot downtown.",
        "Alien: The chestburster.",
    ]
    last = entries(feed)[1]
    assert last["link"] == SERVER + older.get_absolute_url()
    assert last["author"] == "ripley"
    assert last["summary"] == "The chestburster."
    older.refresh_from_db()
    assert last["updated"] == older.published_at.isoformat()
    newer.refresh_from_db()
    assert feed.findtext(f"{ATOM}updated") == newer.published_at.isoformat()


def test_a_feed_holds_the_newest_fifty_stories(client):
    with mock.patch("trivia.feeds.FEED_ITEMS", 2):
        for number in range(3):
            published(text=f"Story {number}.")
        titles = [entry["title"] for entry in entries(atom(client, reverse("latest_feed")))]
    assert [title.split(": ")[1] for title in titles] == ["Story 2.", "Story 1."]


def test_a_long_story_is_shortened_in_the_entry_title_but_whole_in_its_summary(client):
    text = "A very long story. " * 20
    published(title=make_title("Heat"), text=text)
    entry = entries(atom(client, reverse("latest_feed")))[0]
    assert entry["title"].startswith("Heat: A very long story.")
    assert entry["title"].endswith("…") and len(entry["title"]) < 100
    assert entry["summary"] == text.strip()


def test_story_text_in_a_feed_is_escaped_text_never_markup(client):
    published(text='<script>alert(1)</script> & <b onclick="x">bold</b>\nSecond line.')
    response = client.get(reverse("latest_feed"))
    assert b"<script>" not in response.content and b"<b " not in response.content
    summary = entries(ET.fromstring(response.content))[0]["summary"]
    # What a feed reader renders as HTML: the story's characters, shown as typed.
    assert summary == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b onclick=&quot;x&quot;&gt;bold&lt;/b&gt;"
        "<br>Second line."
    )


def test_a_spoiler_story_stays_behind_a_link_in_feeds(client):
    story = published(
        title=make_title("Fight Club"),
        text="The narrator is Tyler.",
        is_spoiler=True,
        tags=["twist"],
    )
    for url in [
        reverse("latest_feed"),
        reverse("title_feed", kwargs={"slug": story.title.slug}),
        reverse("tag_feed", kwargs={"slug": "twist"}),
    ]:
        response = client.get(url)
        assert b"Tyler" not in response.content, url
        entry = entries(ET.fromstring(response.content))[0]
        assert entry["title"] == "Fight Club (spoilers)"
        assert entry["summary"] == "Contains spoilers: read it on Backlot."
        assert entry["link"] == SERVER + story.get_absolute_url()


def test_a_myth_in_a_feed_starts_with_the_moderators_correction(client):
    judged(published(text="He lost a finger."), "debunked", "He kept all ten.")
    summary = entries(atom(client, reverse("latest_feed")))[0]["summary"]
    assert summary == "Myth: He kept all ten.<br><br>He lost a finger."


def test_a_title_feed_lists_that_titles_stories_only(client):
    alien = make_title("Alien")
    published(title=alien, text="Alien story.")
    published(title=make_title("Heat"), text="Heat story.")
    feed = atom(client, reverse("title_feed", kwargs={"slug": alien.slug}))
    assert feed.findtext(f"{ATOM}title") == "Backlot: behind the scenes of Alien"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == SERVER + "/titles/alien/"
    assert [entry["title"] for entry in entries(feed)] == ["Alien: Alien story."]


def test_a_tag_feed_lists_the_tags_stories_only(client):
    published(tags=["stunts"], text="Stunt story.")
    published(tags=["music"], text="Music story.")
    feed = atom(client, reverse("tag_feed", kwargs={"slug": "stunts"}))
    assert feed.findtext(f"{ATOM}title") == "Backlot: stories tagged “stunts”"
    assert [entry["summary"] for entry in entries(feed)] == ["Stunt story."]


def test_feeds_of_titles_and_tags_readers_cannot_open_are_not_found(client):
    secret = make_title("Secret Film")
    make_anecdote(title=secret, state=State.PENDING, tags=["secret-tag"])
    assert client.get(reverse("title_feed", kwargs={"slug": "secret-film"})).status_code == 404
    assert client.get(reverse("tag_feed", kwargs={"slug": "secret-tag"})).status_code == 404
    assert client.get(reverse("title_feed", kwargs={"slug": "nothing"})).status_code == 404


def test_home_title_and_tag_pages_announce_their_feeds(client):
    story = published(title=make_title("Alien"), tags=["stunts"])
    pages = {
        reverse("home"): reverse("latest_feed"),
        story.title.get_absolute_url(): reverse("title_feed", kwargs={"slug": "alien"}),
        reverse("tag_detail", kwargs={"slug": "stunts"}): reverse(
            "tag_feed", kwargs={"slug": "stunts"}
        ),
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        assert re.search(
            rf'<link rel="alternate" type="application/atom\+xml" [^>]*href="{feed}"', html
        )
        if page != reverse("home"):
            assert f'<a class="feed-link" href="{feed}">Subscribe (Atom)</a>' in html


# --- Sitemap and robots.txt ---------------------------------------------------------------------


def sitemap_locations(client):
    """Every address of the sitemap index's sitemaps, following the index like a crawler."""
    index = ET.fromstring(client.get(reverse("sitemap")).content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    urls = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        response = client.get(loc.text.removeprefix(SERVER))
        assert response.status_code == 200, loc.text
        urlset = ET.fromstring(response.content)
        assert urlset.tag == f"{SITEMAP}urlset"
        for url in urlset.findall(f"{SITEMAP}url"):
            urls[url.findtext(f"{SITEMAP}loc")] = url.findtext(f"{SITEMAP}lastmod")
    return urls


def test_the_sitemap_lists_every_public_page_and_nothing_else(client):
    story = published(title=make_title("Alien"), tags=["stunts", "café"])
    story.people.add(Person.objects.create(name="Sigourney Weaver"))
    secret = make_anecdote(title=make_title("Secret Film"), state=State.PENDING, tags=["secret"])
    secret.people.add(Person.objects.create(name="Nobody Yet"))
    hidden = make_anecdote(title=story.title, state=State.REJECTED)
    urls = sitemap_locations(client)
    assert set(urls) == {
        SERVER + "/",
        SERVER + "/stories/",
        SERVER + "/myths/",
        SERVER + "/disputed/",
        SERVER + "/titles/",
        SERVER + "/tags/",
        SERVER + "/people/",
        SERVER + "/titles/alien/",
        SERVER + story.get_absolute_url(),
        SERVER + "/tags/stunts/",
        SERVER + "/tags/caf%C3%A9/",
        SERVER + "/people/sigourney-weaver/",
    }
    assert SERVER + hidden.get_absolute_url() not in urls


def test_the_sitemap_dates_titles_by_their_newest_story_and_stories_by_their_last_change(client):
    title = make_title("Alien")
    published(title=title)
    newest = published(title=title)
    newest.refresh_from_db()
    urls = sitemap_locations(client)
    assert urls[SERVER + "/titles/alien/"] == newest.published_at.date().isoformat()
    assert urls[SERVER + newest.get_absolute_url()] == newest.updated_at.date().isoformat()


def test_a_story_taken_down_leaves_the_sitemap(client):
    story = published()
    services.unpublish_story(story=story, moderator=make_moderator(), reason="duplicate")
    urls = sitemap_locations(client)
    assert SERVER + story.get_absolute_url() not in urls
    assert SERVER + story.title.get_absolute_url() not in urls


def test_an_unknown_sitemap_section_is_not_found(client):
    response = client.get(reverse("sitemap_section", kwargs={"section": "secrets"}))
    assert response.status_code == 404


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ["/admin/", "/accounts/", "/submit/", "/search/"]:
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# --- Canonical addresses, Open Graph, JSON-LD -----------------------------------------------------


def canonical(html):
    links = re.findall(r'<link rel="canonical" href="([^"]*)">', html)
    assert len(links) == 1
    return links[0]


def test_every_public_page_names_its_canonical_address_without_tracking_parameters(client):
    story = published(title=make_title("Alien"), tags=["stunts"])
    for path in [
        "/",
        "/titles/",
        "/titles/alien/",
        "/tags/",
        "/tags/stunts/",
        story.get_absolute_url(),
    ]:
        html = client.get(path, {"utm_source": "news", "fbclid": "x", "sort": "interest"})
        assert canonical(html.content.decode()) == SERVER + path, path


def test_a_later_page_keeps_its_page_number_in_the_canonical_address(client, settings):
    settings.STORIES_PER_PAGE = 1
    title = make_title("Alien")
    published(title=title)
    published(title=title)
    with mock.patch("trivia.views.titles.TitleDetailView.paginate_by", 1):
        first = client.get(title.get_absolute_url(), {"page": 1, "utm_source": "x"})
        second = client.get(title.get_absolute_url(), {"page": 2, "utm_source": "x"})
    assert canonical(first.content.decode()) == SERVER + "/titles/alien/"
    assert canonical(second.content.decode()) == SERVER + "/titles/alien/?page=2"


def test_the_title_lists_canonical_address_keeps_its_kind_and_letter(client):
    published(title=make_title("Alien"))
    response = client.get("/titles/", {"letter": "a", "kind": "film", "ref": "x"})
    assert canonical(response.content.decode()) == SERVER + "/titles/?kind=film&amp;letter=A"


def og(html):
    return dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', html))


def json_ld(html):
    """The page's one document about itself (its breadcrumbs' BreadcrumbList aside)."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    documents = [json.loads(script) for script in scripts]
    about = [document for document in documents if document["@type"] != "BreadcrumbList"]
    assert len(about) == 1
    return about[0]


def test_a_title_page_describes_the_title_to_social_networks_and_search_engines(client):
    title = make_title("The Matrix", year=1999, synopsis="A hacker learns the truth.")
    title.poster = "posters/matrix.jpg"
    title.save()
    published(title=title)
    html = client.get(title.get_absolute_url()).content.decode()
    assert og(html) == {
        "site_name": "Backlot",
        "type": "video.movie",
        "title": "The Matrix (1999)",
        "description": "A hacker learns the truth.",
        "url": SERVER + "/titles/the-matrix/",
        "image": SERVER + title.poster.url,
    }
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Movie"
    assert (data["name"], data["datePublished"]) == ("The Matrix", "1999")
    assert data["url"] == SERVER + "/titles/the-matrix/"


def test_a_series_is_a_tv_series_and_a_title_without_poster_has_no_image(client):
    title = make_title("Glee", kind="series", year=2009, end_year=2015)
    published(title=title)
    html = client.get(title.get_absolute_url()).content.decode()
    assert json_ld(html)["@type"] == "TVSeries"
    assert og(html)["type"] == "video.tv_show"
    assert "image" not in og(html) and "image" not in json_ld(html)


def test_a_story_page_describes_the_story_and_what_it_is_about(client):
    story = published(
        title=make_title("Alien", year=1979),
        contributor=make_user("ripley"),
        text="The cast did not know what the chestburster scene would look like.",
    )
    story.refresh_from_db()
    html = client.get(story.get_absolute_url()).content.decode()
    tags = og(html)
    assert tags["type"] == "article"
    assert tags["title"] == "A story about Alien"
    assert tags["description"] == story.text
    assert tags["url"] == SERVER + story.get_absolute_url()
    data = json_ld(html)
    assert data["@type"] == "Article"
    assert data["description"] == story.text
    assert data["about"] == [{"@type": "Movie", "name": "Alien", "url": SERVER + "/titles/alien/"}]
    assert data["author"] == {"@type": "Person", "name": "ripley"}
    assert data["datePublished"] == story.published_at.isoformat()


def test_a_spoiler_is_never_in_a_pages_open_graph_or_json_ld(client):
    story = published(text="Bruce Willis was dead all along.", is_spoiler=True)
    story.image = "anecdotes/reveal.jpg"
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    head = html[: html.index("</head>")]
    assert "Willis" not in head
    assert og(html)["description"] == "Contains spoilers: read it on Backlot."
    assert json_ld(html)["description"] == "Contains spoilers: read it on Backlot."
    assert "reveal.jpg" not in head


def test_a_myth_is_labelled_as_one_in_its_description(client):
    story = judged(published(text="He lost a finger."), "debunked", "He kept all ten.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert og(html)["description"] == "Myth: He lost a finger."


def test_story_text_cannot_break_out_of_the_json_ld_script(client):
    text = "</script><script>alert(1)</script><!-- & -->"
    story = published(title=make_title("</script><b>Title</b>"), text=text)
    for url in [story.get_absolute_url(), story.title.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html, url
        assert "</script><b>" not in html, url
        data = json_ld(html)
    assert json_ld(client.get(story.get_absolute_url()).content.decode())["description"] == text
    assert data["name"] == "</script><b>Title</b>"


def test_an_unpublished_story_page_has_no_open_graph_nor_json_ld(client):
    story = make_anecdote(state=State.PENDING)
    client.force_login(story.contributor)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "og:" not in html
    assert "application/ld+json" not in html
