"""Issue 15, richer pages: a story's own page as a reader finds it.

Breadcrumbs back to its title and the titles; beside the story, its title's card, the people it
is about and related stories (same people, same tags; published ones only, never itself). The
related list is part of the cached page, so a related story taken down or edited leaves it at
the very next request. A spoiler's fold says "Hide spoiler" once open.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_anecdote, make_moderator, make_title, make_user
from trivia import services
from trivia.models import Anecdote, Person

pytestmark = pytest.mark.django_db

State = Anecdote.State


def story(title, *, people=(), state=State.PUBLISHED, **kwargs):
    anecdote = make_anecdote(title=title, state="pending", **kwargs)
    if people:
        anecdote.people.add(*people)
    if state == State.PUBLISHED:
        services.approve_story(story=anecdote, moderator=make_moderator())
    return Anecdote.objects.get(pk=anecdote.pk)


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def related_texts(html):
    """The excerpts the "Related stories" box shows, in order."""
    if 'id="related-heading"' not in html:
        return []
    box = html[html.index('id="related-heading"') :]
    box = box[: box.index("</section>")]
    return re.findall(r'<p class="related__excerpt">([^<]*)</p>', box)


@pytest.fixture
def heat():
    return make_title("Heat", year=1995)


@pytest.fixture
def pacino():
    return Person.objects.create(name="Al Pacino", known_for="Actor")


# --- Breadcrumbs and structured data -------------------------------------------------------------


def test_a_story_page_leads_back_to_its_title_and_the_titles(client, heat):
    page = html_of(client, story(heat).get_absolute_url())
    trail = page[
        page.index('<nav class="breadcrumbs"') : page.index("</nav>", page.index("crumbs"))
    ]
    assert re.findall(r"<li>(.*?)</li>", trail) == [
        '<a href="/">Home</a>',
        '<a href="/titles/">Titles</a>',
        '<a href="/titles/heat/">Heat</a>',
        '<span aria-current="page">Story</span>',
    ]
    assert '<a href="/titles/heat/">More stories about Heat →</a>' in page


def test_a_story_pages_structured_data_parses_and_names_its_people(client, heat, pacino):
    page = html_of(client, story(heat, people=[pacino]).get_absolute_url())
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    documents = {document["@type"]: document for document in map(json.loads, scripts)}
    assert set(documents) == {"Article", "BreadcrumbList"}
    about = documents["Article"]["about"]
    assert about[0] == {"@type": "Movie", "name": "Heat", "url": "http://testserver/titles/heat/"}
    assert about[1] == {
        "@type": "Person",
        "name": "Al Pacino",
        "url": "http://testserver/people/al-pacino/",
    }
    names = [item["name"] for item in documents["BreadcrumbList"]["itemListElement"]]
    assert names == ["Home", "Titles", "Heat", "Story"]


def test_the_side_names_its_title_and_people(client, heat, pacino):
    page = html_of(client, story(heat, people=[pacino]).get_absolute_url())
    side = page[page.index('class="with-side__side story-page__side"') :]
    assert '<a href="/titles/heat/">Heat</a>' in side
    assert 'src="/titles/heat/poster.svg?v=' in side
    assert '<a href="/people/al-pacino/">Al Pacino</a> <span class="muted">Actor</span>' in side


# --- Related stories -----------------------------------------------------------------------------


def test_related_stories_share_people_or_tags_are_published_and_never_itself(client, heat, pacino):
    other_title = make_title("Scarface")
    this = story(heat, people=[pacino], tags=["heists"], text="This story.")
    story(other_title, people=[pacino], tags=["heists"], text="Same person and tag.")
    story(heat, tags=["heists"], text="Same tag only.")
    story(other_title, people=[pacino], text="Same person only.")
    story(heat, people=[pacino], tags=["heists"], text="Pending twin.", state=State.PENDING)
    story(heat, tags=["music"], text="Nothing shared.")
    related = related_texts(html_of(client, this.get_absolute_url()))
    # A shared person counts as much as two shared tags; the newest first among equals.
    assert related == ["Same person and tag.", "Same person only.", "Same tag only."]


def test_at_most_four_related_stories(client, heat):
    this = story(heat, tags=["heists"])
    for number in range(6):
        story(heat, tags=["heists"], text=f"Related {number}.")
    related = related_texts(html_of(client, this.get_absolute_url()))
    assert related == ["Related 5.", "Related 4.", "Related 3.", "Related 2."]


def test_a_story_sharing_nothing_has_no_related_box(client, heat):
    this = story(heat, tags=["heists"])
    story(heat, tags=["music"])
    assert 'id="related-heading"' not in html_of(client, this.get_absolute_url())


def test_a_related_spoiler_says_nothing_of_its_text(client, heat):
    this = story(heat, tags=["twists"])
    story(heat, tags=["twists"], text="Neil dies at the end.", is_spoiler=True)
    page = html_of(client, this.get_absolute_url())
    assert "Neil dies" not in page
    assert len(related_texts(page)) == 1


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed in"])
def test_a_related_story_unpublished_leaves_the_page_at_the_next_request(
    client, heat, moderator, signed_in
):
    if signed_in:
        client.force_login(make_user())
    this = story(heat, tags=["heists"])
    other = story(heat, tags=["heists"], text="The bank scene was real.")
    assert related_texts(html_of(client, this.get_absolute_url())) == ["The bank scene was real."]
    if not signed_in:
        assert client.get(this.get_absolute_url())["X-Page-Cache"] == "hit"
    services.unpublish_story(story=other, moderator=moderator, reason="unsourced")
    assert related_texts(html_of(client, this.get_absolute_url())) == []


def test_a_related_story_edited_shows_its_new_text_at_the_next_request(client, heat, moderator):
    this = story(heat, tags=["heists"])
    other = story(heat, tags=["heists"], text="Shot in 1994.")
    assert related_texts(html_of(client, this.get_absolute_url())) == ["Shot in 1994."]
    services.edit_story(story=other, editor=moderator, changes={"text": "Shot in 1995."})
    assert related_texts(html_of(client, this.get_absolute_url())) == ["Shot in 1995."]


def test_a_story_page_runs_the_same_queries_with_2_or_20_related_candidates(heat, pacino):
    this = story(heat, people=[pacino], tags=["heists", "locations"])
    reader = Client()

    def queries():
        from tests.caching import clear_caches

        clear_caches()
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(this.get_absolute_url()).status_code == 200
        return len(captured)

    for _ in range(2):
        story(heat, people=[pacino], tags=["heists"])
    few = queries()
    for _ in range(18):
        story(make_title(), people=[pacino], tags=["locations", "heists"])
    assert queries() == few


# --- The spoiler's fold --------------------------------------------------------------------------


def test_an_open_spoiler_offers_to_hide_it_not_to_reveal_it(client, heat):
    spoiler = story(heat, text="Ripley survives.", is_spoiler=True)
    for url in (spoiler.get_absolute_url(), heat.get_absolute_url(), "/"):
        page = html_of(client, url)
        summary = re.search(r"<summary>(.*?)</summary>", page).group(1)
        assert summary == (
            '<span class="spoiler__reveal">Reveal spoiler</span>'
            '<span class="spoiler__hide">Hide spoiler</span>'
        ), url
    # One label at a time, by the fold's own state: no script involved.
    css = Path(settings.BASE_DIR, "static/css/site.css").read_text()
    rule = re.search(
        r"\.spoiler\[open\] \.spoiler__reveal,\s*\.spoiler:not\(\[open\]\) "
        r"\.spoiler__hide \{\s*display: none;",
        css,
    )
    assert rule
