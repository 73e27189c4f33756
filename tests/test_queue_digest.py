"""The moderators' digest of what waits, and for how long."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_anecdote, make_moderator, make_user
from trivia import services
from trivia.models import Anecdote

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("queue_digest", *args, stdout=out)
    return out.getvalue()


def test_digest_tells_every_moderator_what_waits_and_since_when():
    make_moderator("ann"), make_moderator("bob"), make_user("reader")
    old = make_anecdote()
    Anecdote.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    make_anecdote()
    published = make_anecdote(state="published")
    services.report_story(story=published, reporter=None, reason="inaccurate")
    run()
    recipients = {message.to[0] for message in mail.outbox}
    assert {"ann@example.test", "bob@example.test"} <= recipients
    assert "reader@example.test" not in recipients
    body = mail.outbox[0].body
    assert "2 stories in the queue, the oldest waiting for 3\xa0days" in body
    assert "1 open report," in body
    assert "corrections" not in mail.outbox[0].subject


def test_no_digest_when_nothing_waits():
    make_moderator("ann")
    make_anecdote(state="published")
    assert "Nothing waits" in run()
    assert mail.outbox == []


def test_dry_run_prints_the_digest_and_sends_nothing():
    make_moderator("ann")
    make_anecdote()
    output = run("--dry-run")
    assert "Would send to 1 moderators" in output and "1 story in the queue" in output
    assert mail.outbox == []


def test_now_sends_the_digest_from_this_process():
    make_moderator("ann")
    make_anecdote()
    assert "Digest sent to 1 moderator(s): Backlot: 1 story in the queue" in run("--now")
    assert [message.to for message in mail.outbox] == [["ann@example.test"]]


def test_the_digest_is_queued_for_the_task_worker(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_moderator("ann"), make_moderator("bob")
    make_anecdote()
    assert "Digest for 2 moderators queued" in run()
    assert mail.outbox == []  # tests/test_tasks.py runs the worker
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "trivia.tasks.send_queue_digest"
