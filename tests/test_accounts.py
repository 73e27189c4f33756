"""Accounts (issue 4): sign-up with a verified address, sign-in by username or email, sign-out,
password reset and change, the honeypot, and the limits on sign-ups and failed sign-ins."""

import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.caching import clear_caches
from tests.factories import PASSWORD, make_moderator, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def signed_in(client):
    return "_auth_user_id" in client.session


def sign_in(client, login, password=PASSWORD):
    return client.post(LOGIN, {"login": login, "password": password})


def admin_sign_in(client, username, password=PASSWORD):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def sign_up(client, username="newcomer", email=None, **extra):
    data = {
        "username": username,
        "email": email or f"{username}@example.test",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "website": "",
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def link_in(message, path_prefix):
    match = re.search(r"https?://testserver(" + re.escape(path_prefix) + r"\S+)", message.body)
    assert match, message.body
    return match.group(1)


# --- Sign-up and email verification ---------------------------------------------------------


def test_sign_up_page_has_the_site_layout_and_the_form(client):
    html = client.get("/accounts/signup/").content.decode()
    assert "css/site.css" in html and "<h1>Create an account</h1>" in html
    for name in ("username", "email", "password1", "password2"):
        assert f'name="{name}"' in html
    assert 'name="robots" content="noindex"' in html


def test_sign_up_sends_a_verification_email_whose_link_lets_the_account_sign_in(client):
    response = sign_up(client, "ripley")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not signed_in(client)
    user = User.objects.get(username="ripley")
    assert not EmailAddress.objects.get(user=user).verified

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ripley@example.test"]
    assert message.subject.startswith("[Backlot] ")
    confirm = link_in(message, "/accounts/confirm-email/")

    page = client.get(confirm)
    assert page.status_code == 200
    assert "ripley@example.test" in page.content.decode()
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    assert sign_in(client, "ripley", NEW_PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_unverified_account_cannot_sign_in_and_is_told_to_confirm_its_address(client):
    make_user("dallas")  # no verified address
    response = sign_in(client, "dallas")
    assert response.status_code == 302
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "Confirm your email address" in page
    assert "not confirmed yet" in page
    assert len(mail.outbox) == 1  # a fresh link, in case the first one was lost


def test_an_expired_or_wrong_confirmation_link_says_so(client):
    page = client.get("/accounts/confirm-email/not-a-real-key/")
    assert page.status_code == 200
    assert "expired or is not valid" in page.content.decode()


def test_an_address_already_in_use_creates_no_second_account(client):
    verified(make_user("ripley", email="ripley@example.test"))
    response = sign_up(client, "ripley2", email="Ripley@Example.test")
    # The same answer as for a new address, so the form does not reveal who has an account;
    # the owner of the address is told by email instead.
    assert response.status_code == 302
    assert not User.objects.filter(username="ripley2").exists()
    assert mail.outbox[0].to == ["ripley@example.test"]


@pytest.mark.parametrize("username", ["admin", "Moderator", "..", "."])
def test_reserved_or_dot_only_usernames_are_refused(client, username):
    response = sign_up(client, username, email="someone@example.test")
    assert response.status_code == 200
    assert 'class="form-field__error"' in response.content.decode()
    assert not User.objects.filter(email="someone@example.test").exists()


def test_a_weak_password_gets_a_clear_message_and_creates_nothing(client):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "kane",
            "email": "kane@example.test",
            "password1": "123",
            "password2": "123",
        },
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="kane").exists()


# --- Honeypot and sign-up limit -------------------------------------------------------------


def test_the_honeypot_field_is_hidden_from_people(client):
    html = client.get("/accounts/signup/").content.decode()
    assert re.search(r'<div class="honeypot" aria-hidden="true">\s*<label', html)
    assert re.search(r'name="website"[^>]*tabindex="-1"', html)


def test_a_filled_honeypot_creates_no_account_and_sends_no_email(client):
    response = sign_up(client, "botty", website="http://spam.example")
    # Answered like a success, so the bot learns nothing.
    assert response.status_code == 302
    assert not User.objects.filter(username="botty").exists()
    assert mail.outbox == []


def test_sign_ups_from_one_address_are_limited_with_a_friendly_429(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (3, 3600)}
    for number in range(3):
        assert sign_up(client, f"crew{number}").status_code == 302
    limited = sign_up(client, "crew3")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "3600"
    assert "Too many requests" in limited.content.decode()
    assert not User.objects.filter(username="crew3").exists()
    # Another address is not affected.
    other = client.post(
        reverse("account_signup"),
        {
            "username": "crew4",
            "email": "crew4@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        REMOTE_ADDR="10.9.8.7",
    )
    assert other.status_code == 302
    assert User.objects.filter(username="crew4").exists()


def test_fixing_typos_in_the_sign_up_form_does_not_use_up_the_limit(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (1, 3600)}
    for _ in range(3):
        typo = client.post(
            reverse("account_signup"),
            {"username": "lambert", "email": "lambert@example.test", "password1": "x"},
        )
        assert typo.status_code == 200
    assert sign_up(client, "lambert").status_code == 302
    assert User.objects.filter(username="lambert").exists()


# --- Signing in and out ---------------------------------------------------------------------


def test_login_page_has_the_site_layout(client):
    html = client.get(LOGIN).content.decode()
    assert "css/site.css" in html and "<h1>Sign in</h1>" in html
    assert "Username or email" in html
    assert 'href="/accounts/password/reset/"' in html


def test_signing_in_with_the_username_goes_back_to_the_page_asked_for(client):
    verified(make_user("parker"))
    response = client.post(
        LOGIN, {"login": "parker", "password": PASSWORD, "next": "/accounts/submissions/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/submissions/"
    assert signed_in(client)


def test_signing_in_with_the_email_address_works(client):
    verified(make_user("brett", email="brett@example.test"))
    response = sign_in(client, "BRETT@example.test")
    assert response.status_code == 302
    assert signed_in(client)


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    verified(make_user("ash"))
    response = sign_in(client, "ash", "not-my-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-errors" role="alert"' in html
    assert "The username or password is not correct." in html
    assert not signed_in(client)


def test_signing_out_takes_a_post_and_the_header_offers_it(client):
    user = verified(make_user("ripley"))
    client.force_login(user)
    header = client.get("/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/">', header)
    assert 'href="/accounts/submissions/"' in header and "My submissions" in header
    # A link or an image cannot sign anyone out: GET only asks.
    assert client.get("/accounts/logout/").status_code == 200
    assert signed_in(client)
    assert client.post("/accounts/logout/").status_code == 302
    assert not signed_in(client)


def test_the_header_offers_sign_in_sign_up_and_submitting_a_story(client):
    html = client.get("/titles/").content.decode()
    assert 'href="/accounts/login/?next=/titles/"' in html
    assert 'href="/accounts/signup/"' in html
    assert 'href="/submit/"' in html and "Submit a story" in html
    assert "My submissions" not in html


# --- Passwords --------------------------------------------------------------------------------


def test_password_reset_email_lets_the_user_choose_a_new_password(client):
    verified(make_user("hicks", email="hicks@example.test"))
    response = client.post("/accounts/password/reset/", {"email": "hicks@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = link_in(mail.outbox[0], "/accounts/password/reset/key/")

    # The key moves from the address into the session, so it does not leak via Referer.
    form_url = client.get(link)["Location"]
    assert "Choose a new password" in client.get(form_url).content.decode()
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert "Your password is changed" in client.get(done["Location"]).content.decode()

    assert sign_in(client, "hicks", PASSWORD).status_code == 200  # the old one is gone
    assert sign_in(client, "hicks", NEW_PASSWORD).status_code == 302
    assert signed_in(client)


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


def test_changing_the_password_needs_the_current_one_and_tells_the_owner(client):
    user = verified(make_user("bishop"))
    client.force_login(user)
    page = client.get("/accounts/password/change/")
    assert "Change your password" in page.content.decode()
    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "guess", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert [message.to for message in mail.outbox] == [[user.email]]


# --- Failed sign-in throttle, on both sign-in pages -----------------------------------------------


@pytest.mark.parametrize(
    ("make_account", "sign_in_on_the_page"),
    [
        pytest.param(lambda: verified(make_user("vasquez")), sign_in, id="site"),
        pytest.param(lambda: make_moderator("gorman"), admin_sign_in, id="admin"),
    ],
)
def test_after_five_wrong_passwords_even_the_right_one_is_refused(
    client, make_account, sign_in_on_the_page
):
    username = make_account().get_username()
    for _ in range(5):
        assert sign_in_on_the_page(client, username, "wrong").status_code == 200
    response = sign_in_on_the_page(client, username)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)


def test_failures_on_either_page_count_against_the_same_limit(client):
    verified(make_moderator("gorman"))
    for _ in range(3):
        sign_in(client, "gorman", "wrong")
    for _ in range(2):
        admin_sign_in(client, "gorman", "wrong")
    assert "Too many failed" in admin_sign_in(client, "gorman").content.decode()
    assert "Too many failed" in sign_in(client, "gorman").content.decode()
    assert not signed_in(client)


def test_the_failure_count_lives_in_the_shared_cache(client):
    """Counted in Django's cache (Redis in production), so every worker process sees it."""
    verified(make_user("vasquez"))
    for _ in range(5):
        sign_in(client, "vasquez", "wrong")
    assert sign_in(client, "vasquez").status_code == 200  # refused
    clear_caches()
    assert sign_in(client, "vasquez").status_code == 302


def test_one_blocked_account_leaves_the_others_alone(client):
    verified(make_user("vasquez"))
    verified(make_user("drake"))
    for _ in range(6):
        sign_in(client, "vasquez", "wrong")
    assert sign_in(client, "drake").status_code == 302
    assert signed_in(client)


def test_staff_sign_in_on_the_admin_login_page_still_works(client):
    make_moderator("gorman")  # no verified address needed for the admin
    response = admin_sign_in(client, "gorman")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_contributor_cannot_sign_in_on_the_admin_login_page(client):
    make_user("newt")
    response = admin_sign_in(client, "newt")
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert not signed_in(client)


def test_allauths_own_limits_answer_with_the_sites_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        assert sign_in(client, "anyone", "wrong").status_code == 200
    limited = sign_in(client, "anyone", "wrong")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "300"
    assert "Too many requests" in limited.content.decode()
    assert "about 5 minutes" in limited.content.decode()


# --- Demo users and settings --------------------------------------------------------------------


def test_demo_users_sign_in_on_the_site_and_the_moderator_reaches_the_admin(client):
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert "/accounts/login/" in out.getvalue()
    assert sign_in(client, "contributor", "backlot-contributor").status_code == 302
    client.post("/accounts/logout/")
    assert sign_in(client, "moderator", "backlot-moderator").status_code == 302
    assert client.get("/admin/").status_code == 200


def production_settings(**env):
    """Settings as a production process would read them from its environment."""
    code = (
        "from trivia import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
        "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, sep='|')"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50, **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().split("|")


def test_production_sends_mail_through_the_smtp_server_from_the_environment():
    assert production_settings(
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="backlot",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
    ) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "backlot",
        "s3cret",
        "True",
    ]


def test_development_prints_mail_to_the_console():
    backend = production_settings(DJANGO_DEBUG="1")[0]
    assert backend == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.django_db
def test_sign_ins_that_met_a_database_error_do_not_lock_the_account(client):
    """A database restart while someone presses "Sign in" five times: error pages, then the
    right password still signs them in (found by the soak)."""
    from unittest import mock

    from django.contrib.auth.backends import ModelBackend
    from django.db import OperationalError

    from tests.factories import verified_user

    verified_user("dbdown")
    client.raise_request_exception = False
    with mock.patch.object(ModelBackend, "authenticate", side_effect=OperationalError("down")):
        for _ in range(5):
            assert sign_in(client, "dbdown").status_code == 500
    assert sign_in(client, "dbdown").status_code == 302
