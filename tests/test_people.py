"""People (DESIGN §2, §4): finding them in a story's text, their public pages across titles,
the story cards that name them, and how moderators, the importer and the submit form set them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_forms import change_form_data, management_form
from tests.caching import clear_caches
from tests.factories import make_anecdote, make_moderator, make_title, make_user, move_to
from tests.submit_form import form_data
from trivia import services
from trivia.importer.writing import import_article
from trivia.matching.people import PersonIndex, PersonRef, find_people
from trivia.models import Anecdote, Person, PersonAlias
from trivia.search.index import index_story
from trivia.views.people import PersonDetailView, PersonListView

pytestmark = pytest.mark.django_db

State = Anecdote.State


def make_person(name, *, aliases=(), **fields):
    person = Person.objects.create(name=name, **fields)
    for alias in aliases:
        PersonAlias.objects.create(person=person, name=alias)
    return person


def index_of(*people):
    """An index of ``(name, aliases…)`` entries, without the database."""
    return PersonIndex(
        (PersonRef(pk=number, slug=f"p{number}", name=names[0]), list(names))
        for number, names in enumerate(people, start=1)
    )


def names_found(text, index):
    return [person.name for person in index.find(text)]


SEED_PEOPLE = index_of(
    ("Keanu Reeves", "Kino Rives"),
    ("Sean Bean", "Sean Bing"),
    ("Audrey Tautou", "Audrey Tutu"),
    ("Gal Gadot", "Gageto"),
    ("David Harbour", "David Harbor"),
    ("Arnold Schwarzenegger",),
    ("Leonardo DiCaprio",),
    ("Will Smith",),
    ("Chris Pratt",),
    ("Amy Poehler",),
    ("Heath Ledger",),
    ("Brad Pitt",),
    ("Millie Bobby Brown",),
)


# --- Finding people in a text -----------------------------------------------------------------


def test_full_names_are_found_in_the_order_they_appear():
    text = "Amy Poehler had no idea that Chris Pratt would do it."
    assert names_found(text, SEED_PEOPLE) == ["Amy Poehler", "Chris Pratt"]


@pytest.mark.parametrize(
    "text, person",
    [
        ("Kino Rives himself plays about 95% of the battle scene.", "Keanu Reeves"),
        ("However, Sean Bing is afraid of flying.", "Sean Bean"),
        ("Audrey Tutu does not know how to play floats.", "Audrey Tautou"),
        ("Gageto was part of the movie that came back.", "Gal Gadot"),
        ("David Harbor recorded himself reading the letter.", "David Harbour"),
    ],
)
def test_garbled_names_are_found_through_aliases(text, person):
    assert names_found(text, SEED_PEOPLE) == [person]


@pytest.mark.parametrize(
    "text",
    [
        "CHRIS PRATT stole his costume.",
        "chris pratt stole his costume.",
        "Chris Pratt’s character arrives naked.",
        "Chris  Pratt,\nthe actor.",
    ],
)
def test_names_are_found_whatever_their_case_punctuation_or_spacing(text):
    assert names_found(text, SEED_PEOPLE) == ["Chris Pratt"]


def test_accents_do_not_matter_either_way():
    index = index_of(("Penélope Cruz",), ("Audrey Tautou",))
    assert names_found("Penelope Cruz and AUDREY TAUTÖU", index) == [
        "Penélope Cruz",
        "Audrey Tautou",
    ]


@pytest.mark.parametrize(
    "text, person",
    [
        ("Schwarzenegger walks into a restaurant in his make-up.", "Arnold Schwarzenegger"),
        ("DiCaprio used a hammer at the table.", "Leonardo DiCaprio"),
        ("Amy had no idea that Pratt would do it.", "Chris Pratt"),
    ],
)
def test_a_long_surname_alone_finds_its_one_person(text, person):
    assert person in names_found(text, SEED_PEOPLE)


@pytest.mark.parametrize(
    "text",
    [
        "Will was hooked on his dog partner.",  # a first name alone
        "Chris stole his costume.",
        "Pitt learned to make soap.",  # a surname too short to stand alone
        "The accountant kept a ledger of brown envelopes for the smith.",  # common words
        "Brad Pittman and Chris Prattle are other people.",  # names inside longer words
        "Gadgeto and Kino are not aliases.",
    ],
)
def test_no_one_is_found_from_first_names_short_surnames_or_common_words(text):
    assert names_found(text, SEED_PEOPLE) == []


def test_a_surname_shared_by_two_people_finds_neither_but_full_names_still_work():
    index = index_of(("James Cameron",), ("Cameron Diaz",), ("Kirk Cameron",))
    assert names_found("Cameron kept a nail gun on set.", index) == []
    assert names_found("James Cameron kept a nail gun; Cameron Diaz laughed.", index) == [
        "James Cameron",
        "Cameron Diaz",
    ]


def test_a_surname_that_is_someones_alias_word_is_ambiguous():
    index = index_of(("Heath Ledger",), ("Max Planck", "Ledger Planck"))
    assert names_found("Ledger hid in a motel room.", index) == []


def test_a_leading_article_in_an_alias_is_kept():
    index = index_of(("Dwayne Johnson", "The Rock"))
    assert names_found("They played rock music between takes.", index) == []
    assert names_found("The Rock did his own stunts.", index) == ["Dwayne Johnson"]


def test_a_person_named_twice_is_found_once():
    found = names_found("Pratt, then Chris Pratt, then CHRIS PRATT again.", SEED_PEOPLE)
    assert found == ["Chris Pratt"]


def test_the_index_loads_every_name_and_alias_in_one_query(django_assert_num_queries):
    make_person("Keanu Reeves", aliases=["Kino Rives", "Keanu Reaves"])
    make_person("Sean Bean", aliases=["Sean Bing"])
    make_person("Brad Pitt")
    with django_assert_num_queries(1):
        index = PersonIndex.from_db()
    assert len(index) == 3
    assert names_found("Kino Rives, Keanu Reaves and Sean Bing met Brad Pitt.", index) == [
        "Keanu Reeves",
        "Sean Bean",
        "Brad Pitt",
    ]


def test_find_people_without_an_index_reads_the_database():
    pratt = make_person("Chris Pratt")
    assert [ref.pk for ref in find_people("Chris Pratt visited a sick child.")] == [pratt.pk]
    assert find_people("") == []


# --- Person pages -----------------------------------------------------------------------------


def story_about(person, *, state=State.PUBLISHED, title=None, **kwargs):
    story = make_anecdote(state="pending", title=title, **kwargs)
    story.people.add(person)
    return move_to(story, state)


def test_person_page_lists_published_stories_across_titles_with_their_titles(client):
    pratt = make_person("Chris Pratt", known_for="Actor")
    guardians = make_title("Guardians of the Galaxy", year=2014)
    parks = make_title("Parks and Recreation", kind="series", year=2009, end_year=2015)
    story_about(pratt, title=guardians, text="He sneaked his Star-Lord costume out.")
    story_about(pratt, title=parks, text="The nudity in the scene is real.")

    response = client.get("/people/chris-pratt/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Chris Pratt</h1>" in html and "Actor" in html
    assert "He sneaked his Star-Lord costume out." in html
    assert "The nudity in the scene is real." in html
    # Each card names its title, and the header names both.
    assert html.count('href="/titles/guardians-of-the-galaxy/"') == 2
    assert html.count('href="/titles/parks-and-recreation/"') == 2
    assert [t.name for t in response.context["titles"]] == [
        "Guardians of the Galaxy",
        "Parks and Recreation",
    ]


@pytest.mark.parametrize("state", ["pending", "rejected", "withdrawn", "unpublished"])
def test_person_page_never_shows_an_unpublished_story(client, state):
    pratt = make_person("Chris Pratt")
    story_about(pratt, text="The published one.")
    hidden = story_about(
        pratt, state="published" if state == "unpublished" else state, text="The hidden one."
    )
    if state == "unpublished":
        services.unpublish_story(story=hidden, moderator=make_moderator(), reason="rumour")

    for viewer in (None, make_user(), hidden.contributor):
        browser = Client()
        if viewer:
            browser.force_login(viewer)
        response = browser.get("/people/chris-pratt/")
        html = response.content.decode()
        assert "The published one." in html
        assert "The hidden one." not in html
        assert response.context["paginator"].count == 1
        listing = browser.get("/people/")
        assert [(p.name, p.story_count) for p in listing.context["people"]] == [("Chris Pratt", 1)]


@pytest.mark.parametrize("state", ["pending", "rejected", "withdrawn"])
def test_a_person_with_only_unpublished_stories_is_not_found_nor_listed(client, state):
    story_about(make_person("Gal Gadot", aliases=["Gageto"]), state=state)
    make_person("Nobody Atall")
    assert client.get("/people/gal-gadot/").status_code == 404
    assert client.get("/people/nobody-atall/").status_code == 404
    response = client.get("/people/")
    assert response.status_code == 200
    assert "Gal Gadot" not in response.content.decode()
    assert "No people with published stories yet." in response.content.decode()


@pytest.mark.parametrize("slug", ["no-such-person", "%00", "a%2Fb", "x" * 300])
def test_unknown_or_garbage_person_addresses_are_not_found(client, slug):
    assert client.get(f"/people/{slug}/").status_code == 404


def test_people_list_is_alphabetical_by_family_name_with_published_counts(client):
    for name, count in [("Sean Bean", 1), ("Amy Poehler", 2), ("Heath Ledger", 3)]:
        person = make_person(name)
        for _ in range(count):
            story_about(person)
    story_about(Person.objects.get(name="Amy Poehler"), state="pending")
    response = client.get(reverse("person_list"))
    assert [(p.name, p.story_count) for p in response.context["people"]] == [
        ("Sean Bean", 1),
        ("Heath Ledger", 3),
        ("Amy Poehler", 2),
    ]
    html = response.content.decode()
    assert 'href="/people/heath-ledger/"' in html and "3 stories" in html and "1 story" in html


def test_the_people_link_is_in_the_site_navigation(client):
    html = client.get("/people/").content.decode()
    assert '<a href="/people/" aria-current="page">People</a>' in html


def test_people_pages_are_paginated(client, monkeypatch):
    monkeypatch.setattr(PersonListView, "paginate_by", 2)
    monkeypatch.setattr(PersonDetailView, "paginate_by", 2)
    pratt = make_person("Chris Pratt")
    for number in range(3):
        story_about(pratt, text=f"Story {number}.")
    for name in ("Amy Poehler", "Brad Pitt"):
        story_about(make_person(name))
    assert "Page 2 of 2" in client.get("/people/chris-pratt/?page=2").content.decode()
    second = client.get("/people/", {"page": 2})
    assert [p.name for p in second.context["people"]] == ["Chris Pratt"]
    assert client.get("/people/?page=9").status_code == 404


# --- Story cards ------------------------------------------------------------------------------


def test_story_cards_link_the_people_they_are_about(client):
    title = make_title("Parks and Recreation")
    story = story_about(make_person("Chris Pratt"), title=title)
    story.people.add(make_person("Amy Poehler"))
    expected = (
        'About <a href="/people/amy-poehler/">Amy Poehler</a> and '
        '<a href="/people/chris-pratt/">Chris Pratt</a>'
    )
    for url in ("/", title.get_absolute_url(), story.get_absolute_url(), "/people/amy-poehler/"):
        assert expected in client.get(url).content.decode(), url


def test_an_unpublished_story_names_its_people_to_its_contributor_without_links(client):
    story = story_about(make_person("Gal Gadot"), state="pending")
    client.force_login(story.contributor)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "About Gal Gadot" in html
    assert 'href="/people/gal-gadot/"' not in html


# --- Query budget -----------------------------------------------------------------------------


def queries_for(client, url):
    client.get(url)  # Warm whatever is cached per process.
    clear_caches()  # measure the rendering, not the anonymous page cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_person_page_runs_the_same_queries_with_6_or_60_stories(client):
    pratt, poehler = make_person("Chris Pratt"), make_person("Amy Poehler")
    titles = [make_title(f"Film {number}") for number in range(4)]
    contributor = make_user()

    def add(count):
        for number in range(count):
            story = story_about(
                pratt,
                title=titles[number % 4],
                contributor=contributor,
                tags=["stunts", "casting"],
                sources=2,
            )
            story.people.add(poehler)

    add(6)
    few = queries_for(client, "/people/chris-pratt/")
    add(54)
    assert queries_for(client, "/people/chris-pratt/") == few
    assert few <= 10  # with the person's aliases, and the stamps of the cached cards


def test_people_list_runs_the_same_queries_with_5_or_50_people(client):
    def add(start, count):
        for number in range(start, start + count):
            person = make_person(f"Person {number:03}")
            story_about(person)

    add(0, 5)
    few = queries_for(client, "/people/")
    add(5, 45)
    assert queries_for(client, "/people/") == few
    # The people with counts, the page count, the letters of the A–Z bar, the content
    # generation.
    assert few <= 4


# --- Demo content: following Chris Pratt across two titles ------------------------------------


def test_chris_pratt_is_followed_across_two_titles_after_load_demo(client):
    call_command("load_demo", force=True, stdout=StringIO())

    response = client.get("/people/chris-pratt/")
    assert response.status_code == 200
    stories = [Anecdote.objects.get(pk=row.pk) for row in response.context["stories"]]
    assert sorted(story.title.name for story in stories) == [
        "Guardians of the Galaxy",
        "Parks and Recreation",
    ]
    html = response.content.decode()
    assert "Star-Lord costume" in html and "Andy Dwyer" in html

    ledger = client.get("/people/heath-ledger/").context["stories"]
    assert [Anecdote.objects.get(pk=row.pk).title.name for row in ledger] == [
        "The Dark Knight",
        "The Dark Knight",
    ]
    # DiCaprio is named by a Titanic story still waiting in the queue: not on his page yet.
    dicaprio = Person.objects.get(name="Leonardo DiCaprio")
    assert dicaprio.anecdotes.filter(state=State.PENDING, text__contains="Winslet").exists()
    page = client.get("/people/leonardo-dicaprio/")
    assert [Anecdote.objects.get(pk=story.pk).title.name for story in page.context["stories"]] == [
        "Django Unchained"
    ]
    assert "Winslet" not in page.content.decode()
    # The garbled names of the seeds found their people; nobody is listed without a story.
    assert Person.objects.get(name="Keanu Reeves").anecdotes.published().count() == 1
    listed = [p.name for p in client.get("/people/").context["people"]]
    assert "Gal Gadot" not in listed and "Keanu Reeves" in listed


def test_load_demo_twice_creates_no_person_twice():
    call_command("load_demo", force=True, stdout=StringIO())
    counts = Person.objects.count(), PersonAlias.objects.count()
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert (Person.objects.count(), PersonAlias.objects.count()) == counts
    assert "Demo content: 0 people, 0 titles, 0 aliases" in out.getvalue()


# --- Moderators, the importer and the submit form ---------------------------------------------


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def change_url(story):
    return reverse("admin:trivia_pendinganecdote_change", args=[story.pk])


def test_moderator_sees_suggested_people_and_sets_them(moderator_client):
    reeves = make_person("Keanu Reeves", aliases=["Kino Rives"])
    make_person("Chad Stahelski")
    story = make_anecdote(text="Kino Rives himself plays about 95% of the battle scene.")

    page = moderator_client.get(change_url(story)).content.decode()
    assert "Suggested people" in page
    suggested = page[page.index("Suggested people") :]
    assert "Keanu Reeves" in suggested[:600] and "Chad Stahelski" not in suggested[:600]

    response = moderator_client.post(change_url(story), change_form_data(story, people=[reeves.pk]))
    assert response.status_code == 302
    assert list(story.people.all()) == [reeves]
    event = story.events.last()
    assert (event.action, event.snapshot["people"]) == ("edited", ["Keanu Reeves"])

    page = moderator_client.get(change_url(story)).content.decode()
    suggested = page[page.index("Suggested people") :]
    assert "Keanu Reeves" not in suggested[: suggested.index("</div>")]
    history = page[page.index("Moderation history") :]
    assert "People" in history and "Keanu Reeves" in history


def test_moderator_finds_people_by_alias_in_the_story_form(moderator_client):
    make_person("Keanu Reeves", aliases=["Kino Rives"])
    response = moderator_client.get(
        "/admin/autocomplete/",
        {"app_label": "trivia", "model_name": "anecdote", "field_name": "people", "term": "kino"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Keanu Reeves"]


def test_moderator_adds_a_person_with_aliases_and_a_taken_alias_is_a_form_error(
    moderator_client,
):
    make_person("Sean Bean", aliases=["Sean Bing"])
    data = {
        "name": "Keanu Reeves",
        "slug": "keanu-reeves",
        "known_for": "Actor",
        **management_form("aliases", 2),
        "aliases-0-name": "Kino Rives",
        "aliases-1-name": "sean  BING",
    }
    response = moderator_client.post(reverse("admin:trivia_person_add"), data)
    assert response.status_code == 200
    assert "is already an alias of Sean Bean" in response.content.decode()
    assert not Person.objects.filter(name="Keanu Reeves").exists()

    data["aliases-1-name"] = ""
    response = moderator_client.post(reverse("admin:trivia_person_add"), data)
    assert response.status_code == 302
    reeves = Person.objects.get(name="Keanu Reeves")
    assert [alias.name for alias in reeves.aliases.all()] == ["Kino Rives"]


def test_edit_anecdote_sets_people_and_records_them(moderator):
    pratt, poehler = make_person("Chris Pratt"), make_person("Amy Poehler")
    story = make_anecdote(state="published")
    services.edit_story(story=story, editor=moderator, people=[pratt, poehler.pk])
    assert sorted(p.name for p in story.people.all()) == ["Amy Poehler", "Chris Pratt"]
    assert story.events.last().snapshot["people"] == ["Amy Poehler", "Chris Pratt"]
    services.edit_story(story=story, editor=moderator, changes={"text": "New text."})
    assert story.people.count() == 2  # people=None leaves them as they are


def test_an_imported_story_arrives_with_the_people_its_text_names(moderator):
    make_person("Keanu Reeves", aliases=["Kino Rives"])
    make_person("Arnold Schwarzenegger")
    make_person("Will Smith")
    article = (
        "Stories you did not know\n\n"
        "John Wick: Chapter 2\n\n"
        "Kino Rives himself plays about 95% of the battle scene.\n\n"
        "The Terminator\n\n"
        "Schwarzenegger walks into a restaurant before realizing he is still in make-up.\n\n"
        "I am a legend\n\n"
        "Will was hooked on his dog partner Abby and tried to adopt it.\n"
    )
    import_article(article, user=moderator)
    people = [
        [person.name for person in story.people.all()] for story in Anecdote.objects.order_by("pk")
    ]
    assert people == [["Keanu Reeves"], ["Arnold Schwarzenegger"], []]
    assert all(story.state == State.PENDING for story in Anecdote.objects.all())


def test_a_submitted_story_arrives_with_the_people_its_text_names(author_client):
    clear_caches()
    shining = make_title("The Shining", year=1980)
    nicholson = make_person("Jack Nicholson")
    response = author_client.post(
        "/submit/",
        form_data(
            shining,
            action="submit",
            text="Jack Nicholson improvised “Here’s Johnny!” in the bathroom door scene.",
            tags="",
        ),
    )
    assert response.status_code == 302
    story = Anecdote.objects.get()
    assert (story.state, list(story.people.all())) == (State.PENDING, [nicholson])


def test_a_deleted_person_is_no_longer_found_by_search():
    story = make_anecdote(state="published", text="He ate the raw egg on a bet.")
    person = Person.objects.create(name="Paul Newman")
    story.people.add(person)
    index_story(story)  # as attaching him in the admin does
    reader = Client()
    assert "raw egg" in reader.get("/search/", {"q": "newman"}).text
    person.delete()
    assert "raw egg" not in reader.get("/search/", {"q": "newman"}).text
    assert "raw egg" in reader.get("/search/", {"q": "bet"}).text
