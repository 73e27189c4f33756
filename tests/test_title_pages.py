"""Issue 15, richer pages: a title's page and the A–Z list of titles, as a reader finds them.

A title page leads back to the list (breadcrumbs), and beside its stories says how true they
are (a count per verdict, each a link to the list narrowed to it), who they are about and their
tags; all of it is fresh at the request after a change, from the page cache or not. The list's
A–Z bar links only the letters that have titles, and every row shows a poster or a generated
poster card.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_anecdote, make_moderator, make_title, make_user
from trivia import services
from trivia.models import Anecdote, Person, Title

pytestmark = pytest.mark.django_db

State = Anecdote.State


def story(title, *, accuracy=None, people=(), state=State.PUBLISHED, **kwargs):
    """A story on ``title``, about ``people``, published (unless told) and judged ``accuracy``."""
    anecdote = make_anecdote(title=title, state="pending", **kwargs)
    if people:
        anecdote.people.add(*people)
    if state == State.PUBLISHED:
        services.approve_story(story=anecdote, moderator=make_moderator())
    if accuracy:
        services.edit_story(
            story=Anecdote.objects.get(pk=anecdote.pk),
            editor=make_moderator(),
            changes={"accuracy": accuracy, "accuracy_note": "Sources disagree."},
        )
    return anecdote


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld(html):
    """Every JSON-LD document of the page, parsed (each must parse)."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return [json.loads(script) for script in scripts]


def verdicts(html):
    """The side column's counts: {label: (count, linked address or None)}."""
    box = html[html.index('class="side-counts"') : html.index("</ul>", html.index("side-counts"))]
    found = {}
    for item in re.findall(r"<li class=\"side-counts__item[^>]*>(.*?)</li>", box, re.DOTALL):
        count = int(re.search(r'side-counts__count">(\d+)<', item).group(1))
        link = re.search(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', item)
        if link:
            found[link.group(2)] = (count, link.group(1).replace("&amp;", "&"))
        else:
            found[re.search(r"<span>([^<]+)</span>", item).group(1)] = (count, None)
    return found


@pytest.fixture
def heat():
    return make_title("Heat", year=1995)


# --- Breadcrumbs and structured data ------------------------------------------------------------


def test_a_title_page_leads_back_to_the_titles_through_its_breadcrumbs(client, heat):
    story(heat)
    html = html_of(client, heat.get_absolute_url())
    trail = html[
        html.index('<nav class="breadcrumbs"') : html.index("</nav>", html.index("breadcrumbs"))
    ]
    assert '<a href="/">Home</a>' in trail
    assert '<a href="/titles/">Titles</a>' in trail
    assert '<span aria-current="page">Heat</span>' in trail
    assert '<a href="/titles/">← All titles</a>' in html


def test_a_title_pages_structured_data_parses_and_says_what_it_is(client, heat):
    story(heat)
    series = make_title("Twin Peaks", kind="series", year=1990, end_year=1991)
    story(series)
    for title, kind in ((heat, "Movie"), (series, "TVSeries")):
        documents = json_ld(html_of(client, title.get_absolute_url()))
        assert sorted(document["@type"] for document in documents) == sorted(
            [kind, "BreadcrumbList"]
        )
        trail = next(d for d in documents if d["@type"] == "BreadcrumbList")
        assert [item["name"] for item in trail["itemListElement"]] == ["Home", "Titles", title.name]
        assert trail["itemListElement"][1]["item"] == "http://testserver/titles/"


# --- The side column: verdicts, people, tags -----------------------------------------------------


def test_a_title_page_counts_its_stories_by_verdict_each_linking_its_list(client, heat):
    story(heat, accuracy="corroborated")
    story(heat, accuracy="corroborated")
    story(heat, accuracy="debunked")
    story(heat)  # unverified
    story(heat, state=State.PENDING, accuracy="disputed")  # not public: not counted
    counts = verdicts(html_of(client, heat.get_absolute_url()))
    assert counts == {
        "Corroborated": (2, "?accuracy=corroborated"),
        "Disputed": (0, None),
        "Myths": (1, "?accuracy=debunked"),
        "Unverified": (1, "?accuracy=unverified"),
    }
    # The link keeps the reader's sort and leads to the narrowed list.
    counts = verdicts(html_of(client, heat.get_absolute_url() + "?sort=interest"))
    assert counts["Myths"][1] == "?sort=interest&accuracy=debunked"
    narrowed = html_of(client, heat.get_absolute_url() + "?accuracy=debunked")
    assert narrowed.count("<article") == 1


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed in"])
def test_the_counts_follow_a_publication_and_an_unpublishing_at_the_next_request(
    client, heat, moderator, signed_in
):
    if signed_in:
        client.force_login(make_user())
    story(heat, accuracy="corroborated")
    url = heat.get_absolute_url()
    assert verdicts(html_of(client, url))["Disputed"] == (0, None)
    if not signed_in:
        assert client.get(url)["X-Page-Cache"] == "hit"
    disputed = story(heat, accuracy="disputed")
    assert verdicts(html_of(client, url))["Disputed"] == (1, "?accuracy=disputed")
    services.unpublish_story(
        story=Anecdote.objects.get(pk=disputed.pk), moderator=moderator, reason="unsourced"
    )
    assert verdicts(html_of(client, url))["Disputed"] == (0, None)


def test_the_side_names_the_people_and_tags_of_its_published_stories_only(client, heat):
    pacino = Person.objects.create(name="Al Pacino")
    de_niro = Person.objects.create(name="Robert De Niro")
    hidden = Person.objects.create(name="Someone Pending")
    story(heat, people=[pacino, de_niro], tags=["heists"])
    story(heat, people=[de_niro], tags=["heists", "locations"])
    story(heat, people=[hidden], tags=["secret"], state=State.PENDING)
    html = html_of(client, heat.get_absolute_url())
    side = html[html.index('class="with-side__side title-page__more"') :]
    people = re.findall(r'<li><a href="/people/[^"]+/">([^<]+)</a> <span class="muted">(\d+)', side)
    assert people == [("Robert De Niro", "2"), ("Al Pacino", "1")]
    assert '<a href="/tags/heists/">heists</a>' in side
    assert '<a href="/tags/locations/">locations</a>' in side
    assert "Someone Pending" not in html and "secret" not in side


def test_a_person_renamed_shows_at_once_on_the_title_pages_side(client, heat):
    pacino = Person.objects.create(name="Al Pacino")
    story(heat, people=[pacino])
    assert "Al Pacino" in html_of(client, heat.get_absolute_url())
    services.rename_person(person=pacino, name="Alfredo Pacino")
    html = html_of(client, heat.get_absolute_url())
    assert "Alfredo Pacino" in html and "Al Pacino<" not in html


def test_a_title_page_runs_the_same_queries_for_3_or_30_stories_with_many_people_and_tags(heat):
    reader = Client()
    reader.force_login(make_user())

    def queries():
        from tests.caching import rendering_queries

        return rendering_queries(reader, heat.get_absolute_url())[0]

    for number in range(3):
        person = Person.objects.create(name=f"Actor {number}")
        story(heat, people=[person], tags=[f"tag-{number}"], accuracy="corroborated")
    few = queries()
    for number in range(3, 30):
        person = Person.objects.create(name=f"Actor {number}")
        story(heat, people=[person], tags=[f"tag-{number}"], accuracy="debunked")
    assert queries() == few


def test_a_title_page_shows_a_generated_poster_card_when_it_has_no_poster(client, heat):
    story(heat)
    html = html_of(client, heat.get_absolute_url())
    poster = re.search(r'<img class="title-header__poster"[^>]*>', html).group(0)
    assert 'src="/titles/heat/poster.svg?v=' in poster
    assert 'width="200" height="300"' in poster


# --- The A–Z list ------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    for name, kind in (("Alien", "film"), ("Heat", "film"), ("Mad Men", "series")):
        story(make_title(name, kind=kind))
    story(make_title("Zodiac"), state=State.PENDING)  # no published story: not on the list


def letter_bar(html):
    return html[html.index('<nav class="letters"') : html.index("</nav>", html.index('"letters"'))]


def test_the_letter_bar_links_only_letters_with_titles(client, catalogue):
    bar = letter_bar(html_of(client, reverse("title_list")))
    linked = re.findall(r'<a href="\?letter=([^"]+)"[^>]*>', bar)
    assert linked == ["A", "H", "M"]
    assert (
        '<span class="letters__empty" aria-disabled="true" title="No titles under Z">Z</span>'
        in bar
    )
    assert (
        '<span class="letters__empty" aria-disabled="true" title="No titles under #">#</span>'
        in bar
    )
    # Narrowed to series, only their letters lead anywhere.
    bar = letter_bar(html_of(client, reverse("title_list") + "?kind=series"))
    assert re.findall(r'<a href="\?kind=series&amp;letter=([^"]+)"', bar) == ["M"]


def test_a_title_under_a_new_letter_is_linked_from_the_next_request(client, catalogue):
    assert "letter=Z" not in letter_bar(html_of(client, reverse("title_list")))
    zodiac = Anecdote.objects.get(title__name="Zodiac")
    services.approve_story(story=zodiac, moderator=make_moderator())
    assert '<a href="?letter=Z">Z</a>' in letter_bar(html_of(client, reverse("title_list")))


def test_the_title_list_is_a_collection_page_with_breadcrumbs_and_posters(client, catalogue):
    html = html_of(client, reverse("title_list"))
    documents = {document["@type"]: document for document in json_ld(html)}
    assert set(documents) == {"CollectionPage", "BreadcrumbList"}
    items = documents["CollectionPage"]["mainEntity"]["itemListElement"]
    assert [(item["name"], item["url"]) for item in items] == [
        ("Alien", "http://testserver/titles/alien/"),
        ("Heat", "http://testserver/titles/heat/"),
        ("Mad Men", "http://testserver/titles/mad-men/"),
    ]
    crumbs = documents["BreadcrumbList"]["itemListElement"]
    assert [crumb["name"] for crumb in crumbs] == ["Home", "Titles"]
    thumbs = re.findall(r'<img class="poster-thumb"[^>]*>', html)
    assert len(thumbs) == 3
    assert all('width="200" height="300"' in img and 'loading="lazy"' in img for img in thumbs)
    assert 'src="/titles/mad-men/poster.svg?v=' in html


def test_a_narrowed_title_list_leads_back_to_all_titles(client, catalogue):
    html = html_of(client, reverse("title_list") + "?kind=film&letter=H")
    trail = html[
        html.index('<nav class="breadcrumbs"') : html.index("</nav>", html.index("breadcrumbs"))
    ]
    assert '<a href="/titles/">Titles</a>' in trail
    assert '<span aria-current="page">Films under H</span>' in trail


def test_a_title_with_an_uploaded_poster_shows_it_instead_of_a_card(client):
    title = make_title("The Matrix", year=1999)
    Title.objects.filter(pk=title.pk).update(poster="posters/matrix.jpg")
    story(title)
    html = html_of(client, reverse("title_list"))
    thumb = re.search(r'<img class="poster-thumb"[^>]*>', html).group(0)
    assert 'src="/media/posters/matrix.jpg"' in thumb and "poster.svg" not in thumb
