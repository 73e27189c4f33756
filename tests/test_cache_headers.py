"""What the pages tell the caches between the site and the reader (issue 16, finding 6): a page
for a signed-in reader is private, account pages, the admin and unpublished stories are never
stored, and anonymous readers' public pages keep their headers (and the page cache)."""

import pytest
from django.test import Client
from django.utils.cache import get_max_age

from tests.factories import make_anecdote, make_moderator, make_user, verified_user

pytestmark = pytest.mark.django_db


def directives(response):
    """The response's Cache-Control, as a set of its directives' names."""
    header = response.get("Cache-Control", "")
    return {part.split("=", 1)[0].strip() for part in header.split(",") if part.strip()}


def browser_of(user):
    client = Client()
    client.force_login(user)
    return client


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.fixture
def pending(author):
    return make_anecdote(contributor=author, text="Waiting for a moderator to read it.")


def test_a_signed_in_readers_home_page_is_private():
    make_anecdote(state="published")
    cache_control = directives(read(browser_of(make_user("ripley")), "/"))
    assert "private" in cache_control and "public" not in cache_control


def test_a_signed_in_readers_published_story_page_is_private():
    story = make_anecdote(state="published")
    response = read(browser_of(make_user("ripley")), story.get_absolute_url())
    assert "private" in directives(response)
    assert "no-store" not in directives(response)


def test_a_pending_storys_permalink_is_never_stored_for_its_contributor(author, pending):
    response = read(browser_of(author), pending.get_absolute_url())
    assert "Waiting for a moderator" in response.content.decode()
    assert {"private", "no-store"} <= directives(response)


def test_a_pending_storys_permalink_is_never_stored_for_a_moderator(pending):
    response = read(browser_of(make_moderator()), pending.get_absolute_url())
    assert "Waiting for a moderator" in response.content.decode()
    assert {"private", "no-store"} <= directives(response)


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/submissions/"])
def test_account_pages_are_never_stored(author, pending, url):
    assert {"private", "no-store"} <= directives(read(browser_of(author), url))


def test_the_sign_in_page_is_never_stored_even_for_anonymous_readers(client):
    assert {"private", "no-store"} <= directives(read(client, "/accounts/login/"))


@pytest.mark.parametrize("url", ["/admin/", "/admin/trivia/pendinganecdote/"])
def test_admin_pages_are_never_stored(pending, url):
    response = read(browser_of(make_moderator()), url)
    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)


def test_an_anonymous_published_story_page_keeps_its_public_headers_and_the_page_cache():
    story = make_anecdote(state="published")
    reader = Client()
    first = read(reader, story.get_absolute_url())
    again = read(reader, story.get_absolute_url())
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    for response in (first, again):
        assert "Cache-Control" not in response
        assert "Cookie" in response["Vary"]


def test_a_published_storys_image_stays_public_for_a_signed_in_reader():
    """The same file for everyone: its view's long public caching is kept."""
    from tests.hostile.world import stored_png
    from trivia.models import Anecdote

    story = make_anecdote(state="published")
    Anecdote.objects.filter(pk=story.pk).update(image=stored_png("anecdotes"))
    name = Anecdote.objects.get(pk=story.pk).image.name.rsplit("/", 1)[1]
    response = read(browser_of(verified_user("ripley")), f"/media/anecdotes/{name}")
    assert "public" in directives(response) and get_max_age(response) > 0
