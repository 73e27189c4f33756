from functools import partial

from django.apps import AppConfig
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete


class TriviaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trivia"
    verbose_name = "Backlot"

    def ready(self):
        from taggit.models import Tag

        from . import counters, images, search
        from .models import Anecdote, Person, PersonAlias, Source, TaggedAnecdote, Title, TitleAlias
        from .caching.pages import bump_generation
        from .roles import ensure_moderators_group

        # After every migrate (and every test-database flush): permissions exist only by then.
        post_migrate.connect(ensure_moderators_group, dispatch_uid="trivia_moderators_group")
        # What stories show of these is edited in the admin, outside the services: any change
        # makes the cached pages stale (stories themselves bump it in trivia.services).
        for model in (Title, TitleAlias, Person, PersonAlias, Source, Tag):
            for signal in (post_save, post_delete):
                signal.connect(bump_generation, sender=model, dispatch_uid=f"bump-{model.__name__}")
        # Published-story counts follow tags changed and stories deleted outside the services
        # too, in the same transaction (trivia/counters.py).
        post_save.connect(counters.tag_added, sender=TaggedAnecdote, dispatch_uid="count-tag-added")
        post_delete.connect(
            counters.tag_removed, sender=TaggedAnecdote, dispatch_uid="count-tag-removed"
        )
        post_delete.connect(counters.story_deleted, sender=Anecdote, dispatch_uid="count-story")
        # A deleted story's image and a deleted title's poster leave the disk with them.
        for model, field in ((Anecdote, "image"), (Title, "poster")):
            post_delete.connect(
                partial(images.delete_files_of, field=field, renditions=f"{field}_renditions"),
                sender=model,
                weak=False,
                dispatch_uid=f"files-{model.__name__}",
            )
        # A deleted person's or tag's names leave the search entries of its stories, however
        # it is deleted.
        for model, lookup in ((Person, "people"), (Tag, "tags")):
            pre_delete.connect(
                partial(search.note_stories_of, lookup=lookup),
                sender=model,
                weak=False,
                dispatch_uid=f"search-note-{model.__name__}",
            )
            post_delete.connect(
                search.reindex_noted_stories,
                sender=model,
                dispatch_uid=f"search-reindex-{model.__name__}",
            )


class BacklotAdminConfig(admin_apps.AdminConfig):
    """Installed instead of ``django.contrib.admin`` so that ``admin.site`` is ours."""

    default = False
    default_site = "trivia.apps.BacklotAdminSite"


# Models of the trivia app in the order a moderator needs them; any other comes after.
MODERATION_ORDER = [
    "PendingAnecdote",
    "Report",
    "Correction",
    "Anecdote",
    "Title",
    "Person",
    "Source",
    "ModerationEvent",
]


class BacklotAdminSite(admin.AdminSite):
    site_header = "Backlot moderation"
    site_title = "Backlot admin"
    index_title = "Moderation and content"
    # The story lists need the width more than the moderators need a second menu.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == "trivia":
                app["models"].sort(key=self._position)
        # The moderators' app before the accounts and tags.
        apps.sort(key=lambda app: app["app_label"] != "trivia")
        return apps

    @staticmethod
    def _position(model):
        name = model["object_name"]
        return MODERATION_ORDER.index(name) if name in MODERATION_ORDER else len(MODERATION_ORDER)
