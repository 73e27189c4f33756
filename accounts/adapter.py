"""django-allauth's hooks, set to Backlot's rules and words (``ACCOUNT_ADAPTER``)."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.db import DatabaseError


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
        would be read as "this folder" or "the folder above" by browsers, so refuse those."""
        username = super().clean_username(username, shallow=shallow)
        if not any(character.isalnum() for character in username):
            raise forms.ValidationError("A username needs at least one letter or digit.")
        return username
