"""django-allauth's hooks, set to Backlot's rules and words (``ACCOUNT_ADAPTER``)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from allauth.core import context as allauth_context
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.db import DatabaseError

from trivia import tasks

from . import usernames


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. Wait a few minutes and try again, "
            "or reset your password."
        ),
        "username_blacklisted": "This username is reserved. Please choose another one.",
        "username_password_mismatch": "The username or password is not correct.",
        "email_password_mismatch": "The email address or password is not correct.",
    }

    def _get_login_attempts_cache_key(self, request, **credentials):
        """One count of failed sign-ins per account, whichever of its name or email address
        (in any case) is typed: allauth counts per typed string, so alternating the two would
        give a guesser twice the attempts. A login that names no account is counted as typed.
        (An allauth hook without a public name; tests/test_shared_limits.py holds it.)"""
        login = credentials.get("email") or credentials.get("username") or ""
        accounts = list(filter_users_by_username(login)) or filter_users_by_email(login)
        if len(accounts) != 1:
            return super()._get_login_attempts_cache_key(request, **credentials)
        return f"{get_current_site(request).domain}:account:{accounts[0].pk}"

    def authenticate(self, request, **credentials):
        """A sign-in the database could not check (an error page) is no failed attempt.
        allauth counts each attempt against ``login_failed`` before checking the password and
        gives it back only on success: five presses of "Sign in" during a database restart
        would otherwise lock the account for five minutes, the right password refused."""
        try:
            return super().authenticate(request, **credentials)
        except DatabaseError:
            self._rollback_login_failed_rl_usage()
            raise

    def clean_username(self, username, shallow=False):
        """Usernames are part of a public address (/users/<username>/): one made only of dots
        would be read as "this folder" or "the folder above" by browsers, so refuse those.

        allauth checks the model's validator (ASCII only) and reserved and taken names ignoring
        ASCII case; a name is also refused when it reads as a reserved or existing one once
        normalised (``accounts.usernames``): "moderator" beside an older "ｍoderator"."""
        username = super().clean_username(username, shallow=shallow)
        if not any(character.isalnum() for character in username):
            raise forms.ValidationError("A username needs at least one letter or digit.")
        if usernames.is_reserved(username):
            raise self.validation_error("username_blacklisted")
        if not shallow:
            usernames.check_unique(username)
        return username

    def send_mail(self, template_prefix, email, context):
        """Every email allauth sends (confirm your address, reset your password, your password
        or address was changed, someone tried to sign up with your address) is written here,
        in the request, and queued for the task worker, which sends it and retries as it does
        the moderation emails (``trivia.tasks.send_account_email``). A mail server that is down
        or hangs costs the request nothing: no error page, no sign-up left half made.

        Queued at once, as ``trivia.tasks.make_renditions_later`` queues: the database backend
        writes the task's row in the request's transaction, so the email exists exactly when
        the sign-up commits (all that ``enqueue_on_commit`` does with that backend) and a
        rolled-back sign-up sends nothing. The immediate backend the tests use sends it at
        once, inside their never-committed transaction, where allauth's tests read it.
        The context is built as allauth's own ``send_mail`` builds it (django-allauth 65).
        """
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
            },
        )
        tasks.send_account_email.enqueue(rendered=tasks.message_as_json(message))
