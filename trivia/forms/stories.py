"""The forms a contributor writes a story with: the submit form (the story, its title and its
sources), which also edits a story not published yet ("My submissions")."""

from django import forms

from .. import images
from ..images import ACCEPT
from ..matching.names import normalize_name
from ..matching.titles import titles_named
from ..models import Citation, Source, Title, TitleKind
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

    def citations(self):
        """Unsaved ``Citation`` objects of the filled forms, their sources saved or not."""
        return [
            Citation(source=form.source(), locator=form.cleaned_data["locator"])
            for form in self.filled_forms()
        ]


def sources_initial(citations):
    """What a story's ``citations`` fill the source forms with, to be changed or emptied."""
    fields = ("url", "kind", "title", "publisher", "author", "date")
    return [
        {**{name: getattr(citation.source, name) for name in fields}, "locator": citation.locator}
        for citation in citations
    ]


SourceFormSet = forms.formset_factory(
    SourceForm,
    formset=BaseSourceFormSet,
    extra=MAX_SOURCES,
    max_num=MAX_SOURCES,
    absolute_max=MAX_SOURCES,
    validate_max=True,
)


class StoryEditForm(StoryForm):
    """The submit form for a story not published yet ("My submissions"), started from what the
    story says now: its title (or the one it proposes), text, tags, spoiler flag and image.

    As on /submit/, whatever else a request posts (state, contributor, accuracy...) is never
    read; unlike it, the image is checked here, as there is no preview step to keep it for.
    """

    # The version the contributor started from: a moderator's edit in the meantime is not
    # silently overwritten.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, story, **kwargs):
        tags = story.tag_list if hasattr(story, "tag_list") else story.tags.all()
        if story.title_id:
            title = story.title_id
        else:
            title = NEW_TITLE if story.proposed_title else ""
        kwargs.setdefault(
            "initial",
            {
                "title": title,
                "new_title_name": story.proposed_title,
                "new_title_kind": story.proposed_title_kind or TitleKind.FILM,
                "new_title_year": story.proposed_title_year,
                "text": story.text,
                "tags": tags,
                "is_spoiler": story.is_spoiler,
                "loaded_version": story.version,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_image(self):
        """The upload checked and re-encoded (``images.clean_image``), or None."""
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        try:
            return images.clean_image(upload)
        except images.ImageRejected as error:
            raise forms.ValidationError(str(error)) from None

    def changes(self):
        """The fields for ``services.edit_story``: the title chosen, or the one proposed."""
        data = self.cleaned_data
        new = data["is_new_title"]
        return {
            "title": data["title"],
            "proposed_title": data["new_title_name"] if new else "",
            "proposed_title_kind": data["new_title_kind"] if new else "",
            "proposed_title_year": data["new_title_year"] if new else None,
            "text": data["text"],
            "is_spoiler": data["is_spoiler"],
        }
