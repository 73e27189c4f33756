"""The moderation figures: the queue's size and age, so a team sees when it falls behind.

One page, ``/admin/figures/`` (``admin:moderation_figures``), for moderators only. Everything
on it is read from the rows the services write: the waiting stories, reports and corrections
as they stand, and the moderation events (``ModerationEvent``) for the past. How many stories
waited at the end of each past day is worked back from today's count: an event that moved a
story into the queue (submitted, imported, resubmitted, unpublished back to it) added one, an
event that moved one out (approved, rejected, withdrawn, deleted) took one away. Only the last
``DAYS`` days of events are read, and medians are taken in Python over those, so the page
costs the same on SQLite and PostgreSQL however old the site is.
"""

import statistics
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from .. import services
from ..models import Anecdote, Correction, ModerationEvent, Report

State = Anecdote.State
Action = ModerationEvent.Action
DAYS = 30
# The moderators' decisions on a story, as the figures count them.
DECISIONS = (Action.APPROVED, Action.REJECTED)
# And on readers' feedback: counted in a moderator's week beside the stories.
FEEDBACK_DECISIONS = (
    Action.CORRECTION_ACCEPTED,
    Action.CORRECTION_REJECTED,
    Action.REPORT_DISMISSED,
    Action.REPORT_RESOLVED,
)
# The chart's drawing box, in SVG units (the CSS scales it to the page).
CHART_WIDTH, CHART_HEIGHT, CHART_BOTTOM = 600, 160, 20


def urls(site):
    """The figures' address, added to the admin site by ``BacklotAdminSite.get_urls``."""
    return [
        path("figures/", site.admin_view(figures_view(site)), name="moderation_figures"),
    ]


def figures_view(site):
    def view(request):
        if not services.can_moderate(request.user):
            raise PermissionDenied
        context = {
            **site.each_context(request),
            "title": "Moderation figures",
            **moderation_figures(),
        }
        return TemplateResponse(request, "admin/trivia/figures.html", context)

    return view


def entered_queue():
    """Events that moved a story into the queue."""
    return Q(to_state=State.PENDING) & ~Q(from_state=State.PENDING)


def left_queue():
    """Events that moved a story out of it (a deletion's ``to_state`` is empty)."""
    return Q(from_state=State.PENDING) & ~Q(to_state=State.PENDING)


def moderation_figures(now=None):
    """Everything the page shows, as plain values (the tests read them as well)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = [today - timedelta(days=back) for back in range(DAYS - 1, -1, -1)]
    since = start_of(days[0])

    pending = Anecdote.objects.filter(state=State.PENDING)
    waiting_since = sorted(
        pending.values_list("submitted_at", flat=True).exclude(submitted_at=None)
    )
    ages = [now - moment for moment in waiting_since]

    moves = ModerationEvent.objects.filter(entered_queue() | left_queue(), created_at__gte=since)
    arrivals, departures = Counter(), Counter()
    for moment, to_state in moves.values_list("created_at", "to_state"):
        day = timezone.localdate(moment)
        if to_state == State.PENDING:
            arrivals[day] += 1
        else:
            departures[day] += 1
    decided = ModerationEvent.objects.filter(action__in=DECISIONS, created_at__gte=since)
    decisions = Counter(
        timezone.localdate(moment) for moment in decided.values_list("created_at", flat=True)
    )

    # Worked back from today's count: at the end of the day before, the queue held what it
    # holds at the end of this one, less what arrived this day, plus what left it.
    waiting_count = pending.count()
    waiting_at_end, count = {}, waiting_count
    for day in reversed(days):
        waiting_at_end[day] = count
        count += departures[day] - arrivals[day]
    daily = [
        {
            "day": day,
            "waiting": waiting_at_end[day],
            "arrivals": arrivals[day],
            "decisions": decisions[day],
        }
        for day in days
    ]
    week_start = start_of(today - timedelta(days=today.weekday()))
    return {
        "now": now,
        "days": DAYS,
        "waiting_stories": waiting_count,
        "waiting_reports": Report.objects.filter(state=Report.waiting_state).count(),
        "waiting_corrections": Correction.objects.filter(state=Correction.waiting_state).count(),
        "oldest_waiting": max(ages) if ages else None,
        "oldest_waiting_words": in_words(max(ages) if ages else None),
        "median_waiting": median(ages),
        "median_waiting_words": in_words(median(ages)),
        "daily": daily,
        "waiting_chart": bar_chart([row["waiting"] for row in daily]),
        "flow_chart": paired_chart(
            [row["arrivals"] for row in daily], [row["decisions"] for row in daily]
        ),
        "time_to_decision": [
            timed("last 7 days", decision_times(now - timedelta(days=7))),
            timed(f"last {DAYS} days", decision_times(since)),
        ],
        "week_start": week_start,
        "moderators": decisions_per_moderator(week_start),
        "reasons": rejection_reasons(since),
    }


def start_of(day):
    """The first moment of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def median(durations):
    return statistics.median(durations) if durations else None


def timed(label, durations):
    middle = median(durations)
    words = in_words(middle) if middle is not None else "none decided"
    return {"label": label, "median": middle, "count": len(durations), "words": words}


def in_words(duration):
    """ "2 days 3 hours", "5 hours 10 minutes", "under a minute"; "—" for nothing."""
    if duration is None:
        return "—"
    minutes = int(duration.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "under a minute"


def decision_times(since):
    """How long each story decided since ``since`` had waited: from its last arrival in the
    queue (submitted, resubmitted, …) to the decision."""
    decided = list(
        ModerationEvent.objects.filter(action__in=DECISIONS, created_at__gte=since)
        .exclude(anecdote=None)
        .values_list("anecdote_id", "created_at")
    )
    if not decided:
        return []
    arrivals = defaultdict(list)
    for story_id, moment in (
        ModerationEvent.objects.filter(entered_queue(), anecdote_id__in={pk for pk, _ in decided})
        .order_by("created_at", "pk")
        .values_list("anecdote_id", "created_at")
    ):
        arrivals[story_id].append(moment)
    times = []
    for story_id, decided_at in decided:
        before = [moment for moment in arrivals[story_id] if moment <= decided_at]
        if before:
            times.append(decided_at - before[-1])
    return times


def decisions_per_moderator(since):
    """[{"name", "approved", "rejected", "feedback", "total"}], busiest first."""
    rows = defaultdict(Counter)
    for username, action, count in (
        ModerationEvent.objects.filter(
            action__in=[*DECISIONS, *FEEDBACK_DECISIONS], created_at__gte=since
        )
        .exclude(actor=None)
        .order_by()
        .values_list("actor__username", "action")
        .annotate(n=Count("pk"))
    ):
        key = action if action in DECISIONS else "feedback"
        rows[username][key] += count
    table = [
        {
            "name": name,
            "approved": counts[Action.APPROVED],
            "rejected": counts[Action.REJECTED],
            "feedback": counts["feedback"],
            "total": sum(counts.values()),
        }
        for name, counts in rows.items()
    ]
    return sorted(table, key=lambda row: (-row["total"], row["name"]))


def rejection_reasons(since):
    """[{"label", "count"}] of the stories rejected since ``since``, most frequent first."""
    counts = (
        ModerationEvent.objects.filter(action=Action.REJECTED, created_at__gte=since)
        .order_by()
        .values_list("reason")
        .annotate(n=Count("pk"))
    )
    labels = dict(Anecdote.RejectionReason.choices)
    table = [{"label": labels.get(reason, reason or "none"), "count": n} for reason, n in counts]
    return sorted(table, key=lambda row: (-row["count"], row["label"]))


def bar_chart(values):
    """The bars of one series as SVG rectangles: [{"x", "y", "width", "height", "value"}],
    with the chart's top value, for ``figures.html``."""
    top = max(values, default=0) or 1
    step = CHART_WIDTH / max(len(values), 1)
    drawable = CHART_HEIGHT - CHART_BOTTOM
    bars = []
    for index, value in enumerate(values):
        height = round(drawable * value / top, 1)
        bars.append(
            {
                "x": round(index * step + 1, 1),
                "y": round(drawable - height, 1),
                "width": round(step - 2, 1),
                "height": height,
                "value": value,
            }
        )
    return {"bars": bars, "top": max(values, default=0), "baseline": drawable}


def paired_chart(first, second):
    """Two series side by side in each day's slot (arrivals, decisions)."""
    top = max([*first, *second], default=0) or 1
    step = CHART_WIDTH / max(len(first), 1)
    drawable = CHART_HEIGHT - CHART_BOTTOM
    pairs = []
    for index, (a, b) in enumerate(zip(first, second, strict=True)):
        x = index * step + 1
        width = (step - 2) / 2
        pairs.append(
            [
                {
                    "x": round(x + offset * width, 1),
                    "y": round(drawable - drawable * value / top, 1),
                    "width": round(width, 1),
                    "height": round(drawable * value / top, 1),
                    "value": value,
                    "kind": kind,
                }
                for offset, (value, kind) in enumerate(((a, "arrivals"), (b, "decisions")))
            ]
        )
    return {"pairs": pairs, "top": max([*first, *second], default=0), "baseline": drawable}
