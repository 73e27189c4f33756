"""The "interesting" votes: one per signed-in reader and story, taken back at will, counted on the
story, shown on its card, and the order of the "most interesting" lists."""

import random
import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.caching import rendering_queries
from tests.factories import make_anecdote, make_moderator, make_title, make_user, texts_of
from trivia import services
from trivia.models import Anecdote, Vote

pytestmark = pytest.mark.django_db

State = Anecdote.State


def published(**kwargs):
    return make_anecdote(state=State.PUBLISHED, **kwargs)


def interest(story):
    return Anecdote.objects.get(pk=story.pk).interest_count


def vote_url(story):
    return reverse("anecdote_vote", kwargs={"pk": story.pk})


@pytest.fixture
def reader(client):
    user = make_user("reader")
    client.force_login(user)
    return user


# --- The services -----------------------------------------------------------------------------


def test_a_reader_votes_once_however_often_they_try():
    story, user = published(), make_user()
    assert services.vote_interesting(story=story, user=user) is True
    assert services.vote_interesting(story=story, user=user) is False
    assert interest(story) == 1
    assert Vote.objects.filter(anecdote=story).count() == 1


def test_votes_of_different_readers_add_up():
    story = published()
    for _ in range(3):
        services.vote_interesting(story=story, user=make_user())
    assert interest(story) == 3


def test_a_reader_takes_their_vote_back_and_the_count_never_goes_below_zero():
    story, user, other = published(), make_user(), make_user()
    services.vote_interesting(story=story, user=user)
    services.vote_interesting(story=story, user=other)
    assert services.withdraw_vote(story=story, user=user) is True
    assert services.withdraw_vote(story=story, user=user) is False
    assert interest(story) == 1
    assert list(Vote.objects.values_list("user", flat=True)) == [other.pk]
    services.withdraw_vote(story=story, user=other)
    services.withdraw_vote(story=story, user=other)
    assert interest(story) == 0


@pytest.mark.parametrize("state", [State.PENDING, State.REJECTED, State.WITHDRAWN])
def test_an_unpublished_story_cannot_be_voted_for(state):
    story, user = make_anecdote(state=state), make_user()
    with pytest.raises(services.ModerationError):
        services.vote_interesting(story=story, user=user)
    with pytest.raises(services.ModerationError):
        services.withdraw_vote(story=story, user=user)
    assert interest(story) == 0
    assert not Vote.objects.exists()


def test_a_story_taken_down_keeps_its_votes_but_takes_no_new_ones():
    story, user = published(), make_user()
    services.vote_interesting(story=story, user=user)
    services.unpublish_story(story=story, moderator=make_moderator(), reason="duplicate")
    with pytest.raises(services.ModerationError):
        services.vote_interesting(story=story, user=make_user())
    assert interest(story) == 1


def test_a_vote_changes_neither_the_storys_version_nor_its_history():
    story = published()
    before = Anecdote.objects.get(pk=story.pk)
    services.vote_interesting(story=story, user=make_user())
    after = Anecdote.objects.get(pk=story.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert story.events.count() == before.events.count()


def test_an_anonymous_reader_cannot_vote_through_the_service():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(services.ModerationError):
        services.vote_interesting(story=published(), user=AnonymousUser())


def race(user, stories, start, errors, seed):
    """One reader's thread: vote, vote again, take it back and vote, in a random order."""
    rng = random.Random(seed)
    actions = [
        (action, story)
        for story in stories
        for action in ("vote", "vote", "withdraw", "vote", "withdraw")
    ]
    rng.shuffle(actions)
    start.wait()
    try:
        for action, story in actions:
            try:
                if action == "vote":
                    services.vote_interesting(story=story, user=user)
                else:
                    services.withdraw_vote(story=story, user=user)
            except Exception as error:  # a deadlock or "database is locked" fails the test
                errors.append(repr(error))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_readers_voting_at_the_same_moment_keep_every_count_equal_to_its_votes():
    readers = [make_user(f"racer{n}") for n in range(4)]
    stories = [published() for _ in range(5)]
    start = threading.Barrier(len(readers))
    errors = []
    threads = [
        threading.Thread(target=race, args=(user, stories, start, errors, n))
        for n, user in enumerate(readers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for story in stories:
        assert interest(story) == Vote.objects.filter(anecdote=story).count()


# --- The button -------------------------------------------------------------------------------


def test_the_button_votes_and_returns_to_the_page_it_was_on(client, reader):
    story = published()
    back = f"{story.title.get_absolute_url()}?sort=interest#story-{story.pk}"
    response = client.post(vote_url(story), {"action": "add", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert interest(story) == 1


def test_pressing_the_button_again_takes_the_vote_back(client, reader):
    story = published()
    client.post(vote_url(story), {"action": "add"})
    response = client.post(vote_url(story), {"action": "remove"})
    assert response["Location"] == story.get_absolute_url()
    assert interest(story) == 0


def test_without_a_direction_the_button_toggles(client, reader):
    story = published()
    client.post(vote_url(story))
    assert interest(story) == 1
    client.post(vote_url(story))
    assert interest(story) == 0


def test_a_double_click_votes_once(client, reader):
    story = published()
    client.post(vote_url(story), {"action": "add"})
    client.post(vote_url(story), {"action": "add"})
    assert interest(story) == 1


def test_an_anonymous_reader_is_sent_to_sign_in_and_back(client):
    story = published()
    back = story.title.get_absolute_url()
    response = client.post(vote_url(story), {"action": "add", "next": back})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={back}"
    assert interest(story) == 0


@pytest.mark.parametrize("state", [State.PENDING, State.REJECTED, State.WITHDRAWN])
def test_voting_for_an_unpublished_story_is_not_found(client, reader, state):
    story = make_anecdote(state=state)
    assert client.post(vote_url(story), {"action": "add"}).status_code == 404
    assert not Vote.objects.exists()


def test_voting_for_a_story_that_does_not_exist_is_not_found(client, reader):
    assert client.post(reverse("anecdote_vote", kwargs={"pk": 999999})).status_code == 404


@pytest.mark.parametrize(
    "next_url", ["https://evil.test/", "//evil.test/", "javascript:alert(1)", "", "/\\evil.test"]
)
def test_the_button_never_sends_the_reader_to_another_site(client, reader, next_url):
    story = published()
    response = client.post(vote_url(story), {"action": "add", "next": next_url})
    assert response["Location"] == story.get_absolute_url()


def test_the_button_only_takes_posts(client, reader):
    assert client.get(vote_url(published())).status_code == 405


def test_a_vote_without_the_forms_csrf_token_is_refused():
    story, user = published(), make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(vote_url(story), {"action": "add"}).status_code == 403
    assert interest(story) == 0


# --- The card ---------------------------------------------------------------------------------


def card(html, story):
    start = html.index(f'id="story-{story.pk}"')
    return html[start : html.index("</article>", start)]


def test_the_card_shows_the_count_and_whether_the_reader_voted(client, reader):
    title = make_title("Alien")
    liked, other = published(title=title), published(title=title)
    for user in (reader, make_user()):
        services.vote_interesting(story=liked, user=user)
    for url in [reverse("home"), title.get_absolute_url(), liked.get_absolute_url()]:
        html = client.get(url).content.decode()
        liked_card = card(html, liked)
        assert 'aria-pressed="true"' in liked_card, url
        assert '<span class="vote__count">2</span>' in liked_card, url
        assert 'name="action" value="remove"' in liked_card, url
        assert 'name="csrfmiddlewaretoken"' in liked_card, url
    other_card = card(client.get(title.get_absolute_url()).content.decode(), other)
    assert 'aria-pressed="false"' in other_card
    assert 'name="action" value="add"' in other_card
    assert '<span class="vote__count">0</span>' in other_card


def test_the_form_brings_the_reader_back_to_the_same_list_and_story(client, reader):
    story = published(tags=["stunts"])
    url = reverse("tag_detail", kwargs={"slug": "stunts"}) + "?sort=interest&page=1"
    html = client.get(url).content.decode()
    assert f'name="next" value="{url.replace("&", "&amp;")}#story-{story.pk}"' in html


def test_an_anonymous_reader_sees_the_count_and_a_sign_in_link_and_gets_no_csrf_cookie(client):
    story = published()
    services.vote_interesting(story=story, user=make_user())
    response = client.get(story.title.get_absolute_url())
    story_card = card(response.content.decode(), story)
    assert "<form" not in story_card
    login = reverse("account_login")
    assert re.search(rf'href="{login}\?next=/titles/[^"]*%23story-{story.pk}"', story_card)
    assert '<span class="vote__count">1</span>' in story_card
    assert "csrftoken" not in response.cookies


def test_a_pending_story_shown_to_its_contributor_has_no_vote_button(client):
    story = make_anecdote(state=State.PENDING)
    client.force_login(story.contributor)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "vote__button" not in html


# --- Sorting by interest -----------------------------------------------------------------------


def story_texts(response):
    return texts_of(response.context["stories"])


def test_title_and_tag_pages_sort_by_interest_with_the_newest_first_among_equals(client):
    title = make_title("Alien")
    stories = {
        text: published(title=title, tags=["stunts"], text=text)
        for text in ["One vote.", "Three votes.", "No vote, older.", "No vote, newer."]
    }
    for text, votes in [("One vote.", 1), ("Three votes.", 3)]:
        for _ in range(votes):
            services.vote_interesting(story=stories[text], user=make_user())
    expected = ["Three votes.", "One vote.", "No vote, newer.", "No vote, older."]
    for url in [title.get_absolute_url(), reverse("tag_detail", kwargs={"slug": "stunts"})]:
        response = client.get(url, {"sort": "interest"})
        assert story_texts(response) == expected, url
        assert (
            '<a href="?sort=interest" rel="nofollow" aria-current="page">Most interesting</a>'
            in response.content.decode()
        ), url
        newest = client.get(url)
        assert story_texts(newest) == [
            "No vote, newer.",
            "No vote, older.",
            "Three votes.",
            "One vote.",
        ], url


@pytest.mark.parametrize("value", ["random", "", "INTEREST", "interest\x00"])
def test_an_unknown_sort_is_ignored(client, value):
    title = make_title("Alien")
    published(title=title, text="Older.")
    newer = published(title=title, text="Newer.")
    services.vote_interesting(story=Anecdote.objects.get(text="Older."), user=make_user())
    response = client.get(title.get_absolute_url(), {"sort": value})
    assert response.status_code == 200
    assert story_texts(response)[0] == newer.text


def test_the_sort_switch_marks_the_current_order_and_keeps_the_filter(client):
    story = published(tags=["stunts"])
    html = client.get(
        story.title.get_absolute_url(), {"sort": "interest", "accuracy": "unverified", "page": 1}
    ).content.decode()
    assert (
        '<a href="?accuracy=unverified" rel="nofollow">Newest</a>' in html
        and '<a href="?sort=interest&amp;accuracy=unverified" rel="nofollow" '
        'aria-current="page">Most interesting</a>'
        in html
    )


# --- Query budget -------------------------------------------------------------------------------


def queries_for(client, url):
    """The page's queries, and how many of its vote buttons are pressed."""
    count, response = rendering_queries(client, url)
    return count, response.content.decode().count('aria-pressed="true"')


def test_pages_with_votes_run_the_same_queries_for_6_or_60_stories(client, reader):
    title = make_title("Alien")
    contributor = make_user()

    def add_voted_stories(count):
        for _ in range(count):
            story = published(title=title, contributor=contributor, tags=["stunts"])
            services.vote_interesting(story=story, user=reader)
            services.vote_interesting(story=story, user=contributor)

    tag_url = reverse("tag_detail", kwargs={"slug": "stunts"})
    urls = [
        reverse("home"),
        title.get_absolute_url(),
        title.get_absolute_url() + "?sort=interest&accuracy=unverified",
        tag_url,
        tag_url + "?sort=interest",
    ]
    add_voted_stories(6)
    few = {url: queries_for(client, url) for url in urls}
    add_voted_stories(54)
    many = {url: queries_for(client, url) for url in urls}
    assert {url: count for url, (count, _) in many.items()} == {
        url: count for url, (count, _) in few.items()
    }
    # Every card of the page shows the reader's vote: 10 on the home page, 20 on the lists.
    assert [pressed for _, pressed in many.values()] == [10, 20, 20, 20, 20]


def test_the_readers_votes_cost_one_query_for_the_whole_page(client, reader):
    title = make_title("Alien")
    for _ in range(5):
        services.vote_interesting(story=published(title=title), user=reader)
    with CaptureQueriesContext(connection) as queries:
        client.get(title.get_absolute_url())
    assert sum('"trivia_vote"' in query["sql"] for query in queries) == 1
