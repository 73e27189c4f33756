"""The admin's "Import an article" page: preview the split, confirm, find the stories queued."""

import functools
import html
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest.mock import patch

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
        ({"text": ""}, "Paste an article, choose a file or give an address"),
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


HTML_PAGES = Path(__file__).resolve().parent / "data" / "listicles" / "html"


@pytest.fixture
def page_server(settings):
    """tests/data/listicles/html served on a free loopback port, which the importer may fetch."""
    settings.IMPORT_ALLOW_PRIVATE_HOSTS = True
    handler = functools.partial(QuietHandler, directory=str(HTML_PAGES))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def preview_fields(page):
    """The preview form's fields as the browser would post them back (roles in order)."""
    form = page[page.rindex("<form", 0, page.index('name="previewed"')) :]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields = {name: html.unescape(value) for name, value in fields.items()}
    roles = re.findall(r'<option value="(\w+)" selected>', form)
    return fields, roles


def test_an_address_is_fetched_once_and_its_page_fills_the_source(moderator_client, page_server):
    address = f"{page_server}/metadata_numbered.html"
    page = moderator_client.post(URL, {"address": address}).content.decode()
    assert "5 stories found" in page
    assert "Bruce Willis was the last choice" in page
    assert "Accept All" not in page[page.index("<tbody>") : page.index("</tbody>")]
    fields, roles = preview_fields(page)

    # Confirmed from the preview alone: the page is not fetched again.
    with patch("trivia.importer.fetching.fetch", side_effect=AssertionError("fetched again")):
        response = moderator_client.post(URL, {**fields, "role": roles, "confirm": "yes"})
    assert response.status_code == 302
    source = Source.objects.get()
    assert (source.publisher, source.author, str(source.date)) == (
        "CineFacts",
        "Maria Lopez",
        "2023-05-14",
    )
    assert source.url == address
    assert Anecdote.objects.count() == 5


def test_pasted_html_is_read_by_its_structure(moderator_client):
    page_html = (HTML_PAGES / "wordpress_h2.html").read_text()
    expected = json.loads((HTML_PAGES / "wordpress_h2.json").read_text())
    page = moderator_client.post(URL, {"text": page_html}).content.decode()
    assert f"{expected['count']} stories found" in page
    stories = page[page.index("<tbody>") : page.index("</tbody>")]
    for story in expected["stories"]:
        assert html.escape(story["heading"], quote=False) in stories


def test_a_moderator_moves_a_paragraph_and_the_import_follows(moderator_client):
    page = moderator_client.post(URL, {"text": ARTICLE}).content.decode()
    fields, roles = preview_fields(page)
    # Every line of the source is accounted for, "Share this article" as furniture.
    assert roles == ["title", "furniture", "heading", "story", "heading", "story"]
    assert "Share this article" in page[page.index("Every paragraph") :]

    roles[4:6] = ["continue", "continue"]  # The Shining's lines joined to the Fight Club story
    page = moderator_client.post(URL, {**fields, "role": roles, "resplit": "1"}).content.decode()
    assert "1 story found" in page
    moderator_client.post(URL, {**fields, "role": roles, "confirm": "yes"})
    story = Anecdote.objects.get()
    assert "soap" in story.text and "Danny Lloyd" in story.text and "The Shining" in story.text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": ARTICLE, "address": "https://example.org/a"}, "not several"),
        ({"address": "http://127.0.0.1:9/article"}, "private"),
        ({"address": "ftp://example.org/a"}, "Give an http:// or https:// address"),
    ],
)
def test_an_address_that_cannot_be_imported_is_refused_with_a_message(
    moderator_client, settings, data, message
):
    settings.IMPORT_ALLOW_PRIVATE_HOSTS = False
    response = moderator_client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.exists()
