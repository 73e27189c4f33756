"""The contributor's second chance (issue 14): a story not published yet is edited with
everything /submit/ offers — title, sources, image, tags, spoiler — beside the moderator's
reason, and a rejected one goes back to the queue telling the moderator what changed."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import (
    edit_form_data,
    make_anecdote,
    make_moderator,
    make_title,
    make_user,
)
from trivia import services
from trivia.models import Anecdote, ModerationEvent

pytestmark = pytest.mark.django_db
State = Anecdote.State
Action = ModerationEvent.Action
LIST_URL = "/accounts/submissions/"


def edit_url(story):
    return f"/accounts/submissions/{story.pk}/edit/"


def fresh(story):
    return Anecdote.objects.get(pk=story.pk)


def cited(story):
    return [citation.source.title for citation in story.citations.select_related("source")]


def html_of(response):
    assert response.status_code == 200
    return response.content.decode()


def png(color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def rejected_as_unsourced(contributor):
    """A story sent with no source, which a moderator refused for that reason."""
    story = services.submit_story(contributor=contributor, title=make_title(), text="A story.")
    return services.reject_story(
        story=story,
        moderator=make_moderator(),
        reason=Anecdote.RejectionReason.UNSOURCED,
        message="Where did you read this?",
    )


# --- Answering a rejection -------------------------------------------------------------------


def test_a_story_rejected_for_no_source_is_fixed_resubmitted_and_approved(client, me, moderator):
    story = rejected_as_unsourced(me)
    data = edit_form_data(
        story,
        **{
            "source-0-url": "https://example.test/making-of",
            "source-0-title": "The making of",
            "source-0-locator": "p. 12",
        },
    )
    response = client.post(edit_url(story), data)
    assert response.status_code == 302
    assert response["Location"] == LIST_URL

    story = fresh(story)
    assert story.state == State.PENDING
    citation = story.citations.select_related("source").get()
    assert citation.source.url == "https://example.test/making-of"
    assert citation.locator == "p. 12"
    resubmitted = story.events.order_by("-created_at", "-pk").first()
    assert (resubmitted.action, resubmitted.actor) == (Action.RESUBMITTED, me)
    assert resubmitted.message == "Changed: sources."

    client.force_login(moderator)
    history = html_of(client.get(f"/admin/trivia/anecdote/{story.pk}/change/"))
    assert "Changed: sources." in history
    services.approve_story(story=story, moderator=moderator)
    assert fresh(story).state == State.PUBLISHED


def test_the_rejection_reason_and_message_are_on_the_edit_page(client, me):
    story = rejected_as_unsourced(me)
    html = html_of(client.get(edit_url(story)))
    assert "No usable source" in html and "Where did you read this?" in html
    services.withdraw_story(story=story, contributor=me)
    html = html_of(client.get(edit_url(story)))
    assert "No usable source" in html and "Where did you read this?" in html


def test_the_resubmission_names_every_change(client, me):
    story = make_anecdote(contributor=me, state=State.REJECTED)
    other = make_title("Aliens")
    data = edit_form_data(story, title=other.pk, is_spoiler="on", **{"source-1-title": "A book"})
    assert client.post(edit_url(story), data).status_code == 302
    message = fresh(story).events.order_by("-pk").first().message
    assert message == "Changed: sources, spoiler, title."


# --- The title --------------------------------------------------------------------------------


def test_the_title_can_be_changed_to_an_existing_one(client, me):
    story = make_anecdote(contributor=me)
    other = make_title("Aliens")
    assert client.post(edit_url(story), edit_form_data(story, title=other.pk)).status_code == 302
    assert fresh(story).title == other


def test_the_title_can_be_changed_to_a_proposed_new_one_with_its_year(client, me):
    story = make_anecdote(contributor=me)
    data = edit_form_data(
        story, title="new", new_title_name="Alien³", new_title_kind="film", new_title_year=1992
    )
    assert client.post(edit_url(story), data).status_code == 302
    story = fresh(story)
    assert story.title is None
    assert (story.proposed_title, story.proposed_title_year) == ("Alien³", 1992)


def test_a_proposed_title_backlot_already_has_is_refused(client, me):
    story = make_anecdote(contributor=me)
    make_title("Aliens", year=1986)
    data = edit_form_data(story, title="new", new_title_name="Aliens", new_title_year=1986)
    assert "Backlot already has" in html_of(client.post(edit_url(story), data))
    assert fresh(story).proposed_title == ""


# --- Sources ---------------------------------------------------------------------------------


def test_a_source_is_removed_but_never_the_last_one(client, me):
    story = make_anecdote(contributor=me, sources=2)
    first, second = cited(story)
    emptied = {"source-1-title": "", "source-1-url": ""}
    assert client.post(edit_url(story), edit_form_data(story, **emptied)).status_code == 302
    assert cited(fresh(story)) == [first]

    story = fresh(story)
    emptied = {"source-0-title": "", "source-0-url": ""}
    html = html_of(client.post(edit_url(story), edit_form_data(story, **emptied)))
    assert "Give at least one source" in html
    assert cited(fresh(story)) == [first]


def test_an_unchanged_source_keeps_its_citation(client, me):
    story = make_anecdote(contributor=me)
    citation = story.citations.get()
    client.post(edit_url(story), edit_form_data(story, text="Reworded."))
    assert fresh(story).citations.get().pk == citation.pk


# --- The image -------------------------------------------------------------------------------


def test_the_image_is_replaced_then_removed(client, me, django_capture_on_commit_callbacks):
    story = make_anecdote(contributor=me)

    def post(story, data):
        # The replaced image's files are deleted once the change commits.
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(edit_url(story), data).status_code == 302
        return fresh(story)

    story = post(story, {**edit_form_data(story), "image": png()})
    first = story.image.name
    assert first and default_storage.exists(first)

    story = post(story, {**edit_form_data(story), "image": png((0, 90, 200))})
    second = story.image.name
    assert second and second != first
    assert not default_storage.exists(first)

    story = post(story, edit_form_data(story, remove_image="on"))
    assert story.image.name == ""
    assert not default_storage.exists(second)
    assert story.events.order_by("-pk").first().snapshot["image"] == ""


def test_a_file_that_is_not_an_image_is_refused_and_changes_nothing(client, me):
    story = make_anecdote(contributor=me)
    bad = SimpleUploadedFile("photo.png", b"<html>", content_type="image/png")
    response = client.post(edit_url(story), {**edit_form_data(story, text="New."), "image": bad})
    assert response.status_code == 200
    assert (fresh(story).text, fresh(story).image.name) == (story.text, "")


# --- Who may --------------------------------------------------------------------------------


def test_a_published_story_is_not_edited_this_way(client, me):
    story = make_anecdote(contributor=me, state=State.PUBLISHED)
    response = client.post(edit_url(story), edit_form_data(story, text="Changed."))
    assert response["Location"] == f"/accounts/submissions/{story.pk}/correct/"
    assert fresh(story).text == story.text


def test_another_contributor_cannot_edit_it(client, me):
    story = make_anecdote(contributor=make_user(), state=State.REJECTED)
    response = client.post(edit_url(story), edit_form_data(story, text="Mine now."))
    assert response.status_code == 404
    assert fresh(story).text == story.text
