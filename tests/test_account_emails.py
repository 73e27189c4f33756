"""Accounts work with the mail server down or hanging (issue 16, finding 1).

django-allauth's emails (confirm your address, reset your password, your password was changed)
leave the request through the task queue, as the moderation emails do: the request writes the
email and queues it (accounts/adapter.py), the worker sends it and retries (trivia/tasks.py).
As in tests/test_tasks.py, tasks are queued in the database and the real worker runs them, so
these tests commit for real. Pages are read with a client that answers 500 as a visitor would
see it, instead of raising.
"""

import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError
from django.test import Client
from django_tasks_db.backend import DatabaseBackend

from tests.factories import PASSWORD, make_moderator, make_user, verified_user
from tests.ports import free_port
from tests.test_tasks import (
    READY,
    SUCCESSFUL,
    TASK_RESULTS,
    AnsweringServer,
    StalledServer,
    let_time_pass,
    results,
    run_worker,
    use_backend,
    use_smtp,
)

pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()

NEW_PASSWORD = "a-brand-new-passphrase-42"
ACCOUNT_EMAIL = "trivia.tasks.send_account_email"


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


@pytest.fixture(params=["refused", "stalled"])
def mail_server_down(request, settings):
    """Nothing listens on the mail port, or a server accepts and never answers. Yields the
    stalled server (whose ``connections`` tell whether anyone reached for it) or None."""
    if request.param == "refused":
        use_smtp(settings, free_port(), timeout=1)
        yield None
    else:
        with StalledServer() as stalled:
            use_smtp(settings, stalled.port, timeout=1)
            yield stalled
            assert stalled.connections == []  # no request reached for the mail server


def sign_up(visitor, username="newcomer"):
    return visitor.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": f"{username}@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "website": "",
        },
    )


def queued_emails():
    """The account emails waiting for the worker: (recipients, subject, body)."""
    return [
        (rendered["to"], rendered["subject"], rendered["body"])
        for rendered in (
            result.args_kwargs["kwargs"]["rendered"]
            for result in results(READY)
            if result.task_path == ACCOUNT_EMAIL
        )
    ]


def link_in(body, path_prefix):
    match = re.search(r"https?://testserver(" + re.escape(path_prefix) + r"\S+)", body)
    assert match, body
    return match.group(1)


# --- The request never waits on the mail server -------------------------------------------------


def test_sign_up_with_the_mail_server_down_makes_one_whole_account(visitor, mail_server_down):
    response = sign_up(visitor)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="newcomer")  # exactly one
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified) == ("newcomer@example.test", False)
    [(to, subject, body)] = queued_emails()
    assert to == ["newcomer@example.test"] and subject.startswith("[Backlot] ")
    assert "/accounts/confirm-email/" in body

    # The account is whole: it signs in the way an unconfirmed one does, told to confirm.
    signing_in = visitor.post("/accounts/login/", {"login": "newcomer", "password": NEW_PASSWORD})
    assert signing_in.status_code == 302
    assert "not confirmed yet" in visitor.get(signing_in["Location"]).content.decode()


def test_a_sign_up_that_fails_half_way_leaves_nothing_and_can_be_made_again(
    visitor, mail_server_down
):
    # The email cannot be queued (the database refused the write): the whole sign-up is undone.
    with mock.patch.object(DatabaseBackend, "enqueue", side_effect=OperationalError("disk full")):
        assert sign_up(visitor).status_code == 500
    assert not User.objects.filter(username="newcomer").exists()
    assert not EmailAddress.objects.exists()

    again = sign_up(visitor)
    assert again.status_code == 302  # not "A user with that username already exists."
    assert User.objects.filter(username="newcomer").count() == 1
    assert [to for to, _subject, _body in queued_emails()] == [["newcomer@example.test"]]


def test_an_unconfirmed_account_signs_in_with_the_mail_server_down(visitor, mail_server_down):
    make_user("dallas")  # no confirmed address
    response = visitor.post("/accounts/login/", {"login": "dallas", "password": PASSWORD})
    assert response.status_code == 302
    assert "not confirmed yet" in visitor.get(response["Location"]).content.decode()
    [(to, _subject, body)] = queued_emails()  # the fresh link, queued
    assert to == ["dallas@example.test"] and "/accounts/confirm-email/" in body


def test_password_reset_with_the_mail_server_down(visitor, mail_server_down):
    verified_user("hicks")
    response = visitor.post("/accounts/password/reset/", {"email": "hicks@example.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    [(to, _subject, body)] = queued_emails()
    assert to == ["hicks@example.test"] and "/accounts/password/reset/key/" in body


def test_the_password_changed_notice_is_queued_too(visitor, mail_server_down):
    user = verified_user("bishop")
    visitor.force_login(user)
    response = visitor.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert [to for to, _subject, _body in queued_emails()] == [["bishop@example.test"]]


# --- The worker sends them ----------------------------------------------------------------------


def test_a_queued_confirmation_is_retried_and_sent_once_the_mail_server_is_back(visitor, settings):
    use_smtp(settings, free_port(), timeout=1)
    assert sign_up(visitor).status_code == 302
    run_worker()  # refused: queued again for later
    [retry] = results(READY)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2

    with AnsweringServer() as server:
        use_smtp(settings, server.port, timeout=5)
        let_time_pass()
        run_worker()
    [(recipients, message)] = server.messages
    assert recipients == ["newcomer@example.test"]
    assert message["Subject"].startswith("[Backlot] ")
    assert "/accounts/confirm-email/" in message.get_payload(decode=True).decode()
    assert results(READY) == []
    assert [result.status for result in results() if result.task_path == ACCOUNT_EMAIL] == [
        SUCCESSFUL,
        SUCCESSFUL,
    ]  # the refused attempt (which queued the retry) and the one delivered


def test_the_confirmation_link_of_the_queued_email_lets_the_account_sign_in(visitor, settings):
    use_backend(settings, LocmemBackend)
    assert sign_up(visitor, "ripley").status_code == 302
    assert mail.outbox == []  # queued, not sent from the request
    run_worker()
    [message] = mail.outbox
    assert message.to == ["ripley@example.test"]
    confirm = link_in(message.body, "/accounts/confirm-email/")

    assert "ripley@example.test" in visitor.get(confirm).content.decode()
    assert visitor.post(confirm).status_code == 302
    assert EmailAddress.objects.get(user__username="ripley").verified
    signing_in = visitor.post("/accounts/login/", {"login": "ripley", "password": NEW_PASSWORD})
    assert signing_in.status_code == 302
    assert "_auth_user_id" in visitor.session


# --- What the admin shows of them -------------------------------------------------------------


def test_the_task_results_pages_show_an_account_emails_recipient_and_subject_not_its_link(
    visitor,
):
    verified_user("hicks")
    assert sign_up(visitor).status_code == 302
    reset = visitor.post("/accounts/password/reset/", {"email": "hicks@example.test"})
    assert reset.status_code == 302
    emails = {to[0]: (subject, body) for to, subject, body in queued_emails()}
    secrets = [
        link_in(emails["newcomer@example.test"][1], "/accounts/confirm-email/"),
        link_in(emails["hicks@example.test"][1], "/accounts/password/reset/key/"),
    ]

    for user in (make_moderator("mod"), make_user("root", is_superuser=True, is_staff=True)):
        staff = Client()
        staff.force_login(user)
        listing = staff.get(TASK_RESULTS).content.decode()
        for address, (subject, _body) in emails.items():
            assert f"account email to {address}: {subject}" in listing
        for result in results(READY):
            page = staff.get(f"{TASK_RESULTS}{result.id}/change/")
            assert page.status_code == 200
            html = page.content.decode()
            assert result.args_kwargs["kwargs"]["rendered"]["subject"] in html
            assert "not shown: it holds a sign-in link" in html
            for secret in secrets:
                key = secret.rstrip("/").rsplit("/", 1)[-1]
                assert secret not in html and key not in html
