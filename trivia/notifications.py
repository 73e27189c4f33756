"""Who is told what, by email: contributors about decisions on their stories and corrections
(DESIGN §3), moderators about what waits for them.

A decision only queues its email (``trivia.tasks``), in the decision's own transaction: a
rolled-back decision never announces itself, and the moderator never waits on a mail server.
The email is written when the task runs, from the ids it was queued with (``*_email``); the
worker sends it, and sends it again later if the server does not answer.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Min
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.timesince import timesince

from . import tasks
from .lifecycle import TRANSITIONS
from .models import Anecdote, Correction, ModerationEvent, Report
from .roles import MODERATORS_GROUP


def notify_decision(event):
    """Queue the email for a decision event, unless its actor decided on their own story."""
    contributor = event.anecdote.contributor
    if contributor is None or not contributor.email or contributor.pk == event.actor_id:
        return
    tasks.enqueue_on_commit(tasks.send_decision_email, event_id=event.pk)


def notify_correction_decision(correction):
    """Tell whoever proposed a correction whether it was accepted, once that is committed."""
    proposer = correction.proposer
    if proposer is None or not proposer.email or proposer.pk == correction.decided_by_id:
        return
    tasks.enqueue_on_commit(tasks.send_correction_decision_email, correction_id=correction.pk)


def decision_email(event_id):
    """The email about decision event ``event_id``, or None when there is nobody left to tell
    (the story was deleted, the contributor's account or address is gone)."""
    event = (
        ModerationEvent.objects.select_related("anecdote__contributor", "anecdote__title")
        .filter(pk=event_id)
        .first()
    )
    story = event.anecdote if event else None  # a deleted story's events stay, unlinked
    contributor = story.contributor if story else None
    if contributor is None or not contributor.email:
        return None
    reason = event.anecdote.RejectionReason(event.reason).label if event.reason else ""
    context = {
        "event": event,
        "told": TRANSITIONS[event.action].told,
        "anecdote": event.anecdote,
        "reason": reason,
    }
    return _email("decision", context, contributor)


def correction_decision_email(correction_id):
    """The email about the decision on correction ``correction_id``, or None (see above)."""
    correction = (
        Correction.objects.select_related("proposer", "anecdote__title")
        .filter(pk=correction_id)
        .first()
    )
    proposer = correction.proposer if correction else None
    if proposer is None or not proposer.email:
        return None
    context = {"correction": correction, "anecdote": correction.anecdote}
    return _email("correction_decision", context, proposer)


def _email(template, context, recipient):
    context = {**context, "contributor": recipient, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}_body.txt", context)
    return EmailMessage(subject, body, to=[recipient.email])


# --- The moderators' digest -----------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    subject: str
    body: str
    recipients: list

    def message(self, address, *, connection=None):
        return EmailMessage(self.subject, self.body, to=[address], connection=connection)


def queue_digest():
    """What waits for the moderators, as one email to each active moderator with an address;
    None when nothing waits (a digest that says "nothing" teaches people to ignore it)."""
    work = waiting_work()
    if not work:
        return None
    subject = "Backlot: " + ", ".join(f"{item['count']} {item['label']}" for item in work)
    body = render_to_string(
        "emails/queue_digest.txt", {"work": work, "site_url": settings.SITE_URL}
    )
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=MODERATORS_GROUP, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return Digest(subject, body, recipients)


def waiting_work():
    """What waits, each kind with its count and the time its oldest item has waited."""
    now = timezone.now()
    kinds = [
        (("story", "stories"), "in the queue", Anecdote.objects.pending(), "submitted_at"),
        (
            ("proposed correction", "proposed corrections"),
            "",
            Correction.objects.filter(state="pending"),
            "created_at",
        ),
        (("open report", "open reports"), "", Report.objects.filter(state="open"), "created_at"),
    ]
    work = []
    for (singular, plural), where, queryset, date_field in kinds:
        summary = queryset.aggregate(oldest=Min(date_field))
        count = queryset.count()
        if count:
            waited = timesince(summary["oldest"], now, depth=2)
            label = f"{singular if count == 1 else plural} {where}".strip()
            work.append({"label": label, "count": count, "waited": waited})
    return work
