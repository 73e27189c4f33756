"""The moderation lifecycle (DESIGN §3): every transition, allowed and refused."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    make_anecdote,
    make_moderator,
    make_title,
    make_untitled_story,
    make_user,
)
from trivia import services
from trivia.models import Anecdote, ModerationEvent, Title

State = Anecdote.State
pytestmark = pytest.mark.django_db


def actions(anecdote):
    return list(anecdote.events.values_list("action", flat=True))


def test_submitted_story_is_pending_with_a_submitted_event(contributor):
    anecdote = make_anecdote(contributor=contributor)
    assert anecdote.state == State.PENDING
    assert actions(anecdote) == ["submitted"]
    assert anecdote.events.get().snapshot["text"] == anecdote.text


def test_submit_refuses_empty_text(contributor):
    with pytest.raises(services.ModerationError, match="needs some text"):
        services.submit_story(contributor=contributor, title=make_title(), text="   ")
    assert not Anecdote.objects.exists()


def test_moderator_approves_pending_story(moderator):
    anecdote = make_anecdote()
    services.approve_story(story=anecdote, moderator=moderator)
    anecdote.refresh_from_db()
    assert anecdote.state == State.PUBLISHED
    assert anecdote.published_at is not None
    assert actions(anecdote) == ["submitted", "approved"]
    event = anecdote.events.last()
    assert (event.actor, event.from_state, event.to_state) == (moderator, "pending", "published")


def test_approval_without_title_is_refused(moderator, contributor):
    anecdote = make_untitled_story(
        "Unknown film", contributor=contributor, text="A heading-less paragraph."
    )
    with pytest.raises(services.ModerationError, match="Assign a title"):
        services.approve_story(story=anecdote, moderator=moderator)
    anecdote.refresh_from_db()
    assert anecdote.state == State.PENDING
    assert actions(anecdote) == ["submitted"]


def test_approval_without_source_is_refused(moderator):
    anecdote = make_anecdote(sources=0)
    with pytest.raises(services.ModerationError, match="at least one source"):
        services.approve_story(story=anecdote, moderator=moderator)
    assert Anecdote.objects.get(pk=anecdote.pk).state == State.PENDING


def test_assigning_a_title_then_approving_works(moderator, contributor):
    anecdote = make_untitled_story(
        "(no heading)", contributor=contributor, text="NASA played the movie in training."
    )
    armageddon = make_title("Armageddon", year=1998)
    services.edit_story(story=anecdote, editor=moderator, changes={"title": armageddon})
    services.approve_story(story=anecdote, moderator=moderator)
    anecdote.refresh_from_db()
    assert (anecdote.state, anecdote.title, anecdote.proposed_title) == (
        State.PUBLISHED,
        armageddon,
        "",
    )
    assert actions(anecdote) == ["submitted", "edited", "approved"]


def test_reject_records_reason_and_message(moderator):
    anecdote = make_anecdote()
    services.reject_story(
        story=anecdote, moderator=moderator, reason="rumour", message="Only a rumour."
    )
    anecdote.refresh_from_db()
    assert anecdote.state == State.REJECTED
    assert (anecdote.rejection_reason, anecdote.moderator_message) == ("rumour", "Only a rumour.")
    event = anecdote.events.last()
    assert (event.action, event.reason, event.message) == ("rejected", "rumour", "Only a rumour.")


def test_reject_refuses_an_unknown_reason(moderator):
    anecdote = make_anecdote()
    with pytest.raises(services.ModerationError, match="reason"):
        services.reject_story(story=anecdote, moderator=moderator, reason="because")
    assert Anecdote.objects.get(pk=anecdote.pk).state == State.PENDING


@pytest.mark.parametrize("state", [State.PUBLISHED, State.REJECTED, State.WITHDRAWN])
def test_only_pending_stories_can_be_approved_or_rejected(moderator, state):
    anecdote = make_anecdote(state=state)
    with pytest.raises(services.ModerationError, match="Cannot approve"):
        services.approve_story(story=anecdote, moderator=moderator)
    with pytest.raises(services.ModerationError, match="Cannot reject"):
        services.reject_story(
            story=anecdote, moderator=moderator, reason="other", message="Too vague."
        )
    assert Anecdote.objects.get(pk=anecdote.pk).state == state


def test_a_contributor_cannot_approve(contributor):
    anecdote = make_anecdote()
    with pytest.raises(services.ModerationError, match="Only moderators"):
        services.approve_story(story=anecdote, moderator=contributor)
    assert Anecdote.objects.get(pk=anecdote.pk).state == State.PENDING


def test_second_moderator_deciding_a_decided_story_is_told_who_won(moderator):
    anecdote = make_anecdote()
    stale_copy = Anecdote.objects.get(pk=anecdote.pk)
    services.approve_story(story=anecdote, moderator=moderator)
    with pytest.raises(services.StaleDecision, match="approved by mod"):
        services.reject_story(
            story=stale_copy, moderator=make_moderator(), reason="other", message="Vague."
        )
    assert Anecdote.objects.get(pk=anecdote.pk).state == State.PUBLISHED


def test_decision_on_an_outdated_version_is_refused(moderator):
    anecdote = make_anecdote()
    seen_version = anecdote.version
    services.edit_story(story=anecdote, editor=make_moderator(), changes={"text": "Fixed."})
    with pytest.raises(services.StaleDecision, match="changed while you were looking"):
        services.approve_story(story=anecdote, moderator=moderator, expected_version=seen_version)
    assert Anecdote.objects.get(pk=anecdote.pk).state == State.PENDING


@pytest.mark.parametrize("state", [State.PENDING, State.REJECTED])
def test_contributor_withdraws_own_pending_or_rejected_story(state):
    anecdote = make_anecdote(state=state)
    services.withdraw_story(story=anecdote, contributor=anecdote.contributor)
    anecdote.refresh_from_db()
    assert anecdote.state == State.WITHDRAWN
    assert actions(anecdote)[-1] == "withdrawn"


def test_nobody_else_can_withdraw_a_story():
    anecdote = make_anecdote()
    with pytest.raises(services.ModerationError, match="Only the contributor"):
        services.withdraw_story(story=anecdote, contributor=make_user())
    assert Anecdote.objects.get(pk=anecdote.pk).state == State.PENDING


def test_published_story_cannot_be_withdrawn():
    anecdote = make_anecdote(state=State.PUBLISHED)
    with pytest.raises(services.ModerationError, match="Cannot withdraw"):
        services.withdraw_story(story=anecdote, contributor=anecdote.contributor)


@pytest.mark.parametrize("state", [State.REJECTED, State.WITHDRAWN])
def test_contributor_edits_and_resubmits_a_rejected_or_withdrawn_story(state):
    anecdote = make_anecdote(state=state)
    services.edit_story(
        story=anecdote, editor=anecdote.contributor, changes={"text": "Now with a source."}
    )
    services.resubmit_story(story=anecdote, contributor=anecdote.contributor)
    anecdote.refresh_from_db()
    assert (anecdote.state, anecdote.text) == (State.PENDING, "Now with a source.")
    assert actions(anecdote)[-2:] == ["edited", "resubmitted"]


def test_pending_story_cannot_be_resubmitted():
    anecdote = make_anecdote()
    with pytest.raises(services.ModerationError, match="Cannot resubmit"):
        services.resubmit_story(story=anecdote, contributor=anecdote.contributor)


def test_contributor_cannot_edit_a_published_story_directly():
    anecdote = make_anecdote(state=State.PUBLISHED)
    with pytest.raises(services.ModerationError, match="propose a correction"):
        services.edit_story(
            story=anecdote, editor=anecdote.contributor, changes={"text": "Sneaky."}
        )
    assert Anecdote.objects.get(pk=anecdote.pk).text != "Sneaky."


def test_other_user_cannot_edit_a_story():
    anecdote = make_anecdote()
    with pytest.raises(services.ModerationError, match="Only the contributor"):
        services.edit_story(story=anecdote, editor=make_user(), changes={"text": "Mine."})


@pytest.mark.parametrize("to_state", [State.PENDING, State.REJECTED])
def test_moderator_unpublishes_with_a_reason(moderator, to_state):
    anecdote = make_anecdote(state=State.PUBLISHED)
    services.unpublish_story(
        story=anecdote,
        moderator=moderator,
        reason="duplicate",
        message="Told twice.",
        to_state=to_state,
    )
    anecdote.refresh_from_db()
    assert anecdote.state == to_state
    assert anecdote.published_at is None
    event = anecdote.events.last()
    assert (event.action, event.reason, event.to_state) == ("unpublished", "duplicate", to_state)


def test_unpublishing_a_pending_story_is_refused(moderator):
    anecdote = make_anecdote()
    with pytest.raises(services.ModerationError, match="Cannot unpublish"):
        services.unpublish_story(
            story=anecdote, moderator=moderator, reason="other", message="Vague."
        )


def test_moderator_correction_keeps_the_original_text_in_history(moderator):
    anecdote = make_anecdote(text="Kino Rives himself plays about 95% of the battle scene.")
    services.edit_story(
        story=anecdote,
        editor=moderator,
        changes={"text": "Keanu Reeves himself plays about 95% of the battle scene."},
        tags=["stunts"],
    )
    snapshots = [event.snapshot for event in anecdote.events.all()]
    assert snapshots[0]["text"].startswith("Kino Rives")
    assert snapshots[1]["text"].startswith("Keanu Reeves")
    assert snapshots[1]["tags"] == ["stunts"]


def test_an_edit_that_changes_nothing_records_nothing(moderator):
    anecdote = make_anecdote()
    services.edit_story(story=anecdote, editor=moderator, changes={"text": anecdote.text})
    assert actions(anecdote) == ["submitted"]


def test_database_refuses_a_published_story_without_title():
    anecdote = make_anecdote(state=State.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Anecdote.objects.filter(pk=anecdote.pk).update(title=None)


def test_database_refuses_an_unknown_state():
    anecdote = make_anecdote()
    with pytest.raises(IntegrityError), transaction.atomic():
        Anecdote.objects.filter(pk=anecdote.pk).update(state="limbo")


def test_deleting_a_title_with_stories_is_refused():
    from django.db.models import ProtectedError

    anecdote = make_anecdote(state=State.PUBLISHED)
    with pytest.raises(ProtectedError):
        anecdote.title.delete()
    assert Title.objects.filter(pk=anecdote.title_id).exists()


def test_deleting_a_contributor_keeps_their_published_story():
    anecdote = make_anecdote(state=State.PUBLISHED)
    anecdote.contributor.delete()
    anecdote.refresh_from_db()
    assert anecdote.state == State.PUBLISHED
    assert anecdote.contributor is None


def test_every_event_is_kept_in_order(moderator):
    anecdote = make_anecdote(state=State.PUBLISHED)
    services.unpublish_story(
        story=anecdote, moderator=moderator, reason="other", message="Checking a date."
    )
    services.approve_story(story=anecdote, moderator=moderator)
    assert actions(anecdote) == ["submitted", "approved", "unpublished", "approved"]
    assert ModerationEvent.objects.filter(anecdote=anecdote).count() == 4


@pytest.mark.parametrize("message", ["", "   "])
def test_other_needs_a_message_in_the_service_too(moderator, message):
    pending, published = make_anecdote(), make_anecdote(state=State.PUBLISHED)
    with pytest.raises(services.ModerationError, match="write a message"):
        services.reject_story(story=pending, moderator=moderator, reason="other", message=message)
    with pytest.raises(services.ModerationError, match="write a message"):
        services.unpublish_story(
            story=published, moderator=moderator, reason="other", message=message
        )
    assert Anecdote.objects.get(pk=pending.pk).state == State.PENDING
    assert Anecdote.objects.get(pk=published.pk).state == State.PUBLISHED
    assert not ModerationEvent.objects.filter(action__in=["rejected", "unpublished"]).exists()
