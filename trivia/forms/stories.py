"""The forms a contributor writes a story with: the submit form (the story, its title and its
sources) and the edit of a story not published yet ("My submissions")."""

from django import forms

from ..images import ACCEPT
from ..matching.names import normalize_name
from ..matching.titles import titles_named
from ..models import Source, Title, TitleKind
from .fields import (
    MAX_TAGS,
    STORY_MAX_CHARS,
    OneLineField,
    StoryTextField,
    TagsField,
    WebAddressField,
    is_plain_id,
)
from .honeypot import HoneypotMixin

NEW_TITLE = "new"
MAX_SOURCES = 3


class StoryForm(HoneypotMixin, forms.Form):
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
    text = StoryTextField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text=f"Plain text, a few sentences, at most {STORY_MAX_CHARS:,} characters. Web "
        "addresses become links.",
        error_messages={"required": "Write the story here."},
    )
    tags = TagsField(
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

    optional_fields = ("new_title_year", "tags")  # marked "(optional)" by the field template
    # What the preview page carries to the final step in hidden fields.
    CARRIED = ("title", "new_title_name", "new_title_kind", "new_title_year")
    CARRIED += ("text", "tags", "is_spoiler")

    def carried_fields(self):
        return [self[name] for name in self.CARRIED]

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

    optional_fields = ("author", "publisher", "date", "locator")

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


class SubmissionForm(forms.Form):
    """A contributor's own story while it is not published: its text, tags and spoiler flag, and
    the film or series it names while no moderator has assigned one.

    It lists only what a contributor may change; whatever else a request posts (state,
    contributor, accuracy...) is never read.
    """

    proposed_title = OneLineField(
        label="Film or series",
        max_length=200,
        help_text="A moderator matches it to the right title.",
        what="The name",
    )
    text = StoryTextField(label="Your story", help_text="Plain text, a few sentences.")
    tags = TagsField(
        help_text=f"Up to {MAX_TAGS}, separated by commas: stunts, casting, improvised."
    )
    is_spoiler = forms.BooleanField(
        label="It gives away the plot (a spoiler)",
        required=False,
        help_text="Readers then see it only when they choose to.",
    )
    # The version the contributor started from: a moderator's edit in the meantime is not
    # silently overwritten.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, story, **kwargs):
        tags = story.tag_list if hasattr(story, "tag_list") else story.tags.all()
        kwargs.setdefault(
            "initial",
            {
                "proposed_title": story.proposed_title,
                "text": story.text,
                "tags": tags,
                "is_spoiler": story.is_spoiler,
                "loaded_version": story.version,
            },
        )
        super().__init__(*args, **kwargs)
        if story.title_id:
            del self.fields["proposed_title"]

    def changes(self):
        """The fields for ``services.edit_story``, and nothing else."""
        changes = {"text": self.cleaned_data["text"], "is_spoiler": self.cleaned_data["is_spoiler"]}
        if "proposed_title" in self.fields:
            changes["proposed_title"] = self.cleaned_data["proposed_title"].strip()
        return changes
