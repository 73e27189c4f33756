"""Emails to contributors about decisions on their stories and corrections (DESIGN §3).

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
    }
    _send("decision", context, contributor)


def notify_correction_decision(correction):
    """Tell whoever proposed a correction whether it was accepted, once that is committed."""
    proposer = correction.proposer
    if proposer is None or not proposer.email or proposer.pk == correction.decided_by_id:
        return
    context = {"correction": correction, "anecdote": correction.anecdote, "contributor": proposer}
    transaction.on_commit(lambda: _send("correction_decision", context, proposer))


def _send(template, context, recipient):
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}_body.txt", context)
    try:
        send_mail(subject, body, None, [recipient.email])
    except OSError:
        logger.exception("Could not send the %s email to user %s", template, recipient.pk)
