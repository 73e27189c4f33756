"""One honeypot for every form of the site: a field people never see and robots fill in.

The field template (templates/includes/form_field.html) draws a field marked ``is_honeypot``
off-screen, always empty, hidden from screen readers and out of the keyboard's reach. The
site's own forms take it from ``HoneypotMixin``; allauth's sign-up brings its own field
(``ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD``, of the same name), which ``hide_from_people`` marks.
What a filled one leads to is the view's choice: a report thanks the robot and stores nothing,
the submit form asks again, allauth's sign-up answers as if it worked.
"""

from django import forms

HONEYPOT = "website"


def hide_from_people(field):
    """Mark ``field`` as a honeypot, for the field template to draw out of people's way."""
    field.is_honeypot = True
    field.label = "Leave this field empty"
    field.required = False
    field.widget.attrs.pop("style", None)
    return field


class HoneypotMixin(forms.Form):
    """A form with the honeypot, drawn last; ``is_bot()`` tells whether it came back filled."""

    HONEYPOT = HONEYPOT
    website = hide_from_people(forms.CharField(required=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT] = self.fields.pop(HONEYPOT)

    def is_bot(self):
        """Whether the hidden field was filled: read from the posted data, so a view may ask
        before validating the form, or instead of it."""
        return bool(str(self[HONEYPOT].value() or "").strip())
