"""The lifecycle's table (trivia/lifecycle.py) drives what happens and what is offered: each
row's states are exactly those its service accepts, its role exactly who may, its "notifies"
exactly who is told; the admin's buttons and list actions and the contributor's links are
exactly what ``allowed_actions`` gives."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AnonymousUser

from tests.factories import make_anecdote, make_moderator, make_staff, make_user
from trivia import lifecycle, services
from trivia.lifecycle import AUTHOR, MODERATOR, READER, TRANSITIONS
from trivia.models import Anecdote, Correction, ModerationEvent, Report

pytestmark = pytest.mark.django_db

State = Anecdote.State
Action = ModerationEvent.Action


def take(verb, story, actor, to_state=None):
    """Take the row ``verb`` on ``story`` through its service, as ``actor``."""
    if verb == "approve":
        return services.approve_story(story=story, moderator=actor)
    if verb == "reject":
        return services.reject_story(story=story, moderator=actor, reason="rumour")
    if verb == "unpublish":
        return services.unpublish_story(
            story=story, moderator=actor, reason="duplicate", to_state=to_state
        )
    if verb == "withdraw":
        return services.withdraw_story(story=story, contributor=actor)
    if verb == "resubmit":
        return services.resubmit_story(story=story, contributor=actor)
    if verb == "edit":
        return services.edit_story(story=story, editor=actor, changes={"text": "Edited text."})
    if verb == "correct":
        return services.propose_correction(story=story, proposer=actor, text="Corrected text.")
    raise AssertionError(f"no service for {verb!r}: add it here when adding a row")


def actor_for(row, story):
    """Someone holding exactly the row's role (and no other that would also allow it)."""
    if row.who == MODERATOR:
        return make_moderator()
    if row.who == AUTHOR:
        return story.contributor
    return make_user()


def every_destination():
    return [
        pytest.param(row, to_state, id=f"{row.verb}-{to_state or 'stays'}")
        for row in TRANSITIONS.values()
        for to_state in row.to_states or (None,)
    ]


def test_every_action_a_service_takes_has_exactly_one_row():
    assert len({row.verb for row in TRANSITIONS.values()}) == len(TRANSITIONS)
    assert set(TRANSITIONS) <= set(Action.values)
    for row in TRANSITIONS.values():
        assert row.from_states <= set(State.values), row
        assert set(row.to_states) <= set(State.values), row
        assert row.who in (MODERATOR, AUTHOR, READER), row


@pytest.mark.parametrize("row, to_state", every_destination())
@pytest.mark.parametrize("state", State.values)
def test_each_row_starts_from_exactly_its_states_and_leads_where_it_says(row, to_state, state):
    story = make_anecdote(state=state)
    actor = actor_for(row, story)
    if state not in row.from_states:
        with pytest.raises(services.ModerationError):
            take(row.verb, story, actor, to_state)
        assert Anecdote.objects.get(pk=story.pk).state == state
        return
    take(row.verb, story, actor, to_state)
    assert Anecdote.objects.get(pk=story.pk).state == (to_state or state)
    if row.to_states:
        event = story.events.latest("created_at", "pk")
        assert (event.action, event.from_state, event.to_state) == (row.action, state, to_state)


@pytest.mark.parametrize("row", [r for r in TRANSITIONS.values() if r.who != READER])
def test_each_row_is_refused_to_someone_without_its_role(row):
    state = sorted(row.from_states)[0]
    story = make_anecdote(state=state)
    # The other role: the author for a moderators' row, another contributor for an author's.
    other = story.contributor if row.who == MODERATOR else make_user()
    with pytest.raises(services.ModerationError, match="Only"):
        take(row.verb, story, other, row.to_state)
    assert Anecdote.objects.get(pk=story.pk).state == state


def test_a_readers_row_is_refused_to_an_anonymous_visitor():
    story = make_anecdote(state=State.PUBLISHED)
    with pytest.raises(services.ModerationError, match="Sign in"):
        take("correct", story, AnonymousUser())
    assert not Correction.objects.exists()


@pytest.mark.parametrize("row", [r for r in TRANSITIONS.values() if r.to_states])
def test_the_contributor_is_told_exactly_when_the_row_says(row, monkeypatch):
    story = make_anecdote(state=sorted(row.from_states)[0])
    told = []
    monkeypatch.setattr("trivia.services.lifecycle.notify_decision", told.append)
    take(row.verb, story, actor_for(row, story), row.to_state)
    assert [event.action for event in told] == ([row.action] if row.notifies else [])


def test_a_refusal_names_the_rows_verb():
    story = make_anecdote(state=State.PUBLISHED)
    with pytest.raises(services.ModerationError, match="Cannot reject this story: it is published"):
        take("reject", story, make_moderator())
    assert services.action_verb(Action.UNPUBLISHED) == "unpublish"


# --- What each person is offered ----------------------------------------------------------


@pytest.mark.parametrize("state", State.values)
def test_allowed_actions_are_the_rows_of_the_users_roles_that_start_from_the_state(state):
    story = make_anecdote(state=state)
    people = [
        (story.contributor, {AUTHOR, READER}),
        (make_moderator(), {MODERATOR, READER}),
        (make_user(), {READER}),
        (AnonymousUser(), set()),
    ]
    for user, roles in people:
        expected = [
            r.verb for r in TRANSITIONS.values() if state in r.from_states and r.who in roles
        ]
        assert list(story.allowed_actions(user)) == expected, (state, roles)


def test_what_the_author_may_do_in_each_state():
    author = make_user()
    offered = {
        state: set(make_anecdote(contributor=author, state=state).allowed_actions(author))
        for state in State.values
    }
    assert offered == {
        State.PENDING: {"withdraw", "edit"},
        State.PUBLISHED: {"correct"},
        State.REJECTED: {"withdraw", "resubmit", "edit"},
        State.WITHDRAWN: {"resubmit", "edit"},
    }


DECISION = re.compile(r'data-decision="(\w+)"')


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("model", ["anecdote", "pendinganecdote"])
def test_the_change_page_shows_exactly_the_buttons_allowed_actions_gives(client, state, model):
    moderator = make_moderator()
    story = make_anecdote(state=state)
    client.force_login(moderator)
    page = client.get(f"/admin/trivia/{model}/{story.pk}/change/").content.decode()
    offered = {
        verb for verb, row in story.allowed_actions(moderator).items() if row.who == MODERATOR
    }
    assert set(DECISION.findall(page)) == offered
    for verb in offered:
        row = lifecycle.BY_VERB[verb]
        if row.needs_reason:
            assert f'href="/admin/trivia/{model}/{story.pk}/{verb}/' in page
        else:
            assert f'name="_{verb}"' in page


def test_staff_who_may_not_moderate_see_no_decision_button(client):
    story = make_anecdote()
    client.force_login(make_staff(permissions=["view_anecdote", "change_anecdote"]))
    page = client.get(f"/admin/trivia/anecdote/{story.pk}/change/").content.decode()
    assert DECISION.findall(page) == []


@pytest.mark.parametrize(
    "model, listed",
    [("pendinganecdote", {State.PENDING}), ("anecdote", set(State.values))],
)
def test_the_list_actions_are_the_moderators_rows_that_start_from_a_listed_state(
    client, model, listed
):
    client.force_login(make_moderator())
    make_anecdote()  # Django shows no actions on an empty list
    page = client.get(f"/admin/trivia/{model}/").content.decode()
    offered = set(re.findall(r'<option value="(\w+)_selected"', page))
    expected = {
        row.verb
        for row in TRANSITIONS.values()
        if row.who == MODERATOR and row.from_states & listed
    }
    assert offered == expected


@pytest.mark.parametrize("state", State.values)
def test_my_submissions_offers_exactly_what_allowed_actions_gives(client, state):
    author = make_user()
    story = make_anecdote(contributor=author, state=state)
    client.force_login(author)
    page = client.get("/accounts/submissions/").content.decode()
    actions = story.allowed_actions(author)
    links = {
        "withdraw": f'href="/accounts/submissions/{story.pk}/withdraw/"',
        "edit": f'href="/accounts/submissions/{story.pk}/edit/"',
        "correct": f'href="/accounts/submissions/{story.pk}/correct/"',
    }
    for verb, link in links.items():
        assert (link in page) == (verb in actions), verb
    assert story.get_state_display_for_contributor() in page


def test_every_state_has_a_label_for_its_contributor():
    for state in State:
        story = Anecdote(state=state)
        assert story.get_state_display_for_contributor()
        assert story.get_state_display() == state.label


# --- The database follows the choices ------------------------------------------------------


def test_state_columns_are_wide_and_checked_against_the_choices():
    def check_of(model, name):
        return next(c for c in model._meta.constraints if c.name == name).condition

    for model, field in [
        (Anecdote, "state"),
        (ModerationEvent, "from_state"),
        (ModerationEvent, "to_state"),
        (Correction, "state"),
        (Report, "state"),
    ]:
        assert model._meta.get_field(field).max_length >= 20, (model, field)
    assert check_of(Anecdote, "anecdote_state_valid").children == [("state__in", State.values)]
    assert check_of(Report, "report_reason_valid").children == [
        ("reason__in", Report.Reason.values)
    ]


# --- Every decision in the admin is logged and counted ------------------------------------


def test_a_feedback_decision_is_logged_and_counted_like_a_story_decision(client):
    story = make_anecdote(state=State.PUBLISHED)
    reports = [
        services.report_story(story=story, reporter=None, reason="spoiler") for _ in range(2)
    ]
    client.force_login(make_moderator())
    response = client.post(
        "/admin/trivia/report/",
        {"action": "dismiss_selected", "_selected_action": [r.pk for r in reports]},
        follow=True,
    )
    assert "2 reports closed." in response.content.decode()
    logged = LogEntry.objects.filter(object_id__in=[str(r.pk) for r in reports])
    assert sorted(entry.change_message for entry in logged) == ["Dismissed.", "Dismissed."]


def test_a_refused_feedback_decision_names_the_story_and_why(client):
    story = make_anecdote(state=State.PUBLISHED, text="The dog was a puppet.")
    report = services.report_story(story=story, reporter=None, reason="other")
    moderator = make_moderator()
    services.resolve_report(report=report, moderator=moderator, outcome="dismissed")
    client.force_login(moderator)
    response = client.post(
        f"/admin/trivia/report/{report.pk}/change/", {"_resolve": "1"}, follow=True
    )
    page = response.content.decode()
    assert "Not closed: “The dog was a puppet.”: This report was already dismissed by mod" in page
