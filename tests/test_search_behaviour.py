"""Search that behaves (issue 15, item 4): one rule for short words in every part of the page,
tags matched by their words, a long query cut at a word's end with a notice, and the results
page's breadcrumbs and JSON-LD. Runs on SQLite (FTS5) and on PostgreSQL alike."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import make_anecdote, make_title, move_to
from trivia.models import Anecdote, Person, PersonAlias
from trivia.search.query import MAX_QUERY_CHARS, MAX_WORDS, SearchResults, shorten

pytestmark = pytest.mark.django_db

State = Anecdote.State
SEARCH = reverse("search")


def published(text, *, title=None, tags=(), people=()):
    story = make_anecdote(title=title or make_title(), text=text, tags=tags)
    story.people.add(*people)
    return move_to(story, State.PUBLISHED)


def search(client, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return response


def names(response):
    context = response.context
    return {
        "titles": [title.name for title in context.get("matching_titles", [])],
        "people": [person.name for person in context.get("matching_people", [])],
        "tags": [tag.name for tag in context.get("matching_tags", [])],
        "stories": [hit.anecdote.pk for hit in context["hits"]],
    }


def json_ld_documents(html):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(script) for script in scripts]


@pytest.fixture
def catalogue():
    fight_club = make_title("Fight Club", year=1999)
    up = make_title("Up", year=2009)
    keanu = Person.objects.create(name="Keanu Reeves")
    PersonAlias.objects.create(person=keanu, name="Kino Rives")
    de_niro = Person.objects.create(name="Robert De Niro")
    stories = {
        "fight": published(
            "The fight scenes were filmed last.", title=fight_club, tags=["fight scenes"]
        ),
        "up": published(
            "The house was lifted up by 10,297 balloons.", title=up, tags=["real reactions"]
        ),
        "keanu": published("He learned kung fu for months.", people=[keanu]),
        "de niro": published("He drove a cab for weeks.", people=[de_niro]),
    }
    return stories


# --- (a) Short words: the same rule for stories, titles, people and tags --------------------------


def test_two_letters_match_no_word_start_anywhere_and_the_reader_is_told_why(client, catalogue):
    response = search(client, "fi")
    assert names(response) == {"titles": [], "people": [], "tags": [], "stories": []}
    html = response.content.decode()
    assert "shorter than 3 letters" in html and "Type at least 3 letters" in html


def test_three_letters_match_word_starts_everywhere(client, catalogue):
    found = names(search(client, "fig"))
    assert found["titles"] == ["Fight Club"]
    assert found["tags"] == ["fight scenes"]
    assert found["stories"] == [catalogue["fight"].pk]
    assert names(search(client, "kin"))["people"] == ["Keanu Reeves"]  # through "Kino Rives"


def test_a_short_whole_word_is_found_everywhere(client, catalogue):
    found = names(search(client, "up"))
    assert found["titles"] == ["Up"]
    assert found["stories"] == [catalogue["up"].pk]
    de_niro = names(search(client, "de niro"))
    assert de_niro["people"] == ["Robert De Niro"]
    assert de_niro["stories"] == [catalogue["de niro"].pk]
    assert names(search(client, "robert de"))["people"] == ["Robert De Niro"]
    assert names(search(client, "robert d"))["people"] == []
    assert "Type at least 3 letters" not in search(client, "up").content.decode()


def test_short_words_inside_a_longer_query_are_whole_words_too(client, catalogue):
    assert names(search(client, "kung fu"))["stories"] == [catalogue["keanu"].pk]
    assert names(search(client, "kung f"))["stories"] == []


# --- (b) Tags by their words ----------------------------------------------------------------------


def test_tags_are_matched_by_word_never_inside_one(client, catalogue):
    assert names(search(client, "reactions"))["tags"] == ["real reactions"]
    assert names(search(client, "rea"))["tags"] == ["real reactions"]
    assert names(search(client, "real reactions"))["tags"] == ["real reactions"]
    assert names(search(client, "re"))["tags"] == []
    assert names(search(client, "actions"))["tags"] == []
    assert names(search(client, "eactions"))["tags"] == []
    assert names(search(client, "scenes fight"))["tags"] == []


def test_a_tag_with_accents_is_found_typed_with_them(client):
    published("A café scene.", tags=["café scenes"])
    assert names(search(client, "café"))["tags"] == ["café scenes"]
    assert names(search(client, "scenes"))["tags"] == ["café scenes"]


# --- (c) A long query -----------------------------------------------------------------------------


def test_a_long_query_is_cut_at_a_words_end_with_a_notice(client):
    story = published("Heath Ledger kept a diary of the Joker.")
    query = "heath ledger " + " ".join(f"pad{n:04}" for n in range(900))
    assert len(query) > 5000
    response = search(client, query)
    kept = response.context["query"]
    assert len(kept) <= MAX_QUERY_CHARS
    assert query.startswith(kept) and query[len(kept)] == " "  # cut between words
    assert len(response.context["results"].terms) == MAX_WORDS
    assert "Your search was shortened to its first 10 words" in response.content.decode()
    assert f'value="{kept}"' in response.content.decode()
    assert names(response)["stories"] == []  # every word kept must match
    short = search(client, "heath ledger " + "diary " * 1000)  # repeated words are one word
    assert names(short)["stories"] == [story.pk]
    assert "shortened to its first" in short.content.decode()


def test_a_query_cut_at_the_limit_keeps_whole_words_only():
    text = "a" * 150 + " " + "b" * 60 + " c"
    assert shorten(text) == ("a" * 150, True)
    assert shorten("x" * 10_000) == ("x" * MAX_QUERY_CHARS, True)
    assert shorten("  heath ledger!  ") == ("heath ledger!", False)
    words = " ".join(f"w{n}" for n in range(12))
    assert shorten(words) == (" ".join(f"w{n}" for n in range(MAX_WORDS)), True)
    assert SearchResults(words).word_count == MAX_WORDS


def test_a_query_within_the_limits_has_no_notice(client, catalogue):
    assert "shortened" not in search(client, "fight club").content.decode()


# --- (d) Breadcrumbs and structured data ----------------------------------------------------------


def test_the_results_page_has_breadcrumbs_and_a_collection_page_of_its_stories(client, catalogue):
    html = search(client, "fight").content.decode()
    documents = {document["@type"]: document for document in json_ld_documents(html)}
    crumbs = documents["BreadcrumbList"]["itemListElement"]
    assert [crumb["name"] for crumb in crumbs] == ["Home", "Search", "“fight”"]
    page = documents["CollectionPage"]
    items = page["mainEntity"]["itemListElement"]
    story = catalogue["fight"]
    assert [item["url"] for item in items] == [f"http://testserver{story.get_absolute_url()}"]
    assert items[0]["name"].startswith("Fight Club: The fight scenes")
    assert '<meta name="robots" content="noindex">' in html


def test_a_spoiler_is_not_told_in_the_results_structured_data(client):
    story = make_anecdote(title=make_title("Se7en"), text="The box holds the wife's head.")
    story.is_spoiler = True
    story.save(update_fields=["is_spoiler"])
    move_to(story, State.PUBLISHED)
    html = search(client, "box").content.decode()
    head = html[: html.index("</head>")]
    assert "wife" not in head and "Contains spoilers" in head


def test_the_empty_search_page_has_breadcrumbs_but_no_collection(client):
    html = search(client, "").content.decode()
    types = [document["@type"] for document in json_ld_documents(html)]
    assert types == ["BreadcrumbList"]
