"""The moderators' workplace: the moderation queue and all stories, with their change page.

Both lists show the same rows (``Anecdote``; the queue is its proxy ``PendingAnecdote``) and
share ``StoryAdmin``: the columns, the change page and the decisions of
``trivia.admin.decisions``. Every edit goes through ``services.edit_story``; nothing here sets a
state or saves a story directly.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import F, OuterRef, Prefetch, Window
from django.db.models.functions import RowNumber
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince

from .. import services
from ..matching.people import find_people
from ..models import Anecdote, Citation, Correction, PendingAnecdote, Report, TitleKind
from ..similar import CANDIDATES, THRESHOLD, content_words, similar_stories, similarity
from .base import SiteAdmin, count_of
from .decisions import StoryDecisionsMixin, decision_actions, story_label
from .forms import StoryAdminForm
from .history import contributor_counts, moderation_history
from .importing import ArticleImportMixin

State = Anecdote.State


def age(moment, *, suffix):
    """ "just now", or "3 days" plus ``suffix``: how long ago, to a moderator's precision."""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)}{suffix}"


def thumbnail(story, *, width):
    """A small ``<img>`` of the story's image (its smallest rendition when there is one),
    linked to the stored file; "—" without an image."""
    if not story.image:
        return "—"
    renditions = story.image_renditions or {}
    sources = sorted(renditions.get("sources", []), key=lambda source: source["width"])
    src = default_storage.url(sources[0]["name"]) if sources else story.image.url
    own_width, own_height = renditions.get("width"), renditions.get("height")
    if own_width and own_height:
        shown = min(width, own_width)
        size = format_html(
            'width="{}" height="{}"', shown, max(1, round(own_height * shown / own_width))
        )
    else:
        size = format_html('width="{}"', width)
    return format_html(
        '<a href="{}" class="story-thumb"><img src="{}" {} alt="The image sent with story #{}" '
        'loading="lazy"></a>',
        story.image.url,
        src,
        size,
        story.pk,
    )


def source_links(citations):
    """The story's sources, each a link to its address when it has one, with its locator."""
    if not citations:
        return format_html('<span class="unmatched">{}</span>', "none")
    return format_html(
        '<ul class="source-list">{}</ul>',
        format_html_join(
            "",
            "<li>{}{}</li>",
            (
                (
                    format_html(
                        '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
                        citation.source.url,
                        str(citation.source),
                    )
                    if citation.source.url
                    else str(citation.source),
                    format_html(' <span class="quiet-note">({})</span>', citation.locator)
                    if citation.locator
                    else "",
                )
                for citation in citations
            ),
        ),
    )


def page_similarities(stories):
    """Set ``story.similar_found`` on each of one page's stories: the published stories most
    like it, as ``similar_stories`` finds them for a titled story (its title's latest
    ``CANDIDATES``, compared word by word), and for an untitled one the site's latest.

    A fixed number of queries for the whole page (``similar_stories`` per row ran five per
    story): the candidates of every title on the page in one windowed query, the site's latest
    in another, and the matches' titles in a third. The trigram near misses that
    ``similar_stories`` adds on PostgreSQL are left to the story's own page.
    """
    stories = list(stories)
    if not stories:
        return
    titles = {story.title_id for story in stories if story.title_id}
    by_title = {}
    if titles:
        ranked = (
            Anecdote.objects.published()
            .filter(title_id__in=titles)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("title_id")],
                    order_by=[F("published_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=CANDIDATES)
            .values_list("pk", "title_id", "text")
        )
        for pk, title_id, text in ranked:
            by_title.setdefault(title_id, []).append((pk, content_words(text)))
    latest = []
    if any(story.title_id is None for story in stories):
        recent = Anecdote.objects.published().order_by("-published_at", "-pk")[:CANDIDATES]
        latest = [(pk, content_words(text)) for pk, text in recent.values_list("pk", "text")]
    found = {}
    for story in stories:
        words = content_words(story.text)
        candidates = by_title.get(story.title_id, []) if story.title_id else latest
        scores = {
            pk: score
            for pk, other in candidates
            if pk != story.pk and (score := similarity(words, other)) >= THRESHOLD
        }
        found[story.pk] = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:3]
    matched = {pk for pks in found.values() for pk in pks}
    names = dict(
        Anecdote.objects.filter(pk__in=matched).values_list("pk", "title__name") if matched else []
    )
    for story in stories:
        story.similar_found = [(pk, names.get(pk) or "") for pk in found[story.pk]]


class StoryChangeList(ChangeList):
    """The story lists' page of results, with the similar published stories of each row
    worked out for the whole page at once (``page_similarities``)."""

    def get_results(self, request):
        super().get_results(request)
        if getattr(self.model_admin, "shows_similar", False):
            page_similarities(self.result_list)


class PrefilledAddWrapper(RelatedFieldWidgetWrapper):
    """The title's "+" (add another) link, opening the new title's form filled with what the
    contributor proposed: the admin's add view takes its initial values from the query."""

    def __init__(self, wrapper, params):
        super().__init__(
            wrapper.widget,
            wrapper.rel,
            wrapper.admin_site,
            can_add_related=wrapper.can_add_related,
            can_change_related=wrapper.can_change_related,
            can_delete_related=wrapper.can_delete_related,
            can_view_related=wrapper.can_view_related,
        )
        self.params = params

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The links' query; the change and delete views ignore what they do not read.
        context["url_params"] += "&" + urlencode(self.params)
        return context


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


class StoryAdmin(StoryDecisionsMixin, SiteAdmin):
    """What the queue and the full list of stories share: columns, change page, decisions."""

    form = StoryAdminForm
    list_title = ""  # what the moderators call this list, in titles and breadcrumbs
    change_form_template = "admin/trivia/anecdote_change_form.html"
    change_list_template = "admin/trivia/story_change_list.html"
    list_display = [
        "title_or_proposed",
        "excerpt",
        "cited_sources",
        "image_thumbnail",
        "contributor_record",
        "waiting",
    ]
    # The title links to the story: the excerpt opens into the whole text in place.
    list_display_links = ["title_or_proposed"]
    shows_similar = False  # the similar published stories of each row (StoryChangeList)
    list_select_related = ["title", "contributor"]
    list_per_page = 50
    search_fields = ["text", "title__name", "title__aliases__name", "proposed_title"]
    autocomplete_fields = ["title", "people"]
    inlines = [CitationInline]
    save_on_top = True
    # The story's record, shown folded on its change page: written by the services, never here.
    record_fields = [
        "state",
        "contributor",
        "version",
        "submitted_at",
        "published_at",
        "rejection_reason",
        "moderator_message",
    ]
    readonly_fields = [
        "proposed_title",
        "image_preview",
        "source_addresses",
        *record_fields,
        "suggested_people",
        "possible_duplicates",
    ]

    # --- Permissions ---------------------------------------------------------------------------

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

    def has_delete_permission(self, request, obj=None):
        # A superuser's act only, recorded in the trail it leaves behind (services.delete_story):
        # moderators unpublish, and the "delete" permission alone, given to staff outside the
        # Moderators group, is not enough.
        return request.user.is_active and request.user.is_superuser

    def get_deleted_objects(self, objs, request):
        """What the confirmation page lists. The moderation events are not on it: they stay.
        A story's proposed corrections and reports go with it although nobody may delete them
        on their own (their admins are read-only): the events keep what was proposed,
        reported and decided."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        feedback = {str(model._meta.verbose_name) for model in (Correction, Report)}
        perms_needed = {name for name in perms_needed if str(name) not in feedback}
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        services.delete_story(story=obj, superuser=request.user)

    def delete_queryset(self, request, queryset):
        for story in queryset:
            services.delete_story(story=story, superuser=request.user)

    # --- The list ------------------------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def get_queryset(self, request):
        citations = Prefetch(
            "citations",
            queryset=Citation.objects.select_related("source").order_by("pk"),
            to_attr="citation_list",
        )
        stories = super().get_queryset(request).prefetch_related(citations)
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
        """The first 140 characters; a longer story opens into its whole text in place
        (``<details>``: no script), so a bulk decision is taken on what it says."""
        flat = " ".join(story.text.split())
        text = Truncator(flat).chars(140)
        if text != flat:
            text = format_html(
                '<details class="whole-story"><summary>{}</summary>'
                '<div class="story-text">{}</div></details>',
                text,
                story.text,
            )
        if story.is_spoiler:
            return format_html('<span class="spoiler-flag">spoiler</span> {}', text)
        return text

    @admin.display(description="sources", ordering="source_count")
    def cited_sources(self, story):
        return source_links(story.citation_list)

    @admin.display(description="image")
    def image_thumbnail(self, story):
        return thumbnail(story, width=80)

    @admin.display(description="image")
    def image_preview(self, story):
        return thumbnail(story, width=320)

    @admin.display(description="source addresses")
    def source_addresses(self, story):
        """The sources as links, to open while reading (the table below edits them)."""
        return source_links(list(story.citations.select_related("source").order_by("pk")))

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

    def approve(self, request, stories, *, expected_version=None):
        """Approve ``stories``; from a list (no ``expected_version``: nobody opened each one),
        those flagged as possible duplicates are left in the queue, named in a message, to be
        compared and approved from their own page."""
        if expected_version is None:
            through = Anecdote.possible_duplicate_of.through.objects
            flags = {}
            for story_id, other_id in through.filter(
                from_anecdote_id__in=[story.pk for story in stories]
            ).values_list("from_anecdote_id", "to_anecdote_id"):
                flags.setdefault(story_id, []).append(f"#{other_id}")
            # Stories the importer did not flag are compared as their page compares them.
            for story in stories:
                if story.pk not in flags and story.state == State.PENDING:
                    others = [
                        f"#{other.pk}"
                        for other in similar_stories(
                            title=story.title, text=story.text, proposed_title=story.proposed_title
                        )
                        if other.pk != story.pk
                    ]
                    if others:
                        flags[story.pk] = others
            held = [story for story in stories if story.pk in flags]
            if held:
                self.message_user(
                    request,
                    "Not approved, as possible duplicates: "
                    + "; ".join(
                        f"{story_label(story)} (#{story.pk}) may repeat "
                        f"{', '.join(flags[story.pk])}"
                        for story in held
                    )
                    + ". Open each to compare, then approve it from its page.",
                    messages.WARNING,
                )
                stories = [story for story in stories if story.pk not in flags]
                if not stories:
                    return []
        return super().approve(request, stories, expected_version=expected_version)

    def changelist_view(self, request, extra_context=None):
        context = {
            "title": self.list_title,
            "list_title": self.list_title,
            "can_import": isinstance(self, ArticleImportMixin)
            and self.has_moderate_permission(request),
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    # --- The change page -------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        story = [
            "title",
            "text",
            "image_preview",
            "source_addresses",
            "people",
            "suggested_people",
            "tags",
            "is_spoiler",
        ]
        if obj is not None and obj.state == State.PENDING:
            story.insert(2, "possible_duplicates")
        if obj is not None and obj.proposed_title:
            story.insert(1, "proposed_title")
        if self.has_change_permission(request, obj):
            story.insert(0, "loaded_version")
        return [
            (None, {"fields": story}),
            ("Accuracy", {"fields": ["accuracy", "accuracy_note"]}),
            ("Record", {"classes": ["collapse"], "fields": self.record_fields}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The title's "+" opens the new title's form filled with the proposed name, kind and
        year (``PrefilledAddWrapper``)."""
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("title")
        if obj is not None and obj.proposed_title and field is not None:
            if isinstance(field.widget, RelatedFieldWidgetWrapper):
                params = {"name": obj.proposed_title}
                if obj.proposed_title_kind:
                    params["kind"] = obj.proposed_title_kind
                if obj.proposed_title_year:
                    params["year"] = obj.proposed_title_year
                field.widget = PrefilledAddWrapper(field.widget, params)
        return form

    def history_view(self, request, object_id, extra_context=None):
        """The story's moderation history (``moderation_history``), where Django's page would
        list only the admin's own log entries, which the services do not write."""
        story = self.get_object(request, admin.utils.unquote(object_id))
        if story is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, story):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {story}",
            "subtitle": None,
            "opts": self.opts,
            "original": story,
            "object": story,
            "list_title": self.list_title,
            "history": moderation_history(story),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/trivia/includes/story_history.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                {
                    "title": "Edit story" if self.has_change_permission(request) else "Story",
                    "list_title": self.list_title,
                    "decisions": self.decision_buttons(request, obj),
                    "history": moderation_history(obj),
                    "contributor_counts": contributor_counts(obj.contributor),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Nothing is saved yet: ``save_related`` saves everything through the service."""

    def save_related(self, request, form, formsets, change):
        """The sources are saved by their formset; the fields, tags and people by
        ``edit_story``, which records one "edited" event with the whole new snapshot and tells
        ``trivia.publication`` where the story showed before and shows now."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        edited_fields = [name for name in form.changed_data if name != "loaded_version"]
        if not edited_fields and not any(formset.has_changed() for formset in formsets):
            return
        services.edit_story(
            story=form.instance,
            editor=request.user,
            changes={
                name: form.cleaned_data[name]
                for name in edited_fields
                if name in services.EDITABLE_FIELDS
            },
            tags=form.cleaned_data["tags"] if "tags" in edited_fields else None,
            people=form.cleaned_data["people"] if "people" in edited_fields else None,
            expected_version=form.cleaned_data["loaded_version"],
        )


@admin.register(PendingAnecdote)
class ModerationQueueAdmin(ArticleImportMixin, StoryAdmin):
    """The pending stories, oldest first: the moderators' to-do list."""

    list_title = "Moderation queue"
    list_display = [*StoryAdmin.list_display, "repeat_flag"]
    shows_similar = True
    ordering = ["submitted_at", "pk"]
    list_filter = [
        TitleAssignedFilter,
        TitleKindFilter,
        ("tags", admin.RelatedOnlyFieldListFilter),
        ("contributor", admin.RelatedOnlyFieldListFilter),
    ]
    actions = decision_actions([State.PENDING])

    def get_queryset(self, request):
        flags = Prefetch(
            "possible_duplicate_of",
            queryset=Anecdote.objects.only("pk").order_by("pk"),
            to_attr="repeat_flags",
        )
        return super().get_queryset(request).filter(state=State.PENDING).prefetch_related(flags)

    @admin.display(description="duplicate?")
    def repeat_flag(self, story):
        """The stories its import found it may repeat (``importer.repeats``), else the
        published stories most like it (``page_similarities``): a bulk approval leaves it in
        the queue, so that a moderator compares them first."""
        if story.repeat_flags:
            flagged = [(other.pk, "") for other in story.repeat_flags]
        else:
            flagged = getattr(story, "similar_found", [])
        return (
            format_html_join(
                ", ",
                '<a class="unmatched" href="{}">Possible duplicate of #{}</a>{}',
                (
                    (
                        reverse("admin:trivia_anecdote_change", args=[pk]),
                        pk,
                        format_html(' <span class="quiet-note">({})</span>', name) if name else "",
                    )
                    for pk, name in flagged
                ),
            )
            or "—"
        )

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


@admin.register(Anecdote)
class AllStoriesAdmin(StoryAdmin):
    """Every story in every state: for finding a published one to correct or unpublish."""

    list_title = "All stories"
    list_display = [
        "title_or_proposed",
        "excerpt",
        "image_thumbnail",
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
    actions = decision_actions(State.values)
