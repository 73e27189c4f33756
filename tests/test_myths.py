"""Issue 15: accuracy as pages. ``/myths/`` lists the stories the moderators found untrue, each
with what is true; ``/disputed/`` those whose sources disagree; each has an Atom feed.

Read as an anonymous reader through the page cache: a moderator's verdict moves a story between
the pages at the very next request, and no unpublished story is ever listed.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tests.factories import make_anecdote, make_title, make_user
from trivia import services
from trivia.models import Anecdote

pytestmark = pytest.mark.django_db

State = Anecdote.State
ATOM = "{http://www.w3.org/2005/Atom}"
WHY = "a trivia site that silently deletes a famous false story teaches nobody anything"


def story(text, *, accuracy="unverified", note="", state=State.PUBLISHED, moderator, **kwargs):
    made = make_anecdote(text=text, title=kwargs.pop("title", None) or make_title(), **kwargs)
    if accuracy != "unverified":
        services.edit_story(
            story=made,
            editor=moderator,
            changes={"accuracy": accuracy, "accuracy_note": note},
        )
    if state == State.PUBLISHED:
        services.approve_story(story=made, moderator=moderator)
    elif state == State.REJECTED:
        services.reject_story(story=made, moderator=moderator, reason="rumour", message="No.")
    elif state == State.WITHDRAWN:
        services.withdraw_story(story=made, contributor=made.contributor)
    return made


def judge(made, moderator, accuracy, note=""):
    services.edit_story(
        story=made, editor=moderator, changes={"accuracy": accuracy, "accuracy_note": note}
    )


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld(html):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {document["@type"]: document for document in map(json.loads, scripts)}


def feed_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") and feed.findtext(f"{ATOM}id")
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "link": entry.find(f"{ATOM}link").get("href"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def verdicts(moderator):
    """A myth, a disputed story and a plain one, all published."""
    return {
        "myth": story(
            "Stallone really punched Lundgren.",
            accuracy="debunked",
            note="The punches were staged; both actors said so.",
            moderator=moderator,
        ),
        "disputed": story(
            "The shark broke down on the first day.",
            accuracy="disputed",
            note="Crew accounts disagree on the day.",
            moderator=moderator,
        ),
        "plain": story("The cast rehearsed for a month.", moderator=moderator),
    }


# --- The pages ------------------------------------------------------------------------------------


def test_the_myths_page_lists_the_myths_with_what_is_true_and_says_why_it_keeps_them(verdicts):
    html = page(Client(), "/myths/")
    assert "Stallone really punched Lundgren." in html
    assert "The punches were staged; both actors said so." in html
    assert html.index("The punches were staged") < html.index("Stallone really punched")
    assert "The shark broke down" not in html and "rehearsed for a month" not in html
    assert WHY in html
    assert "1 story, newest first." in html
    assert 'href="/disputed/"' in html and 'href="/myths/feed/"' in html


def test_the_disputed_page_lists_the_disputed_stories_with_the_dispute(verdicts):
    html = page(Client(), "/disputed/")
    assert "The shark broke down on the first day." in html
    assert "Crew accounts disagree on the day." in html
    assert "Stallone" not in html and "rehearsed for a month" not in html
    assert 'href="/myths/"' in html and 'href="/disputed/feed/"' in html


def test_the_verdict_pages_are_paginated_newest_first(moderator, settings):
    for number in range(23):
        story(f"Myth number {number:02d}.", accuracy="debunked", moderator=moderator)
    client = Client()
    first = page(client, "/myths/")
    numbers = [int(n) for n in re.findall(r"Myth number (\d\d)\.", first)]
    assert numbers == list(range(22, 2, -1))
    assert "23 stories, newest first." in first and "Page 1 of 2" in first
    second = page(client, "/myths/?page=2")
    assert [int(n) for n in re.findall(r"Myth number (\d\d)\.", second)] == [2, 1, 0]
    assert client.get("/myths/?page=3").status_code == 404


def test_the_pages_and_feeds_list_published_stories_only(moderator):
    title = make_title("Heat")
    for accuracy in ("debunked", "disputed"):
        story(f"Published {accuracy} marker.", accuracy=accuracy, title=title, moderator=moderator)
        for state in (State.PENDING, State.REJECTED, State.WITHDRAWN):
            story(
                f"Hidden {accuracy} {state} marker.",
                accuracy=accuracy,
                state=state,
                title=title,
                moderator=moderator,
            )
        taken_down = story(
            f"Hidden {accuracy} taken down marker.",
            accuracy=accuracy,
            title=title,
            moderator=moderator,
        )
        services.unpublish_story(story=taken_down, moderator=moderator, reason="duplicate")
    signed_in = Client()
    signed_in.force_login(make_user("someone_else"))
    for client in (Client(), signed_in):
        for url in ("/myths/", "/disputed/", "/myths/feed/", "/disputed/feed/"):
            html = page(client, url)
            assert "Hidden" not in html, url
            assert "Published" in html, url
        assert "1 story, newest first." in page(client, "/myths/")


# --- A verdict moves a story at the next request --------------------------------------------------


def test_a_verdict_changed_by_a_moderator_moves_the_story_between_the_cached_pages(
    verdicts, moderator
):
    client = Client()
    urls = [
        "/myths/",
        "/disputed/",
        "/myths/feed/",
        "/disputed/feed/",
        "/stories/?accuracy=debunked",
    ]
    for url in urls:
        page(client, url)
        assert client.get(url)["X-Page-Cache"] == "hit", url

    plain = verdicts["plain"]
    judge(plain, moderator, "debunked", "Nobody rehearsed: the shoot started a week later.")
    myths = page(client, "/myths/")
    assert "rehearsed for a month" in myths
    assert "Nobody rehearsed: the shoot started a week later." in myths
    assert "2 stories, newest first." in myths
    assert "rehearsed for a month" in page(client, "/myths/feed/")
    assert "rehearsed for a month" in page(client, "/stories/?accuracy=debunked")

    judge(plain, moderator, "disputed", "The crew remembers it differently.")
    assert "rehearsed for a month" not in page(client, "/myths/")
    assert "rehearsed for a month" not in page(client, "/myths/feed/")
    disputed = page(client, "/disputed/")
    assert "rehearsed for a month" in disputed and "The crew remembers it differently." in disputed
    assert "rehearsed for a month" in page(client, "/disputed/feed/")

    judge(plain, moderator, "corroborated")
    for url in urls:
        assert "rehearsed for a month" not in page(client, url), url


def test_a_myth_taken_down_leaves_the_cached_page_and_feed_at_once(verdicts, moderator):
    client = Client()
    for url in ("/myths/", "/myths/feed/"):
        assert "Stallone" in page(client, url)
    services.unpublish_story(story=verdicts["myth"], moderator=moderator, reason="rumour")
    for url in ("/myths/", "/myths/feed/"):
        assert "Stallone" not in page(client, url), url
    assert "0 stories" in page(client, "/myths/")


# --- Feeds ----------------------------------------------------------------------------------------


def test_the_feeds_are_atom_with_the_moderators_note_first(verdicts):
    client = Client()
    [myth] = feed_entries(client, "/myths/feed/")
    assert myth["link"] == f"http://testserver/anecdotes/{verdicts['myth'].pk}/"
    assert myth["summary"].startswith("Myth: The punches were staged")
    [disputed] = feed_entries(client, "/disputed/feed/")
    assert disputed["summary"].startswith("Disputed: Crew accounts disagree")


def test_a_spoiler_myth_says_nothing_of_itself_in_the_feed(moderator):
    story(
        "The villain is the narrator.",
        accuracy="debunked",
        note="He is not.",
        is_spoiler=True,
        moderator=moderator,
    )
    [entry] = feed_entries(Client(), "/myths/feed/")
    assert "villain" not in entry["summary"] and "narrator" not in entry["title"]


# --- Links and structured data --------------------------------------------------------------------


def test_a_myths_badge_links_to_the_myths_page_and_a_disputed_one_to_its_page(verdicts):
    html = page(Client(), verdicts["myth"].title.get_absolute_url())
    assert re.search(r'<a class="badge badge--myth" href="/myths/"[^>]*>Myth</a>', html)
    html = page(Client(), verdicts["disputed"].title.get_absolute_url())
    assert re.search(r'<a class="badge badge--warn" href="/disputed/"[^>]*>Disputed</a>', html)


def test_the_site_links_the_verdict_pages_from_home_and_every_footer(verdicts):
    client = Client()
    for url in ("/", "/titles/", "/stories/"):
        html = page(client, url)
        footer = html[html.index('class="site-footer"') :]
        assert 'href="/myths/"' in footer and 'href="/disputed/"' in footer, url
        assert 'href="/stories/"' in footer, url
    assert 'href="/myths/"' in page(client, "/").split('id="latest-heading"')[0]


def test_the_verdict_pages_are_collections_with_breadcrumbs(verdicts):
    client = Client()
    for url, name, pk in (
        ("/myths/", "Myths", verdicts["myth"].pk),
        ("/disputed/", "Disputed stories", verdicts["disputed"].pk),
    ):
        documents = json_ld(page(client, url))
        assert set(documents) == {"CollectionPage", "BreadcrumbList"}
        trail = [item["name"] for item in documents["BreadcrumbList"]["itemListElement"]]
        assert trail == ["Home", "Stories", name]
        [item] = documents["CollectionPage"]["mainEntity"]["itemListElement"]
        assert item["url"] == f"http://testserver/anecdotes/{pk}/"
