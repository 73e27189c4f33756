"""/users/<username>/: a contributor's public page lists their published stories only."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.caching import clear_caches
from tests.factories import make_anecdote, make_title, make_user
from trivia.models import Anecdote

pytestmark = pytest.mark.django_db
State = Anecdote.State


def html_of(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_only_published_stories_with_the_count_and_member_since(client):
    ripley = make_user("ripley")
    stories = {
        state: make_anecdote(contributor=ripley, text=f"Ripley tells a {state} story.", state=state)
        for state in State.values
    }
    make_anecdote(text="Someone else tells this.", state=State.PUBLISHED)
    html = html_of(client.get("/users/ripley/"))
    assert "<h1>ripley</h1>" in html
    assert "1 published story" in html
    assert f'member since <time datetime="{ripley.date_joined:%Y-%m-%d}">' in html
    assert stories[State.PUBLISHED].text in html
    for state in (State.PENDING, State.REJECTED, State.WITHDRAWN):
        assert stories[state].text not in html, state
    assert "Someone else" not in html
    assert 'name="robots"' not in html


def test_the_owner_signed_in_still_sees_only_the_published_stories(client):
    ripley = make_user("ripley")
    make_anecdote(contributor=ripley, text="Still waiting.")
    make_anecdote(contributor=ripley, text="Out there.", state=State.PUBLISHED)
    client.force_login(ripley)
    html = html_of(client.get("/users/ripley/"))
    assert "Out there." in html and "Still waiting." not in html
    assert "This is your public page" in html


def test_another_reader_signed_in_sees_their_own_name_in_the_header(client):
    """The profile must not take the name ``user``, which is the signed-in reader."""
    make_user("ripley")
    client.force_login(make_user("newt"))
    html = html_of(client.get("/users/ripley/"))
    assert "Your account: </span>newt</summary>" in html
    assert "This is your public page" not in html


def test_a_contributor_with_nothing_published_has_a_quiet_page(client):
    ripley = make_user("ripley")
    make_anecdote(contributor=ripley, text="Pending, not public.")
    make_anecdote(contributor=ripley, text="Rejected, not public.", state=State.REJECTED)
    html = html_of(client.get("/users/ripley/"))
    assert "No published stories yet." in html
    assert "0 published stories" in html
    assert "not public" not in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("path", ["/users/nobody/", "/users/ri%00pley/", "/users/%00/"])
def test_unknown_users_and_odd_addresses_are_a_404(client, path):
    make_user("ripley")
    assert client.get(path).status_code == 404


def test_a_deactivated_account_has_no_page_and_no_link(client):
    ripley = make_user("ripley", is_active=False)
    story = make_anecdote(
        contributor=ripley, text="Kept after the account closed.", state=State.PUBLISHED
    )
    assert client.get("/users/ripley/").status_code == 404
    html = html_of(client.get(story.title.get_absolute_url()))
    assert "Shared by ripley" in html
    assert 'href="/users/ripley/"' not in html


def test_story_cards_link_the_contributor_to_their_page(client):
    ripley = make_user("ripley")
    story = make_anecdote(contributor=ripley, state=State.PUBLISHED)
    for url in ("/", story.title.get_absolute_url(), story.get_absolute_url()):
        assert 'Shared by <a href="/users/ripley/">ripley</a>' in html_of(client.get(url)), url


def test_usernames_with_punctuation_work_in_links(client):
    odd = make_user("j.doe+film@set")
    make_anecdote(contributor=odd, text="Punctuated.", state=State.PUBLISHED)
    html = html_of(client.get("/"))
    assert 'href="/users/j.doe+film@set/"' in html
    assert "Punctuated." in html_of(client.get("/users/j.doe+film@set/"))


def test_the_stories_are_paginated_newest_first(client):
    ripley = make_user("ripley")
    title = make_title("Alien")
    for number in range(23):
        make_anecdote(
            contributor=ripley, title=title, text=f"Story {number:02d}.", state=State.PUBLISHED
        )
    first = html_of(client.get("/users/ripley/"))
    assert "23 published stories" in first
    assert first.index("Story 22.") < first.index("Story 03.")
    assert "Story 02." not in first
    second = html_of(client.get("/users/ripley/?page=2"))
    assert "Story 02." in second and "Story 00." in second
    assert client.get("/users/ripley/?page=9").status_code == 404


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed in"])
def test_the_page_runs_the_same_queries_for_6_or_60_stories(
    client, django_assert_num_queries, signed_in
):
    ripley = make_user("ripley")
    if signed_in:
        client.force_login(make_user())

    def add(count):
        for _ in range(count):
            make_anecdote(
                contributor=ripley, state=State.PUBLISHED, tags=["stunts", "casting"], sources=2
            )

    add(6)
    client.get("/users/ripley/")  # warm per-process caches
    clear_caches()  # measure the rendering, not the anonymous page cache
    with CaptureQueriesContext(connection) as few:
        client.get("/users/ripley/")
    add(54)
    with django_assert_num_queries(len(few)):
        assert client.get("/users/ripley/").status_code == 200
    assert len(few) <= (9 if signed_in else 7)  # + the stamps of the cached cards


def test_the_page_describes_its_contributor_and_their_published_stories_to_machines(client):
    ripley = make_user("ripley")
    published = make_anecdote(contributor=ripley, title=make_title("Alien"), state=State.PUBLISHED)
    pending = make_anecdote(contributor=ripley, title=make_title("Aliens"))
    html = html_of(client.get("/users/ripley/"))
    (document,) = [
        json.loads(text)
        for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]
    assert document["@type"] == "ProfilePage"
    assert document["mainEntity"] == {
        "@type": "Person",
        "name": "ripley",
        "url": "http://testserver/users/ripley/",
    }
    urls = [part["url"] for part in document["hasPart"]]
    assert urls == [f"http://testserver/anecdotes/{published.pk}/"]
    assert f"/anecdotes/{pending.pk}/" not in html
