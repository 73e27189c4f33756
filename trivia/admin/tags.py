"""Tags in the admin: ours, not taggit's stock ``TagAdmin``.

Taggit's admin adds a "merge tags" page that checks no permission (any staff account could
create tags through it) and answers 500 when no tag was chosen first, and its form stores a
control character pasted into a name, which then breaks that tag's Atom feed. Moderators here
rename, re-slug and add tags; merging stays out until it is built with the services.

A tag's name is part of what search finds its stories by, so renaming a tag rewrites their
search entries in the same transaction (deleting one does too, wherever it is deleted: see
``trivia.apps``, which also raises the page cache's generation on every tag change).
"""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.db.models.functions import Coalesce
from taggit import admin as taggit_admin
from taggit.models import Tag

from .. import search
from .base import BoundedSearchAdmin
from ..forms import RefuseControlCharactersMixin, refuse_control_characters
from ..models import Anecdote

# Imported first (``trivia`` comes before ``taggit`` in INSTALLED_APPS), so that its
# registration is there to be replaced and autodiscovery finds the module already imported.
admin.site.unregister(taggit_admin.Tag)


class TagAdminForm(RefuseControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        """A name is one line: a line break or a tab would show as a broken link."""
        name = self.cleaned_data["name"].strip()
        refuse_control_characters(name, what="The name", allowed="")
        return name


@admin.register(Tag)
class TagAdmin(BoundedSearchAdmin):
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
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            search.reindex_stories(Anecdote.objects.filter(tags=obj))
