"""Deleting a story (issue 16, finding 7): a superuser's act only, recorded, and the audit trail
outlives what it describes; the story leaves every public page at once."""

import pytest
from django.test import Client

from tests.factories import make_anecdote, make_moderator, make_title, make_user
from tests.test_publication import anonymous
from trivia import services
from trivia.models import Anecdote, Correction, ModerationEvent, Report

pytestmark = pytest.mark.django_db

Action = ModerationEvent.Action
TEXT = "The bank scene was shot on a Sunday, with the streets closed."
EVENTS = "/admin/trivia/moderationevent/"


@pytest.fixture
def superuser():
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def story():
    """A published story with a reader's report and a proposed correction waiting."""
    story = make_anecdote(
        title=make_title("Heat", year=1995),
        contributor=make_user("carol"),
        state="published",
        tags=["heists"],
        text=TEXT,
    )
    services.report_story(story=story, reporter=None, reason="inaccurate", note="A Monday?")
    services.propose_correction(
        story=story, proposer=make_user("ines"), text=TEXT.replace("Sunday", "Monday")
    )
    return story


def public_pages(story):
    """Every public page that shows ``story``, with what shows it there."""
    permalink = story.get_absolute_url()
    return {
        permalink: "shot on a Sunday",
        "/": "shot on a Sunday",
        "/titles/heat/": "shot on a Sunday",
        "/titles/heat/feed/": "shot on a Sunday",
        "/tags/heists/": "shot on a Sunday",
        "/tags/heists/feed/": "shot on a Sunday",
        "/feeds/latest/": "shot on a Sunday",
        "/search/?q=Sunday": permalink,
        "/users/carol/": "shot on a Sunday",
        "/sitemap-stories.xml": permalink,
    }


def browser_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_story_a_superuser_deleted_is_off_every_public_page_and_its_events_stay_listed(
    story, superuser
):
    # Another story keeps the title's, tag's and contributor's pages up once this one is gone.
    make_anecdote(
        title=story.title,
        contributor=story.contributor,
        state="published",
        tags=["heists"],
        text="One more story from the set.",
    )
    pages = public_pages(story)
    for url, shown in pages.items():  # and now stored in the page cache
        assert shown in anonymous(url).content.decode(), url
    trail = set(story.events.values_list("pk", flat=True))
    assert {Action.SUBMITTED, Action.APPROVED, Action.REPORTED, Action.CORRECTION_PROPOSED} <= set(
        story.events.values_list("action", flat=True)
    )

    response = browser_of(superuser).post(
        f"/admin/trivia/anecdote/{story.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/trivia/anecdote/"

    assert not Anecdote.objects.filter(pk=story.pk).exists()
    assert Client().get(story.get_absolute_url()).status_code == 404
    for url, shown in pages.items():
        if url != story.get_absolute_url():
            assert shown not in anonymous(url).content.decode(), url
    # Its report and proposed correction went with it; what was reported and proposed did not.
    assert (Report.objects.count(), Correction.objects.count()) == (0, 0)

    listing = browser_of(make_moderator()).get(EVENTS)
    assert listing.status_code == 200
    listed = list(listing.context["cl"].result_list)
    assert trail < {event.pk for event in listed}
    deletion = ModerationEvent.objects.get(action=Action.DELETED)
    assert (deletion.actor, deletion.from_state, deletion.to_state) == (superuser, "published", "")
    assert deletion.snapshot["text"] == TEXT
    page = listing.content.decode()
    assert f"Deleted story {story.pk}: The bank scene was shot on a Sunday" in page
    assert page.count(f"Deleted story {story.pk}:") == len(trail) + 1


def test_the_lists_delete_action_deletes_through_the_service_and_records_it(story, superuser):
    client = browser_of(superuser)
    response = client.post(
        "/admin/trivia/anecdote/",
        {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Anecdote.objects.filter(pk=story.pk).exists()
    deletion = ModerationEvent.objects.get(action=Action.DELETED)
    assert (deletion.story_number, deletion.actor) == (story.pk, superuser)


def test_only_a_superuser_may_delete_through_the_service(story, moderator):
    with pytest.raises(services.ModerationError, match="Only a superuser"):
        services.delete_story(story=story, superuser=moderator)
    assert Anecdote.objects.filter(pk=story.pk).exists()


def test_a_story_deleted_twice_is_recorded_once(story, superuser):
    services.delete_story(story=story, superuser=superuser)
    assert services.delete_story(story=story, superuser=superuser) is None
    assert ModerationEvent.objects.filter(action=Action.DELETED).count() == 1


def test_a_decision_email_for_a_story_deleted_meanwhile_tells_nobody(moderator, superuser):
    from trivia import tasks

    story = make_anecdote()
    services.approve_story(story=story, moderator=moderator)  # its task is not run here
    event = story.events.get(action=Action.APPROVED)
    services.delete_story(story=story, superuser=superuser)
    assert tasks.send_decision_email.call(event_id=event.pk) == "nobody to tell"
