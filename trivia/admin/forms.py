"""The admin's own forms: editing a story without overwriting someone else's change, the reason
for a decision, aliases that stay unique, posters checked like images, an imported article.

Every form a moderator types into refuses invisible control characters
(``RefuseControlCharactersMixin``): they would be stored and break the pages and feeds.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminRadioSelect
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from taggit.models import Tag

from .. import images, lifecycle
from ..forms import RefuseControlCharactersMixin, TagsField, refuse_control_characters
from ..matching.names import normalize_name
from ..models import Anecdote, Person, PersonAlias, Title, TitleAlias

State = Anecdote.State


# --- Stories ---------------------------------------------------------------------------------


class StoryAdminForm(RefuseControlCharactersMixin, forms.ModelForm):
    """The admin's change form, which refuses to overwrite a change made by someone else.

    The version the moderator loaded travels in a hidden field; if the story has changed since,
    the form shows an error instead of saving over the other person's work.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The site's one tags field (as on /submit/), without the contributors' limit on their count.
    tags = TagsField(
        max_tags=None,
        max_length=None,
        help_text="A comma-separated list of tags.",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = Anecdote
        fields = ["title", "text", "people", "tags", "is_spoiler", "accuracy", "accuracy_note"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 8, "cols": 80}),
            "accuracy_note": forms.Textarea(attrs={"rows": 3, "cols": 80}),
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
        if state == State.PUBLISHED and "title" in self.fields and not cleaned_data.get("title"):
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
        help_text="Shown with the reason: what to fix, or which story it duplicates. "
        "Required with “Other”.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned_data = super().clean()
        reason = cleaned_data.get("reason")
        if reason in lifecycle.REASONS_NEEDING_A_MESSAGE and not cleaned_data.get("message"):
            label = Anecdote.RejectionReason(reason).label
            self.add_error(
                "message",
                f"With “{label}”, tell the contributor what is wrong: the reason alone says "
                "nothing.",
            )
        return cleaned_data


class UnpublishForm(DecisionForm):
    """Taking a published story off the site: back to the queue, or rejected outright (the
    destinations of "unpublish" in ``trivia.lifecycle``)."""

    to_state = forms.ChoiceField(
        label="Afterwards",
        choices=[
            (State.PENDING, "Back to the moderation queue, to be fixed and approved"),
            (State.REJECTED, "Rejected: the contributor sees the reason"),
        ],
        initial=State.PENDING,
        widget=AdminRadioSelect(attrs={"class": "radiolist"}),
    )


# --- Readers' feedback -----------------------------------------------------------------------


class MessageForm(forms.Form):
    """The moderator's answer to a correction or a report."""

    message = forms.CharField(
        label="Message to the person who sent it",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
    )


# --- The catalogue: titles, people, tags -------------------------------------------------------


class AliasForm(RefuseControlCharactersMixin, forms.ModelForm):
    """An alias is unique in its normal form across all titles (or all people), so that a name
    found in a text points to one of them: a clash is a form error, not a database error.
    Subclasses name their model and ``owner`` (the field holding the title or person)."""

    owner = None

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        normal = normalize_name(name)
        if not normal:
            raise forms.ValidationError("Give the name in letters or digits.")
        taken = (
            self._meta.model.objects.filter(normalized_name=normal)
            .exclude(pk=self.instance.pk)
            .select_related(self.owner)
            .first()
        )
        if taken is not None:
            owner = getattr(taken, self.owner)
            raise forms.ValidationError(f"“{taken.name}” is already an alias of {owner}.")
        return name


class AliasFormSet(forms.BaseInlineFormSet):
    """Two rows of one form giving the same alias are refused before the database sees them."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            name = form.cleaned_data.get("name") if form.cleaned_data else None
            if not name or form.cleaned_data.get("DELETE"):
                continue
            if normalize_name(name) in seen:
                form.add_error("name", "This alias is given twice.")
            seen.add(normalize_name(name))


class PersonAliasForm(AliasForm):
    owner = "person"

    class Meta:
        model = PersonAlias
        fields = ["name"]


class TitleAliasForm(AliasForm):
    owner = "title"

    class Meta:
        model = TitleAlias
        fields = ["name"]


class TitleAdminForm(RefuseControlCharactersMixin, forms.ModelForm):
    """A new poster is checked and re-encoded like a story's image: a file that is not a
    clean image is a form error, and only its pixels are kept (``clean_poster_image``)."""

    poster = forms.FileField(
        required=False,
        widget=admin.widgets.AdminFileWidget(attrs={"accept": images.ACCEPT}),
        help_text="A JPEG, PNG, WebP or GIF of at most 5 MB and 25 megapixels. It is stored "
        "without its metadata, under a new name, with smaller copies for the pages.",
    )

    class Meta:
        model = Title
        fields = [
            "name",
            "slug",
            "kind",
            "year",
            "end_year",
            "original_title",
            "synopsis",
            "poster",
        ]

    clean_poster_image = None

    def clean_poster(self):
        poster = self.cleaned_data["poster"]
        if isinstance(poster, UploadedFile):
            try:
                self.clean_poster_image = images.clean_image(poster)
            except images.ImageRejected as error:
                raise forms.ValidationError(str(error)) from None
        return poster


class PersonAdminForm(RefuseControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "slug", "known_for"]


class TagAdminForm(RefuseControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        """A name is one line: a line break or a tab would show as a broken link."""
        name = self.cleaned_data["name"].strip()
        refuse_control_characters(name, what="The name", allowed="")
        return name


# --- Importing an article ----------------------------------------------------------------------


def web_address(url):
    """An address the site may cite or fetch: http or https, not ftp or a script."""
    if url and not url.lower().startswith(("http://", "https://")):
        raise forms.ValidationError("Give an http:// or https:// address.")
    return url


class ArticleImportForm(forms.Form):
    """The admin's "Import an article": pasted text or HTML, an uploaded .txt or .html file, or
    a page's address, and what is known of its source. The article is read by the importer
    itself (``trivia.importer.reading.load_article``: size, encoding, binary, the fetcher's
    refusals), so the page and the command accept and refuse the same articles.

    ``cleaned_data["article"]`` is the ``LoadedArticle``; the source fields typed here win over
    what the page says of itself.
    """

    text = forms.CharField(
        label="Article",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
        help_text="Paste the article as plain text or as the page's HTML, or give a file or an "
        "address below.",
    )
    upload = forms.FileField(
        label="…or a file",
        required=False,
        help_text="A UTF-8 .txt file (at most 1 MB) or a saved web page, .html (at most 2 MB).",
    )
    address = forms.URLField(
        label="…or the page's address",
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text="An http:// or https:// page, fetched once for the preview.",
    )
    source_title = forms.CharField(
        max_length=300, required=False, help_text="Leave empty to use the page's own title."
    )
    source_url = forms.URLField(
        label="Address to cite",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Leave empty to cite the fetched page's address.",
    )
    publisher = forms.CharField(label="Publisher or site", max_length=200, required=False)
    author = forms.CharField(max_length=200, required=False)
    date = forms.DateField(required=False, help_text="The article's date, YYYY-MM-DD.")

    def clean_address(self):
        return web_address(self.cleaned_data["address"])

    def clean_source_url(self):
        return web_address(self.cleaned_data["source_url"])

    def clean(self):
        from ..importer.reading import ArticleError, load_article

        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        given = {
            name: cleaned_data.get(name)
            for name in ("text", "upload", "address")
            if cleaned_data.get(name) and (name != "text" or cleaned_data[name].strip())
        }
        if len(given) != 1:
            raise forms.ValidationError(
                "Paste an article, choose a file or give an address: one of the three."
                if not given
                else "Give the article one way: pasted, as a file or as an address, not several."
            )
        try:
            if "upload" in given:
                upload = given["upload"]
                article = load_article(upload.read(), name=upload.name)
            else:
                article = load_article(next(iter(given.values())).strip())
        except ArticleError as error:
            raise forms.ValidationError(str(error)) from None
        article.title = cleaned_data["source_title"].strip() or article.title
        article.url = cleaned_data["source_url"] or article.url
        article.site_name = cleaned_data["publisher"].strip() or article.site_name
        article.author = cleaned_data["author"].strip() or article.author
        article.date = cleaned_data["date"] or article.date
        cleaned_data["article"] = article
        return cleaned_data


class ArticlePreviewForm(forms.Form):
    """The preview's own form: the article as the splitter reads it (a page already turned into
    text, never fetched again), its source as the first step found it, and one role per
    paragraph (``trivia.importer.splitting.regroup``) as the moderator set them."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    source_title = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    source_url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", widget=forms.HiddenInput
    )
    publisher = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    author = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    date = forms.DateField(required=False, widget=forms.HiddenInput)
    cited_names = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)

    def roles(self):
        """The roles posted, one per paragraph, or None when the preview had none."""
        from ..importer.splitting import ROLES

        roles = self.data.getlist("role")
        if not roles:
            return None
        if any(role not in ROLES for role in roles):
            raise forms.ValidationError("A paragraph was given a role the importer does not know.")
        return roles
