"""Contributors hear about every decision on their stories, by email, after it is committed."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from django.core import mail
from django.db import transaction

from tests.factories import make_anecdote
from trivia import services

pytestmark = pytest.mark.django_db


def test_approval_emails_the_contributor_a_link_after_commit(
    moderator, django_capture_on_commit_callbacks
):
    anecdote = make_anecdote(text="Brad Pitt and Edward Norton learned to make soap.")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_story(story=anecdote, moderator=moderator)
    [message] = mail.outbox
    assert message.to == [anecdote.contributor.email]
    assert "published" in message.subject
    assert f"/anecdotes/{anecdote.pk}/" in message.body
    assert "learned to make soap" in message.body


def test_rejection_email_gives_the_reason_and_the_message(
    moderator, django_capture_on_commit_callbacks
):
    anecdote = make_anecdote()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_story(
            story=anecdote, moderator=moderator, reason="rumour", message="Find an interview."
        )
    [message] = mail.outbox
    assert "not accepted" in message.subject
    assert "Reason: Rumour or opinion" in message.body
    assert "Find an interview." in message.body


def test_unpublishing_emails_the_contributor(moderator, django_capture_on_commit_callbacks):
    anecdote = make_anecdote(state="published")
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_story(
            story=anecdote, moderator=moderator, reason="duplicate", message="Told twice."
        )
    [message] = mail.outbox
    assert "taken off the site" in message.subject
    assert "Told twice." in message.body


def test_no_email_when_the_decision_is_rolled_back(moderator, django_capture_on_commit_callbacks):
    anecdote = make_anecdote()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.approve_story(story=anecdote, moderator=moderator)
            raise RuntimeError("something after the decision failed")
    assert callbacks == []
    assert mail.outbox == []


def test_a_refused_decision_sends_nothing(moderator, django_capture_on_commit_callbacks):
    anecdote = make_anecdote(state="published")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(services.ModerationError):
            services.reject_story(
                story=anecdote, moderator=moderator, reason="other", message="Why."
            )
    assert mail.outbox == []


def test_a_moderator_approving_their_own_import_gets_no_email(
    moderator, django_capture_on_commit_callbacks
):
    anecdote = make_anecdote(contributor=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_story(story=anecdote, moderator=moderator)
    assert mail.outbox == []


@pytest.mark.parametrize("decision, word", [("accept", "accepted"), ("reject", "not accepted")])
def test_the_proposer_of_a_correction_hears_the_decision(
    moderator, django_capture_on_commit_callbacks, decision, word
):
    from tests.factories import make_user

    anecdote = make_anecdote(state="published")
    correction = services.propose_correction(
        story=anecdote, proposer=make_user(), text="Better text."
    )
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, f"{decision}_correction")(
            correction=correction, moderator=moderator, message="Thanks!"
        )
    [message] = mail.outbox
    assert message.to == [correction.proposer.email]
    assert f"was {word}" in message.subject
    assert "Thanks!" in message.body


def test_the_email_is_written_when_its_task_runs_and_skipped_if_the_story_is_gone(moderator):
    from trivia import tasks

    anecdote = make_anecdote()
    services.approve_story(story=anecdote, moderator=moderator)  # its task is not run here
    event = anecdote.events.get(action="approved")
    anecdote.delete()
    assert tasks.send_decision_email.call(event_id=event.pk) == "nobody to tell"
    assert mail.outbox == []


def test_a_mail_server_that_is_down_never_fails_the_decision(
    moderator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_tasks.RefusedBackend"
    anecdote = make_anecdote()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_story(story=anecdote, moderator=moderator)
    anecdote.refresh_from_db()
    assert anecdote.state == "published"
    assert mail.outbox == []  # retried by the worker (tests/test_tasks.py)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_links_emails_to_the_port_it_serves_on(
    moderator, settings, django_capture_on_commit_callbacks
):
    """The task worker writes emails with no request to read the port from: `make run` hands
    it, and the server, the address it serves as SITE_URL, which the settings read."""
    commands = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    exported = re.search(r"export SITE_URL=(\S+);", commands)
    assert exported, "make run gives the server and the worker no SITE_URL"
    started = commands[exported.end() :]
    assert "manage.py db_worker" in started and "runserver 127.0.0.1:8123" in started
    read = subprocess.run(
        [sys.executable, "-c", "from trivia import settings; print(settings.SITE_URL)"],
        env={**os.environ, "SITE_URL": exported.group(1)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert read == "http://127.0.0.1:8123"

    settings.SITE_URL = read
    anecdote = make_anecdote()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_story(story=anecdote, moderator=moderator)
    [message] = mail.outbox
    assert f"http://127.0.0.1:8123/anecdotes/{anecdote.pk}/" in message.body
