"""The moderation queue in the admin: who may use it, what it lists, and every decision in it."""

import logging
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import change_form_data
from tests.factories import (
    make_anecdote,
    make_moderator,
    make_source,
    make_staff,
    make_title,
    make_untitled_story,
    make_user,
)
from trivia import services
from trivia.admin.base import SiteAdmin
from trivia.models import Anecdote
from trivia.roles import MODERATORS_GROUP

State = Anecdote.State
pytestmark = pytest.mark.django_db

QUEUE = "admin:trivia_pendinganecdote_changelist"
ALL_STORIES = "admin:trivia_anecdote_changelist"


def queue_url():
    return reverse(QUEUE)


def change_url(story, model="pendinganecdote"):
    return reverse(f"admin:trivia_{model}_change", args=[story.pk])


def decision_url(story, kind, model="pendinganecdote"):
    return reverse(f"admin:trivia_{model}_{kind}", args=[story.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def state_of(story):
    return Anecdote.objects.get(pk=story.pk).state


def action_data(action, *stories, **extra):
    return {"action": action, "index": 0, "_selected_action": [s.pk for s in stories], **extra}


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


# --- Who may use it ------------------------------------------------------------------------------


def test_moderators_group_has_the_moderate_permission_after_migrate():
    group = Group.objects.get(name=MODERATORS_GROUP)
    assert group.permissions.filter(codename="moderate_anecdote").exists()
    assert not group.permissions.filter(codename="delete_anecdote").exists()


def test_anonymous_reader_is_sent_to_the_admin_login(client):
    story = make_anecdote()
    for url in (queue_url(), change_url(story), decision_url(story, "reject")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(queue_url(), action_data("approve_selected", story))
    assert response["Location"].startswith(reverse("admin:login"))
    assert state_of(story) == State.PENDING


def test_signed_in_contributor_cannot_use_the_admin(client, contributor):
    story = make_anecdote(contributor=contributor)
    client.force_login(contributor)
    response = client.get(queue_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.post(queue_url(), action_data("approve_selected", story))
    client.post(decision_url(story, "reject"), {"reason": "other"})
    assert state_of(story) == State.PENDING


def test_staff_without_any_permission_cannot_open_the_queue_or_decide(client):
    story = make_anecdote()
    client.force_login(make_staff())
    assert client.get(queue_url()).status_code == 403
    assert client.post(queue_url(), action_data("approve_selected", story)).status_code == 403
    refused = client.get(change_url(story))
    assert refused.status_code == 403
    assert "Your account may not do this" in refused.content.decode()  # the site's page
    assert state_of(story) == State.PENDING


def test_staff_who_may_view_stories_but_not_moderate_sees_no_moderation_actions(client):
    story = make_anecdote()
    client.force_login(make_staff(permissions=["view_anecdote", "change_anecdote"]))

    listing = client.get(queue_url())
    assert listing.status_code == 200
    assert story.text in listing.content.decode()
    assert "approve_selected" not in listing.content.decode()
    assert "reject_selected" not in listing.content.decode()

    page = client.get(change_url(story)).content.decode()
    assert story.text in page
    assert 'name="text"' not in page  # read-only: edits go through moderators only
    assert "Save and approve" not in page
    assert decision_url(story, "reject") not in page

    client.post(queue_url(), action_data("approve_selected", story))
    assert client.get(decision_url(story, "reject")).status_code == 403
    assert client.post(decision_url(story, "reject"), {"reason": "other"}).status_code == 403
    edit = client.post(change_url(story), change_form_data(story, text="Rewritten.", _approve="1"))
    assert edit.status_code == 403
    story.refresh_from_db()
    assert (story.state, story.text) == (State.PENDING, story.text)
    assert list(story.events.values_list("action", flat=True)) == ["submitted"]


def test_moderators_cannot_delete_stories(moderator_client):
    story = make_anecdote()
    listing = moderator_client.get(reverse(ALL_STORIES)).content.decode()
    assert "delete_selected" not in listing
    delete_url = reverse("admin:trivia_anecdote_delete", args=[story.pk])
    assert moderator_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Anecdote.objects.filter(pk=story.pk).exists()


# --- The queue -----------------------------------------------------------------------------------


def test_queue_lists_only_pending_stories_oldest_first(moderator_client):
    newer = make_anecdote(text="Newer pending story.")
    older = make_anecdote(text="Older pending story.")
    Anecdote.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    others = [make_anecdote(state=state) for state in ("published", "rejected", "withdrawn")]

    response = moderator_client.get(queue_url())

    assert list(response.context["cl"].result_list) == [older, newer]
    page = response.content.decode()
    assert page.index("Older pending story.") < page.index("Newer pending story.")
    assert not any(other.text in page for other in others)
    assert "2 stories waiting" in page


def test_queue_shows_title_excerpt_contributor_record_age_and_source_count(moderator_client):
    carol = make_user("carol")
    make_anecdote(contributor=carol, state="published")
    make_anecdote(contributor=carol, state="rejected")
    story = make_anecdote(
        contributor=carol, title=make_title("Alien", year=1979), sources=2, text="x" * 300
    )
    submitted_at = timezone.now() - timedelta(days=3, hours=5)
    Anecdote.objects.filter(pk=story.pk).update(submitted_at=submitted_at)

    page = moderator_client.get(queue_url()).content.decode()

    assert "Alien (1979)" in page
    # The excerpt opens into the whole text in place: no page load, no script.
    assert '<details class="whole-story"><summary>' + "x" * 139 + "…</summary>" in page
    assert '<div class="story-text">' + "x" * 300 + "</div></details>" in page
    assert "carol" in page and "1 published, 1 rejected" in page
    assert "3\xa0days" in page  # timesince keeps the number and unit together
    assert '<td class="field-cited_sources"><ul class="source-list"><li>Article' in page


def test_queue_marks_a_proposed_title_that_matched_nothing(moderator_client, contributor):
    services.submit_story(
        contributor=contributor, text="NASA watched it.", proposed_title="Armagedon"
    )
    page = moderator_client.get(queue_url()).content.decode()
    assert "Armagedon" in page and "(not matched)" in page


def test_queue_shows_story_text_escaped(moderator_client):
    make_anecdote(text='<script>alert("x")</script> & <b>bold</b>')
    page = moderator_client.get(queue_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page


def test_queue_filters_by_tag_contributor_title_kind_and_search(moderator_client):
    dave = make_user("dave")
    stunt = make_anecdote(tags=["stunts"], title=make_title("Heat", aliases=["Heat 1995"]))
    series = make_anecdote(contributor=dave, title=make_title("Lost", kind="series", year=2004))
    tag_id = stunt.tags.get().pk

    def listed(**params):
        return list(moderator_client.get(queue_url(), params).context["cl"].result_list)

    assert listed(tags__id__exact=tag_id) == [stunt]
    assert listed(contributor__id__exact=dave.pk) == [series]
    assert listed(kind="series") == [series]
    assert listed(q="Heat 1995") == [stunt]
    assert listed(has_title="no") == []


def test_queue_list_runs_the_same_number_of_queries_for_5_and_30_stories(
    moderator_client, django_assert_max_num_queries
):
    def queries_for_the_queue():
        with CaptureQueriesContext(connection) as queries:
            assert moderator_client.get(queue_url()).status_code == 200
        return len(queries)

    for number in range(5):
        make_anecdote(tags=[f"tag{number}"], sources=2)
    with_five = queries_for_the_queue()
    for number in range(25):
        make_anecdote(tags=[f"tag{number}", "common"], sources=1 + number % 3)
    assert queries_for_the_queue() == with_five
    with django_assert_max_num_queries(with_five):
        moderator_client.get(reverse(ALL_STORIES))


# --- Approving -----------------------------------------------------------------------------------


def test_moderator_approves_stories_with_the_bulk_action(moderator_client, moderator):
    first, second = make_anecdote(), make_anecdote()
    response = moderator_client.post(queue_url(), action_data("approve_selected", first, second))
    assert response.status_code == 302
    assert messages_of(response) == ["2 stories approved."]
    for story in (first, second):
        assert state_of(story) == State.PUBLISHED
        event = Anecdote.objects.get(pk=story.pk).events.last()
        assert (event.action, event.actor) == ("approved", moderator)
        assert LogEntry.objects.get(object_id=str(story.pk)).change_message == "Approved."


def test_bulk_approval_counts_a_story_someone_else_decided_first(moderator_client):
    pending = make_anecdote()
    decided = make_anecdote()
    services.approve_story(story=decided, moderator=make_moderator("ann"))

    response = moderator_client.post(queue_url(), action_data("approve_selected", pending, decided))

    [message] = messages_of(response)
    assert message.startswith("1 story approved; 1 could not be: “Story number")
    assert "it is published (approved by ann" in message
    assert state_of(pending) == State.PUBLISHED


def test_bulk_approval_explains_a_story_without_a_title(moderator_client, contributor):
    orphan = make_untitled_story(
        "Unknown", contributor=contributor, text="A paragraph with no heading."
    )
    response = moderator_client.post(queue_url(), action_data("approve_selected", orphan))
    assert messages_of(response) == [
        "Not approved: “A paragraph with no heading.”: Assign a title before approving this story."
    ]
    assert state_of(orphan) == State.PENDING


def test_moderator_approves_from_the_change_page(moderator_client):
    story = make_anecdote()
    page = moderator_client.get(change_url(story)).content.decode()
    assert 'name="_approve"' in page

    response = moderator_client.post(change_url(story), change_form_data(story, _approve="1"))

    assert response.status_code == 302
    assert response["Location"] == queue_url()
    assert state_of(story) == State.PUBLISHED
    assert list(story.events.values_list("action", flat=True)) == ["submitted", "approved"]


def test_save_and_approve_saves_the_correction_first(moderator_client):
    story = make_anecdote(text="Kino Rives did his own stunts.")
    armageddon = make_title("Armageddon")
    moderator_client.post(
        change_url(story),
        change_form_data(
            story, text="Keanu Reeves did his own stunts.", title=armageddon.pk, _approve="1"
        ),
    )
    story.refresh_from_db()
    assert (story.state, story.text, story.title) == (
        State.PUBLISHED,
        "Keanu Reeves did his own stunts.",
        armageddon,
    )
    assert list(story.events.values_list("action", flat=True)) == [
        "submitted",
        "edited",
        "approved",
    ]


def test_approving_from_the_change_page_without_a_title_keeps_the_edit_and_says_why(
    moderator_client, contributor
):
    story = make_untitled_story("Armagedon", contributor=contributor, text="NASA watched it.")
    response = moderator_client.post(
        change_url(story), change_form_data(story, text="NASA watched it twice.", _approve="1")
    )
    assert response["Location"] == change_url(story)
    assert "Assign a title before approving" in messages_of(response)[0]
    story.refresh_from_db()
    assert (story.state, story.text) == (State.PENDING, "NASA watched it twice.")


# --- Rejecting -----------------------------------------------------------------------------------


def test_reject_action_first_asks_for_a_reason_on_an_intermediate_page(moderator_client):
    first, second = make_anecdote(), make_anecdote()
    response = moderator_client.post(queue_url(), action_data("reject_selected", first, second))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reject 2 stories" in page
    assert first.text in page and second.text in page
    assert "Rumour or opinion" in page and "Message to the contributor" in page
    assert f'href="{queue_url()}"' in page  # cancel
    assert {state_of(first), state_of(second)} == {State.PENDING}


def test_rejecting_stores_the_reason_and_the_message(moderator_client, moderator):
    first, second = make_anecdote(), make_anecdote()
    response = moderator_client.post(
        queue_url(),
        action_data(
            "reject_selected",
            first,
            second,
            post="yes",
            reason="rumour",
            message="Only a rumour, sadly.",
        ),
    )
    assert response.status_code == 302
    assert messages_of(response) == ["2 stories rejected."]
    for story in (first, second):
        story.refresh_from_db()
        assert (story.state, story.rejection_reason, story.moderator_message) == (
            State.REJECTED,
            "rumour",
            "Only a rumour, sadly.",
        )
        event = story.events.last()
        assert (event.action, event.actor, event.reason, event.message) == (
            "rejected",
            moderator,
            "rumour",
            "Only a rumour, sadly.",
        )


def test_rejecting_without_a_reason_shows_the_page_again(moderator_client):
    story = make_anecdote()
    response = moderator_client.post(
        queue_url(), action_data("reject_selected", story, post="yes", reason="")
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert state_of(story) == State.PENDING


def test_moderator_rejects_from_the_change_page(moderator_client):
    story = make_anecdote()
    page = moderator_client.get(change_url(story)).content.decode()
    assert decision_url(story, "reject") in page

    form_page = moderator_client.get(decision_url(story, "reject"))
    assert form_page.status_code == 200
    assert story.text in form_page.content.decode()

    response = moderator_client.post(
        decision_url(story, "reject"),
        {"reason": "duplicate", "message": "Told before.", "version": story.version},
    )
    assert response["Location"] == queue_url()
    assert messages_of(response) == ["1 story rejected."]
    story.refresh_from_db()
    assert (story.state, story.rejection_reason) == (State.REJECTED, "duplicate")


def test_reject_page_refuses_a_story_changed_since_it_was_opened(moderator_client):
    story = make_anecdote()
    opened_at_version = story.version
    services.edit_story(story=story, editor=make_moderator(), changes={"text": "Fixed."})

    response = moderator_client.post(
        decision_url(story, "reject"),
        {"reason": "other", "message": "Too vague.", "version": opened_at_version},
    )

    assert response.status_code == 200
    assert "changed while you were looking at it" in messages_of(response)[0]
    assert state_of(story) == State.PENDING


def test_a_moderator_who_loses_the_race_keeps_the_reason_and_message_they_typed(
    moderator_client,
):
    story = make_anecdote()
    opened_at_version = story.version
    services.approve_story(story=story, moderator=make_moderator("ann"))

    response = moderator_client.post(
        decision_url(story, "reject"),
        {"reason": "rumour", "message": "Only a rumour, sadly.", "version": opened_at_version},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "approved by ann" in page  # who decided first, in the message on the page
    assert "Only a rumour, sadly.</textarea>" in page
    assert '<option value="rumour" selected>' in page
    assert state_of(story) == State.PUBLISHED


def test_a_bulk_rejection_lost_to_another_moderator_keeps_the_page_as_typed(moderator_client):
    story = make_anecdote()
    services.approve_story(story=story, moderator=make_moderator("ann"))

    response = moderator_client.post(
        queue_url(),
        action_data("reject_selected", story, post="yes", reason="rumour", message="Hearsay."),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "approved by ann" in page and "Hearsay.</textarea>" in page
    assert state_of(story) == State.PUBLISHED


def test_other_as_a_reason_needs_a_message_for_the_contributor(moderator_client):
    story = make_anecdote()

    response = moderator_client.post(
        decision_url(story, "reject"), {"reason": "other", "message": "  ", "version": 1}
    )

    assert response.status_code == 200
    assert "With “Other”, tell the contributor what is wrong" in response.content.decode()
    assert state_of(story) == State.PENDING


# --- Unpublishing --------------------------------------------------------------------------------


@pytest.mark.parametrize("to_state", [State.PENDING, State.REJECTED])
def test_moderator_unpublishes_from_the_change_page(moderator_client, to_state):
    story = make_anecdote(state="published")
    page = moderator_client.get(change_url(story, "anecdote")).content.decode()
    assert decision_url(story, "unpublish", "anecdote") in page

    response = moderator_client.post(
        decision_url(story, "unpublish", "anecdote"),
        {"reason": "abusive", "message": "Names a private person.", "to_state": to_state},
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.state, story.published_at) == (to_state, None)
    event = story.events.last()
    assert (event.action, event.reason, event.to_state) == ("unpublished", "abusive", to_state)


def test_moderator_unpublishes_with_the_bulk_action_of_all_stories(moderator_client):
    published, pending = make_anecdote(state="published"), make_anecdote()
    intermediate = moderator_client.post(
        reverse(ALL_STORIES), action_data("unpublish_selected", published, pending)
    )
    assert "Unpublish 2 stories" in intermediate.content.decode()

    response = moderator_client.post(
        reverse(ALL_STORIES),
        action_data(
            "unpublish_selected",
            published,
            pending,
            post="yes",
            reason="other",
            message="Checking the date.",
            to_state="pending",
        ),
    )

    [message] = messages_of(response)
    assert message.startswith("1 story unpublished (back to the queue); 1 could not be:")
    assert "Cannot unpublish this story: it is pending" in message
    assert state_of(published) == State.PENDING


def test_change_page_offers_only_the_decisions_the_state_allows(moderator_client):
    pending, published, rejected = (
        make_anecdote(state=state) for state in ("pending", "published", "rejected")
    )

    def page(story):
        return moderator_client.get(change_url(story, "anecdote")).content.decode()

    assert 'name="_approve"' in page(pending) and "Unpublish…" not in page(pending)
    assert 'name="_approve"' not in page(published) and "Unpublish…" in page(published)
    assert "Reject…" not in page(published)
    assert not any(button in page(rejected) for button in ('name="_approve"', "Unpublish…"))


# --- Editing and history -------------------------------------------------------------------------


def test_change_page_shows_the_whole_history_with_the_original_text_after_an_edit(
    moderator_client,
):
    story = make_anecdote(text="Kino Rives plays about 95% of the fight.", tags=["fights"])
    response = moderator_client.post(
        change_url(story),
        change_form_data(
            story, text="Keanu Reeves plays about 95% of the fight.", tags="fights, stunts"
        ),
    )
    assert response.status_code == 302

    page = moderator_client.get(change_url(story)).content.decode()

    history = page[page.index("Moderation history") :]
    assert "Kino Rives plays about 95% of the fight." in history
    assert "Keanu Reeves plays about 95% of the fight." in history
    assert history.index("Submitted") < history.index("Edited")
    assert "fights, stunts" in history
    assert [event.action for event in story.events.all()] == ["submitted", "edited"]


def test_history_shows_the_reason_and_message_of_a_decision(moderator_client, moderator):
    story = make_anecdote(state="published")
    services.unpublish_story(
        story=story, moderator=moderator, reason="spoiler", message="Mark it as a spoiler."
    )
    page = moderator_client.get(change_url(story)).content.decode()
    history = page[page.index("Moderation history") :]
    assert "Unpublished" in history and "published → pending" in history
    assert "Unmarked spoiler" in history and "Mark it as a spoiler." in history


def test_history_names_an_anonymous_reporter_apart_from_a_deleted_account(moderator_client):
    story = make_anecdote(state="published")
    services.report_story(story=story, reporter=None, reason="inaccurate", note="Wrong year.")
    reader = make_user("gone")
    services.report_story(story=story, reporter=reader, reason="inaccurate", note="Wrong year.")
    reader.delete()
    page = moderator_client.get(change_url(story, "anecdote")).content.decode()
    history = page[page.index("Moderation history") :]
    assert history.count("an anonymous reader") == 1
    assert history.count("a deleted account") == 1
    assert history.index("an anonymous reader") < history.index("a deleted account")


def test_editing_sources_and_tags_is_recorded_as_one_edit(moderator_client):
    story = make_anecdote(sources=1)
    book = make_source(title="The Making of the Film")
    data = change_form_data(story, tags="practical effects, stunts")
    data |= {
        "citations-TOTAL_FORMS": 2,
        "citations-1-source": book.pk,
        "citations-1-locator": "p. 42",
        "citations-1-quote": "",
    }
    response = moderator_client.post(change_url(story), data)
    assert response.status_code == 302

    event = story.events.last()
    assert event.action == "edited"
    assert event.snapshot["tags"] == ["practical effects", "stunts"]
    assert "The Making of the Film p. 42" in event.snapshot["sources"]
    assert Anecdote.objects.get(pk=story.pk).version == story.version + 1


def test_a_tag_of_several_words_typed_in_the_admin_stays_one_tag(moderator_client):
    story = make_anecdote()

    response = moderator_client.post(
        change_url(story), change_form_data(story, tags="real reactions, Stunts")
    )

    assert response.status_code == 302
    names = sorted(Anecdote.objects.get(pk=story.pk).tags.names())
    assert names == ["real reactions", "stunts"]


def test_saving_without_changes_records_nothing(moderator_client):
    story = make_anecdote(tags=["stunts"])
    response = moderator_client.post(change_url(story), change_form_data(story))
    assert response.status_code == 302
    assert [event.action for event in story.events.all()] == ["submitted"]
    assert Anecdote.objects.get(pk=story.pk).version == story.version


def test_a_stale_edit_is_refused_with_a_form_error_and_saves_nothing(moderator_client):
    story = make_anecdote(text="The original text.")
    page = moderator_client.get(change_url(story)).content.decode()
    assert f'name="loaded_version" value="{story.version}"' in page
    form = change_form_data(story, text="My correction.", _approve="1")
    services.edit_story(story=story, editor=make_moderator(), changes={"text": "Their correction."})

    response = moderator_client.post(change_url(story), form)

    assert response.status_code == 200
    assert "Someone else changed this story while you were editing it" in response.content.decode()
    story.refresh_from_db()
    assert (story.state, story.text) == (State.PENDING, "Their correction.")
    assert [event.action for event in story.events.all()] == ["submitted", "edited"]


def test_a_story_decided_while_open_in_the_queue_explains_itself_on_save(moderator_client):
    story = make_anecdote()
    form = change_form_data(story, text="My correction.")
    services.approve_story(story=story, moderator=make_moderator())

    response = moderator_client.post(change_url(story), form)

    assert response.status_code == 200
    assert "Someone else changed this story" in response.content.decode()
    assert Anecdote.objects.get(pk=story.pk).text != "My correction."


def test_a_published_story_keeps_its_title(moderator_client):
    story = make_anecdote(state="published")
    response = moderator_client.post(
        change_url(story, "anecdote"), change_form_data(story, title="")
    )
    assert response.status_code == 200
    assert "A published story must keep a title." in response.content.decode()
    assert Anecdote.objects.get(pk=story.pk).title_id == story.title_id


# --- All stories ---------------------------------------------------------------------------------


def test_all_stories_lists_every_state_and_filters_by_state(moderator_client):
    stories = {state: make_anecdote(state=state) for state in State.values}
    listing = moderator_client.get(reverse(ALL_STORIES))
    assert set(listing.context["cl"].result_list) == set(stories.values())
    rejected = moderator_client.get(reverse(ALL_STORIES), {"state__exact": "rejected"})
    assert list(rejected.context["cl"].result_list) == [stories["rejected"]]


def test_title_autocomplete_finds_a_title_by_its_alias(moderator_client):
    make_title("Rocky IV", aliases=["Rocky 4"])
    response = moderator_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Rocky 4",
            "app_label": "trivia",
            "model_name": "pendinganecdote",
            "field_name": "title",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["Rocky IV"]


def test_a_title_alias_taken_by_another_title_is_a_form_error_not_a_crash(client):
    make_title("Fight Club", aliases=["Boxing Club"])
    other = make_title("Boxing Helena")
    client.force_login(make_moderator())
    response = client.post(
        f"/admin/trivia/title/{other.pk}/change/",
        {
            "name": other.name,
            "slug": other.slug,
            "kind": "film",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "boxing  club!",
        },
    )
    assert response.status_code == 200
    assert "is already an alias of Fight Club" in response.content.decode()
    assert not other.aliases.exists()


def test_the_admin_index_puts_the_waiting_work_first(client):
    client.force_login(make_moderator())
    page = client.get("/admin/").content.decode()
    positions = [
        page.index(name)
        for name in ("Moderation queue", "Reports", "Corrections", "All stories", "Titles")
    ]
    assert positions == sorted(positions)


def test_the_queue_shows_a_published_story_the_pending_one_may_repeat(client):
    title = make_title("The Shining")
    told = make_anecdote(
        title=title,
        state="published",
        text="Shelley Duvall had to repeat the baseball bat scene 127 times for Kubrick.",
    )
    make_anecdote(title=title, state="published", text="The hotel was the Timberline Lodge.")
    again = make_anecdote(
        title=title, text="Kubrick made Shelley Duvall repeat the baseball bat scene 127 times."
    )
    fresh = make_anecdote(title=title, text="The maze was built on a sound stage in England.")
    client.force_login(make_moderator())

    html = client.get(change_url(again)).content.decode()
    assert "Possible duplicates" in html
    assert reverse("admin:trivia_anecdote_change", args=[told.pk]) in html
    assert "Timberline" not in html
    html = client.get(change_url(fresh)).content.decode()
    assert reverse("admin:trivia_anecdote_change", args=[told.pk]) not in html


# --- Forged requests (issue 16) ------------------------------------------------------------------


def test_every_admin_of_the_site_is_built_on_the_site_admin():
    """``SiteAdmin`` checks what a forged request sends a list (tests/test_hostile_inputs.py
    sweeps every list with it); an admin registered without it would answer some with a 500."""
    others = [
        f"{model._meta.label}: {type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, SiteAdmin)
    ]
    assert not others, others


def test_a_forged_selection_in_the_queue_is_a_bad_request_that_decides_nothing(moderator_client):
    story = make_anecdote()
    for forged in ("abc", "9" * 30, "²³"):
        response = moderator_client.post(
            queue_url(),
            {"action": "approve_selected", "index": 0, "_selected_action": [story.pk, forged]},
        )
        assert response.status_code == 400
        assert "Request not understood" in response.content.decode()
    assert state_of(story) == State.PENDING
    assert not LogEntry.objects.exists()


def test_a_date_past_the_calendar_in_the_history_is_the_invalid_filter_page(moderator_client):
    history = reverse("admin:trivia_moderationevent_changelist")
    make_anecdote()
    for forged in [
        {"created_at__year": str(10**30)},
        {"created_at__year": "2024", "created_at__month": str(10**30)},
        {"created_at__year": "9999"},
        {"created_at__year": "9999", "created_at__month": "12", "created_at__day": "31"},
    ]:
        response = moderator_client.get(history, forged)
        assert (response.status_code, response["Location"]) == (302, f"{history}?e=1"), forged
    this_year = moderator_client.get(history, {"created_at__year": timezone.now().year})
    assert this_year.status_code == 200 and len(this_year.context["cl"].result_list) == 1


def test_a_nul_byte_in_an_admin_request_is_answered_400_with_the_sites_page(moderator_client):
    """In a query string, a form (urlencoded or multipart) or the address: PostgreSQL cannot
    compare a NUL, so the admin never passes one on. The site's own pages clean theirs."""
    make_anecdote(state="published")
    title_form = {"name": "Heat\x00", "slug": "heat", "kind": "film"}
    answers = [
        moderator_client.get(reverse(ALL_STORIES), {"state__exact": "\x00"}),
        moderator_client.get("/admin/trivia/title/", {"kind__exact": "film\x00"}),
        moderator_client.post("/admin/trivia/title/add/", title_form),
        moderator_client.post(
            "/admin/trivia/title/add/",
            "&".join(f"{key}={value}" for key, value in title_form.items()).replace("\x00", "%00"),
            content_type="application/x-www-form-urlencoded",
        ),
        moderator_client.get("/admin/trivia/title/%00/change/"),
    ]
    for response in answers:
        assert response.status_code == 400
        assert "Request not understood · Backlot</title>" in response.content.decode()
    assert moderator_client.get("/titles/", {"letter": "\x00"}).status_code == 200


def test_the_admin_sign_in_caps_the_username_as_the_sites_own_does(client):
    assert 'maxlength="254"' in client.get(reverse("admin:login")).content.decode()
    response = client.post(reverse("admin:login"), {"username": "x" * 50_001, "password": "x"})
    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()


def test_a_forbidden_admin_page_is_logged_in_one_line_and_an_error_keeps_its_traceback(
    moderator_client, caplog
):
    moderator_client.get("/admin/auth/group/")
    [forbidden] = [record for record in caplog.records if record.name == "django.request"]
    assert (forbidden.levelname, forbidden.status_code) == ("WARNING", 403)
    assert forbidden.exc_info is None
    assert "\n" not in logging.Formatter().format(forbidden)

    try:
        raise RuntimeError("a real error")
    except RuntimeError as error:
        error_log = logging.getLogger("django.request")
        error_log.error("Internal Server Error", exc_info=error, extra={"status_code": 500})
    assert caplog.records[-1].exc_info is not None
