"""/accounts/submissions/: a contributor's own stories with their state and the moderators'
reasons; editing, withdrawing and resubmitting them, and proposing corrections to published ones.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    edit_form_data,
    make_anecdote,
    make_moderator,
    make_source,
    make_user,
)
from trivia import services
from trivia.models import Anecdote, Citation, Correction, ModerationEvent

pytestmark = pytest.mark.django_db
State = Anecdote.State
LIST_URL = "/accounts/submissions/"


def edit_url(story):
    return f"/accounts/submissions/{story.pk}/edit/"


def withdraw_url(story):
    return f"/accounts/submissions/{story.pk}/withdraw/"


def correct_url(story):
    return f"/accounts/submissions/{story.pk}/correct/"


def fresh(story):
    return Anecdote.objects.get(pk=story.pk)


def edit_data(story, **changes):
    return edit_form_data(story, **{"tags": "", **changes})


def html_of(response):
    assert response.status_code == 200
    return response.content.decode()


# --- Who sees what --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    story = make_anecdote()
    for url in (LIST_URL, edit_url(story), correct_url(story)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    assert client.post(withdraw_url(story))["Location"].startswith("/accounts/login/")
    assert fresh(story).state == State.PENDING


def test_the_list_shows_only_my_stories_in_every_state_with_the_reasons(client, me):
    mine = {
        state: make_anecdote(contributor=me, text=f"My {state} story.", state=state)
        for state in State.values
    }
    make_anecdote(text="Somebody else's pending story.")
    html = html_of(client.get(LIST_URL))
    for state, story in mine.items():
        assert story.text in html, state
    assert "Somebody else" not in html
    for label in ("Waiting for a moderator", "Not accepted", "Withdrawn", "Published"):
        assert label in html
    # make_anecdote rejects with reason "unsourced" and this message.
    assert "No usable source" in html and "Needs a source." in html


def test_a_story_taken_off_the_site_shows_the_reason_and_the_message(client, me):
    story = make_anecdote(contributor=me, state=State.PUBLISHED)
    services.unpublish_story(
        story=story,
        moderator=make_moderator(),
        reason="duplicate",
        message="Same as the story about the <chestburster>.",
    )
    html = html_of(client.get(LIST_URL))
    assert "Taken off the site:</strong> Duplicate of another story" in html
    assert "Same as the story about the &lt;chestburster&gt;." in html  # escaped


def test_the_moderators_message_to_a_rejected_story_is_plain_text(client, me):
    story = make_anecdote(contributor=me)
    services.reject_story(
        story=story, moderator=make_moderator(), reason="rumour", message="<b>Source?</b>"
    )
    html = html_of(client.get(LIST_URL))
    assert "Rumour or opinion" in html
    assert "&lt;b&gt;Source?&lt;/b&gt;" in html and "<b>Source?</b>" not in html


def test_the_actions_offered_follow_the_state(client, me):
    pending = make_anecdote(contributor=me)
    rejected = make_anecdote(contributor=me, state=State.REJECTED)
    published = make_anecdote(contributor=me, state=State.PUBLISHED)
    html = html_of(client.get(LIST_URL))
    assert f'href="{withdraw_url(pending)}"' in html
    assert f'href="{edit_url(rejected)}">Edit and resubmit' in html
    assert f'href="{correct_url(published)}">Propose a correction' in html
    assert withdraw_url(published) not in html
    assert f'href="{edit_url(published)}"' not in html


def test_a_story_not_accepted_may_be_withdrawn_as_the_lifecycle_allows(client, me):
    rejected = make_anecdote(contributor=me, state=State.REJECTED)
    withdrawn = make_anecdote(contributor=me, state=State.WITHDRAWN)
    html = html_of(client.get(LIST_URL))
    assert f'href="{withdraw_url(rejected)}"' in html
    assert withdraw_url(withdrawn) not in html
    assert f'href="{edit_url(withdrawn)}">Edit and resubmit' in html
    assert client.post(withdraw_url(rejected)).status_code == 302
    assert fresh(rejected).state == State.WITHDRAWN


@pytest.mark.parametrize("state", [State.PENDING, State.REJECTED, State.PUBLISHED])
def test_another_users_story_is_a_404_on_every_page(client, me, state):
    story = make_anecdote(state=state)
    assert client.get(edit_url(story)).status_code == 404
    assert client.post(edit_url(story), edit_data(story, text="Mine now.")).status_code == 404
    assert client.get(withdraw_url(story)).status_code == 404
    assert client.post(withdraw_url(story)).status_code == 404
    assert client.get(correct_url(story)).status_code == 404
    assert client.post(correct_url(story), {"text": "Mine now."}).status_code == 404
    assert fresh(story).state == state
    assert fresh(story).text == story.text
    assert not Correction.objects.exists()


def test_the_list_runs_the_same_queries_for_3_or_30_stories(client, me, django_assert_num_queries):
    def add(count):
        for number in range(count):
            state = [State.PENDING, State.REJECTED, State.PUBLISHED][number % 3]
            story = make_anecdote(contributor=me, state=state, tags=["stunts", "casting"])
            if state == State.PUBLISHED:
                services.propose_correction(story=story, proposer=me, text="Better text.")

    add(3)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL)
    add(27)
    with django_assert_num_queries(len(few)):
        assert client.get(LIST_URL).status_code == 200


def test_the_list_is_paginated(client, me, settings):
    for number in range(23):
        make_anecdote(contributor=me, text=f"Story {number:02d}.")
    first = html_of(client.get(LIST_URL))
    assert "Story 22." in first and "Story 02." not in first
    assert "Story 02." in html_of(client.get(LIST_URL + "?page=2"))


# --- Editing a pending story ---------------------------------------------------------------------


def test_editing_a_pending_story_saves_the_changes_and_keeps_it_in_the_queue(client, me):
    story = make_anecdote(contributor=me, tags=["casting"])
    response = client.post(
        edit_url(story),
        edit_data(
            story,
            text="  The corrected story.  ",
            tags="stunts, practical effects",
            is_spoiler="on",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    story = fresh(story)
    assert story.text == "The corrected story."
    assert story.is_spoiler
    assert sorted(tag.name for tag in story.tags.all()) == ["practical effects", "stunts"]
    assert story.state == State.PENDING
    assert story.events.last().action == ModerationEvent.Action.EDITED
    assert "Your changes are saved" in html_of(client.get(LIST_URL))


def test_the_edit_page_is_prefilled_with_the_story(client, me):
    story = make_anecdote(contributor=me, text="Tom & Jerry <3", tags=["b tag", "a"])
    html = html_of(client.get(edit_url(story)))
    assert "Tom &amp; Jerry &lt;3</textarea>" in html
    assert 'value="a, b tag"' in html
    assert "Save my changes" in html


def test_posted_state_contributor_version_and_moderator_fields_are_ignored(client, me):
    story = make_anecdote(contributor=me)
    other_user = make_user()
    response = client.post(
        edit_url(story),
        edit_data(
            story,
            text="Only the text changes.",
            state=State.PUBLISHED,
            contributor=other_user.pk,
            version=99,
            accuracy="debunked",
            accuracy_note="Forged.",
            rejection_reason="other",
            moderator_message="Forged.",
            published_at="2020-01-01T00:00:00Z",
        ),
    )
    assert response.status_code == 302
    after = fresh(story)
    assert after.text == "Only the text changes."
    assert (after.state, after.contributor) == (State.PENDING, me)
    assert after.version == story.version + 1
    assert (after.accuracy, after.accuracy_note) == ("unverified", "")
    assert (after.rejection_reason, after.moderator_message) == ("", "")
    assert after.published_at is None


def test_an_edit_made_on_a_stale_copy_is_refused_and_saves_nothing(client, me):
    story = make_anecdote(contributor=me)
    loaded = story.version
    services.edit_story(
        story=story, editor=make_moderator(), changes={"text": "The moderator's fix."}
    )
    response = client.post(edit_url(story), edit_data(story, text="Mine.", loaded_version=loaded))
    html = html_of(response)
    assert "Someone else changed this story while you were editing it" in html
    assert fresh(story).text == "The moderator's fix."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the story here."),
        ("Null\x00byte", "invisible control character (U+0000)"),
        ("x" * 1501, "Keep the story to 1,500 characters (it has 1501)"),
    ],
    ids=["blank", "nul byte", "too long"],
)
def test_bad_text_gets_a_clear_message_and_changes_nothing(client, me, text, message):
    story = make_anecdote(contributor=me)
    html = html_of(client.post(edit_url(story), edit_data(story, text=text)))
    assert message in html
    assert fresh(story).text == story.text


def test_an_empty_post_shows_the_errors_instead_of_a_fresh_form(client, me):
    story = make_anecdote(contributor=me)
    html = html_of(client.post(edit_url(story), {}))
    assert "This field is required." in html
    assert fresh(story).text == story.text


def test_too_many_tags_are_refused(client, me):
    story = make_anecdote(contributor=me)
    tags = ", ".join(f"tag{number}" for number in range(9))
    html = html_of(client.post(edit_url(story), edit_data(story, tags=tags)))
    assert "Choose at most 8 tags (there are 9)" in html
    assert not fresh(story).tags.exists()


def test_a_story_without_a_title_can_rename_its_proposed_title(client, me):
    story = services.submit_story(
        contributor=me,
        text="A story.",
        proposed_title="Alien 5",
        citations=[Citation(source=make_source())],
    )
    assert 'name="new_title_name"' in html_of(client.get(edit_url(story)))
    client.post(edit_url(story), edit_data(story, new_title_name="Alien: Resurrection"))
    assert fresh(story).proposed_title == "Alien: Resurrection"


# --- Withdrawing and resubmitting --------------------------------------------------------------


def test_withdrawing_a_pending_story(client, me):
    story = make_anecdote(contributor=me)
    response = client.post(withdraw_url(story))
    assert response.status_code == 302
    assert fresh(story).state == State.WITHDRAWN
    html = html_of(client.get(LIST_URL))
    assert "Your story is withdrawn" in html
    assert f'href="{edit_url(story)}">Edit and resubmit' in html


def test_withdrawing_asks_for_confirmation_first(client, me):
    story = make_anecdote(contributor=me, text="The dog was a stand-in.")
    # The list offers a link to a question, not a button that withdraws at once.
    assert f'href="{withdraw_url(story)}"' in html_of(client.get(LIST_URL))
    page = html_of(client.get(withdraw_url(story)))
    assert "Withdraw this story?" in page and "The dog was a stand-in." in page
    assert 'method="post"' in page and 'href="/accounts/submissions/"' in page
    assert fresh(story).state == State.PENDING
    client.post(withdraw_url(story))
    assert fresh(story).state == State.WITHDRAWN


def test_the_confirmation_of_a_story_that_cannot_be_withdrawn_says_so(client, me):
    story = make_anecdote(contributor=me, state=State.PUBLISHED)
    response = client.get(withdraw_url(story), follow=True)
    assert "Cannot withdraw this story: it is published" in html_of(response)
    assert fresh(story).state == State.PUBLISHED


def test_withdrawing_a_published_story_is_refused_with_a_message(client, me):
    story = make_anecdote(contributor=me, state=State.PUBLISHED)
    response = client.post(withdraw_url(story), follow=True)
    assert "Cannot withdraw this story: it is published" in html_of(response)
    assert fresh(story).state == State.PUBLISHED


def test_the_edit_page_of_a_rejected_story_shows_why(client, me):
    story = make_anecdote(contributor=me, state=State.REJECTED)
    html = html_of(client.get(edit_url(story)))
    assert "Edit and resubmit your story" in html
    assert "No usable source" in html and "Needs a source." in html
    assert "Save and resubmit" in html


def test_resubmitting_a_rejected_story_with_edits(client, me):
    story = make_anecdote(contributor=me, state=State.REJECTED)
    response = client.post(edit_url(story), edit_data(story, text="Now with the source named."))
    assert response.status_code == 302
    story = fresh(story)
    assert story.state == State.PENDING
    assert story.text == "Now with the source named."
    actions = list(story.events.values_list("action", flat=True))
    assert actions[-2:] == [ModerationEvent.Action.EDITED, ModerationEvent.Action.RESUBMITTED]
    assert "back in the queue" in html_of(client.get(LIST_URL))


def test_resubmitting_a_withdrawn_story(client, me):
    story = make_anecdote(contributor=me, state=State.WITHDRAWN)
    client.post(edit_url(story), edit_data(story))
    assert fresh(story).state == State.PENDING


def test_a_refused_edit_does_not_resubmit(client, me):
    """Edit and resubmit are one step: if the edit is refused, the story stays as it was."""
    story = make_anecdote(contributor=me, state=State.REJECTED)
    stale = story.version - 1
    html = html_of(client.post(edit_url(story), edit_data(story, loaded_version=stale)))
    assert "Someone else changed this story" in html
    assert fresh(story).state == State.REJECTED


# --- Corrections to a published story -------------------------------------------------------------


def test_a_correction_waits_in_the_queue_and_the_public_page_keeps_the_old_text(client, me):
    story = make_anecdote(contributor=me, text="The original text.", state=State.PUBLISHED)
    page = html_of(client.get(correct_url(story)))
    assert "The original text.</textarea>" in page
    response = client.post(
        correct_url(story), {"text": "The corrected text.", "note": "See the DVD commentary."}
    )
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.anecdote, correction.proposer, correction.state) == (story, me, "pending")
    assert correction.note == "See the DVD commentary."

    public = html_of(client.get(f"/anecdotes/{story.pk}/"))
    assert "The original text." in public and "The corrected text." not in public
    assert fresh(story).text == "The original text."

    listing = html_of(client.get(LIST_URL))
    assert "Your proposed corrections" in listing
    assert "Waiting for a moderator" in listing


def test_a_decided_correction_shows_its_outcome(client, me):
    story = make_anecdote(contributor=me, state=State.PUBLISHED)
    correction = services.propose_correction(story=story, proposer=me, text="New text.")
    services.reject_correction(
        correction=correction, moderator=make_moderator(), message="The source disagrees."
    )
    html = html_of(client.get(LIST_URL))
    assert "Not accepted" in html and "The source disagrees." in html


def test_a_correction_identical_to_the_published_text_is_refused(client, me):
    story = make_anecdote(contributor=me, state=State.PUBLISHED)
    html = html_of(client.post(correct_url(story), {"text": story.text}))
    assert "The proposed text is the same as the published one." in html
    assert not Correction.objects.exists()


def test_published_story_edit_goes_to_the_correction_page_and_back(client, me):
    published = make_anecdote(contributor=me, state=State.PUBLISHED)
    pending = make_anecdote(contributor=me)
    assert client.get(edit_url(published))["Location"] == correct_url(published)
    assert client.get(correct_url(pending))["Location"] == edit_url(pending)


def test_corrections_are_rate_limited(client, me, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "correct": (2, 3600)}
    # One story each: a second correction of one story waits for the first to be answered.
    stories = [make_anecdote(contributor=me, state=State.PUBLISHED) for _ in range(3)]
    for number in range(2):
        response = client.post(correct_url(stories[number]), {"text": f"Try {number}."})
        assert response.status_code == 302
    assert client.post(correct_url(stories[2]), {"text": "Try 3."}).status_code == 429
    assert Correction.objects.count() == 2


def test_the_header_links_to_my_submissions(client, me):
    html = html_of(client.get(reverse("home")))
    assert f'href="{LIST_URL}"' in html
