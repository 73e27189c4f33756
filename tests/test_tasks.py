"""Slow work runs outside the request, on the task queue, and is never lost.

Every other test runs tasks as they are queued (conftest.py: the immediate backend). These queue
them in the database, as the site does, and run the real worker (``db_worker --batch``), with
mail servers on loopback: one that accepts connections and never answers, one that answers.
The worker closes its database connection between tasks, so these tests commit for real
(``transaction=True``).
"""

import email
import signal
import smtplib
import socket
import socketserver
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.admin_forms import title_form
from tests.factories import make_anecdote, make_moderator, make_title, make_user
from tests.test_images import image_tag
from tests.test_uploads import png_bytes, upload
from trivia import services, tasks
from trivia.models import Title

pytestmark = pytest.mark.django_db(transaction=True)

READY, FAILED, SUCCESSFUL = (
    TaskResultStatus.READY,
    TaskResultStatus.FAILED,
    TaskResultStatus.SUCCESSFUL,
)
QUEUE = "/admin/trivia/pendinganecdote/"
TASK_RESULTS = "/admin/django_tasks_database/dbtaskresult/"


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """Run what is due, as `manage.py db_worker` does, then return."""
    # The worker takes over Ctrl-C for its graceful stop; give it back to pytest afterwards.
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {number: signal.getsignal(number) for number in signals}
    try:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=StringIO())
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def results(status=None):
    queryset = DBTaskResult.objects.all()
    return list(queryset.filter(status=status) if status else queryset)


def let_time_pass():
    """The queued retries are due now, as they would be after their pause."""
    DBTaskResult.objects.filter(status=READY).update(run_after=timezone.now())


# --- Mail servers on loopback --------------------------------------------------------------


class StalledServer:
    """Accepts every connection and never says a word: a mail server that hangs."""

    def __enter__(self):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def _accept(self):
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append(connection)

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join()
        for connection in self.connections:
            connection.close()
        self.listener.close()


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 backlot-test ESMTP")
        recipients = []
        while line := self.rfile.readline():
            verb = line[:4].decode().upper()
            if verb in ("EHLO", "HELO", "NOOP", "MAIL"):
                self.reply("250 OK")
            elif verb == "RSET":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b"".join(iter(self.rfile.readline, b".\r\n"))
                self.server.messages.append((recipients, email.message_from_bytes(data)))
                recipients = []
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")


class AnsweringServer(socketserver.ThreadingTCPServer):
    """A mail server that takes every message and keeps it in ``messages``."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.port = self.server_address[1]
        self.messages = []

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


def use_smtp(settings, port, timeout):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, timeout


# --- Mail backends that fail in the ways servers do ------------------------------------------


class RefusedBackend(LocmemBackend):
    """The mail server is down: every connection is refused."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class UnknownAddressBackend(LocmemBackend):
    """The server answers, and refuses the address for good (a 5xx answer)."""

    def send_messages(self, messages):
        address = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})


class DropsAfterOneBackend(LocmemBackend):
    """Takes one message, then the connection drops."""

    def send_messages(self, messages):
        if mail.outbox:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def use_backend(settings, backend):
    settings.EMAIL_BACKEND = f"{backend.__module__}.{backend.__name__}"


# --- Decision emails ------------------------------------------------------------------------


def test_a_decision_queues_its_email_and_the_worker_sends_it(moderator):
    story = make_anecdote(text="Brad Pitt and Edward Norton learned to make soap.")
    services.approve_story(story=story, moderator=moderator)
    assert mail.outbox == []
    [queued] = results(READY)
    event = story.events.get(action="approved")
    assert queued.args_kwargs == {"args": [], "kwargs": {"event_id": event.pk}}

    run_worker()
    [message] = mail.outbox
    assert message.to == [story.contributor.email]
    assert "learned to make soap" in message.body
    assert [result.status for result in results()] == [SUCCESSFUL]


def test_a_rolled_back_decision_queues_no_email(moderator):
    story = make_anecdote()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve_story(story=story, moderator=moderator)
        raise RuntimeError("something after the decision failed")
    assert results() == []


def test_the_decision_on_a_correction_is_sent_by_the_worker(moderator):
    proposer = make_user("pat")
    correction = services.propose_correction(
        story=make_anecdote(state="published"), proposer=proposer, text="Better text."
    )
    services.accept_correction(correction=correction, moderator=moderator, message="Thanks!")
    assert mail.outbox == []
    run_worker()
    [message] = [message for message in mail.outbox if message.to == [proposer.email]]
    assert "was accepted" in message.subject and "Thanks!" in message.body


# --- Retries --------------------------------------------------------------------------------


def test_a_failed_send_is_retried_later_and_delivered_once_the_server_answers(settings, moderator):
    story = make_anecdote()
    services.approve_story(story=story, moderator=moderator)
    use_backend(settings, RefusedBackend)
    run_worker()
    assert mail.outbox == []
    [retry] = results(READY)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now()  # after a pause, not at once

    run_worker()  # not due yet: nothing happens
    assert results(READY) == [retry]

    use_backend(settings, LocmemBackend)
    let_time_pass()
    run_worker()
    [message] = mail.outbox
    assert message.to == [story.contributor.email]
    assert results(READY) == [] and results(FAILED) == []


def test_an_email_that_never_goes_through_fails_for_all_to_see_after_the_last_attempt(
    settings, moderator, client
):
    story = make_anecdote()
    services.approve_story(story=story, moderator=moderator)
    use_backend(settings, RefusedBackend)
    for _attempt in range(tasks.MAX_ATTEMPTS):
        let_time_pass()
        run_worker()
    [failed] = results(FAILED)
    assert results(READY) == []
    assert failed.args_kwargs["kwargs"]["attempt"] == tasks.MAX_ATTEMPTS
    assert failed.exception_class_path == "trivia.tasks.GaveUp"
    assert "Connection refused" in failed.traceback
    assert mail.outbox == []

    # Moderators (read-only) and superusers see it among the failed tasks, and what it was.
    event = story.events.get(action="approved")
    for user in (moderator, make_user("root", is_superuser=True, is_staff=True)):
        client.force_login(user)
        page = client.get(TASK_RESULTS, {"status__exact": "FAILED"}).content.decode()
        assert f"decision email, moderation event {event.pk}" in page
        assert "gave up" in page and "Connection refused" in page


def test_an_address_the_server_refuses_for_good_fails_at_once(settings, moderator):
    services.approve_story(story=make_anecdote(), moderator=moderator)
    use_backend(settings, UnknownAddressBackend)
    run_worker()
    [failed] = results(FAILED)
    assert "No such user" in failed.traceback
    assert results(READY) == []


# --- The moderator's bulk approval against a stalled mail server -----------------------------


def test_bulk_approval_with_a_stalled_mail_server_returns_at_once_and_loses_no_email(
    settings, moderator
):
    stories = [make_anecdote() for _ in range(50)]
    addresses = sorted(story.contributor.email for story in stories)
    moderator_client = Client()
    moderator_client.force_login(moderator)

    with StalledServer() as stalled:
        # A generous timeout: any email sent from the request would hold it this long each.
        use_smtp(settings, stalled.port, timeout=5)
        response = moderator_client.post(
            QUEUE,
            {
                "action": "approve_selected",
                "index": 0,
                "_selected_action": [story.pk for story in stories],
            },
        )
        assert response.status_code == 302
        assert stalled.connections == []  # the request never reached for the mail server
        assert len(results(READY)) == 50

        # The worker tries each, waits EMAIL_TIMEOUT, and queues each again for later.
        settings.EMAIL_TIMEOUT = 0.1
        run_worker()
        assert len(stalled.connections) == 50
        retries = results(READY)
        assert len(retries) == 50
        assert {retry.args_kwargs["kwargs"]["attempt"] for retry in retries} == {2}
        assert results(FAILED) == []

    with AnsweringServer() as server:
        use_smtp(settings, server.port, timeout=5)
        let_time_pass()
        run_worker()
    delivered = sorted(
        recipient for recipients, _message in server.messages for recipient in recipients
    )
    assert delivered == addresses  # every contributor once, nobody twice
    assert all("published" in message["Subject"] for _to, message in server.messages)
    assert results(READY) == [] and results(FAILED) == []


# --- The moderators' digest -----------------------------------------------------------------


def test_the_digest_is_queued_and_a_moderator_not_reached_is_retried_alone(settings):
    make_moderator("ann"), make_moderator("bob")
    make_anecdote()
    out = StringIO()
    call_command("queue_digest", stdout=out)
    assert "Digest for 2 moderators queued" in out.getvalue()
    assert mail.outbox == []

    use_backend(settings, DropsAfterOneBackend)
    run_worker()
    assert [message.to for message in mail.outbox] == [["ann@example.test"]]
    [retry] = results(READY)
    assert retry.args_kwargs["kwargs"]["recipients"] == ["bob@example.test"]

    use_backend(settings, LocmemBackend)
    let_time_pass()
    run_worker()
    assert [message.to for message in mail.outbox] == [["ann@example.test"], ["bob@example.test"]]


# --- Image copies ---------------------------------------------------------------------------


def test_a_new_poster_shows_without_srcset_until_the_worker_made_its_copies(moderator):
    title = make_title("Jaws", year=1975)
    make_anecdote(title=title, state="published")
    admin = Client()
    admin.force_login(moderator)
    response = admin.post(
        f"/admin/trivia/title/{title.pk}/change/",
        title_form(title, poster=upload(png_bytes(size=(800, 1200)), "poster.png")),
    )
    assert response.status_code == 302
    assert Title.objects.get(pk=title.pk).poster_renditions == {}
    [queued] = [result for result in results(READY) if "renditions" in result.task_path]
    assert queued.args_kwargs["kwargs"]["kind"] == "poster"
    reader = Client()
    img = image_tag(reader.get(title.get_absolute_url()).content.decode(), "title-header__poster")
    assert "srcset" not in img  # the original, until the copies exist

    run_worker()
    title.refresh_from_db()
    assert [source["width"] for source in title.poster_renditions["sources"]] == [320, 640, 800]
    img = image_tag(reader.get(title.get_absolute_url()).content.decode(), "title-header__poster")
    assert 'srcset="' in img and "800w" in img  # and the cached page knew it
