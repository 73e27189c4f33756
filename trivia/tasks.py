"""The site's background work: what must not keep a moderator or a contributor waiting.

- ``send_decision_email``, ``send_correction_decision_email``: a contributor hears about a
  moderator's decision (the emails themselves are in ``trivia.notifications``);
- ``send_queue_digest``: every moderator hears what waits (``manage.py queue_digest``, daily);
- ``send_account_email``: django-allauth's emails (confirm your address, reset your password,
  your password was changed), written by the request that calls for them (accounts/adapter.py);
- ``make_image_renditions``: the WebP copies of a new story image or poster.

Tasks use Django 6's API (``django_tasks`` on Django 5.2), queued in the database and run by
``manage.py db_worker`` beside the web server (settings.TASKS; ``make run``, ``make serve``). A
task takes ids and plain values only, stored as JSON with it, and reads what it needs when it
runs. It is queued with the transaction that calls for it (``enqueue_on_commit``): a rolled-back
decision announces nothing, a committed one is never forgotten.

Retries: django-tasks retries nothing by itself. A send that fails for a reason that may pass
(the mail server refused, reset or did not answer within EMAIL_TIMEOUT) queues the same task
again after a growing pause, up to ``MAX_ATTEMPTS``; the last attempt raises, so the task is
recorded as failed, listed under "Task results" in the admin and logged as an error (mailed to
ADMINS in production). Nothing is dropped in silence. A message whose server took it but did
not confirm is sent again: an email may, rarely, arrive twice, never not at all.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

from django.apps import apps
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend

from . import images, notifications, publication

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Seconds before attempts 2, 3, … 6: a mail server down for the better part of a day still
# gets every email.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60, 6 * 60 * 60)
# What a mail server that may come back raises: refused, reset, timed out (TimeoutError is an
# OSError), or an SMTP answer such as "421 try again later".
SEND_ERRORS = (smtplib.SMTPException, OSError)


class GaveUp(Exception):
    """A task's last attempt failed: the worker records the task as failed."""


def enqueue_on_commit(task, **kwargs):
    """Queue ``task`` so that it exists exactly when the current transaction commits.

    The database backend writes the task's row inside that very transaction: both commit or
    neither does, so not even a crash just after the commit can lose the task, and the worker
    cannot see it before. Any other backend (the immediate one the tests use) is handed the
    task once the transaction has committed.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        # robust: the decision is committed; a task that cannot be queued is logged as an
        # error rather than turned into a failed request.
        transaction.on_commit(partial(task.enqueue, **kwargs), robust=True)


def retry_or_give_up(task, error, *, attempt, **kwargs):
    """After a failed attempt: queue ``task`` again with ``kwargs`` after a pause, or raise
    ``GaveUp`` once the attempts are spent, the error cannot pass, or the backend runs tasks
    immediately (it has no "later")."""
    if attempt >= MAX_ATTEMPTS or is_permanent(error) or not task.get_backend().supports_defer:
        raise GaveUp(f"{task.name} failed after {attempt} attempt(s): {error!r}") from error
    run_after = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt - 1])
    retry = task.using(run_after=run_after).enqueue(**kwargs, attempt=attempt + 1)
    logger.warning(
        "%s failed (attempt %s of %s: %r); queued again for %s as task %s.",
        task.name,
        attempt,
        MAX_ATTEMPTS,
        error,
        run_after.isoformat(timespec="seconds"),
        retry.id,
    )
    return {"retried_as": retry.id, "attempt": attempt, "error": repr(error)}


def is_permanent(error):
    """A 5xx answer (an address the server does not know) will not pass by waiting."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


# --- Emails ---------------------------------------------------------------------------------


def _send(task, message, *, attempt, **kwargs):
    if message is None:
        return "nobody to tell"
    try:
        message.send()
    except SEND_ERRORS as error:
        return retry_or_give_up(task, error, attempt=attempt, **kwargs)
    return f"sent to {', '.join(message.to)}"


@task()
def send_decision_email(*, event_id, attempt=1):
    """Tell a contributor that their story was approved, rejected or unpublished."""
    message = notifications.decision_email(event_id)
    return _send(send_decision_email, message, attempt=attempt, event_id=event_id)


@task()
def send_correction_decision_email(*, correction_id, attempt=1):
    """Tell whoever proposed a correction whether it was accepted."""
    message = notifications.correction_decision_email(correction_id)
    return _send(
        send_correction_decision_email, message, attempt=attempt, correction_id=correction_id
    )


@task()
def send_queue_digest(*, recipients=None, attempt=1):
    """Email every moderator what waits; after a failure, only those not reached yet.

    The digest is worked out when the task runs, so a retry hours later tells what waits then.
    """
    digest = notifications.queue_digest()
    if digest is None:
        return "nothing waits"
    addresses = [a for a in digest.recipients if recipients is None or a in recipients]
    sent = []
    try:
        with get_connection() as connection:  # one connection for all the moderators
            for address in addresses:
                digest.message(address, connection=connection).send()
                sent.append(address)
    except SEND_ERRORS as error:
        remaining = [address for address in addresses if address not in sent]
        return retry_or_give_up(send_queue_digest, error, attempt=attempt, recipients=remaining)
    return f"sent to {len(sent)} moderator(s)"


@task()
def send_account_email(*, rendered, attempt=1):
    """Send one of django-allauth's emails, written by the request (``message_as_json``).

    Unlike the decision emails, it arrives written: its confirmation or reset link is made from
    the request (site, scheme) and allauth's state at that moment, which the worker could not
    recreate from ids. That link is a secret: the admin's "Task results" show only the
    recipient and subject of these tasks (trivia/admin/task_results.py).
    """
    return _send(
        send_account_email, message_from_json(rendered), attempt=attempt, rendered=rendered
    )


def message_as_json(message):
    """An email as the plain values a task takes: what allauth's ``render_mail`` sets."""
    if message.attachments or message.cc or message.bcc or message.reply_to:
        raise ValueError("Only a message with a body, alternatives and headers can be queued.")
    return {
        "subject": message.subject,
        "body": message.body,
        "content_subtype": message.content_subtype,
        "alternatives": [list(pair) for pair in getattr(message, "alternatives", [])],
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
    }


def message_from_json(values):
    message = EmailMultiAlternatives(
        values["subject"],
        values["body"],
        values["from_email"],
        values["to"],
        headers=values["headers"],
        alternatives=[tuple(pair) for pair in values["alternatives"]],
    )
    message.content_subtype = values["content_subtype"]
    return message


# --- Image renditions -----------------------------------------------------------------------
# kind → (model, image field, renditions field). Pages show an image without ``srcset`` until
# its copies are recorded (trivia/templatetags/responsive_images.py).
IMAGES = {
    "story": ("trivia.Anecdote", "image", "image_renditions"),
    "poster": ("trivia.Title", "poster", "poster_renditions"),
}


def make_renditions_later(instance):
    """Queue the copies of the image ``instance`` (a saved story or title) holds now.

    Queued at once, not on commit: the database backend's row commits with the image anyway,
    and the immediate backend (the tests) makes the copies inside the transaction that stores
    the image, where its row is already visible. The task checks that the row still holds the
    image, so copies of an image rolled back or replaced meanwhile are never recorded.
    """
    kind = "poster" if instance._meta.label == IMAGES["poster"][0] else "story"
    name = getattr(instance, IMAGES[kind][1]).name
    if name:
        make_image_renditions.enqueue(kind=kind, pk=instance.pk, name=name)


@task()
def make_image_renditions(*, kind, pk, name, attempt=1):
    """Make and record the copies of image ``name``, if row ``pk`` still holds it and lacks
    them. A damaged image fails at once (``ImageRejected``); a storage error is retried."""
    try:
        made = make_and_record_renditions(kind, pk, name)
    except (images.ImageRejected, FileNotFoundError):
        raise  # waiting will not mend the file: failed at once, for the admin to show
    except OSError as error:
        return retry_or_give_up(
            make_image_renditions, error, attempt=attempt, kind=kind, pk=pk, name=name
        )
    return "made" if made else "not needed: the image was replaced, deleted or has its copies"


def make_and_record_renditions(kind, pk, name):
    """Write the copies and record them on the row, which must still hold image ``name``;
    returns whether they were recorded. Also what ``manage.py make_renditions`` runs."""
    model_label, field, renditions_field = IMAGES[kind]
    model = apps.get_model(model_label)
    row = model.objects.filter(pk=pk, **{field: name}).first()
    if row is None or not lacks_renditions(getattr(row, field), getattr(row, renditions_field)):
        return False
    renditions = images.make_renditions(getattr(row, field))
    # Derived data, not content: no story version or moderation event. The image in the
    # condition keeps an image replaced meanwhile from getting these copies.
    with transaction.atomic():
        recorded = model.objects.filter(pk=pk, **{field: name}).update(
            **{renditions_field: renditions}
        )
        if recorded:
            _pages_can_offer_renditions(kind, model.objects.get(pk=pk))
    if not recorded:
        images.delete_files(getattr(row, field).storage, images.rendition_names(renditions))
    return bool(recorded)


def lacks_renditions(image, renditions):
    """No copies recorded, or a recorded copy's file is gone."""
    names = images.rendition_names(renditions)
    return not names or not all(image.storage.exists(name) for name in names)


def _pages_can_offer_renditions(kind, row):
    if kind == "story":
        publication.image_ready(row)
    else:
        publication.title_changed(row)
