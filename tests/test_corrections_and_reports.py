"""Proposed corrections and reader reports: both wait for a moderator, both are recorded."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import make_anecdote, make_moderator, make_user
from trivia import services
from trivia.models import Anecdote, Correction, Report

pytestmark = pytest.mark.django_db


def test_a_proposed_correction_leaves_the_published_text_alone():
    anecdote = make_anecdote(state="published", text="Shot in chronological order.")
    correction = services.propose_correction(
        story=anecdote, proposer=make_user(), text="Shot mostly out of order.", note="DVD"
    )
    assert Anecdote.objects.get(pk=anecdote.pk).text == "Shot in chronological order."
    assert correction.base_text == "Shot in chronological order."
    assert anecdote.events.last().action == "correction_proposed"


def test_accepting_a_correction_publishes_the_new_text_and_keeps_the_old_in_history(moderator):
    anecdote = make_anecdote(state="published", text="Old text.")
    correction = services.propose_correction(story=anecdote, proposer=make_user(), text="New.")
    services.accept_correction(correction=correction, moderator=moderator, message="Thanks")
    anecdote.refresh_from_db()
    assert (anecdote.text, anecdote.state) == ("New.", "published")
    assert [e.snapshot["text"] for e in anecdote.events.all()][0] == "Old text."
    assert anecdote.events.last().action == "correction_accepted"
    assert Correction.objects.get().state == "accepted"


def test_rejecting_a_correction_changes_nothing_on_the_story(moderator):
    anecdote = make_anecdote(state="published", text="Old text.")
    correction = services.propose_correction(story=anecdote, proposer=make_user(), text="New.")
    services.reject_correction(correction=correction, moderator=moderator, message="No source")
    assert Anecdote.objects.get(pk=anecdote.pk).text == "Old text."
    assert Correction.objects.get().decision_message == "No source"


def test_a_correction_is_decided_once(moderator):
    anecdote = make_anecdote(state="published")
    correction = services.propose_correction(story=anecdote, proposer=make_user(), text="New.")
    stale = Correction.objects.get(pk=correction.pk)
    services.accept_correction(correction=correction, moderator=moderator)
    with pytest.raises(services.StaleDecision, match="already accepted by mod"):
        services.reject_correction(correction=stale, moderator=make_moderator("late"))
    assert Correction.objects.get().state == "accepted"


def test_a_moderator_who_loses_a_report_race_is_told_who_won(moderator):
    anecdote = make_anecdote(state="published")
    report = services.report_story(story=anecdote, reporter=None, reason="other", note="Typo")
    stale = Report.objects.get(pk=report.pk)
    services.resolve_report(report=report, moderator=moderator, outcome="dismissed")
    with pytest.raises(services.StaleDecision, match="This report was already dismissed by mod"):
        services.resolve_report(report=stale, moderator=make_moderator("late"), outcome="resolved")


@pytest.mark.parametrize("state", ["pending", "rejected", "withdrawn"])
def test_only_published_stories_take_corrections_and_reports(state):
    anecdote = make_anecdote(state=state)
    with pytest.raises(services.ModerationError):
        services.propose_correction(story=anecdote, proposer=make_user(), text="New.")
    with pytest.raises(services.ModerationError):
        services.report_story(story=anecdote, reporter=None, reason="other")
    assert not Correction.objects.exists() and not Report.objects.exists()


def test_an_anonymous_reader_reports_a_story_and_a_moderator_dismisses_it(moderator):
    anecdote = make_anecdote(state="published")
    report = services.report_story(
        story=anecdote, reporter=None, reason="inaccurate", note="Debunked in 2010."
    )
    assert (report.reporter, report.state) == (None, "open")
    services.resolve_report(report=report, moderator=moderator, outcome="dismissed")
    assert Report.objects.get().state == "dismissed"
    assert [e.action for e in anecdote.events.all()][-2:] == ["reported", "report_dismissed"]


def test_a_report_with_an_unknown_reason_is_refused():
    anecdote = make_anecdote(state="published")
    with pytest.raises(services.ModerationError, match="Choose"):
        services.report_story(story=anecdote, reporter=None, reason="meh")


def test_a_new_account_submits_three_stories_a_day_until_its_first_approval(contributor, settings):
    settings.NEW_ACCOUNT_DAILY_STORIES = 3
    for _ in range(3):
        make_anecdote(contributor=contributor)
    with pytest.raises(services.ModerationError, match="3 stories a day"):
        make_anecdote(contributor=contributor)
    services.approve_story(story=contributor.anecdotes.first(), moderator=make_moderator())
    make_anecdote(contributor=contributor)
    assert contributor.anecdotes.count() == 4


def test_the_same_submission_key_creates_one_story(contributor):
    import uuid

    key = uuid.uuid4()
    first = make_anecdote(contributor=contributor, submission_key=key)
    again = make_anecdote(contributor=contributor, submission_key=key)
    assert first.pk == again.pk
    assert contributor.anecdotes.count() == 1


def test_one_person_has_one_pending_correction_of_a_story_at_a_time(moderator):
    anecdote = make_anecdote(state="published", text="Old text.")
    reader = make_user()
    first = services.propose_correction(story=anecdote, proposer=reader, text="New.")
    with pytest.raises(services.ModerationError, match="already have a correction"):
        services.propose_correction(story=anecdote, proposer=reader, text="Newer.")
    services.propose_correction(story=anecdote, proposer=make_user(), text="Other reader's.")
    services.reject_correction(correction=first, moderator=moderator)
    services.propose_correction(story=anecdote, proposer=reader, text="Once answered, again.")
    assert Correction.objects.filter(proposer=reader).count() == 2


def test_the_database_refuses_a_second_pending_correction_by_the_same_person():
    anecdote = make_anecdote(state="published", text="Old text.")
    reader = make_user()
    services.propose_correction(story=anecdote, proposer=reader, text="New.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(anecdote=anecdote, proposer=reader, text="Newer.", base_text="")
