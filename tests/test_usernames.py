"""Usernames that pass for someone else's (issue 16, finding 5): names with look-alike letters,
and names that read as a reserved or an existing one, are refused at sign-up, in the admin and
by createsuperuser; an account named before the rule keeps signing in and keeps its page."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import PASSWORD, make_user
from tests.test_accounts import sign_in, sign_up, signed_in, verified

pytestmark = pytest.mark.django_db
User = get_user_model()

ADD_USER = "/admin/accounts/user/add/"
ASCII_ONLY = "Use only unaccented letters a–z, digits and . @ + - _ in a username"

# The look-alikes of the demo's accounts.
LOOKALIKES = {
    "Cyrillic a": "\u0430dmin",  # аdmin
    "full-width m": "\uff4doderator",  # ｍoderator
    "full-width c": "\uff43ontributor",  # ｃontributor
}


@pytest.fixture
def demo_accounts():
    """The accounts the look-alikes imitate, as the demo has them."""
    return [make_user(name) for name in ("admin", "moderator", "contributor")]


def legacy_account(username):
    """An account named before the ASCII rule, as allauth's sign-up stored it then: as typed
    (``create_user`` would normalise the name)."""
    user = User.objects.create_user(
        username="legacy", email="legacy@example.test", password=PASSWORD
    )
    User.objects.filter(pk=user.pk).update(username=username)
    user.refresh_from_db()
    return verified(user)


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def add_user(client, username):
    return client.post(
        ADD_USER,
        {
            "username": username,
            "usable_password": "true",
            "password1": "a-brand-new-passphrase-42",
            "password2": "a-brand-new-passphrase-42",
            "_save": "Save",
        },
    )


# --- Sign-up -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", LOOKALIKES.values(), ids=list(LOOKALIKES))
def test_a_look_alike_username_is_refused_at_sign_up_with_a_message(
    client, demo_accounts, username
):
    response = sign_up(client, username, email="impostor@example.test")
    assert response.status_code == 200
    assert ASCII_ONLY in response.content.decode()
    assert not User.objects.filter(email="impostor@example.test").exists()
    assert User.objects.count() == len(demo_accounts)


@pytest.mark.parametrize("taken", ["Moderator", "MODERATOR", "Contributor"])
def test_a_name_differing_only_in_case_from_an_existing_one_is_refused(
    client, demo_accounts, taken
):
    response = sign_up(client, taken, email="second@example.test")
    assert response.status_code == 200
    page = response.content.decode()
    assert "reserved" in page or "already exists" in page
    assert not User.objects.filter(email="second@example.test").exists()


def test_a_name_reading_as_an_older_look_alike_account_is_refused(client):
    legacy_account("\uff43ontributor")
    response = sign_up(client, "Contributor", email="second@example.test")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This username is taken: “ｃontributor” already exists" in page
    assert not User.objects.filter(email="second@example.test").exists()


def test_an_ascii_name_nobody_has_is_still_welcome(client, demo_accounts):
    response = sign_up(client, "ripley.8+crew@set_b-2", email="ripley@example.test")
    assert response.status_code == 302
    assert User.objects.filter(username="ripley.8+crew@set_b-2").exists()


def test_an_account_named_before_the_rule_still_signs_in_and_keeps_its_page(client):
    legacy_account("\u0430lice")  # аlice, with a Cyrillic а
    assert sign_in(client, "\u0430lice").status_code == 302
    assert signed_in(client)
    assert Client().get("/users/\u0430lice/").status_code == 200


# --- The admin and createsuperuser ---------------------------------------------------------------


@pytest.mark.parametrize("username", LOOKALIKES.values(), ids=list(LOOKALIKES))
def test_the_admins_add_user_form_refuses_a_look_alike(superuser_client, demo_accounts, username):
    response = add_user(superuser_client, username)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["username"]
    assert User.objects.count() == len(demo_accounts) + 1  # the demo's and root


def test_the_admins_add_user_form_refuses_a_name_reading_as_an_older_account(superuser_client):
    legacy_account("\uff43ontributor")
    response = add_user(superuser_client, "contributor")
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["username"])
    assert not User.objects.filter(username="contributor").exists()


def test_the_admin_still_edits_an_account_named_before_the_rule(superuser_client):
    older = legacy_account("\u0430lice")
    response = superuser_client.post(
        f"/admin/accounts/user/{older.pk}/change/",
        {
            "username": older.username,
            "email": "",
            "first_name": "",
            "last_name": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    older.refresh_from_db()
    assert (older.username, older.is_active) == ("\u0430lice", False)


def test_the_admin_cannot_rename_an_account_to_a_look_alike(superuser_client, demo_accounts):
    ripley = make_user("ripley")
    response = superuser_client.post(
        f"/admin/accounts/user/{ripley.pk}/change/",
        {
            "username": "\u0430dmin",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert ASCII_ONLY in str(response.context["adminform"].form.errors["username"])
    ripley.refresh_from_db()
    assert ripley.username == "ripley"


def test_createsuperuser_refuses_a_look_alike():
    with pytest.raises(CommandError, match="unaccented letters"):
        call_command(
            "createsuperuser", interactive=False, username="\u0430dmin", email="a@example.test"
        )
    assert not User.objects.exists()
