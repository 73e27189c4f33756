"""The public read API (/api/v1/, trivia/api/), read as a program would: what each endpoint
answers, its filters and pages, its errors, ETags, CORS and the rate limit, and that every
change a reader could notice is in the API at the very next request."""

import pytest
from django.contrib.staticfiles import finders
from taggit.models import Tag

from tests.caching import clear_caches
from tests.factories import make_anecdote, make_moderator, make_title, make_user
from trivia import services
from trivia.models import Anecdote, Citation, Person, PersonAlias

pytestmark = pytest.mark.django_db

State = Anecdote.State
API = "/api/v1"


@pytest.fixture
def heat():
    """Heat (a film) with two published stories, one a disputed spoiler about a person with an
    alias and a quoted source; Titanic with one; and a pending story on Heat."""
    heat = make_title("Heat", year=1995, aliases=["Heat (1995)", "Heisse Spur"])
    titanic = make_title("Titanic", year=1997)
    moderator = make_moderator()
    pacino = Person.objects.create(name="Al Pacino", known_for="Actor")
    PersonAlias.objects.create(person=pacino, name="Alfredo Pacino")
    older = make_anecdote(title=heat, tags=["stunts"], state=State.PUBLISHED, text="Older.")
    newer = make_anecdote(
        title=heat,
        tags=["stunts", "night shoots"],
        state=State.PUBLISHED,
        text="The bank shootout used real blanks.",
        is_spoiler=True,
    )
    services.edit_story(
        story=newer,
        editor=moderator,
        changes={"accuracy": "disputed", "accuracy_note": "The crew disagree."},
        people=[pacino],
    )
    citation = Citation.objects.filter(anecdote=newer).select_related("source").get()
    citation.locator, citation.quote = "p. 12", "Blanks, loud ones."
    citation.save()
    source = citation.source
    source.url, source.publisher = "https://example.org/heat", "Example Press"
    source.save()
    services.source_edited(source=source)
    other = make_anecdote(title=titanic, state=State.PUBLISHED, text="Cold water, really.")
    pending = make_anecdote(title=heat, tags=["stunts"], text="Not yet public.")
    return {"heat": heat, "older": older, "newer": newer, "other": other, "pending": pending}


def get(client, path, status=200, **headers):
    response = client.get(API + path, **headers)
    assert response.status_code == status, (path, response.content[:300])
    if status != 304:
        assert response["Content-Type"].startswith("application/json"), path
    return response


def texts(response):
    return [story["text"] for story in response.json()["results"]]


# --- What each endpoint answers -----------------------------------------------------------------


def test_a_story_says_everything_about_itself(client, heat):
    story = get(client, f"/stories/{heat['newer'].pk}/").json()
    assert story["id"] == heat["newer"].pk
    assert story["url"] == f"http://testserver/anecdotes/{heat['newer'].pk}/"
    assert story["title"] == {
        "slug": "heat",
        "name": "Heat",
        "url": "http://testserver/titles/heat/",
    }
    assert story["text"] == "The bank shootout used real blanks."
    assert story["is_spoiler"] is True
    assert story["summary"] == "Contains spoilers: read it on Backlot."
    assert (story["accuracy"], story["accuracy_note"]) == ("disputed", "The crew disagree.")
    assert [tag["slug"] for tag in story["tags"]] == ["night-shoots", "stunts"]
    assert story["people"] == [
        {"slug": "al-pacino", "name": "Al Pacino", "url": "http://testserver/people/al-pacino/"}
    ]
    (source,) = story["sources"]
    assert (source["url"], source["site"], source["locator"], source["quote"]) == (
        "https://example.org/heat",
        "Example Press",
        "p. 12",
        "Blanks, loud ones.",
    )
    assert story["image"] is None
    assert story["published_at"] and story["interest_count"] == 0


def test_the_index_links_every_list_and_the_description(client):
    links = get(client, "/").json()
    assert links["stories"] == "http://testserver/api/v1/stories/"
    assert links["openapi"] == "http://testserver/api/v1/openapi.json"
    assert links["docs"] == "http://testserver/api/v1/docs"


def test_titles_are_listed_a_to_z_with_their_published_story_counts(client, heat):
    titles = get(client, "/titles/").json()["results"]
    assert [(t["slug"], t["story_count"]) for t in titles] == [("heat", 2), ("titanic", 1)]
    assert [t["slug"] for t in get(client, "/titles/?letter=t").json()["results"]] == ["titanic"]
    assert get(client, "/titles/?kind=series").json()["results"] == []


def test_a_title_counts_its_published_stories_by_accuracy_and_gives_its_aliases(client, heat):
    title = get(client, "/titles/heat/").json()
    assert title["accuracy_counts"] == {
        "unverified": 1,
        "corroborated": 0,
        "disputed": 1,
        "debunked": 0,
    }
    assert sorted(title["aliases"]) == ["Heat (1995)", "Heisse Spur"]
    assert title["stories_url"] == "http://testserver/api/v1/stories/?title=heat"


def test_tags_and_people_are_listed_with_their_details(client, heat):
    tags = get(client, "/tags/").json()["results"]
    assert [(t["slug"], t["story_count"]) for t in tags] == [("night-shoots", 1), ("stunts", 2)]
    assert get(client, "/tags/stunts/").json()["story_count"] == 2
    (person,) = get(client, "/people/").json()["results"]
    assert (person["slug"], person["story_count"]) == ("al-pacino", 1)
    detail = get(client, "/people/al-pacino/").json()
    assert detail["aliases"] == ["Alfredo Pacino"]
    assert detail["known_for"] == "Actor"


def test_stories_are_filtered_and_sorted_as_the_sites_lists(client, heat):
    assert texts(get(client, "/stories/")) == [
        "Cold water, really.",
        "The bank shootout used real blanks.",
        "Older.",
    ]
    assert texts(get(client, "/stories/?title=heat")) == [
        "The bank shootout used real blanks.",
        "Older.",
    ]
    assert texts(get(client, "/stories/?tag=night-shoots")) == [
        "The bank shootout used real blanks."
    ]
    assert texts(get(client, "/stories/?person=al-pacino&accuracy=disputed")) == [
        "The bank shootout used real blanks."
    ]
    assert texts(get(client, "/stories/?title=heat&accuracy=corroborated")) == []
    services.vote_interesting(story=heat["older"], user=make_user())
    assert texts(get(client, "/stories/?sort=interest"))[0] == "Older."
    assert texts(get(client, "/stories/?tag=stunts&sort=interest"))[0] == "Older."


def test_search_finds_stories_titles_people_and_tags_as_the_site_does(client, heat):
    found = get(client, "/search/?q=shootout").json()
    assert texts_of(found) == ["The bank shootout used real blanks."]
    assert found["query"] == "shootout"
    names = get(client, "/search/?q=pacino").json()
    assert [person["slug"] for person in names["people"]] == ["al-pacino"]
    assert [title["slug"] for title in get(client, "/search/?q=heat").json()["titles"]] == ["heat"]
    assert get(client, "/search/?q=...").json()["results"] == []


def texts_of(page):
    return [story["text"] for story in page["results"]]


# --- Pages ----------------------------------------------------------------------------------------


def test_pages_link_each_other_and_count_the_whole_list(client, heat):
    first = get(client, "/stories/?page_size=2").json()
    assert (first["count"], first["pages"], first["previous"]) == (3, 2, None)
    assert first["next"] == "http://testserver/api/v1/stories/?page_size=2&page=2"
    second = client.get(first["next"]).json()
    assert texts_of(second) == ["Older."]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/stories/?page_size=2&page=1"


def test_an_empty_list_is_an_empty_first_page(client):
    page = get(client, "/stories/").json()
    assert (page["count"], page["results"], page["next"]) == (0, [], None)


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/stories/?page=abc", 400, "page"),
        ("/stories/?page=0", 400, "page"),
        ("/stories/?page=99", 404, "past the last page"),
        ("/stories/?page_size=101", 400, "page_size"),
        ("/stories/?accuracy=maybe", 400, "accuracy"),
        ("/stories/?sort=oldest", 400, "sort"),
        ("/stories/?title=no-such-film", 404, "no-such-film"),
        ("/stories/?tag=%00", 400, "tag"),
        ("/stories/abc/", 400, "pk"),
        ("/stories/99999/", 404, "99999"),
        ("/titles/?letter=%00", 400, "letter"),
        ("/titles/?kind=opera", 400, "kind"),
        ("/titles/no-such-film/", 404, "no-such-film"),
        ("/titles/a%00b/", 400, "slug"),
        ("/search/", 400, "q"),
        ("/search/?q=" + "x" * 5000, 400, "at most 200 characters"),
        ("/search/?q=%00", 200, ""),
        ("/nowhere/", 404, "Not Found"),
    ],
)
def test_bad_parameters_get_a_clear_json_error(client, heat, path, status, words):
    answer = get(client, path, status).json()
    if status != 200:
        assert words in answer["detail"]
        assert answer["detail"].strip()


def test_a_method_no_endpoint_offers_is_a_json_405(client):
    response = client.post(f"{API}/stories/")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_a_list_runs_a_fixed_number_of_queries(client, heat, django_assert_max_num_queries):
    for number in range(30):
        make_anecdote(
            title=heat["heat"],
            tags=[f"tag{number}", "stunts"],
            state=State.PUBLISHED,
            text=f"Story {number}.",
        )
    clear_caches()
    with django_assert_max_num_queries(10):
        page = get(client, "/stories/?page_size=100").json()
    assert page["count"] == 33
    clear_caches()
    with django_assert_max_num_queries(10):
        get(client, "/stories/?tag=stunts&page_size=100")


# --- Freshness: the same exact invalidation as the pages ------------------------------------


def cached(client, path):
    """Read ``path`` twice: the second answer must come from the cache."""
    get(client, path)
    response = get(client, path)
    assert response["X-Page-Cache"] == "hit", path
    return response


def test_an_unpublished_story_leaves_the_api_at_the_very_next_request(client, heat):
    story = heat["newer"]
    paths = [
        "/stories/",
        f"/stories/{story.pk}/",
        "/stories/?title=heat",
        "/stories/?tag=night-shoots",
        "/search/?q=shootout",
    ]
    for path in paths:
        assert "real blanks" in cached(client, path).content.decode(), path
    services.unpublish_story(
        story=story, moderator=make_moderator(), reason="duplicate", message="Twice."
    )
    for path in paths[:3] + paths[4:]:
        response = client.get(API + path)
        assert response.status_code in (200, 404), path
        assert "real blanks" not in response.content.decode(), path
    assert get(client, f"/stories/{story.pk}/", 404)
    assert get(client, "/stories/?tag=night-shoots", 404)
    assert get(client, "/people/al-pacino/", 404)
    assert get(client, "/titles/heat/").json()["accuracy_counts"]["disputed"] == 0


def test_an_approval_and_an_edit_show_at_the_very_next_request(client, heat):
    assert len(cached(client, "/stories/?title=heat").json()["results"]) == 2
    services.approve_story(story=heat["pending"], moderator=make_moderator())
    assert "Not yet public." in texts(get(client, "/stories/?title=heat"))
    cached(client, f"/stories/{heat['older'].pk}/")
    services.edit_story(
        story=heat["older"], editor=make_moderator(), changes={"text": "Older, corrected."}
    )
    assert get(client, f"/stories/{heat['older'].pk}/").json()["text"] == "Older, corrected."


def test_renaming_a_title_tag_or_person_changes_every_answer_naming_it(client, heat):
    story = f"/stories/{heat['newer'].pk}/"
    for path in [story, "/stories/", "/titles/", "/titles/heat/", "/tags/", "/people/al-pacino/"]:
        cached(client, path)
    services.rename_title(title=heat["heat"], name="Heat (director's cut)")
    services.rename_tag(tag=Tag.objects.get(slug="night-shoots"), name="Night work")
    services.rename_person(person=Person.objects.get(slug="al-pacino"), name="Alfredo Pacino")
    answer = get(client, story).json()
    assert answer["title"]["name"] == "Heat (director's cut)"
    assert "Night work" in [tag["name"] for tag in answer["tags"]]
    assert answer["people"][0]["name"] == "Alfredo Pacino"
    assert "Heat (director's cut)" in get(client, "/stories/").content.decode()
    assert "Heat (director's cut)" in get(client, "/titles/").content.decode()
    assert get(client, "/titles/heat/").json()["name"] == "Heat (director's cut)"
    assert "Night work" in get(client, "/tags/").content.decode()
    assert get(client, "/people/al-pacino/").json()["name"] == "Alfredo Pacino"


def test_a_vote_changes_the_interest_count_at_the_very_next_request(client, heat):
    story = heat["older"]
    cached(client, f"/stories/{story.pk}/")
    cached(client, "/stories/")
    services.vote_interesting(story=story, user=make_user())
    assert get(client, f"/stories/{story.pk}/").json()["interest_count"] == 1
    counts = {s["id"]: s["interest_count"] for s in get(client, "/stories/").json()["results"]}
    assert counts[story.pk] == 1


def test_a_change_elsewhere_leaves_an_answer_in_the_cache(client, heat):
    cached(client, "/titles/titanic/")
    services.edit_story(story=heat["older"], editor=make_moderator(), changes={"text": "New."})
    assert get(client, "/titles/titanic/")["X-Page-Cache"] == "hit"


def test_the_site_wide_list_by_interest_is_kept_until_a_vote_reorders_it(client, heat):
    ranked = "/stories/?sort=interest&page_size=1"
    first = cached(client, ranked).json()["results"][0]["id"]
    # A vote on a story not on this page moves it to the top.
    other = next(heat[name].pk for name in ("older", "other") if heat[name].pk != first)
    services.vote_interesting(story=Anecdote.objects.get(pk=other), user=make_user())
    assert get(client, ranked).json()["results"][0]["id"] == other


# --- ETags -------------------------------------------------------------------------------------


def test_an_unchanged_answer_is_a_304_and_a_changed_one_has_a_new_etag(client, heat):
    path = f"/stories/{heat['older'].pk}/"
    first = get(client, path)
    etag = first["ETag"]
    assert etag.startswith('"') and "no-cache" in first["Cache-Control"]
    not_modified = get(client, path, 304, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    services.edit_story(story=heat["older"], editor=make_moderator(), changes={"text": "Newer."})
    changed = get(client, path, HTTP_IF_NONE_MATCH=etag)
    assert changed["ETag"] != etag
    assert changed.json()["text"] == "Newer."


def test_head_answers_the_headers_of_get(client, heat):
    body = get(client, "/stories/")
    head = client.head(f"{API}/stories/")
    assert head.status_code == 200
    assert head["ETag"] == body["ETag"]
    assert head.content == b""


# --- CORS and the rate limit ---------------------------------------------------------------------


def test_every_answer_allows_any_origin_to_read_without_credentials(client, heat):
    for path, status in [("/stories/", 200), ("/stories/99999/", 404), ("/stories/?page=x", 400)]:
        response = get(client, path, status, HTTP_ORIGIN="https://example.org")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        f"{API}/stories/",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert "ETag" in get(client, "/stories/")["Access-Control-Expose-Headers"]


def test_the_sites_pages_get_no_cors_headers(client):
    assert "Access-Control-Allow-Origin" not in client.get("/")


def test_a_client_over_the_limit_gets_a_429_with_retry_after(client, heat, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (3, 60)}
    for _ in range(3):  # the second and third from the cache: they count too
        get(client, "/titles/")
    limited = client.get(f"{API}/titles/")
    assert limited.status_code == 429
    assert limited["Content-Type"].startswith("application/json")
    assert "at most 3 every 60 seconds" in limited.json()["detail"]
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited["Access-Control-Allow-Origin"] == "*"
    # Another address has its own count; the site's pages are not counted.
    assert client.get(f"{API}/titles/", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get("/titles/").status_code == 200


def test_the_limit_is_read_from_the_environment():
    from django.conf import settings

    count, period = settings.RATE_LIMITS["api"]
    assert count >= 1 and period == 60


# --- The description and its page ---------------------------------------------------------------


def test_the_openapi_description_lists_every_endpoint(client):
    description = get(client, "/openapi.json").json()
    assert description["openapi"].startswith("3.")
    assert set(description["paths"]) >= {
        "/api/v1/stories/",
        "/api/v1/stories/{pk}/",
        "/api/v1/titles/",
        "/api/v1/titles/{slug}/",
        "/api/v1/tags/",
        "/api/v1/tags/{slug}/",
        "/api/v1/people/",
        "/api/v1/people/{slug}/",
        "/api/v1/search/",
    }
    stories = description["paths"]["/api/v1/stories/"]["get"]
    assert set(stories["responses"]) == {"200", "400", "404", "429"}
    page_size = next(p for p in stories["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 100


def test_the_documentation_page_runs_under_the_sites_csp_from_our_own_files(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    page = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    scripts = [part.split('"')[1] for part in page.split("<script src=")[1:]]
    assert scripts == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    # The only other script element is data (the settings), which a browser never runs.
    assert page.count("<script") == 3
    assert '<script type="application/json" id="swagger-settings">' in page
    assert "cdn" not in page.lower() and "https://" not in page
    for path in scripts:
        assert finders.find(path.removeprefix("/static/")), path
