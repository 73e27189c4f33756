"""Issue 15, generated poster cards: a title without a poster gets a typographic card from its
name, years and kind (``/titles/<slug>/poster.svg``), shown on its page, on the A–Z list and on
the story cards of lists across titles.

The card is text a moderator typed drawn as XML: it must stay a valid image whatever the name
holds, follow a rename at the next request, and exist only for titles a reader may open.
"""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import make_anecdote, make_title
from trivia import services
from trivia.models import Anecdote, Title
from trivia.posters import MAX_LINES, poster_svg, poster_url

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def published(title, **kwargs):
    return make_anecdote(title=title, state=Anecdote.State.PUBLISHED, **kwargs)


def card(client, title):
    response = client.get(reverse("title_poster", kwargs={"slug": title.slug}))
    assert response.status_code == 200
    return response


def drawn(response_or_text):
    """The card parsed as XML: (root, its texts in reading order)."""
    text = getattr(response_or_text, "content", response_or_text)
    root = ET.fromstring(text if isinstance(text, bytes) else text.encode())
    return root, ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def name_lines(response):
    """The name as the card sets it, its lines joined by spaces."""
    root, _ = drawn(response)
    return " ".join(span.text for span in root.iter(f"{SVG}tspan"))


def test_a_title_gets_a_typographic_card_from_its_name_years_and_kind(client):
    series = make_title("Twin Peaks", kind="series", year=1990, end_year=1991)
    published(series)
    response = card(client, series)
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root, texts = drawn(response)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Twin Peaks"
    assert texts == ["SERIES", "TwinPeaks", "1990–1991"]  # two lines of the name
    film = make_title("Heat", year=1995)
    published(film)
    assert drawn(card(client, film))[1] == ["FILM", "Heat", "1995"]


@pytest.mark.parametrize(
    "name", ['<script>alert("x")</script> & "quotes"', "Tom & Jerry's <b>", "A\x01B\x1fC\ufffe"]
)
def test_a_name_with_markup_or_control_characters_stays_a_valid_image(client, name):
    title = make_title(name)
    published(title)
    response = card(client, title)
    body = response.content.decode()
    assert "<script" not in body and "<b>" not in body
    root, texts = drawn(response)
    shown = re.sub(r"[\x00-\x1f\ufffe]", "", name)
    assert root.find(f"{SVG}title").text == shown
    assert root.get("aria-label") == shown
    assert name_lines(response).replace(" ", "") == shown.replace(" ", "")  # long words broken
    assert [element.tag for element in root.iter()].count(f"{SVG}script") == 0


def test_a_nul_byte_in_a_name_is_left_out_of_the_card():
    """PostgreSQL refuses to store one; SQLite keeps it: the card must stay an image."""
    root, _ = drawn(poster_svg(Title(name="Heat\x00 2", slug="heat")))
    assert root.find(f"{SVG}title").text == "Heat 2"


def test_a_long_name_wraps_within_the_card(client):
    title = make_title("The Lord of the Rings: The Fellowship of the Ring " * 4)
    root, _ = drawn(poster_svg(title))
    lines = [span.text for span in root.iter(f"{SVG}tspan")]
    assert 1 < len(lines) <= MAX_LINES
    assert lines[-1].endswith("…")


def test_the_same_name_gets_the_same_colour_and_another_name_another():
    def background(name):
        root, _ = drawn(poster_svg(Title(name=name, slug="x")))
        return root.find(f"{SVG}rect").get("fill")

    assert background("Heat") == background("Heat")
    assert len({background(name) for name in ("Heat", "Alien", "Jaws", "Fargo", "Up")}) > 1


def test_a_renamed_title_gets_its_new_card_at_the_next_request_and_a_new_address(client):
    title = make_title("Heat", year=1995)
    published(title, tags=["heists"])
    old_address = poster_url(title)
    assert drawn(card(client, title))[1][1] == "Heat"
    assert card(client, title)["X-Page-Cache"] == "hit"
    services.rename_title(title=Title.objects.get(pk=title.pk), name="Heat (director's cut)")
    title.refresh_from_db()
    assert name_lines(card(client, title)) == "Heat (director's cut)"
    new_address = poster_url(title)
    assert new_address != old_address
    # The pages that show the card link the new address at once, the cached cards included.
    for url in (title.get_absolute_url(), reverse("title_list"), "/tags/heists/"):
        html = client.get(url).content.decode()
        assert new_address in html.replace("&amp;", "&"), url
        assert old_address not in html, url


def test_only_a_title_readers_may_open_has_a_card(client):
    pending_only = make_title("Secret Project")
    make_anecdote(title=pending_only)  # pending
    url = reverse("title_poster", kwargs={"slug": pending_only.slug})
    assert client.get(url).status_code == 404
    assert client.get("/titles/no-such-title/poster.svg").status_code == 404


def test_cards_of_lists_across_titles_show_their_titles_poster(client):
    title = make_title("Heat", year=1995)
    published(title, tags=["heists"])
    for url in ("/", "/tags/heists/"):
        html = client.get(url).content.decode()
        thumb = re.search(r'<div class="story__head">\s*(<img [^>]*>)', html).group(1)
        assert 'class="poster-thumb"' in thumb and poster_url(title) in thumb.replace("&amp;", "&")
        assert 'width="200" height="300"' in thumb and 'loading="lazy"' in thumb
    # A title's own page names no title on its cards: no poster on them either.
    html = client.get(title.get_absolute_url()).content.decode()
    assert 'class="story__head"' not in html
