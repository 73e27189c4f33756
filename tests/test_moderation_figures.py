"""The moderation figures (/admin/figures/) read against a queue whose history is known: stories
submitted and decided on chosen days (the events' ``created_at`` moved back with ``update()``)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_anecdote, make_moderator, make_user
from trivia import services
from trivia.admin.figures import moderation_figures, start_of
from trivia.models import Anecdote, ModerationEvent

State = Anecdote.State
Action = ModerationEvent.Action
pytestmark = pytest.mark.django_db
FIGURES = reverse("admin:moderation_figures")


def noon(days_ago):
    """Midday ``days_ago`` days before today, in the site's time zone."""
    return start_of(timezone.localdate() - timedelta(days=days_ago)) + timedelta(hours=12)


def moved(story, action, moment):
    """Move the story's ``action`` event (and, for its arrival, its ``submitted_at``) back."""
    ModerationEvent.objects.filter(anecdote=story, action=action).update(created_at=moment)
    if action == Action.SUBMITTED:
        Anecdote.objects.filter(pk=story.pk).update(submitted_at=moment)


def submitted(days_ago, **kwargs):
    story = make_anecdote(**kwargs)
    moved(story, Action.SUBMITTED, noon(days_ago))
    return story


@pytest.fixture
def history():
    """A known month: E waits from day 20, A and B from day 10 (both decided on day 8), C from
    day 6, F from day 3, D from day 2; E and F are decided today. C and D wait still."""
    ann, bob = make_moderator("ann"), make_moderator("bob")
    today = start_of(timezone.localdate())  # this week whatever the weekday, and not future
    e, a, b = submitted(20), submitted(10), submitted(10)
    c, f, d = submitted(6), submitted(3), submitted(2)
    services.approve_story(story=a, moderator=ann)
    moved(a, Action.APPROVED, noon(8))
    services.reject_story(story=b, moderator=bob, reason="unsourced", message="A source?")
    moved(b, Action.REJECTED, noon(8))
    services.approve_story(story=e, moderator=ann)
    moved(e, Action.APPROVED, today)
    services.reject_story(story=f, moderator=bob, reason="other", message="Too vague.")
    moved(f, Action.REJECTED, today)
    # A published story from long ago, reported and corrected: neither is a story waiting.
    old = make_anecdote(state=State.PUBLISHED)
    ModerationEvent.objects.filter(anecdote=old).update(created_at=noon(40))
    services.report_story(story=old, reporter=None, reason="inaccurate", note="Wrong year.")
    services.propose_correction(story=old, proposer=make_user(), text="The right year.")
    return {"waiting": [c, d]}


def test_the_queue_now_matches_the_queue(history):
    now = timezone.now()
    figures = moderation_figures(now=now)
    assert figures["waiting_stories"] == 2 == Anecdote.objects.filter(state=State.PENDING).count()
    assert (figures["waiting_reports"], figures["waiting_corrections"]) == (1, 1)
    assert figures["oldest_waiting"] == now - noon(6)
    assert figures["median_waiting"] == ((now - noon(6)) + (now - noon(2))) / 2


def test_stories_waiting_at_the_end_of_each_day_are_worked_back_from_the_events(history):
    daily = moderation_figures()["daily"]
    assert len(daily) == 30 and daily[-1]["day"] == timezone.localdate()
    waiting = {29 - index: row["waiting"] for index, row in enumerate(daily)}  # by days ago
    expected = {ago: 0 for ago in range(21, 30)}
    expected |= {ago: 1 for ago in range(11, 21)}  # E
    expected |= {10: 3, 9: 3}  # E, A, B
    expected |= {8: 1, 7: 1}  # A and B decided
    expected |= {6: 2, 5: 2, 4: 2}  # C
    expected |= {3: 3, 2: 4, 1: 4}  # F, then D
    expected |= {0: 2}  # E and F decided today: C and D wait
    assert waiting == expected


def test_arrivals_and_decisions_per_day(history):
    daily = moderation_figures()["daily"]
    arrivals = {29 - i: row["arrivals"] for i, row in enumerate(daily) if row["arrivals"]}
    decisions = {29 - i: row["decisions"] for i, row in enumerate(daily) if row["decisions"]}
    assert arrivals == {20: 1, 10: 2, 6: 1, 3: 1, 2: 1}
    assert decisions == {8: 2, 0: 2}


def test_median_time_to_a_decision_over_7_and_30_days(history):
    last_7, last_30 = moderation_figures()["time_to_decision"]
    # Waits: A and B two days each, F two and a half, E nineteen and a half.
    assert (last_30["count"], last_30["median"]) == (4, timedelta(days=2, hours=6))
    assert (last_7["count"], last_7["median"]) == (2, timedelta(days=11))
    assert last_7["words"] == "11 days"


def test_decisions_per_moderator_this_week_and_rejection_reasons(history):
    figures = moderation_figures()
    assert [(row["name"], row["approved"], row["rejected"]) for row in figures["moderators"]] == [
        ("ann", 1, 0),
        ("bob", 0, 1),
    ]
    assert figures["reasons"] == [
        {"label": "No usable source", "count": 1},
        {"label": "Other", "count": 1},
    ]


def test_the_page_shows_the_figures_to_moderators_with_a_table_for_the_chart(client, history):
    client.force_login(make_moderator())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(FIGURES)
    assert response.status_code == 200
    assert len(queries) <= 25
    page = response.content.decode()
    assert '<span class="figure" id="waiting-stories">2</span>' in page
    assert '<span class="figure" id="waiting-reports">1</span>' in page
    assert '<svg class="figures-chart"' in page and 'role="img"' in page
    assert 'id="daily-figures"' in page and '<th scope="row">ann</th>' in page
    assert "style=" not in page[page.index('id="content-main"') :]  # CSP: no inline style


def test_the_figures_are_for_moderators_only(client):
    client.force_login(make_user("staff", is_staff=True))
    assert client.get(FIGURES).status_code == 403
    client.force_login(make_user("reader"))
    assert client.get(FIGURES).status_code == 302  # to the admin's sign-in
