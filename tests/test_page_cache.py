"""Anonymous readers get pages from the cache; every change they could notice shows at once."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import make_anecdote, make_moderator, make_title, make_user
from trivia import services
from trivia.models import Title

pytestmark = pytest.mark.django_db


@pytest.fixture
def title():
    return make_title("Heat", year=1995)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_a_second_anonymous_visit_is_served_from_the_cache_with_one_query(client, title):
    make_anecdote(title=title, state="published", text="Shot on real streets.")
    assert get(client, "/titles/heat/")["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        response = get(client, "/titles/heat/")
    assert response["X-Page-Cache"] == "hit"
    assert "Shot on real streets." in response.content.decode()
    assert len(queries) == 1  # the content generation


@pytest.mark.parametrize(
    "url", ["/", "/titles/heat/", "/tags/heists/", "/feeds/latest/", "/stories/"]
)
def test_an_approval_shows_on_the_very_next_request(client, title, moderator, url):
    make_anecdote(title=title, state="published", tags=["heists"], text="First story.")
    get(client, url)
    story = make_anecdote(title=title, tags=["heists"], text="The bank scene was real.")
    get(client, url)  # cached while the story waits
    services.approve_story(story=story, moderator=moderator)
    assert "The bank scene was real." in get(client, url).content.decode()


@pytest.mark.parametrize(
    "url", ["/", "/titles/heat/", "/tags/heists/", "/search/?q=bank", "/stories/"]
)
def test_an_unpublished_story_is_gone_on_the_very_next_request(client, title, moderator, url):
    make_anecdote(title=title, state="published", tags=["heists"], text="Another bank story.")
    story = make_anecdote(
        title=title, state="published", tags=["heists"], text="The bank scene was real."
    )
    assert "scene was real." in get(client, url).content.decode()
    services.unpublish_story(story=story, moderator=moderator, reason="rumour")
    assert "scene was real." not in get(client, url).content.decode()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_an_edit_of_a_published_story_shows_at_once(client, title, moderator):
    story = make_anecdote(title=title, state="published", text="Kino Rives did it.")
    get(client, story.get_absolute_url())
    services.edit_story(story=story, editor=moderator, changes={"text": "Keanu did it."})
    page = get(client, story.get_absolute_url()).content.decode()
    assert "Keanu did it." in page and "Kino Rives" not in page


def test_renaming_a_title_shows_at_once(client, title):
    make_anecdote(title=title, state="published")
    assert "Heat" in get(client, "/titles/").content.decode()
    services.rename_title(title=Title.objects.get(pk=title.pk), name="Heat (director's cut)")
    assert "Heat (director&#x27;s cut)" in get(client, "/titles/").content.decode()


def test_a_signed_in_page_is_never_stored_nor_served_to_others(client, title):
    make_anecdote(title=title, state="published")
    reader = make_user("ripley")
    client.force_login(reader)
    signed_in = get(client, "/titles/heat/")
    assert "X-Page-Cache" not in signed_in and "ripley" in signed_in.content.decode()
    client.logout()
    anonymous = get(client, "/titles/heat/")
    assert anonymous["X-Page-Cache"] == "miss"
    assert "ripley" not in anonymous.content.decode()


def test_a_waiting_flash_message_is_never_hidden_by_the_cache(client, title):
    story = make_anecdote(title=title, state="published")
    get(client, story.get_absolute_url())
    response = client.post(f"/anecdotes/{story.pk}/report/", {"reason": "other"}, follow=True)
    assert "a moderator will look at your report" in response.content.decode()


def test_a_page_holding_a_csrf_token_is_not_shared(client, title):
    story = make_anecdote(title=title, state="published")
    first = client.get(f"/anecdotes/{story.pk}/report/")
    second = client.get(f"/anecdotes/{story.pk}/report/")
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second


def test_a_decision_rolled_back_leaves_the_cached_page_valid(client, title):
    make_anecdote(title=title, state="published", text="Kept.")
    story = make_anecdote(title=title, text="Never published.")
    get(client, "/titles/heat/")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve_story(story=story, moderator=make_moderator())
        raise RuntimeError("something failed after the approval")
    assert "Never published." not in get(client, "/titles/heat/").content.decode()
