"""Forms of the moderation admin: editing a story safely and giving a reason for a decision."""

from django import forms
from django.contrib.admin.widgets import AdminRadioSelect
from django.db import transaction
from taggit.forms import TagWidget

from .models import Anecdote


class AnecdoteAdminForm(forms.ModelForm):
    """The admin's change form, which refuses to overwrite a change made by someone else.

    The version the moderator loaded travels in a hidden field; if the story has changed since,
    the form shows an error instead of saving over the other person's work.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Anecdote
        fields = ["title", "text", "tags", "is_spoiler", "accuracy", "accuracy_note"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 8, "cols": 80}),
            "accuracy_note": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "tags": TagWidget(attrs={"size": 60}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        # The admin's change view runs in one transaction: the row stays locked from this check
        # to the save, so nobody can slip a change in between.
        with transaction.atomic():
            state, version = (
                Anecdote.objects.select_for_update()
                .values_list("state", "version")
                .get(pk=self.instance.pk)
            )
        if cleaned_data.get("loaded_version") != version:
            raise forms.ValidationError(
                "Someone else changed this story while you were editing it, so nothing was "
                "saved: their change is in the moderation history below. Copy your changes, "
                "reload the page, then make them again.",
                code="stale",
            )
        if (
            state == Anecdote.State.PUBLISHED
            and "title" in self.fields
            and not cleaned_data.get("title")
        ):
            self.add_error("title", "A published story must keep a title.")
        return cleaned_data


class DecisionForm(forms.Form):
    """Why a story is refused, and what its contributor is told."""

    reason = forms.ChoiceField(
        choices=[("", "Choose a reason…"), *Anecdote.RejectionReason.choices],
        help_text="The contributor sees this reason.",
    )
    message = forms.CharField(
        label="Message to the contributor",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Optional, shown with the reason: what to fix, or which story it duplicates.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UnpublishForm(DecisionForm):
    """Taking a published story off the site: back to the queue, or rejected outright."""

    to_state = forms.ChoiceField(
        label="Afterwards",
        choices=[
            (
                Anecdote.State.PENDING,
                "Back to the moderation queue, to be fixed and approved",
            ),
            (Anecdote.State.REJECTED, "Rejected: the contributor sees the reason"),
        ],
        initial=Anecdote.State.PENDING,
        widget=AdminRadioSelect(attrs={"class": "radiolist"}),
    )


class ArticleImportForm(forms.Form):
    """The admin's "Import an article": pasted text or an uploaded .txt, and what is known of
    its source. The article is read with the importer's own checks (size, encoding, binary)."""

    text = forms.CharField(
        label="Article text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
        help_text="Paste the article as plain text, or upload it below.",
    )
    upload = forms.FileField(label="…or a .txt file", required=False)
    source_title = forms.CharField(
        max_length=300, required=False, help_text="Leave empty to use the article's first line."
    )
    source_url = forms.URLField(
        label="Address", max_length=500, required=False, assume_scheme="https"
    )
    publisher = forms.CharField(label="Publisher or site", max_length=200, required=False)

    def clean_source_url(self):
        url = self.cleaned_data["source_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Give an http:// or https:// address.")
        return url

    def clean(self):
        from .importer import MAX_BYTES, ArticleError, decode_article

        cleaned_data = super().clean()
        upload, text = cleaned_data.get("upload"), cleaned_data.get("text", "")
        if upload and text.strip():
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        try:
            if upload:
                if upload.size > MAX_BYTES:
                    raise ArticleError(
                        f"{upload.name} is larger than 1 MB; split it into smaller articles."
                    )
                cleaned_data["text"] = decode_article(upload.read(), name=upload.name)
            elif not text.strip():
                raise forms.ValidationError("Paste an article or choose a .txt file.")
            elif len(text.encode()) > MAX_BYTES:
                raise ArticleError("The article is larger than 1 MB; split it into smaller ones.")
            elif "\x00" in text:
                raise ArticleError("The article holds a NUL byte: it is not plain text.")
        except ArticleError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned_data
