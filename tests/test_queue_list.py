"""The moderation queue's list shows what a bulk decision needs (issue 14, item 2), and a story's
change page shows its image, its sources and its history as a moderator needs them."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    make_anecdote,
    make_source,
    make_title,
    make_untitled_story,
    make_user,
)
from trivia import services
from trivia.models import Anecdote, Citation

State = Anecdote.State
pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:trivia_pendinganecdote_changelist")
TOLD = "Shelley Duvall had to repeat the baseball bat scene 127 times for Kubrick."
AGAIN = "Kubrick made Shelley Duvall repeat the baseball bat scene 127 times."


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def change_url(story, model="pendinganecdote"):
    return reverse(f"admin:trivia_{model}_change", args=[story.pk])


def with_image(story, name="anecdotes/abc123.jpg"):
    renditions = {
        "width": 1600,
        "height": 900,
        "sources": [
            {"width": 640, "name": "anecdotes/abc123-640.webp"},
            {"width": 320, "name": "anecdotes/abc123-320.webp"},
        ],
    }
    Anecdote.objects.filter(pk=story.pk).update(image=name, image_renditions=renditions)
    return story


def row_of(page, story):
    """The queue's row of ``story``: from its checkbox to the end of its row."""
    start = page.index(f'value="{story.pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_queue_shows_sources_as_links_with_their_locator(moderator_client):
    story = make_anecdote(sources=0)
    interview = make_source(title="An interview", url="https://example.org/interview")
    book = make_source(title="The Making of Alien")
    Citation.objects.create(anecdote=story, source=interview, locator="12:30")
    Citation.objects.create(anecdote=story, source=book, locator="p. 42")
    row = row_of(moderator_client.get(QUEUE).content.decode(), story)
    assert (
        '<a href="https://example.org/interview" rel="noopener noreferrer" target="_blank">'
        "An interview</a>" in row
    )
    assert "(12:30)" in row and "The Making of Alien" in row and "(p. 42)" in row


def test_the_queue_shows_a_thumbnail_of_the_image_with_its_size_and_a_text(moderator_client):
    story = with_image(make_anecdote())
    without = make_anecdote()
    page = moderator_client.get(QUEUE).content.decode()
    row = row_of(page, story)
    # The smallest copy, 80 px wide in the image's proportions, linked to the original.
    assert re.search(
        r'<a href="/media/anecdotes/abc123.jpg" class="story-thumb"><img '
        r'src="/media/anecdotes/abc123-320.webp" width="80" height="45" '
        rf'alt="The image sent with story #{story.pk}"',
        row,
    ), row
    assert "<img" not in row_of(page, without)


def test_a_long_story_opens_whole_in_the_list_and_a_short_one_is_shown_whole(moderator_client):
    long = make_anecdote(text="The rain was milk. " * 20)
    short = make_anecdote(text="The rain was milk.")
    page = moderator_client.get(QUEUE).content.decode()
    assert "<details" in row_of(page, long) and ("The rain was milk. " * 19) in page
    assert "<details" not in row_of(page, short) and "The rain was milk." in row_of(page, short)


def test_the_queue_flags_a_story_like_a_published_one_and_the_importers_flags(moderator_client):
    title = make_title("The Shining")
    told = make_anecdote(title=title, state="published", text=TOLD)
    again = make_anecdote(title=title, text=AGAIN)
    fresh = make_anecdote(title=title, text="The maze was built on a sound stage in England.")
    imported = make_anecdote(text="A story the importer found twice.")
    imported.possible_duplicate_of.add(fresh)
    page = moderator_client.get(QUEUE).content.decode()
    told_url = reverse("admin:trivia_anecdote_change", args=[told.pk])
    assert f'href="{told_url}">Possible duplicate of #{told.pk}</a>' in row_of(page, again)
    assert "Possible duplicate" not in row_of(page, fresh)
    assert f"Possible duplicate of #{fresh.pk}" in row_of(page, imported)


def test_bulk_approval_holds_back_a_story_like_a_published_one(moderator_client):
    title = make_title("The Shining")
    told = make_anecdote(title=title, state="published", text=TOLD)
    again = make_anecdote(title=title, text=AGAIN)
    fresh = make_anecdote(title=title, text="The maze was built on a sound stage in England.")
    response = moderator_client.post(
        QUEUE,
        {"action": "approve_selected", "index": 0, "_selected_action": [again.pk, fresh.pk]},
    )
    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(f"(#{again.pk}) may repeat #{told.pk}" in message for message in said), said
    assert "1 story approved." in said
    assert Anecdote.objects.get(pk=again.pk).state == State.PENDING
    assert Anecdote.objects.get(pk=fresh.pk).state == State.PUBLISHED


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_full_page_of_the_queue_runs_a_fixed_number_of_queries(moderator_client):
    titles = [make_title(f"Film {number}") for number in range(5)]
    for title in titles:
        make_anecdote(title=title, state="published", text=f"{title.name}: {TOLD}")
    for number in range(5):
        with_image(make_anecdote(title=titles[number % 5], text=AGAIN, sources=2))
    make_untitled_story("Some new film", text=AGAIN)
    few = queries_for(moderator_client, QUEUE)
    for number in range(45):
        make_anecdote(title=titles[number % 5], text=f"{AGAIN} Take {number}.", sources=2)
    make_untitled_story("Another new film", text=AGAIN)
    assert Anecdote.objects.filter(state=State.PENDING).count() == 52
    many = queries_for(moderator_client, QUEUE)
    # 50 rows, every one compared with the published stories: the same count as for 6 rows.
    assert many == few, (few, many)
    assert many <= 25


def test_the_change_page_shows_the_image_and_sources_as_links_in_the_main_fieldset(
    moderator_client,
):
    story = with_image(make_anecdote(sources=0))
    Citation.objects.create(
        anecdote=story, source=make_source(title="Empire", url="https://example.org/empire")
    )
    page = moderator_client.get(change_url(story)).content.decode()
    main = page[: page.index("Record")]
    assert '<a href="/media/anecdotes/abc123.jpg" class="story-thumb"><img' in main
    assert 'width="320" height="180"' in main
    assert '<a href="https://example.org/empire" rel="noopener noreferrer"' in main


def test_the_history_button_shows_the_moderation_history(moderator_client, moderator):
    story = make_anecdote(state="published", text="The shark kept breaking down.")
    services.unpublish_story(
        story=story, moderator=moderator, reason="spoiler", message="Mark the ending."
    )
    history_url = reverse("admin:trivia_anecdote_history", args=[story.pk])
    assert (
        f'href="{history_url}"'
        in moderator_client.get(change_url(story, "anecdote")).content.decode()
    )
    page = moderator_client.get(history_url).content.decode()
    assert "Moderation history" in page
    assert "Unmarked spoiler" in page and "Mark the ending." in page
    assert "The shark kept breaking down." in page
    assert "This object doesn’t have a change history" not in page


def test_the_history_is_for_those_who_may_see_the_story(client):
    story = make_anecdote()
    client.force_login(make_user())
    url = reverse("admin:trivia_anecdote_history", args=[story.pk])
    assert client.get(url).status_code in (302, 403)


def test_the_add_title_popup_is_filled_with_the_proposed_title(moderator_client):
    story = make_untitled_story("Armagedon")
    Anecdote.objects.filter(pk=story.pk).update(
        proposed_title_kind="film", proposed_title_year=1998
    )
    page = moderator_client.get(change_url(story)).content.decode()
    add = reverse("admin:trivia_title_add")
    link = re.search(rf'id="add_id_title"[^>]*href="({re.escape(add)}[^"]*)"', page)
    assert link, "no + link for the title"
    assert "name=Armagedon" in link.group(1) and "_popup=1" in link.group(1)
    assert "year=1998" in link.group(1)
    # The add form takes its initial values from the query.
    popup = moderator_client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert 'value="Armagedon"' in popup
