"""Search (/search/?q=): what it finds, what it never shows, and what it costs.

The same tests run on SQLite (FTS5) and, in CI, on PostgreSQL (text search with a GIN index):
the engine is the database's, so each run tests its own.
"""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_forms import management_form, title_form
from tests.factories import (
    make_anecdote,
    make_moderator,
    make_title,
    make_user,
    move_to,
)
from trivia import services
from trivia.models import Anecdote, Person, PersonAlias, SearchEntry, TitleAlias
from trivia.search.engines import PostgreSQLEngine, SQLiteEngine, engine
from trivia.search.highlight import SNIPPET_CHARS
from trivia.search.query import (
    MAX_QUERY_CHARS,
    MAX_WORDS,
    SearchResults,
    clean_query,
    parse_query,
)

pytestmark = pytest.mark.django_db

State = Anecdote.State
SEARCH = reverse("search")


def published(text, *, title=None, tags=(), people=()):
    """A published story; ``people`` are attached while it is pending, as a moderator would."""
    story = make_anecdote(title=title or make_title(), text=text, tags=tags)
    story.people.add(*people)
    return move_to(story, State.PUBLISHED)


def found(query):
    """The ids of the stories search finds for ``query``, best first (through trivia.search)."""
    results = SearchResults(query)
    return [hit.anecdote.pk for hit in results[: len(results)]]


def page(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response


def found_on_page(client, query, **params):
    return [hit.anecdote.pk for hit in page(client, query, **params).context["hits"]]


def keanu():
    person = Person.objects.create(name="Keanu Reeves", known_for="Actor")
    PersonAlias.objects.create(person=person, name="Kino Rives")
    return person


# --- What it finds ------------------------------------------------------------------------------


def test_search_finds_a_story_by_the_words_of_its_text(client):
    story = published("The crew built the whole diner set inside a warehouse.")
    published("Nothing to do with it.")
    assert found_on_page(client, "warehouse diner") == [story.pk]
    assert found("WAREHOUSE") == [story.pk]


def test_every_word_of_the_query_must_match(client):
    published("The diner set was built in a warehouse.")
    assert found_on_page(client, "warehouse submarine") == []


def test_search_finds_stories_by_their_title_name(client):
    fight_club = make_title("Fight Club", year=1999)
    story = published("Brad Pitt had his front teeth chipped on purpose.", title=fight_club)
    assert found_on_page(client, "fight club") == [story.pk]


def test_an_alias_of_the_title_finds_its_stories(client):
    fight_club = make_title("Fight Club", year=1999, aliases=["Boxing Club"])
    story = published("Brad Pitt had his front teeth chipped on purpose.", title=fight_club)
    published("A boxing match was filmed in one take.")
    assert found_on_page(client, "Boxing Club") == [story.pk]


def test_accents_are_optional_in_the_query_and_in_the_story(client):
    amelie = make_title("Amélie", year=2001, original_title="Le Fabuleux Destin d’Amélie Poulain")
    story = published("Audrey Tautou skimmed stones at the Canal Saint-Martin café.", title=amelie)
    for query in ["Amelie", "Amélie", "AMÉLIE", "fabuleux destin", "cafe", "café"]:
        assert found_on_page(client, query) == [story.pk], query


def test_a_person_is_found_by_name_and_by_alias(client):
    story = published("He trained for months with the stunt team.", people=[keanu()])
    published("Another actor trained with the stunt team.")
    assert found_on_page(client, "Kino Rives") == [story.pk]
    assert found_on_page(client, "keanu reeves") == [story.pk]


def test_the_start_of_a_word_is_enough(client):
    story = published("Heath Ledger kept a diary in character as the Joker.")
    assert found_on_page(client, "ledg") == [story.pk]
    assert found_on_page(client, "led joker") == [story.pk]


def test_a_search_for_ledger_finds_the_heath_ledger_stories(client):
    ledger = Person.objects.create(name="Heath Ledger", known_for="Actor")
    dark_knight = make_title("The Dark Knight", year=2008)
    in_text = published("Heath Ledger locked himself away for six weeks.", title=dark_knight)
    about_him = published("He improvised the slow clap in the cell.", people=[ledger])
    published("Christian Bale kept his Batman voice between takes.", title=dark_knight)
    response = page(client, "ledger")
    assert sorted(hit.anecdote.pk for hit in response.context["hits"]) == sorted(
        [in_text.pk, about_him.pk]
    )
    assert [person.name for person in response.context["matching_people"]] == ["Heath Ledger"]


def test_tags_are_searched_too(client):
    story = published("Every punch was real.", tags=["practical effects"])
    assert found_on_page(client, "practical effects") == [story.pk]


def test_the_better_match_ranks_first_even_when_older(client):
    best = published("Ledger. Ledger wrote in the Ledger diary.")
    weaker = published(
        "A long story about the making of a film, which mentions a ledger only once, in passing, "
        "among many other words about costumes, sets, lighting, sound and schedules."
    )
    assert found_on_page(client, "ledger") == [best.pk, weaker.pk]


# --- Showing what it found ----------------------------------------------------------------------


def test_matched_words_are_highlighted_and_the_story_stays_plain_text(client):
    published("<script>alert('ledger')</script> Heath Ledger's diary & notes.")
    html = page(client, "ledger").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>ledger</mark>&#x27;)&lt;/script&gt;" in html
    assert "Heath <mark>Ledger</mark>&#x27;s diary &amp; notes." in html


def test_a_spoiler_is_still_hidden_in_the_results(client):
    story = make_anecdote(title=make_title(), text="The twist: he was dead all along.")
    services.edit_story(story=story, editor=make_moderator(), changes={"is_spoiler": True})
    move_to(story, State.PUBLISHED)
    html = page(client, "twist").content.decode()
    assert re.search(r"Hide spoiler</span></summary>\s*<p[^>]*>The <mark>twist</mark>", html)


def test_a_long_story_is_cut_around_its_first_match(client):
    text = "Filler words go here. " * 30 + "The director hid a ledger in the prop room. " * 15
    published(text)
    snippet = str(page(client, "ledger").context["hits"][0].snippet)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>ledger</mark> in the prop room" in snippet
    assert len(re.sub(r"</?mark>", "", snippet)) <= SNIPPET_CHARS + 2


def test_matching_titles_and_people_are_listed_above_the_stories(client):
    fight_club = make_title("Fight Club", year=1999, aliases=["Boxing Club"])
    published("Brad Pitt had his front teeth chipped on purpose.", title=fight_club)
    published("He trained for months with the stunt team.", people=[keanu()])
    html = page(client, "boxing club").content.decode()
    assert f'<a href="{fight_club.get_absolute_url()}">Fight Club</a>' in html
    assert "also known as “Boxing Club”" in html
    people = page(client, "Kino").context["matching_people"]
    assert [(person.name, person.alias) for person in people] == [("Keanu Reeves", "Kino Rives")]
    titles = page(client, "fight").context["matching_titles"]
    assert [(title.name, title.alias) for title in titles] == [("Fight Club", None)]


def test_results_are_paginated_twenty_a_page_keeping_the_query(client):
    title = make_title("Heat")
    for number in range(23):
        published(f"Night shoot number {number}.", title=title)
    first = page(client, "night shoot")
    assert len(first.context["hits"]) == 20
    assert first.context["paginator"].count == 23
    assert 'href="?q=night+shoot&amp;page=2"' in first.content.decode()
    assert len(page(client, "night shoot", page=2).context["hits"]) == 3


def test_only_the_newest_matches_are_ranked_and_the_reader_is_told(client, monkeypatch):
    monkeypatch.setattr("trivia.search.query.CANDIDATES", 3)
    stories = [published(f"Stunt double number {number}.") for number in range(5)]
    response = page(client, "stunt double")
    assert {hit.anecdote.pk for hit in response.context["hits"]} == {s.pk for s in stories[2:]}
    assert "The 3 newest stories matching “stunt double”" in response.content.decode()


def test_the_header_has_a_labelled_search_box(client):
    html = client.get(reverse("home")).content.decode()
    assert f'<form class="site-search" role="search" method="get" action="{SEARCH}">' in html
    assert '<label class="visually-hidden" for="site-search-q">' in html


# --- What it never shows ------------------------------------------------------------------------


def test_nothing_unpublished_is_ever_found(client, contributor):
    title = make_title("Secret Film")
    person = Person.objects.create(name="Hidden Person")
    shown = published("Marker words of the published story.")
    for state in (State.PENDING, State.REJECTED, State.WITHDRAWN):
        story = make_anecdote(
            title=title,
            contributor=contributor,
            state=state,
            tags=["secret-tag"],
            text="Marker words of an unpublished story.",
        )
        story.people.add(person)
    taken_down = published("Marker words of a story taken down.", title=title, people=[person])
    services.unpublish_story(story=taken_down, moderator=make_moderator(), reason="duplicate")

    assert found_on_page(client, "marker words") == [shown.pk]
    assert found("marker") == [shown.pk]
    for query in ["secret film", "hidden person", "secret-tag", "unpublished", "taken down"]:
        response = page(client, query)
        assert not response.context["hits"], query
        assert not response.context["matching_titles"], query
        assert not response.context["matching_people"], query
        assert not response.context["matching_tags"], query
    assert list(SearchEntry.objects.values_list("anecdote", flat=True)) == [shown.pk]


def test_an_unpublished_story_is_forgotten_at_once_and_found_again_when_approved(client):
    story = published("The helicopter scene was shot in one afternoon.")
    assert found_on_page(client, "helicopter") == [story.pk]
    moderator = make_moderator()
    services.unpublish_story(story=story, moderator=moderator, reason="duplicate")
    assert found_on_page(client, "helicopter") == []
    services.approve_story(story=story, moderator=moderator)
    assert found_on_page(client, "helicopter") == [story.pk]


def test_a_story_rejected_when_unpublished_is_forgotten_too():
    story = published("The helicopter scene was shot in one afternoon.")
    services.unpublish_story(
        story=story, moderator=make_moderator(), reason="rumour", to_state=State.REJECTED
    )
    assert found("helicopter") == []


# --- Kept in step with edits and renames ---------------------------------------------------------


def test_an_edit_of_a_published_story_is_searched_at_once(client):
    story = published("The submarine set was built in a swimming pool.")
    services.edit_story(
        story=story,
        editor=make_moderator(),
        changes={"text": "The submarine set was built in a water tank."},
        tags=["water work"],
    )
    assert found_on_page(client, "tank") == [story.pk]
    assert found_on_page(client, "water work") == [story.pk]
    assert found_on_page(client, "swimming") == []


def test_changing_the_people_of_a_published_story_changes_what_finds_it():
    story = published("He trained for months with the stunt team.")
    services.edit_story(story=story, editor=make_moderator(), people=[keanu()])
    assert found("kino rives") == [story.pk]
    services.edit_story(story=story, editor=make_moderator(), people=[])
    assert found("kino rives") == []


def test_an_accepted_correction_is_searched_at_once():
    story = published("The submarine set was built in a swimming pool.")
    correction = services.propose_correction(
        story=story, proposer=make_user(), text="The submarine set was built in a water tank."
    )
    services.accept_correction(correction=correction, moderator=make_moderator())
    assert found("tank") == [story.pk]
    assert found("swimming") == []


def test_renaming_a_title_or_adding_an_alias_in_the_admin_updates_its_stories(client):
    title = make_title("Fight Klub", year=1999)
    story = published("Brad Pitt had his front teeth chipped on purpose.", title=title)
    client.force_login(make_user(is_staff=True, is_superuser=True))
    data = title_form(
        title,
        name="Fight Club",
        **management_form("aliases", 1),
        **{"aliases-0-id": "", "aliases-0-title": str(title.pk), "aliases-0-name": "Boxing Club"},
    )
    response = client.post(reverse("admin:trivia_title_change", args=[title.pk]), data)
    assert response.status_code == 302
    assert TitleAlias.objects.filter(title=title, name="Boxing Club").exists()
    assert found("fight club") == [story.pk]
    assert found("boxing club") == [story.pk]
    assert found("klub") == []


def test_renaming_a_person_or_an_alias_updates_their_stories():
    person = keanu()
    story = published("He trained for months with the stunt team.", people=[person])
    services.rename_person(person=person, name="Keanu Charles Reeves")
    alias = person.aliases.get()
    alias.name = "Kinu Rivs"
    alias.save()
    services.person_edited(person=person)
    assert found("charles") == [story.pk]
    assert found("kinu rivs") == [story.pk]
    assert found("kino rives") == []


def test_the_person_admin_reindexes_their_stories(client):
    person = keanu()
    story = published("He trained for months with the stunt team.", people=[person])
    alias = person.aliases.get()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    data = {
        "name": "Keanu Reeves",
        "slug": person.slug,
        "known_for": "Actor",
        **management_form("aliases", 2, 1),
        "aliases-0-id": str(alias.pk),
        "aliases-0-person": str(person.pk),
        "aliases-0-name": "Kino Rives",
        "aliases-1-id": "",
        "aliases-1-person": str(person.pk),
        "aliases-1-name": "Keanu Rivz",
    }
    response = client.post(reverse("admin:trivia_person_change", args=[person.pk]), data)
    assert response.status_code == 302
    assert found("rivz") == [story.pk]


def test_rebuilding_the_index_restores_lost_entries_and_drops_stale_ones():
    story = published("The helicopter scene was shot in one afternoon.")
    pending = make_anecdote(text="A helicopter story still in the queue.")
    SearchEntry.objects.all().delete()
    SearchEntry.objects.create(anecdote=pending, body="helicopter stale")
    call_command("rebuild_search_index", "--dry-run", stdout=open("/dev/null", "w"))
    assert list(SearchEntry.objects.values_list("anecdote", flat=True)) == [pending.pk]
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert list(SearchEntry.objects.values_list("anecdote", flat=True)) == [story.pk]
    assert found("helicopter") == [story.pk]


def test_the_migration_indexes_the_stories_published_before_it_as_build_body_does():
    fight_club = make_title("Fight Club", year=1999, aliases=["Boxing Club"])
    story = published("Brad Pitt’s teeth.", title=fight_club, tags=["Make-up"], people=[keanu()])
    make_anecdote(text="Still pending.")
    expected = SearchEntry.objects.get().body
    SearchEntry.objects.all().delete()
    migration = importlib.import_module("trivia.migrations.0004_search_index")
    migration.index_published_stories(django_apps, None)
    assert [(entry.anecdote_id, entry.body) for entry in SearchEntry.objects.all()] == [
        (story.pk, expected)
    ]
    assert found("boxing club kino make up teeth") == [story.pk]


# --- Hostile or odd input -----------------------------------------------------------------------

# Engine syntax, injection attempts and junk: all plain words (or none) to search.
FINDING_LEDGER = [
    '"ledger',
    "ledger*",
    "(ledger",
    "ledger:*",
    "^ledger",
    "!ledger & | <->",
    "led\x00ger",
    "ledger " * 2000,
]
FINDING_NOTHING = [
    '"',
    "*",
    "NEAR(ledger secret)",
    "AND OR NOT",
    "body:ledger",
    "'ledger'; DROP TABLE trivia_searchentry; --",
    "\x00",
    "x" * 10_000,
    "!!! ??? ...",
    "日本語",
]


@pytest.mark.parametrize("query", FINDING_LEDGER)
def test_engine_syntax_in_a_query_is_only_words(client, query):
    story = published("Heath Ledger kept a diary.")
    assert found_on_page(client, query) == [story.pk]


@pytest.mark.parametrize("query", FINDING_NOTHING)
def test_any_query_gets_a_page_never_an_error(client, query):
    published("Heath Ledger kept a diary.")
    assert found_on_page(client, query) == []


def test_a_query_is_cut_to_its_first_words():
    assert len(parse_query(" ".join(f"word{n}" for n in range(50)))) == MAX_WORDS
    assert len(clean_query("x" * 10_000)) == MAX_QUERY_CHARS


def test_an_empty_query_shows_the_form_and_runs_no_search(client):
    with CaptureQueriesContext(connection) as queries:
        response = page(client, "")
    assert not any("searchentry" in query["sql"] for query in queries.captured_queries)
    assert 'id="search-q"' in response.content.decode()
    assert "Find a story by a word" in response.content.decode()
    assert "no letters or digits" in page(client, "?!").content.decode()
    assert client.get(SEARCH).status_code == 200


@pytest.mark.parametrize("number", ["abc", "0", "-1", "999", "1.5", "\x00", ""])
def test_a_page_number_that_does_not_exist_is_a_404_or_the_first_page(client, number):
    published("The helicopter scene was shot in one afternoon.")
    response = client.get(SEARCH, {"q": "helicopter", "page": number})
    assert response.status_code in (200, 404)


# --- Cost and engines ---------------------------------------------------------------------------


@pytest.fixture(params=["anonymous", "signed in"])
def reader(request, client):
    client.signed_in = request.param == "signed in"
    if client.signed_in:
        client.force_login(make_user())
    return client


def test_search_pages_run_the_same_queries_for_5_or_50_results(
    reader, django_assert_max_num_queries
):
    title = make_title("Heat", aliases=["Heat Wave"])
    person = Person.objects.create(name="Heath Heatley")

    def add(count):
        for number in range(count):
            published(
                f"Heat story {number}.", title=title, tags=["heat", "stunts"], people=[person]
            )

    add(4)
    reader.get(SEARCH, {"q": "heat"})
    add(1)  # what was kept of the search is stale now, as it is after every approval
    with CaptureQueriesContext(connection) as few:
        assert len(page(reader, "heat").context["hits"]) == 5
    add(45)
    with django_assert_max_num_queries(len(few)):
        response = page(reader, "heat")
    assert len(response.context["hits"]) == 20
    assert response.context["matching_titles"] and response.context["matching_people"]
    # Ranked ids; stories and their tags; titles and people (chosen, then counted); tags;
    # the publication clock and the check of what was kept (ids, hits, names); and for a
    # signed-in reader the session and the user.
    assert len(few) <= (14 if reader.signed_in else 12)
    with django_assert_max_num_queries(len(few)):
        page(reader, "heat", page=3)


def test_the_engine_is_the_databases_own_and_uses_its_index():
    published("Heath Ledger kept a diary.")
    used = engine()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert isinstance(used, SQLiteEngine)
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT rowid FROM trivia_searchentry_fts "
                "WHERE trivia_searchentry_fts MATCH %s",
                ['"ledger"*'],
            )
            assert any("VIRTUAL TABLE INDEX" in row[-1] for row in cursor.fetchall())
        else:
            assert isinstance(used, PostgreSQLEngine)
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT anecdote_id FROM trivia_searchentry "
                "WHERE search_vector @@ to_tsquery('simple', %s)",
                ["ledger:*"],
            )
            assert "trivia_searchentry_fts" in " ".join(row[0] for row in cursor.fetchall())
