"""Emails to contributors about decisions on their stories (DESIGN §3).

Sent only once the decision's transaction has committed, so a rolled-back decision never
announces itself; a mail server that is down is logged, never turned into a failed decision.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def notify_decision(event):
    """Queue the email for a decision event, unless its actor decided on their own story."""
    contributor = event.anecdote.contributor
    if contributor is None or not contributor.email or contributor.pk == event.actor_id:
        return
    transaction.on_commit(lambda: _send_decision(event, contributor))


def _send_decision(event, contributor):
    context = {
        "event": event,
        "anecdote": event.anecdote,
        "contributor": contributor,
        "reason": event.anecdote.RejectionReason(event.reason).label if event.reason else "",
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(render_to_string("emails/decision_subject.txt", context).split())
    body = render_to_string("emails/decision_body.txt", context)
    try:
        send_mail(subject, body, None, [contributor.email])
    except OSError:
        logger.exception("Could not send the decision email for event %s", event.pk)
