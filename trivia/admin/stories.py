"""The moderators' workplace: the moderation queue, all stories, titles and sources.

Moderation follows django-contrib-comments: a custom permission (``moderate_anecdote``), actions
that require it, one helper per decision shared by the list actions and the change page's
buttons, a counted message and a ``log_change`` per story. Every decision and every edit goes
through ``trivia.services``; nothing here sets a state or saves a story directly.
"""

from datetime import timedelta
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince

from .. import images, search, services
from .importing import ArticleImportMixin
from .base import BoundedSearchAdmin
from ..forms import AnecdoteAdminForm, DecisionForm, RefuseControlCharactersMixin, UnpublishForm
from ..models import (
    Anecdote,
    Citation,
    ModerationEvent,
    PendingAnecdote,
    Person,
    PersonAlias,
    Source,
    Title,
    TitleAlias,
    TitleKind,
)
from ..names import normalize_name
from ..people import find_people
from ..similar import similar_stories

State = Anecdote.State


def count_of(queryset, column):
    """A correlated COUNT per row: one query for the whole list instead of one per row."""
    counted = queryset.order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def age(moment, *, suffix):
    """ "just now", or "3 days" plus ``suffix``: how long ago, to a moderator's precision."""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)}{suffix}"


def story_label(story):
    """ "“The first sentence of the story…”", as a moderator's message names a story."""
    return f"“{Truncator(' '.join(story.text.split())).chars(60)}”"


def pluralize_stories(count):
    return f"{count} {'story' if count == 1 else 'stories'}"


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


class TitleAliasInline(admin.TabularInline):
    model = TitleAlias
    form = TitleAliasForm
    formset = AliasFormSet
    extra = 1
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


@admin.register(Title)
class TitleAdmin(BoundedSearchAdmin):
    form = TitleAdminForm
    list_display = ["name", "kind", "years", "published_stories"]
    list_filter = ["kind"]
    search_fields = ["name", "original_title", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TitleAliasInline]

    def save_model(self, request, obj, form, change):
        """A new poster is stored under a random name with its renditions, made here once;
        the replaced poster's files are deleted when the change is committed."""
        if "poster" in form.changed_data:
            replaced = Title.objects.filter(pk=obj.pk).values_list("poster", "poster_renditions")
            for old_name, old_renditions in replaced:
                old_files = [old_name, *images.rendition_names(old_renditions)]
                transaction.on_commit(partial(images.delete_files, default_storage, old_files))
            clean = form.clean_poster_image
            obj.poster = images.store_clean_image(clean, images.POSTERS) if clean else ""
            obj.poster_renditions = images.make_renditions(obj.poster) if clean else {}
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        published = Anecdote.objects.published().filter(title=OuterRef("pk"))
        return super().get_queryset(request).annotate(published_count=count_of(published, "title"))

    @admin.display(description="published stories", ordering="published_count")
    def published_stories(self, title):
        return title.published_count

    def save_related(self, request, form, formsets, change):
        """The title and its aliases are saved now: its stories are found under the new names."""
        super().save_related(request, form, formsets, change)
        search.reindex_title(form.instance)


@admin.register(Source)
class SourceAdmin(BoundedSearchAdmin):
    # An address typed without a scheme is taken as https, as it will be from Django 6.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["__str__", "kind", "author", "date", "url"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "author", "url"]


@admin.register(ModerationEvent)
class ModerationEventAdmin(BoundedSearchAdmin):
    """The audit trail, for reading only: it is written by the services, never by hand."""

    list_display = ["created_at", "action", "actor", "story", "from_state", "to_state", "reason"]
    list_filter = ["action", "reason"]
    list_select_related = ["actor", "anecdote"]
    search_fields = ["anecdote__text", "actor__username", "message"]
    date_hierarchy = "created_at"

    @admin.display(description="story")
    def story(self, event):
        return str(event.anecdote)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["source", "locator", "quote"]
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "locator":
            kwargs["widget"] = admin.widgets.AdminTextInputWidget(attrs={"size": 12})
        if db_field.name == "quote":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 36})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TitleAssignedFilter(admin.SimpleListFilter):
    title = "title"
    parameter_name = "has_title"

    def lookups(self, request, model_admin):
        return [("yes", "Assigned"), ("no", "Not matched yet")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(title__isnull=self.value() == "no")
        return queryset


class TitleKindFilter(admin.SimpleListFilter):
    title = "title kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return TitleKind.choices

    def queryset(self, request, queryset):
        if self.value() in TitleKind.values:
            return queryset.filter(title__kind=self.value())
        return queryset


class StoryAdmin(BoundedSearchAdmin):
    """What the queue and the full list of stories share: columns, change page, decisions."""

    form = AnecdoteAdminForm
    list_title = ""  # what the moderators call this list, in titles and breadcrumbs
    change_form_template = "admin/trivia/anecdote_change_form.html"
    change_list_template = "admin/trivia/story_change_list.html"
    list_display = [
        "title_or_proposed",
        "excerpt",
        "contributor_record",
        "waiting",
        "number_of_sources",
    ]
    list_display_links = ["excerpt"]
    list_select_related = ["title", "contributor"]
    list_per_page = 50
    search_fields = ["text", "title__name", "title__aliases__name", "proposed_title"]
    autocomplete_fields = ["title", "people"]
    inlines = [CitationInline]
    save_on_top = True
    readonly_fields = [
        "proposed_title",
        "state",
        "contributor",
        "version",
        "submitted_at",
        "published_at",
        "rejection_reason",
        "moderator_message",
        "image",
        "suggested_people",
        "possible_duplicates",
    ]
    actions = ["approve_selected", "reject_selected"]

    # --- Permissions ---------------------------------------------------------------------------

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

    def has_story_permission(self, request, action):
        """Anecdote's own permissions, also for the queue: its proxy has no group of its own."""
        opts = Anecdote._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")

    def has_view_permission(self, request, obj=None):
        return self.has_story_permission(request, "view") or self.has_change_permission(request)

    def has_change_permission(self, request, obj=None):
        # Edits go through the services, which let only moderators edit other people's stories.
        return self.has_story_permission(request, "change") and self.has_moderate_permission(
            request
        )

    def view_on_site(self, story):
        # Only a published story has a public page.
        return story.get_absolute_url() if story.is_published else None

    def has_add_permission(self, request):
        # New stories come through the site's submission form or the importer, which record
        # who submitted them; the admin only edits and decides.
        return False

    # --- The list ------------------------------------------------------------------------------

    def get_queryset(self, request):
        stories = super().get_queryset(request)
        by_contributor = Anecdote.objects.filter(contributor=OuterRef("contributor"))
        return stories.annotate(
            source_count=count_of(Citation.objects.filter(anecdote=OuterRef("pk")), "anecdote"),
            contributor_published=count_of(by_contributor.published(), "contributor"),
            contributor_rejected=count_of(
                by_contributor.filter(state=State.REJECTED), "contributor"
            ),
        )

    @admin.display(description="title", ordering="title__name")
    def title_or_proposed(self, story):
        if story.title_id:
            return str(story.title)
        if story.proposed_title:
            return format_html(
                '{} <span class="unmatched">(not matched)</span>', story.proposed_title
            )
        return format_html('<span class="unmatched">{}</span>', "no title")

    @admin.display(description="story")
    def excerpt(self, story):
        text = Truncator(" ".join(story.text.split())).chars(140)
        if story.is_spoiler:
            return format_html('<span class="spoiler-flag">spoiler</span> {}', text)
        return text

    @admin.display(description="contributor", ordering="contributor__username")
    def contributor_record(self, story):
        if story.contributor is None:
            return format_html('<span class="unmatched">{}</span>', "account deleted")
        return format_html(
            '{}<br><span class="record">{} published, {} rejected</span>',
            story.contributor.get_username(),
            story.contributor_published,
            story.contributor_rejected,
        )

    @admin.display(description="waiting", ordering="submitted_at")
    def waiting(self, story):
        return age(story.submitted_at, suffix="") if story.submitted_at else "—"

    @admin.display(description="last change", ordering="updated_at")
    def last_change(self, story):
        return age(story.updated_at, suffix=" ago")

    @admin.display(description="sources", ordering="source_count")
    def number_of_sources(self, story):
        return story.source_count

    @admin.display(description="suggested people")
    def suggested_people(self, story):
        """People named in the saved text but not attached yet: the importer and the submit
        form attach what they find, so these are mostly names a correction brought in."""
        attached = {person.pk for person in story.people.all()}
        missing = [ref for ref in find_people(story.text) if ref.pk not in attached]
        if not missing:
            return "—"
        return format_html(
            '{} <span class="quiet-note">(named in the text; add them above if the story is '
            "about them)</span>",
            ", ".join(ref.name for ref in missing),
        )

    @admin.display(description="possible duplicates")
    def possible_duplicates(self, story):
        """Published stories that tell much the same thing (``trivia.similar``): a story sent
        again is better rejected as a duplicate, or merged into the first by a correction."""
        others = [
            other
            for other in similar_stories(title=story.title, text=story.text)
            if other.pk != story.pk
        ]
        if not others:
            return "—"
        return format_html_join(
            "",
            '<p><a href="{}">{}</a> <span class="quiet-note">({})</span></p>',
            (
                (
                    reverse("admin:trivia_anecdote_change", args=[other.pk]),
                    Truncator(other.text).chars(120),
                    other.title.name,
                )
                for other in others
            ),
        )

    def changelist_view(self, request, extra_context=None):
        context = {
            "title": self.list_title,
            "list_title": self.list_title,
            "can_import": isinstance(self, ArticleImportMixin)
            and self.has_moderate_permission(request),
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    # --- Decisions: one helper each, shared by the list actions and the change page -------------

    @admin.action(permissions=["moderate"], description="Approve the selected stories")
    def approve_selected(self, request, queryset):
        self.approve(request, self.chosen_stories(request, queryset))

    @admin.action(permissions=["moderate"], description="Reject the selected stories…")
    def reject_selected(self, request, queryset):
        return self.decide_from_list(request, queryset, "reject", action="reject_selected")

    @admin.action(permissions=["moderate"], description="Unpublish the selected stories…")
    def unpublish_selected(self, request, queryset):
        return self.decide_from_list(request, queryset, "unpublish", action="unpublish_selected")

    def chosen_stories(self, request, queryset):
        """The stories the moderator ticked, including any decided by someone else since.

        Those no longer match the queue, so the action's queryset would silently drop them;
        fetched by id, they reach the service, which says who decided them first.
        """
        if request.POST.get("select_across") == "1":
            return list(queryset)
        ids = [
            pk
            for pk in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            if pk.isascii() and pk.isdigit()
        ]
        return list(
            self.model._default_manager.filter(pk__in=ids)
            .select_related("title")
            .order_by("submitted_at", "pk")
        )

    def approve(self, request, stories, *, expected_version=None):
        return self.decide(
            request,
            stories,
            done="approved",
            log="Approved.",
            call=lambda story: services.approve_anecdote(
                anecdote=story, moderator=request.user, expected_version=expected_version
            ),
        )

    def reject(self, request, stories, form):
        data = form.cleaned_data
        return self.decide(
            request,
            stories,
            done="rejected",
            log=f"Rejected: {Anecdote.RejectionReason(data['reason']).label}.",
            call=lambda story: services.reject_anecdote(
                anecdote=story,
                moderator=request.user,
                reason=data["reason"],
                message=data["message"],
                expected_version=data["version"],
            ),
        )

    def unpublish(self, request, stories, form):
        data = form.cleaned_data
        destination = "back to the queue" if data["to_state"] == State.PENDING else "rejected"
        return self.decide(
            request,
            stories,
            done=f"unpublished ({destination})",
            log=f"Unpublished, {destination}: {Anecdote.RejectionReason(data['reason']).label}.",
            call=lambda story: services.unpublish_anecdote(
                anecdote=story,
                moderator=request.user,
                reason=data["reason"],
                message=data["message"],
                to_state=data["to_state"],
                expected_version=data["version"],
            ),
        )

    def decide(self, request, stories, *, done, log, call):
        """Apply ``call`` to each story on its own, then tell the moderator what happened.

        One refused story (decided by someone else, no title yet) does not stop the others:
        the message counts both, "3 stories approved; 1 could not be: …".
        """
        decided, refused = [], []
        for story in stories:
            try:
                call(story)
            except services.ModerationError as error:
                refused.append(f"{story_label(story)}: {error}")
            else:
                decided.append(story)
                self.log_change(request, story, log)
        if not refused:
            self.message_user(request, f"{pluralize_stories(len(decided))} {done}.")
        elif len(stories) == 1:
            self.message_user(request, f"Not {done}: {refused[0]}", messages.ERROR)
        else:
            summary = f"{pluralize_stories(len(decided)) if decided else 'No story'} {done}"
            self.message_user(
                request,
                f"{summary}; {len(refused)} could not be: {' '.join(refused)}",
                messages.WARNING if decided else messages.ERROR,
            )
        return decided

    def decision_form(self, request, kind, *, bound, version=None):
        form_class = UnpublishForm if kind == "unpublish" else DecisionForm
        return form_class(request.POST) if bound else form_class(initial={"version": version})

    def decide_from_list(self, request, queryset, kind, *, action):
        """A list action that needs a reason: its intermediate page, then the decision.

        Like Django's delete confirmation, the page posts back to the list with the chosen ids
        and ``post=yes``; cancelling returns to the list untouched.
        """
        stories = self.chosen_stories(request, queryset)
        form = self.decision_form(request, kind, bound="post" in request.POST)
        if form.is_bound and form.is_valid():
            getattr(self, kind)(request, stories, form)
            return None
        return self.render_decision_page(request, stories, form, kind, action=action)

    def render_decision_page(self, request, stories, form, kind, *, action=None, story=None):
        changelist_url = self.changelist_url(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{kind.capitalize()} {pluralize_stories(len(stories))}",
            "list_title": self.list_title,
            "kind": kind,
            "stories": stories,
            "story": story,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": changelist_url,
            "cancel_url": self.change_url(request, story) if story else changelist_url,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/trivia/decision_form.html", context)

    # --- The change page -------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="{}_{}_reject".format(*info),
            ),
            path(
                "<path:object_id>/unpublish/",
                self.admin_site.admin_view(self.unpublish_view),
                name="{}_{}_unpublish".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_url(self, request):
        return self.with_filters(request, "changelist")

    def change_url(self, request, story):
        return self.with_filters(request, "change", story.pk)

    def with_filters(self, request, view, *args):
        """An admin address keeping the list's filters, so the moderator lands where they were."""
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return add_preserved_filters(context, url)

    def single_decision_view(self, request, object_id, kind):
        """The change page's "Reject…" and "Unpublish…": one story, the version it was read at."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        story = self.get_object(request, object_id)
        if story is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        bound = request.method == "POST"
        form = self.decision_form(request, kind, bound=bound, version=story.version)
        if bound and form.is_valid():
            decided = getattr(self, kind)(request, [story], form)
            return HttpResponseRedirect(
                self.changelist_url(request) if decided else self.change_url(request, story)
            )
        return self.render_decision_page(request, [story], form, kind, story=story)

    def reject_view(self, request, object_id):
        return self.single_decision_view(request, object_id, "reject")

    def unpublish_view(self, request, object_id):
        return self.single_decision_view(request, object_id, "unpublish")

    def get_fieldsets(self, request, obj=None):
        story = ["title", "text", "people", "suggested_people", "tags", "is_spoiler"]
        if obj is not None and obj.state == State.PENDING:
            story.insert(2, "possible_duplicates")
        if obj is not None and obj.proposed_title:
            story.insert(1, "proposed_title")
        if self.has_change_permission(request, obj):
            story.insert(0, "loaded_version")
        return [
            (None, {"fields": story}),
            ("Accuracy", {"fields": ["accuracy", "accuracy_note"]}),
            (
                "Record",
                {
                    "classes": ["collapse"],
                    "fields": [
                        "state",
                        "contributor",
                        "version",
                        "submitted_at",
                        "published_at",
                        "rejection_reason",
                        "moderator_message",
                        "image",
                    ],
                },
            ),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            can_decide = self.has_moderate_permission(request)
            context.update(
                {
                    "title": "Edit story" if self.has_change_permission(request) else "Story",
                    "list_title": self.list_title,
                    "can_approve": can_decide and obj.state == State.PENDING,
                    "can_unpublish": can_decide and obj.state == State.PUBLISHED,
                    "history": moderation_history(obj),
                    "contributor_counts": contributor_counts(obj.contributor),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Nothing is saved yet: ``save_related`` saves everything through the service.

        Tags and citations are saved first by Django, then ``edit_anecdote`` saves the fields,
        raises the version and records one "edited" event with the whole new snapshot.
        """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edited_fields = [name for name in form.changed_data if name != "loaded_version"]
        if not edited_fields and not any(formset.has_changed() for formset in formsets):
            return
        services.edit_anecdote(
            anecdote=form.instance,
            editor=request.user,
            changes={
                name: form.cleaned_data[name]
                for name in edited_fields
                if name in services.EDITABLE_FIELDS
            },
            expected_version=form.cleaned_data["loaded_version"],
        )

    def response_change(self, request, obj):
        """ "Save and approve": the moderator's corrections are saved, then the story decided."""
        if "_approve" in request.POST and self.has_moderate_permission(request):
            if self.approve(request, [obj], expected_version=obj.version):
                return HttpResponseRedirect(self.changelist_url(request))
            return HttpResponseRedirect(self.change_url(request, obj))
        return super().response_change(request, obj)


def moderation_history(story):
    """The story's events, oldest first, each with what it changed since the one before.

    The first event shows the story as submitted, so the original text stays visible after
    any correction.
    """
    rows, before = [], {}
    labels = {
        "title": "Title",
        "proposed_title": "Proposed title",
        "text": "Text",
        "is_spoiler": "Spoiler",
        "tags": "Tags",
        "people": "People",
        "sources": "Sources",
    }
    events = story.events.select_related("actor").order_by("created_at", "pk")
    for event in events:
        after = event.snapshot or {}
        changes = [
            {"label": label, "value": display_value(after.get(key)), "is_text": key == "text"}
            for key, label in labels.items()
            if after.get(key) != before.get(key) and (before or after.get(key))
        ]
        rows.append({"event": event, "reason": reason_label(event.reason), "changes": changes})
        before = after
    return rows


def display_value(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return value or "none"


def reason_label(reason):
    if reason in Anecdote.RejectionReason.values:
        return Anecdote.RejectionReason(reason).label
    return reason


def contributor_counts(user):
    """ "carol: 4 published, 1 rejected" — context for judging a new submission."""
    if user is None:
        return None
    counts = dict(
        Anecdote.objects.filter(contributor=user)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return {
        "user": user,
        "published": counts.get(State.PUBLISHED, 0),
        "rejected": counts.get(State.REJECTED, 0),
        "pending": counts.get(State.PENDING, 0),
    }


@admin.register(PendingAnecdote)
class ModerationQueueAdmin(ArticleImportMixin, StoryAdmin):
    """The pending stories, oldest first: the moderators' to-do list."""

    ordering = ["submitted_at", "pk"]
    list_filter = [
        TitleAssignedFilter,
        TitleKindFilter,
        ("tags", admin.RelatedOnlyFieldListFilter),
        ("contributor", admin.RelatedOnlyFieldListFilter),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=State.PENDING)

    def get_object(self, request, object_id, from_field=None):
        """Open a story that left the queue meanwhile instead of calling it deleted.

        Another moderator may decide a story while this one has it open; the form then says
        that it changed, and the history shows who decided what.
        """
        if from_field is None and str(object_id).isascii() and str(object_id).isdigit():
            return self.model._default_manager.filter(pk=object_id).first()
        return super().get_object(request, object_id, from_field)

    def has_delete_permission(self, request, obj=None):
        return False

    list_title = "Moderation queue"


@admin.register(Anecdote)
class AllStoriesAdmin(StoryAdmin):
    """Every story in every state: for finding a published one to correct or unpublish."""

    list_display = [
        "title_or_proposed",
        "excerpt",
        "state",
        "accuracy",
        "contributor_record",
        "number_of_sources",
        "last_change",
    ]
    list_filter = [
        "state",
        "accuracy",
        TitleKindFilter,
        ("tags", admin.RelatedOnlyFieldListFilter),
        ("contributor", admin.RelatedOnlyFieldListFilter),
    ]
    ordering = ["-updated_at", "-pk"]
    actions = ["approve_selected", "reject_selected", "unpublish_selected"]

    list_title = "All stories"


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    form = PersonAliasForm
    formset = AliasFormSet
    extra = 1
    verbose_name = "alias"
    verbose_name_plural = "aliases (other spellings found in articles and submissions)"


class PersonAdminForm(RefuseControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "slug", "known_for"]


@admin.register(Person)
class PersonAdmin(BoundedSearchAdmin):
    """The people stories are about. Their aliases let the importer and the submit form find
    them under garbled names ("Kino Rives" for Keanu Reeves)."""

    form = PersonAdminForm
    list_display = ["name", "known_for", "published_stories"]
    search_fields = ["name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PersonAliasInline]

    def get_queryset(self, request):
        published = Anecdote.objects.published().filter(people=OuterRef("pk"))
        return super().get_queryset(request).annotate(published_count=count_of(published, "people"))

    @admin.display(description="published stories", ordering="published_count")
    def published_stories(self, person):
        return person.published_count

    def save_related(self, request, form, formsets, change):
        """The person and their aliases are saved now: their stories are found under the new
        names."""
        super().save_related(request, form, formsets, change)
        search.reindex_person(form.instance)
