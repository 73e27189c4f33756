"""The forms readers give feedback on a published story with: a report and a correction."""

from django import forms

from ..models import Report
from .fields import PlainTextField, StoryTextField
from .honeypot import HoneypotMixin


class ReportForm(HoneypotMixin, forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?", choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = PlainTextField(
        label="Details (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Where is the mistake, which story does it duplicate, what is the source?",
    )


class CorrectionForm(forms.Form):
    """New text for a published story, from any signed-in reader, its contributor included."""

    text = StoryTextField(
        label="Corrected text",
        help_text="The whole story as it should read. The published text stays until a "
        "moderator accepts your correction.",
    )
    note = PlainTextField(
        label="What you changed, and your source",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, for the moderator: a link or a book and page helps.",
    )
