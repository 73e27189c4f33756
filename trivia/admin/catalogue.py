"""The catalogue stories are filed under: titles, people, sources and tags.

Their names are on story cards and in search entries, so saving a title, a person, a tag or a
source goes through ``trivia.services.catalogue`` in the same transaction.

Tags are ours, not taggit's stock ``TagAdmin``: taggit's adds a "merge tags" page that checks no
permission (any staff account could create tags through it) and answers 500 when no tag was
chosen first, and its form stores a control character pasted into a name, which then breaks
that tag's Atom feed. Moderators here rename, re-slug and add tags; merging stays out until it
is built with the services. Deleting a tag updates search and pages wherever it is deleted (see
``trivia.apps``).
"""

from functools import partial

from django.contrib import admin
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F, OuterRef
from django.db.models.functions import Coalesce
from taggit import admin as taggit_admin
from taggit.models import Tag

from .. import images, services, tasks
from ..models import Anecdote, Person, PersonAlias, Source, Title, TitleAlias
from .base import SiteAdmin, count_of
from .forms import (
    AliasFormSet,
    PersonAdminForm,
    PersonAliasForm,
    TagAdminForm,
    TitleAdminForm,
    TitleAliasForm,
)

# Imported first (``trivia`` comes before ``taggit`` in INSTALLED_APPS), so that its
# registration is there to be replaced and autodiscovery finds the module already imported.
admin.site.unregister(taggit_admin.Tag)


class AliasInline(admin.TabularInline):
    formset = AliasFormSet
    extra = 1


class CatalogueEntryAdmin(SiteAdmin):
    """What the title and person admins share: the slug follows the name, and the list counts
    each one's published stories through the stories' link to them (``stories_link``)."""

    prepopulated_fields = {"slug": ["name"]}
    stories_link = None

    def get_queryset(self, request):
        link = self.stories_link
        published = Anecdote.objects.published().filter(**{link: OuterRef("pk")})
        return super().get_queryset(request).annotate(published_count=count_of(published, link))

    @admin.display(description="published stories", ordering="published_count")
    def published_stories(self, entry):
        return entry.published_count


class TitleAliasInline(AliasInline):
    model = TitleAlias
    form = TitleAliasForm
    fields = ["name"]


@admin.register(Title)
class TitleAdmin(CatalogueEntryAdmin):
    form = TitleAdminForm
    list_display = ["name", "kind", "years", "published_stories"]
    list_filter = ["kind"]
    search_fields = ["name", "original_title", "aliases__name"]
    inlines = [TitleAliasInline]
    stories_link = "title"

    def save_model(self, request, obj, form, change):
        """A new poster is stored under a random name and its renditions are queued for the
        task worker; the replaced poster's files are deleted when the change is committed."""
        if "poster" in form.changed_data:
            replaced = Title.objects.filter(pk=obj.pk).values_list("poster", "poster_renditions")
            for old_name, old_renditions in replaced:
                old_files = [old_name, *images.rendition_names(old_renditions)]
                transaction.on_commit(partial(images.delete_files, default_storage, old_files))
            clean = form.clean_poster_image
            obj.poster = images.store_clean_image(clean, images.POSTERS) if clean else ""
            obj.poster_renditions = {}
        super().save_model(request, obj, form, change)
        if "poster" in form.changed_data:
            tasks.make_renditions_later(obj)

    def save_related(self, request, form, formsets, change):
        """The title and its aliases are saved now: its stories show and are found under the new
        names."""
        super().save_related(request, form, formsets, change)
        services.title_edited(title=form.instance)


class PersonAliasInline(AliasInline):
    model = PersonAlias
    form = PersonAliasForm
    verbose_name = "alias"
    verbose_name_plural = "aliases (other spellings found in articles and submissions)"


@admin.register(Person)
class PersonAdmin(CatalogueEntryAdmin):
    """The people stories are about. Their aliases let the importer and the submit form find
    them under garbled names ("Kino Rives" for Keanu Reeves)."""

    form = PersonAdminForm
    list_display = ["name", "known_for", "published_stories"]
    search_fields = ["name", "aliases__name"]
    inlines = [PersonAliasInline]
    stories_link = "people"

    def save_related(self, request, form, formsets, change):
        """The person and their aliases are saved now: their stories are found under the new
        names."""
        super().save_related(request, form, formsets, change)
        services.person_edited(person=form.instance)


@admin.register(Source)
class SourceAdmin(SiteAdmin):
    # An address typed without a scheme is taken as https, as it will be from Django 6.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["__str__", "kind", "author", "date", "url"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "author", "url"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.source_edited(source=obj)


@admin.register(Tag)
class TagAdmin(SiteAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "published_stories"]
    ordering = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(published=Coalesce(F("story_counter__value"), 0))
        )

    @admin.display(description="Published stories", ordering="published")
    def published_stories(self, tag):
        return tag.published

    def save_model(self, request, obj, form, change):
        """A renamed tag: its stories show and are found under the new name, in the same
        transaction."""
        super().save_model(request, obj, form, change)
        if change:
            services.tag_edited(tag=obj)
