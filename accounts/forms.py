"""Forms of the account pages: sign-in and sign-up (allauth's, in the site's words) and the
admin's sign-in under the same throttle. They are drawn like every other form of the site
(``trivia.forms.rendering``); a contributor's story forms are in ``trivia.forms``.
"""

from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator

from trivia.forms import hide_from_people

# The longest email address there can be; usernames are shorter. Checked before the database
# is asked: SQLite refuses a LIKE pattern of 50,000 characters with an error.
LOGIN_MAX_LENGTH = 254


def cap_login(field):
    """A sign-in field (username, or username or email) refused past ``LOGIN_MAX_LENGTH``
    before any lookup: allauth's has no limit of its own, and Django's admin form only sets the
    browser's ``maxlength``, which a forged request ignores."""
    field.max_length = LOGIN_MAX_LENGTH
    field.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))
    field.widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)


def sentence_case(text):
    """ "New Password (again)" → "New password (again)", as the site's other labels read."""
    text = str(text)
    return text[:1].upper() + text[1:].lower()


class SiteFieldsMixin:
    """allauth's forms drawn like the site's others: labels in sentence case and always
    visible, no placeholder repeating them, and no "Forgot your password?" link inside a field
    (the pages link to the password reset themselves)."""

    labels = {}
    help_texts = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            elif field.label:
                field.label = sentence_case(field.label)
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
            elif name in ("password", "oldpassword"):
                field.help_text = ""


class LoginForm(SiteFieldsMixin, allauth_forms.LoginForm):
    labels = {"login": "Username or email", "remember": "Keep me signed in on this device"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.widget.attrs["autocomplete"] = "username"
        cap_login(login)


class SignupForm(SiteFieldsMixin, allauth_forms.SignupForm):
    """allauth's sign-up form; its honeypot (``ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD``) is drawn
    like the site's own (``trivia.forms.honeypot``), and a filled one answers as if it worked,
    creating nothing."""

    labels = {"email": "Email address"}
    help_texts = {
        "username": "Shown with your stories. Unaccented letters a–z, digits and . @ + - _ only.",
        "email": "We send a link to confirm it. It is never shown to anyone.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        honeypot = allauth_settings.SIGNUP_FORM_HONEYPOT_FIELD
        if honeypot:
            hide_from_people(self.fields[honeypot])


class ChangePasswordForm(SiteFieldsMixin, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(SiteFieldsMixin, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordForm(SiteFieldsMixin, allauth_forms.ResetPasswordForm):
    labels = {"email": "Email address"}


class ResetPasswordKeyForm(SiteFieldsMixin, allauth_forms.ResetPasswordKeyForm):
    pass


class AddEmailForm(SiteFieldsMixin, allauth_forms.AddEmailForm):
    labels = {"email": "New email address"}
    help_texts = {
        "email": "We send a link to the new address; the change is made when you follow it."
    }


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in, counted against the same failed-sign-in limit as /accounts/login/
    (allauth's ``login_failed``): otherwise /admin/login/ would be an unthrottled place to guess
    a moderator's password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap_login(self.fields["username"])

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # Raises "too many attempts" before even checking the password once over the limit.
            self.user_cache = get_adapter(self.request).authenticate(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
