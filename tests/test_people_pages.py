"""People as first-class pages (issue 15, item 3): a person's page shows the other spellings of
their name, the titles they appear in, their feed and their schema.org ``Person``; ``/people/``
files them by family name with an A–Z bar of the letters that have someone. Read as an
anonymous reader, through the page cache, after each kind of change."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from django.urls import reverse

from tests.caching import clear_caches
from tests.factories import make_anecdote, make_moderator, make_title, move_to
from trivia import services
from trivia.models import Anecdote, Person, PersonAlias
from trivia.models.catalogue import family_sort_name

pytestmark = pytest.mark.django_db

State = Anecdote.State
ATOM = "{http://www.w3.org/2005/Atom}"


def make_person(name, *, aliases=(), **fields):
    person = Person.objects.create(name=name, **fields)
    for alias in aliases:
        PersonAlias.objects.create(person=person, name=alias)
    return person


def story_about(person, *, state=State.PUBLISHED, title=None, text=None):
    story = make_anecdote(title=title or make_title(), text=text)
    story.people.add(person)
    return move_to(story, state)


def json_ld_documents(html):
    """Every JSON-LD document of a page, parsed."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(script) for script in scripts]


def of_type(html, kind):
    documents = [doc for doc in json_ld_documents(html) if doc.get("@type") == kind]
    assert len(documents) == 1, f"{len(documents)} {kind} documents"
    return documents[0]


@pytest.fixture
def keanu():
    person = make_person("Keanu Reeves", aliases=["Kino Rives"], known_for="Actor")
    matrix = make_title("The Matrix", year=1999)
    speed = make_title("Speed", year=1994)
    story_about(person, title=matrix, text="He did most of his own kung fu.")
    story_about(person, title=matrix, text="The bullet-time rig had 120 cameras.")
    story_about(person, title=speed, text="The bus jump was real.")
    story_about(person, title=speed, text="Marker of a pending story.", state=State.PENDING)
    return person


# --- A person's page ------------------------------------------------------------------------------


def test_a_persons_page_shows_the_other_spellings_of_their_name(client, keanu):
    html = client.get(keanu.get_absolute_url()).content.decode()
    assert "Also written “Kino Rives”" in html
    assert "Marker of a pending story" not in html


def test_a_persons_page_lists_their_titles_with_published_counts_beside_the_stories(client, keanu):
    response = client.get(keanu.get_absolute_url())
    assert [(title.name, title.story_count) for title in response.context["titles"]] == [
        ("The Matrix", 2),
        ("Speed", 1),
    ]
    html = response.content.decode()
    side = html[html.index('class="with-side__side') :]
    assert "Appears in" in side and "2 stories" in side and "1 story" in side
    assert "New stories about Keanu Reeves (Atom feed)" in side


def test_a_persons_page_links_its_feed_in_the_head_and_on_the_page(client, keanu):
    html = client.get(keanu.get_absolute_url()).content.decode()
    feed = reverse("person_feed", kwargs={"slug": keanu.slug})
    assert feed == "/people/keanu-reeves/feed/"
    head = html[: html.index("</head>")]
    assert '<link rel="alternate" type="application/atom+xml"' in head and feed in head
    body = html[html.index("<body") :]
    assert f'href="{feed}"' in body


def test_a_persons_page_has_breadcrumbs_and_a_person_document(client, keanu):
    html = client.get(keanu.get_absolute_url()).content.decode()
    assert 'class="eyebrow"' not in html
    crumbs = of_type(html, "BreadcrumbList")["itemListElement"]
    assert [crumb["name"] for crumb in crumbs] == ["Home", "People", "Keanu Reeves"]
    assert crumbs[-1]["item"] == "http://testserver/people/keanu-reeves/"
    person = of_type(html, "Person")
    assert person["@context"] == "https://schema.org"
    assert person["name"] == "Keanu Reeves"
    assert person["alternateName"] == ["Kino Rives"]
    assert person["url"] == "http://testserver/people/keanu-reeves/"
    assert person["jobTitle"] == "Actor"
    assert "sameAs" not in person


def test_a_person_without_aliases_or_known_for_has_a_plain_person_document(client):
    story_about(make_person("Amy Poehler"))
    html = client.get("/people/amy-poehler/").content.decode()
    person = of_type(html, "Person")
    assert "alternateName" not in person and "jobTitle" not in person
    assert "Also written" not in html


def test_a_persons_page_is_two_columns_stories_first(client, keanu):
    html = client.get(keanu.get_absolute_url()).content.decode()
    main, side = html.index('class="with-side__main"'), html.index('class="with-side__side')
    assert html.index('class="with-side person-page"') < main < side
    assert main < html.index("He did most of his own kung fu.") < side


# --- A person's feed ------------------------------------------------------------------------------


def test_a_persons_feed_is_valid_atom_with_their_published_stories_only(client, keanu):
    other = make_person("Sandra Bullock")
    story_about(other, text="Someone else's story.")
    response = client.get("/people/keanu-reeves/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Backlot: behind the scenes with Keanu Reeves"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    text = response.content.decode()
    assert "Marker of a pending story" not in text and "Someone else" not in text
    assert "The bus jump was real." in text


def test_a_person_with_only_unpublished_stories_has_no_feed(client):
    story_about(make_person("Nobody Yet"), state=State.PENDING)
    assert client.get("/people/nobody-yet/feed/").status_code == 404
    assert client.get("/people/no-such-person/feed/").status_code == 404


def test_a_persons_feed_drops_a_story_taken_down_at_once(client, keanu):
    assert len(ET.fromstring(client.get("/people/keanu-reeves/feed/").content)) > 3
    story = keanu.anecdotes.published().get(text="The bus jump was real.")
    services.unpublish_story(
        story=story, moderator=make_moderator(), reason="duplicate", message="Twice."
    )
    assert "The bus jump was real." not in client.get("/people/keanu-reeves/feed/").content.decode()


# --- /people/ by family name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Heath Ledger", "ledger heath"),
        ("Robert De Niro", "de niro robert"),
        ("Ludwig van Beethoven", "beethoven ludwig van"),
        ("Guillermo del Toro", "toro guillermo del"),
        ("Sammy Davis Jr.", "davis sammy jr"),
        ("Robert Downey, Jr.", "downey robert jr"),
        ("Martin Luther King III", "king martin luther iii"),
        ("Joseph Gordon-Levitt", "gordon levitt joseph"),
        ("Van Morrison", "morrison van"),
        ("Zendaya", "zendaya"),
        ("Amélie Poulain", "poulain amelie"),
        ("", ""),
    ],
)
def test_the_family_name_rule(name, key):
    assert family_sort_name(name) == key


def test_a_renamed_person_is_filed_under_their_new_family_name():
    person = make_person("Heath Ledger")
    assert Person.objects.get(pk=person.pk).sort_name == "ledger heath"
    services.rename_person(person=person, name="Heath Andrew Ledger-Smith")
    stored = Person.objects.get(pk=person.pk)
    assert (stored.sort_name, stored.normalized_name) == (
        "ledger smith heath andrew",
        "heath andrew ledger smith",
    )


def test_people_are_grouped_by_family_name_heath_ledger_under_l(client):
    for name in ["Heath Ledger", "Sean Bean", "Amy Poehler", "Robert De Niro", "Hugh Jackman"]:
        story_about(make_person(name))
    html = client.get("/people/").content.decode()
    listed = html[html.index('class="title-list person-list"') :]
    headings = re.findall(r'class="title-list__letter"><a [^>]*>(\w)</a>', listed)
    assert headings == ["B", "D", "J", "L", "P"]
    under_l = listed[listed.index(">L</a>") :]
    assert under_l.index("Heath Ledger") < under_l.index(">P</a>")
    h_heading = re.search(r'class="title-list__letter"><a [^>]*>H</a>', listed)
    assert h_heading is None


def test_the_a_to_z_bar_links_only_letters_with_people(client):
    for name in ["Heath Ledger", "Sean Bean"]:
        story_about(make_person(name))
    story_about(make_person("Pending Person"), state=State.PENDING)
    html = client.get("/people/").content.decode()
    bar = html[
        html.index('aria-label="People by family name"') : html.index(
            "</nav>", html.index('aria-label="People by family name"')
        )
    ]
    linked = re.findall(r"<a href=\"\?letter=(\w)\"", bar)
    assert linked == ["B", "L"]
    assert '<span class="letters__empty"' in bar and ">H</span>" in bar and ">P</span>" in bar


def test_a_letter_lists_only_the_people_filed_under_it(client):
    for name in ["Heath Ledger", "Sean Bean", "Hugh Laurie"]:
        story_about(make_person(name))
    response = client.get("/people/", {"letter": "l"})
    assert [person.name for person in response.context["people"]] == ["Hugh Laurie", "Heath Ledger"]
    html = response.content.decode()
    assert "<h1>People under L</h1>" in html
    assert 'rel="canonical" href="http://testserver/people/?letter=L"' in html
    assert client.get("/people/", {"letter": "<script>"}).context["current_letter"] == ""


def test_the_people_list_has_breadcrumbs_and_a_collection_page(client):
    for name in ["Heath Ledger", "Sean Bean"]:
        story_about(make_person(name))
    html = client.get("/people/").content.decode()
    crumbs = of_type(html, "BreadcrumbList")["itemListElement"]
    assert [crumb["name"] for crumb in crumbs] == ["Home", "People"]
    page = of_type(html, "CollectionPage")
    items = page["mainEntity"]["itemListElement"]
    assert page["mainEntity"]["@type"] == "ItemList"
    assert [(item["name"], item["url"]) for item in items] == [
        ("Sean Bean", "http://testserver/people/sean-bean/"),
        ("Heath Ledger", "http://testserver/people/heath-ledger/"),
    ]


# --- Fresh at the next request --------------------------------------------------------------------


def add_alias(person, name):
    """As the person admin does: the alias saved, then the service told."""
    with transaction.atomic():
        PersonAlias.objects.create(person=person, name=name)
        services.person_edited(person=person)


def test_an_alias_added_shows_on_the_cached_page_at_the_next_request(client, keanu):
    url = keanu.get_absolute_url()
    client.get(url)
    assert "Keanu Reevs" not in client.get(url).content.decode()  # served from the cache
    add_alias(keanu, "Keanu Reevs")
    html = client.get(url).content.decode()
    assert "Keanu Reevs" in html
    assert of_type(html, "Person")["alternateName"] == ["Keanu Reevs", "Kino Rives"]


def test_a_renamed_person_shows_on_every_cached_page_at_the_next_request(client, keanu):
    pages = [keanu.get_absolute_url(), "/people/", "/people/keanu-reeves/feed/"]
    for url in pages:
        client.get(url)
        client.get(url)
    services.rename_person(person=Person.objects.get(pk=keanu.pk), name="Keanu Charles Reeves")
    for url in pages:
        assert "Keanu Charles Reeves" in client.get(url).content.decode(), url


def test_a_story_published_about_a_person_shows_on_their_page_and_feed_at_once(client, keanu):
    for url in [keanu.get_absolute_url(), "/people/keanu-reeves/feed/"]:
        client.get(url)
    story = make_anecdote(title=make_title("John Wick"), text="The pencil scene was real.")
    story.people.add(keanu)
    move_to(story, State.PUBLISHED)
    for url in [keanu.get_absolute_url(), "/people/keanu-reeves/feed/"]:
        assert "The pencil scene was real." in client.get(url).content.decode(), url
    assert "John Wick" in client.get(keanu.get_absolute_url()).content.decode()


def test_a_title_renamed_shows_in_the_persons_side_column_at_once(client, keanu):
    client.get(keanu.get_absolute_url())
    clear_caches()
    client.get(keanu.get_absolute_url())  # the person kept with their titles
    matrix = keanu.anecdotes.published().first().title
    services.rename_title(title=matrix, name="The Matrix (1999 cut)")
    assert "The Matrix (1999 cut)" in client.get(keanu.get_absolute_url()).content.decode()
