"""Browsing: the moderators' accuracy verdict on every card and as a filter, the title list's
letters, and "surprise me"."""

from unittest import mock

import pytest
from django.urls import reverse

from tests.factories import make_anecdote, make_moderator, make_title, make_user, texts_of
from trivia import services
from trivia.models import Anecdote, Person

pytestmark = pytest.mark.django_db

State = Anecdote.State
VERDICTS = ["unverified", "corroborated", "disputed", "debunked"]


def published(**kwargs):
    return make_anecdote(state=State.PUBLISHED, **kwargs)


def judged(story, accuracy):
    services.edit_story(story=story, editor=make_moderator(), changes={"accuracy": accuracy})
    return story


@pytest.fixture
def verdicts():
    """The title "Heat" with one story per verdict, all tagged "stunts"."""
    title = make_title("Heat")
    return title, {
        accuracy: judged(
            published(title=title, tags=["stunts"], text=f"The {accuracy} story."), accuracy
        )
        for accuracy in VERDICTS
    }


def texts(response):
    return sorted(texts_of(response.context["stories"]))


# --- Accuracy -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accuracy", "label"),
    [
        ("unverified", '<span class="story__unverified"'),
        ("corroborated", '<span class="badge badge--ok">Corroborated</span>'),
        ("disputed", '<a class="badge badge--warn" href="/disputed/"'),
        ("debunked", '<a class="badge badge--myth" href="/myths/"'),
    ],
)
def test_every_story_carries_its_accuracy_on_every_list(client, verdicts, accuracy, label):
    title, stories = verdicts
    for url in [
        reverse("home"),
        title.get_absolute_url(),
        reverse("tag_detail", kwargs={"slug": "stunts"}),
        stories[accuracy].get_absolute_url(),
    ]:
        html = client.get(url).content.decode()
        start = html.index(f'id="story-{stories[accuracy].pk}"')
        assert label in html[start : html.index("</article>", start)], url


@pytest.mark.parametrize("accuracy", VERDICTS)
def test_title_and_tag_pages_filter_by_accuracy(client, verdicts, accuracy):
    title, _ = verdicts
    for url in [title.get_absolute_url(), reverse("tag_detail", kwargs={"slug": "stunts"})]:
        response = client.get(url, {"accuracy": accuracy})
        assert texts(response) == [f"The {accuracy} story."], url
        assert f"1 {accuracy} story" in response.content.decode(), url


def test_the_filter_marks_the_current_choice_and_keeps_the_sort(client, verdicts):
    title, _ = verdicts
    html = client.get(
        title.get_absolute_url(), {"accuracy": "debunked", "sort": "interest"}
    ).content.decode()
    assert (
        '<a href="?accuracy=debunked&amp;sort=interest" rel="nofollow" '
        'aria-current="page">Myths</a>' in html
    )
    assert '<a href="?sort=interest" rel="nofollow">All</a>' in html


@pytest.mark.parametrize("value", ["true", "DEBUNKED", "", "myth\x00", "a" * 500])
def test_an_unknown_accuracy_shows_every_story(client, verdicts, value):
    title, _ = verdicts
    response = client.get(title.get_absolute_url(), {"accuracy": value})
    assert response.status_code == 200
    assert len(texts(response)) == 4


def test_a_persons_page_filters_by_accuracy_and_sorts_by_interest(client):
    person = Person.objects.create(name="Heath Ledger")
    older = published(text="Older, corroborated.")
    newer = published(text="Newer, a myth.")
    for story in (older, newer):
        story.people.add(person)
    judged(older, "corroborated")
    judged(newer, "debunked")
    services.vote_interesting(story=older, user=make_user())
    url = person.get_absolute_url()
    assert texts(client.get(url, {"accuracy": "debunked"})) == ["Newer, a myth."]
    assert texts_of(client.get(url).context["stories"]) == [newer.text, older.text]
    ranked = client.get(url, {"sort": "interest"})
    assert texts_of(ranked.context["stories"]) == [older.text, newer.text]
    assert "Most interesting" in ranked.content.decode()


def test_a_filter_with_no_story_says_so_and_offers_them_all(client):
    story = published(title=make_title("Heat"))
    response = client.get(story.title.get_absolute_url(), {"accuracy": "debunked"})
    html = response.content.decode()
    assert "No debunked stories about Heat." in html
    assert '<a href="?">Show all its stories</a>' in html


# --- Letters --------------------------------------------------------------------------------------


@pytest.fixture
def titles():
    for name, kind in [
        ("Alien", "film"),
        ("The Americans", "series"),
        ("Aliens", "film"),
        ("Matrix", "film"),
        ("2001: A Space Odyssey", "film"),
        ("24", "series"),
    ]:
        published(title=make_title(name, kind=kind))


def names(response):
    return [title.name for title in response.context["titles"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"letter": "A"}, ["Alien", "Aliens", "The Americans"]),
        ({"letter": "a"}, ["Alien", "Aliens", "The Americans"]),
        ({"letter": "#"}, ["2001: A Space Odyssey", "24"]),
        ({"letter": "A", "kind": "series"}, ["The Americans"]),
        ({"letter": "#", "kind": "film"}, ["2001: A Space Odyssey"]),
        ({"letter": "Z"}, []),
    ],
)
def test_the_title_list_filters_by_first_letter_and_kind(client, titles, params, expected):
    response = client.get(reverse("title_list"), params)
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize("letter", ["AB", "!", "%", "\x00", "ß"])
def test_an_unknown_letter_lists_every_title(client, titles, letter):
    response = client.get(reverse("title_list"), {"letter": letter})
    assert response.status_code == 200
    assert len(names(response)) == 6


def test_the_letter_bar_and_the_lists_letters_link_to_their_titles(client, titles):
    html = client.get(reverse("title_list"), {"kind": "film"}).content.decode()
    assert '<a href="?kind=film&amp;letter=A">A</a>' in html
    assert (
        '<a href="?kind=film&amp;letter=%23" aria-label="Titles starting with a digit">#</a>'
        in html
    )
    assert '<li class="title-list__letter"><a href="?kind=film&amp;letter=M"' in html


def test_a_letter_page_says_which_letter_and_marks_it(client, titles):
    html = client.get(reverse("title_list"), {"letter": "z"}).content.decode()
    assert "<h1>Titles under Z</h1>" in html
    assert '<a href="?letter=Z" aria-current="page">Z</a>' in html
    assert "No titles under Z with published stories yet." in html


def test_a_title_in_another_alphabet_is_found_under_its_own_letter(client):
    published(title=make_title("Солярис"))
    response = client.get(reverse("title_list"), {"letter": "С"})
    assert names(response) == ["Солярис"]


# --- Surprise me ----------------------------------------------------------------------------------


def test_surprise_me_redirects_to_a_published_story_and_is_never_cached(client):
    story = published()
    response = client.get(reverse("random_story"))
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
    assert "no-cache" in response["Cache-Control"]


def test_surprise_me_never_lands_on_an_unpublished_story(client):
    made = []
    for state in [State.PENDING, State.PUBLISHED, State.REJECTED, State.WITHDRAWN] * 2:
        made.append(make_anecdote(state=state))
    made.append(make_anecdote(state=State.PENDING))
    public = [story for story in made if story.state == State.PUBLISHED]
    landed, bounds = set(), set()
    # Every id the random pick can be, unpublished ones included.
    for pick in range(made[0].pk, made[-1].pk + 1):

        def randint(low, high, pick=pick):
            bounds.add((low, high))
            return min(max(pick, low), high)

        with mock.patch("trivia.queries.random.randint", randint):
            landed.add(client.get(reverse("random_story"))["Location"])
    assert bounds == {(public[0].pk, public[-1].pk)}
    assert landed == {story.get_absolute_url() for story in public}


def test_surprise_me_with_nothing_published_goes_home_with_a_word(client):
    make_anecdote(state=State.PENDING)
    response = client.get(reverse("random_story"), follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "No stories have been published yet" in response.content.decode()


def test_surprise_me_is_offered_in_the_header_and_on_the_home_page(client):
    published()
    home = client.get(reverse("home")).content.decode()
    assert home.count(f'href="{reverse("random_story")}"') == 2
    title_page = client.get(reverse("title_list")).content.decode()
    assert f'<a href="{reverse("random_story")}" rel="nofollow">Surprise me</a>' in title_page
