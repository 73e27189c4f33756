"""Forms of the account pages: sign-in and sign-up (allauth's, in the site's words), the admin's
sign-in under the same throttle, and a contributor's edits and proposed corrections.

The contributor's forms list only what a contributor may change; whatever else a request posts
(state, contributor, version, accuracy...) is never read.
"""

from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from taggit.forms import TagField
from taggit.utils import edit_string_for_tags

from trivia.forms import (
    MAX_TAGS,
    STORY_MAX_CHARS,
    TAG_MAX_CHARS,
    OneLineField,
    PlainTextField,
    refuse_control_characters,
)

# The longest email address there can be; usernames are shorter. Checked before the database
# is asked: SQLite refuses a LIKE pattern of 50,000 characters with an error.
LOGIN_MAX_LENGTH = 254


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
        # allauth's username-or-email field has no length limit of its own.
        login.max_length = LOGIN_MAX_LENGTH
        login.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))
        login.widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)


class SignupForm(SiteFieldsMixin, allauth_forms.SignupForm):
    """allauth's sign-up form; its honeypot (``ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD``) is drawn
    hidden by the template, and a filled one answers as if it worked, creating nothing."""

    labels = {"email": "Email address"}
    help_texts = {
        "username": "Shown with your stories. Letters, digits and . @ + - _ only.",
        "email": "We send a link to confirm it. It is never shown to anyone.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        honeypot = allauth_settings.SIGNUP_FORM_HONEYPOT_FIELD
        if honeypot:
            self.fields[honeypot].is_honeypot = True
            self.fields[honeypot].label = "Leave this field empty"
            self.fields[honeypot].widget.attrs.pop("style", None)  # hidden by the template
            self.fields[honeypot].widget.attrs["autocomplete"] = "off"


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


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in, counted against the same failed-sign-in limit as /accounts/login/
    (allauth's ``login_failed``): otherwise /admin/login/ would be an unthrottled place to guess
    a moderator's password."""

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


def refuse_invisible_characters(text):
    """As the submit form does: a control character in a published story would break its Atom
    feeds. Line breaks and tabs are text; a NUL byte is refused by Django's own validator."""
    refuse_control_characters(text, what="The text", allowed="\n\r\t\x00")


def story_text_field(label, **kwargs):
    """The same text, the same limit and the same line breaks as the submit form's."""
    return PlainTextField(
        label=label,
        max_length=STORY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": f"Keep the story to {STORY_MAX_CHARS:,} characters "
            "(it has %(show_value)d)."
        },
        **kwargs,
    )


class SubmissionForm(forms.Form):
    """A contributor's own story while it is not published: its text, tags and spoiler flag, and
    the film or series it names while no moderator has assigned one."""

    proposed_title = OneLineField(
        label="Film or series",
        max_length=200,
        help_text="A moderator matches it to the right title.",
        what="The name",
    )
    text = story_text_field("Your story", help_text="Plain text, a few sentences.")
    tags = TagField(
        required=False,
        help_text=f"Up to {MAX_TAGS}, separated by commas: stunts, casting, improvised.",
    )
    is_spoiler = forms.BooleanField(
        label="It gives away the plot (a spoiler)",
        required=False,
        help_text="Readers then see it only when they choose to.",
    )
    # The version the contributor started from: a moderator's edit in the meantime is not
    # silently overwritten.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, anecdote, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "proposed_title": anecdote.proposed_title,
                "text": anecdote.text,
                "tags": edit_string_for_tags(anecdote.tags.all()),
                "is_spoiler": anecdote.is_spoiler,
                "loaded_version": anecdote.version,
            },
        )
        super().__init__(*args, **kwargs)
        if anecdote.title_id:
            del self.fields["proposed_title"]

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        too_long = [tag for tag in tags if len(tag) > TAG_MAX_CHARS]
        if too_long:
            raise forms.ValidationError(
                f"Keep each tag under {TAG_MAX_CHARS} characters: “{too_long[0][:60]}…” is longer."
            )
        for tag in tags:
            refuse_control_characters(tag, what="A tag", allowed="")
        return tags

    def changes(self):
        """The fields for ``services.edit_anecdote``, and nothing else."""
        changes = {"text": self.cleaned_data["text"], "is_spoiler": self.cleaned_data["is_spoiler"]}
        if "proposed_title" in self.fields:
            changes["proposed_title"] = self.cleaned_data["proposed_title"].strip()
        return changes


class CorrectionForm(forms.Form):
    text = story_text_field(
        "Corrected text",
        help_text="The whole story as it should read. The published text stays until a "
        "moderator accepts your correction.",
    )
    note = forms.CharField(
        label="What you changed, and your source",
        validators=[refuse_invisible_characters],
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, for the moderator: a link or a book and page helps.",
    )
