"""Forms of the moderation admin (editing a story safely, giving a reason for a decision) and
of the public /submit/ page (a story, its title and its sources)."""

import unicodedata

from django import forms
from django.contrib.admin.widgets import AdminRadioSelect
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from taggit.forms import TagWidget

from .images import ACCEPT
from .models import Anecdote, Report, Source, Title, TitleKind
from .names import normalize_name


class RefuseControlCharactersMixin:
    """For the admin's own forms: every text field refuses invisible control characters, which
    would otherwise be stored and break the pages and feeds that show them (XML refuses them)."""

    def clean(self):
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            if isinstance(value, str):
                try:
                    refuse_control_characters(value, what=str(self.fields[name].label or name))
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned_data


class AnecdoteAdminForm(RefuseControlCharactersMixin, forms.ModelForm):
    """The admin's change form, which refuses to overwrite a change made by someone else.

    The version the moderator loaded travels in a hidden field; if the story has changed since,
    the form shows an error instead of saving over the other person's work.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Anecdote
        fields = ["title", "text", "people", "tags", "is_spoiler", "accuracy", "accuracy_note"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 8, "cols": 80}),
            "accuracy_note": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "tags": TagWidget(attrs={"size": 60}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

    # Tags are a list, which the mixin does not read; taggit would send a tag of any length
    # to the database (an error on PostgreSQL, and on SQLite past 50,000 characters).
    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        for tag in tags:
            refuse_control_characters(tag, what="A tag", allowed="")
            if len(tag) > TAG_MAX_CHARS:
                raise forms.ValidationError(
                    f"A tag may have at most {TAG_MAX_CHARS} characters; shorten “{tag[:60]}…”."
                )
        return tags

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


# --- Submitting a story (/submit/) ----------------------------------------------------------

STORY_MAX_CHARS = 1500
MAX_TAGS = 8
TAG_MAX_CHARS = 50
NEW_TITLE = "new"
MAX_SOURCES = 3
# The largest id PostgreSQL's bigint holds: a bigger number in a forged form is a plain error
# rather than a database exception.
_MAX_ID = 2**63 - 1


def refuse_control_characters(text, *, what, allowed="\n\t"):
    """Invisible control characters (a NUL byte, a bell...) have no place in plain text and
    break some databases and feeds; line breaks and tabs are fine unless not ``allowed``."""
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise forms.ValidationError(
                f"{what} contains an invisible control character (U+{ord(char):04X}), perhaps "
                "from a copy and paste. Type that passage again and send it once more.",
                code="control_character",
            )


class PlainTextField(forms.CharField):
    """Several lines of plain text, with one spelling of a line break, so that a browser's
    "\\r\\n" does not count twice against the length limit."""

    def to_python(self, value):
        value = super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")
        refuse_control_characters(value, what="The text")
        return value


class OneLineField(forms.CharField):
    """A name or a title: one line of plain text. A control character, a line break included
    (a browser's one-line box cannot hold one, a forged form can), is refused."""

    def __init__(self, *args, what="This field", **kwargs):
        self.what = what
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        refuse_control_characters(value, what=self.what, allowed="")
        return value


class WebAddressField(forms.URLField):
    """An http(s) address: "javascript:", "data:" and the like are refused, not just unlinked."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": "Give a web address starting with http:// or https://."}


def is_plain_id(value):
    """Whether ``value`` is a row id: ASCII digits only ("²" is a digit to Python, not to int())
    and small enough for the database."""
    return value.isascii() and value.isdigit() and int(value) <= _MAX_ID


def normalise_tags(raw):
    """ "Stunts,  practical   EFFECTS, #stunts" → ["stunts", "practical effects"]."""
    tags = []
    for part in (raw or "").split(","):
        tag = " ".join(part.split()).lstrip("#").strip().lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def titles_named(name, year=None):
    """Titles whose name or an alias is ``name`` once normalised (and of ``year``, if given)."""
    normal = normalize_name(name)
    if not normal:
        return Title.objects.none()
    titles = Title.objects.filter(Q(normalized_name=normal) | Q(aliases__normalized_name=normal))
    if year:
        titles = titles.filter(Q(year=year) | Q(year__isnull=True))
    return titles.distinct().order_by("year", "pk")


class StoryForm(forms.Form):
    """The story itself. ``title`` holds a title's id, or "new" to propose the title given in
    the ``new_title_*`` fields; the page renders it as a list of radio buttons fed by the title
    search. The image is handled by the view, which keeps it between the steps.

    Nothing here names a state, a contributor or a version: whatever a forged form posts for
    them is never read.
    """

    title = forms.CharField(required=False)
    new_title_name = OneLineField(label="Name", required=False, max_length=200, what="The name")
    new_title_kind = forms.ChoiceField(
        label="Film or series", choices=TitleKind.choices, initial=TitleKind.FILM, required=False
    )
    new_title_year = forms.IntegerField(
        label="Year",
        required=False,
        min_value=1870,
        max_value=2100,
        help_text="Of its release (a series: its first season).",
    )
    text = PlainTextField(
        label="What happened",
        max_length=STORY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text="Plain text, a few sentences, at most 1,500 characters. Web addresses "
        "become links.",
        error_messages={
            "required": "Write the story here.",
            "max_length": "Keep the story to 1,500 characters (it has %(show_value)d).",
        },
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=600,
        widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}),
        help_text=f"Up to {MAX_TAGS}, separated by commas: stunts, casting, practical effects.",
    )
    is_spoiler = forms.BooleanField(
        label="This story gives away the plot (a spoiler)",
        required=False,
        help_text="Readers will see it only when they choose to reveal it.",
    )
    image = forms.FileField(
        label="Image",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text="Optional: a JPEG, PNG, WebP or GIF of at most 5 MB. It is shown once the "
        "story is published; its location and camera details are removed.",
    )
    remove_image = forms.BooleanField(label="Remove this image", required=False)
    # The honeypot: hidden from people by the page, filled by form-filling robots.
    website = forms.CharField(label="Leave this field empty", required=False)

    # What the preview page carries to the final step in hidden fields.
    CARRIED = ("title", "new_title_name", "new_title_kind", "new_title_year")
    CARRIED += ("text", "tags", "is_spoiler")

    def carried_fields(self):
        return [self[name] for name in self.CARRIED]

    def clean_tags(self):
        raw = self.cleaned_data["tags"]
        refuse_control_characters(raw, what="A tag")
        tags = normalise_tags(raw)
        too_long = [tag for tag in tags if len(tag) > TAG_MAX_CHARS]
        if too_long:
            raise forms.ValidationError(
                f"A tag may have at most {TAG_MAX_CHARS} characters; shorten “{too_long[0]}”."
            )
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(
                f"Choose at most {MAX_TAGS} tags (there are {len(tags)}): keep the ones a "
                "reader would look for."
            )
        return tags

    def clean(self):
        cleaned_data = super().clean()
        choice = (cleaned_data.get("title") or "").strip()
        cleaned_data["title"] = None
        cleaned_data["is_new_title"] = choice == NEW_TITLE
        self.existing_titles = []
        if choice == NEW_TITLE:
            self._clean_new_title(cleaned_data)
        elif is_plain_id(choice):
            cleaned_data["title"] = Title.objects.filter(pk=int(choice)).first()
            if cleaned_data["title"] is None:
                self.add_error("title", "That title is no longer on Backlot: choose another.")
        else:
            self.add_error(
                "title", "Choose the film or series this story is about, or propose a new one."
            )
        return cleaned_data

    def _clean_new_title(self, cleaned_data):
        name = cleaned_data.get("new_title_name", "")
        cleaned_data["new_title_kind"] = cleaned_data.get("new_title_kind") or TitleKind.FILM
        if not name:
            self.add_error("new_title_name", "Give the name of the film or series.")
            return
        if not normalize_name(name):
            self.add_error("new_title_name", "Give the name in letters or digits.")
            return
        # A proposal of a title Backlot already has would give moderators a duplicate to merge.
        self.existing_titles = list(titles_named(name, cleaned_data.get("new_title_year")))
        if self.existing_titles:
            known = self.existing_titles[0]
            self.add_error(
                "new_title_name",
                f"Backlot already has “{known}”: choose it in the list above. If you mean "
                "another film or series of the same name, give its year.",
            )


class SourceForm(forms.Form):
    """One source: its web address, or a description precise enough to find it."""

    url = WebAddressField(
        label="Web address",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The page where you read or watched it, if it is online.",
    )
    kind = forms.ChoiceField(label="Kind", choices=Source.Kind.choices, initial=Source.Kind.ARTICLE)
    title = OneLineField(label="Title", required=False, max_length=300, what="The title")
    publisher = OneLineField(
        label="Publisher or site", required=False, max_length=200, what="The publisher"
    )
    author = OneLineField(label="Author", required=False, max_length=200, what="The author")
    date = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    locator = OneLineField(
        label="Page or timestamp",
        required=False,
        max_length=100,
        help_text="p. 212, or 1:02:30",
        what="The page or timestamp",
    )

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        if not cleaned_data.get("url") and not cleaned_data.get("title"):
            raise forms.ValidationError(
                "Give this source's web address, or at least its title.", code="no_title"
            )
        return cleaned_data

    def has_content(self):
        """Whether anything is typed in it, so that its part of the page starts open."""
        return any(self[name].value() for name in self.fields if name != "kind")

    def source(self):
        """The ``Source`` this form describes: the one already known at its address (as a
        moderator may have completed it), else a new, unsaved one."""
        data = self.cleaned_data
        if data["url"]:
            known = Source.objects.filter(url=data["url"]).order_by("pk").first()
            if known is not None:
                return known
        return Source(
            kind=data["kind"],
            title=data["title"],
            publisher=data["publisher"],
            author=data["author"],
            url=data["url"],
            date=data["date"],
        )


class BaseSourceFormSet(forms.BaseFormSet):
    """Up to three sources, at least one of them in any of the three places."""

    def clean(self):
        if any(self.errors):
            return
        if not self.filled_forms():
            raise forms.ValidationError(
                "Give at least one source: its web address, or at least its title (with its "
                "author, publisher, date and page if you know them).",
                code="no_source",
            )
        urls = [
            form.cleaned_data["url"] for form in self.filled_forms() if form.cleaned_data["url"]
        ]
        if len(urls) != len(set(urls)):
            raise forms.ValidationError("The same web address is given twice: give it once.")

    def initial_form_count(self):
        # A page shown again starts its source forms from what was typed ("initial" values),
        # but they are all new sources, which an empty one may be.
        return super().initial_form_count() if self.is_bound else 0

    def filled_forms(self):
        return [form for form in self.forms if form.cleaned_data]


SourceFormSet = forms.formset_factory(
    SourceForm,
    formset=BaseSourceFormSet,
    extra=MAX_SOURCES,
    max_num=MAX_SOURCES,
    absolute_max=MAX_SOURCES,
    validate_max=True,
)


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS) and bots fill in: a filled one is ignored."""

    website = forms.CharField(required=False, label="Leave this empty")

    def is_bot(self):
        return bool(self.cleaned_data.get("website"))


class ReportForm(HoneypotMixin):
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
    text = PlainTextField(
        label="The story, corrected", max_length=1500, widget=forms.Textarea(attrs={"rows": 8})
    )
    note = PlainTextField(
        label="Why, and from which source?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
