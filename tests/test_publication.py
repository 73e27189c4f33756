"""One owner of what readers see (trivia.publication): every public change is on the anonymous
page at the next request and in the story's history; what no reader can see, and what is about
another title, leaves cached pages cached."""

import pytest
from django.test import Client

from tests.admin_forms import change_form_data
from tests.factories import make_anecdote, make_moderator, make_source, make_title, make_user
from tests.test_images import stored_image
from trivia import services
from trivia.models import Anecdote, ModerationEvent, Person, Report

pytestmark = pytest.mark.django_db

Action = ModerationEvent.Action


@pytest.fixture
def heat():
    return make_title("Heat", year=1995)


@pytest.fixture
def story(heat):
    return make_anecdote(
        title=heat, state="published", tags=["heists"], text="The bank scene was shot on a Sunday."
    )


def anonymous(url):
    response = Client().get(url)
    assert response.status_code == 200, url
    return response


def pages_of(story):
    story = Anecdote.objects.get(pk=story.pk)
    return [story.get_absolute_url(), story.title.get_absolute_url(), "/tags/heists/", "/"]


def cached_everywhere(urls):
    for url in urls:
        anonymous(url)
    return {url: anonymous(url)["X-Page-Cache"] for url in urls}


def admin_edit(moderator, story, **changes):
    client = Client()
    client.force_login(moderator)
    data = change_form_data(story, **changes) | {"_save": "Save"}
    response = client.post(f"/admin/trivia/anecdote/{story.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


# Each edit a moderator can make in the admin's change page, with what the reader then reads.
ADMIN_EDITS = {
    "text": ({"text": "The bank scene was shot on a Saturday."}, "shot on a Saturday"),
    "spoiler": ({"is_spoiler": "on"}, "Reveal spoiler"),
    "accuracy": ({"accuracy": "debunked"}, "Myth"),
    "accuracy note": (
        {"accuracy": "disputed", "accuracy_note": "Two crew members remember a Monday."},
        "Two crew members remember a Monday.",
    ),
    "tags": ({"tags": "heists, night shoots"}, "night shoots"),
}


@pytest.mark.parametrize("edit", ADMIN_EDITS, ids=list(ADMIN_EDITS))
def test_every_admin_edit_of_a_published_story_is_on_the_cached_pages_at_once_and_recorded(
    story, edit
):
    changes, shown = ADMIN_EDITS[edit]
    urls = pages_of(story)
    assert set(cached_everywhere(urls).values()) == {"hit"}
    events = story.events.count()

    admin_edit(make_moderator("editor"), story, **changes)

    for url in urls:
        assert shown in anonymous(url).content.decode(), url
    edited = story.events.order_by("-pk").first()
    assert story.events.count() == events + 1 and edited.action == Action.EDITED


def test_people_and_sources_edited_in_the_admin_show_at_once_and_are_recorded(story):
    keanu = Person.objects.create(name="Keanu Reeves")
    cached_everywhere(pages_of(story))
    source = make_source(title="The director's commentary")
    data = {
        "people": [keanu.pk],
        "citations-TOTAL_FORMS": 2,
        "citations-1-anecdote": story.pk,
        "citations-1-source": source.pk,
        "citations-1-locator": "12:30",
        "citations-1-quote": "",
    }
    admin_edit(make_moderator("editor"), story, **data)
    page = anonymous(story.get_absolute_url()).content.decode()
    assert "Keanu Reeves" in page and "The director&#x27;s commentary" in page
    snapshot = story.events.order_by("-pk").first().snapshot
    assert snapshot["people"] == ["Keanu Reeves"] and len(snapshot["sources"]) == 2


def test_a_story_moved_to_another_title_leaves_the_old_page_and_joins_the_new(story, heat):
    alien = make_title("Alien", year=1979)
    make_anecdote(title=alien, state="published", text="The chestburster surprised the cast.")
    make_anecdote(title=heat, state="published", text="Another Heat story.")
    cached_everywhere([heat.get_absolute_url(), alien.get_absolute_url()])
    admin_edit(make_moderator("editor"), story, title=alien.pk)
    assert "shot on a Sunday" not in anonymous(heat.get_absolute_url()).content.decode()
    assert "shot on a Sunday" in anonymous(alien.get_absolute_url()).content.decode()


def test_an_image_given_to_a_published_story_is_on_its_pages_at_once_and_recorded(story):
    urls = pages_of(story)
    cached_everywhere(urls)
    name = stored_image()
    services.edit_story(story=story, editor=make_moderator("editor"), changes={"image": name})
    for url in urls:
        assert name.rsplit("/", 1)[-1].rsplit(".", 1)[0] in anonymous(url).content.decode(), url
    assert story.events.order_by("-pk").first().snapshot["image"] == name


def test_what_no_reader_can_see_leaves_every_cached_page_cached(story):
    urls = [*pages_of(story), "/titles/", "/tags/", "/search/?q=bank", "/feeds/latest/"]
    cached_everywhere(urls)
    reader, moderator = make_user("reader"), make_moderator("judge")
    services.report_story(story=story, reporter=reader, reason=Report.Reason.OTHER, note="Hmm.")
    proposal = services.propose_correction(story=story, proposer=reader, text="Shot on a Monday.")
    services.reject_correction(correction=proposal, moderator=moderator, message="No source.")
    make_anecdote(title=story.title, tags=["heists"], text="A pending story nobody sees yet.")
    assert {url: anonymous(url)["X-Page-Cache"] for url in urls} == dict.fromkeys(urls, "hit")


def test_an_approval_refreshes_its_titles_pages_and_leaves_another_title_cached(story, heat):
    alien = make_title("Alien", year=1979)
    make_anecdote(title=alien, state="published", text="The chestburster surprised the cast.")
    unrelated = [alien.get_absolute_url(), story.get_absolute_url()]
    related = [heat.get_absolute_url(), "/tags/heists/", "/", "/titles/", "/feeds/latest/"]
    cached_everywhere(unrelated + related)
    waiting = make_anecdote(title=heat, tags=["heists"], text="De Niro and Pacino met once.")
    services.approve_story(story=waiting, moderator=make_moderator("judge"))
    for url in related:
        response = anonymous(url)
        assert response["X-Page-Cache"] == "miss", url
        if url != "/titles/":  # the A–Z list shows counts, not stories
            assert "Pacino met once" in response.content.decode(), url
    assert {url: anonymous(url)["X-Page-Cache"] for url in unrelated} == dict.fromkeys(
        unrelated, "hit"
    )


def test_a_vote_shows_to_anonymous_readers_at_once_and_leaves_other_titles_cached(story, heat):
    alien = make_title("Alien", year=1979)
    make_anecdote(title=alien, state="published")
    cached_everywhere([heat.get_absolute_url(), alien.get_absolute_url()])
    services.vote_interesting(story=story, user=make_user("fan"))
    assert 'class="vote__count">1<' in anonymous(heat.get_absolute_url()).content.decode()
    assert anonymous(alien.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_renamed_tag_and_person_show_on_every_page_that_names_them(story):
    keanu = Person.objects.create(name="Keanu Reeves")
    services.edit_story(story=story, editor=make_moderator("editor"), people=[keanu])
    urls = pages_of(story)
    cached_everywhere(urls)
    tag = story.tags.get()
    services.rename_tag(tag=tag, name="bank heists")
    services.rename_person(person=keanu, name="Keanu C. Reeves")
    for url in pages_of(story):
        page = anonymous(url).content.decode()
        assert "bank heists" in page and "Keanu C. Reeves" in page, url


def test_deleting_a_published_story_takes_it_off_every_page_at_once(story):
    urls = pages_of(story)[1:]
    make_anecdote(title=story.title, state="published", tags=["heists"], text="One more story.")
    cached_everywhere(urls)
    Anecdote.objects.get(pk=story.pk).delete()
    for url in urls:
        assert "shot on a Sunday" not in anonymous(url).content.decode(), url


def test_a_contributor_closed_in_the_admin_is_unlinked_on_cached_pages_at_once(story):
    urls = pages_of(story)
    cached_everywhere(urls)
    contributor = story.contributor
    admin = Client()
    admin.force_login(make_user("root", is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/accounts/user/{contributor.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"username": contributor.username, "is_active": "", "_save": "Save"}
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "10:00:00"
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("password", None)
    response = admin.post(f"/admin/accounts/user/{contributor.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    for url in urls:
        assert f"/users/{contributor.username}/" not in anonymous(url).content.decode(), url
