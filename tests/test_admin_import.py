"""The admin's "Import an article" page: preview the split, confirm, find the stories queued."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_staff, make_title
from trivia.models import Anecdote, Source

pytestmark = pytest.mark.django_db
URL = "/admin/trivia/pendinganecdote/import/"
SEED = Path(__file__).resolve().parent.parent / "trivia" / "demo_data"
ARTICLE = """Five things you never knew

Share this article

1. Fight Club
Brad Pitt and Edward Norton both learned how to make soap.

2. The Shining
Danny Lloyd did not know he was acting in a horror film.
"""


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def test_preview_shows_the_split_and_writes_nothing(moderator_client):
    make_title("Fight Club", year=1999)
    response = moderator_client.post(URL, {"text": ARTICLE, "publisher": "Example"})
    page = response.content.decode()
    preview = page[page.index("<tbody>") : page.index("</tbody>")]
    assert response.status_code == 200
    assert "2 stories found" in page
    assert "Danny Lloyd did not know" in preview and "Share this article" not in preview
    assert not Anecdote.objects.exists() and not Source.objects.exists()


def test_confirming_queues_every_story_citing_one_source(moderator_client, moderator):
    fight_club = make_title("Fight Club", year=1999)
    response = moderator_client.post(
        URL, {"text": ARTICLE, "publisher": "Example", "confirm": "yes"}
    )
    assert response.status_code == 302
    stories = list(Anecdote.objects.order_by("pk"))
    assert [(s.state, s.title, s.proposed_title) for s in stories] == [
        ("pending", fight_club, ""),
        ("pending", None, "The Shining"),
    ]
    source = Source.objects.get()
    assert (source.title, source.publisher) == ("Five things you never knew", "Example")
    assert all(s.events.get().action == "imported" for s in stories)
    assert all(s.events.get().actor == moderator for s in stories)
    followed = moderator_client.get(response["Location"]).content.decode()
    assert "2 stories are in the queue" in followed


def test_uploading_a_seed_file_previews_its_eighteen_stories(moderator_client):
    upload = SimpleUploadedFile("000.txt", (SEED / "000_afe1879c3c2b59d4.txt").read_bytes())
    response = moderator_client.post(URL, {"upload": upload})
    assert "18 stories found" in response.content.decode()


def test_importing_the_same_article_twice_creates_nothing_the_second_time(moderator_client):
    moderator_client.post(URL, {"text": ARTICLE, "confirm": "yes"})
    response = moderator_client.post(URL, {"text": ARTICLE, "confirm": "yes"}, follow=True)
    assert "already imported" in response.content.decode()
    assert Anecdote.objects.count() == 2 and Source.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": ""}, "Paste an article or choose a .txt file"),
        ({"text": "just one line of text"}, "No story found"),
        ({"upload": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nxxxx")}, "is a PNG image"),
        ({"upload": SimpleUploadedFile("l.txt", "Caf\xe9 story\n".encode("latin-1"))}, "not UTF-8"),
        ({"text": ARTICLE, "source_url": "javascript:alert(1)"}, "Enter a valid URL"),
    ],
)
def test_bad_articles_get_a_clear_message_and_write_nothing(moderator_client, data, message):
    data = {key: (value.open() if hasattr(value, "open") else value) for key, value in data.items()}
    response = moderator_client.post(URL, {**data, "confirm": "yes"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Anecdote.objects.exists() and not Source.objects.exists()


def test_staff_without_the_moderation_permission_cannot_import(client):
    client.force_login(make_staff(permissions=["view_anecdote"]))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": ARTICLE, "confirm": "yes"}).status_code == 403
    assert not Anecdote.objects.exists()


def test_the_queue_offers_the_import_page_to_moderators(moderator_client):
    page = moderator_client.get("/admin/trivia/pendinganecdote/").content.decode()
    assert "Import an article" in page
