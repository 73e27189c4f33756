from functools import partial

from django.apps import AppConfig
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_migrate, pre_delete


class TriviaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trivia"
    verbose_name = "Backlot"

    def ready(self):
        from taggit.models import Tag

        from . import images, publication
        from .models import Anecdote, Person, Title
        from .roles import ensure_moderators_group

        # After every migrate (and every test-database flush): permissions exist only by then.
        post_migrate.connect(ensure_moderators_group, dispatch_uid="trivia_moderators_group")
        # Deletions cascade where no service is called (a superuser in the admin, a shell): what
        # readers see of a deleted story, person or tag follows through trivia.publication.
        for model in (Anecdote, Person, Tag):
            pre_delete.connect(
                publication.note_before_delete,
                sender=model,
                dispatch_uid=f"publication-note-{model.__name__}",
            )
            post_delete.connect(
                publication.follow_delete,
                sender=model,
                dispatch_uid=f"publication-follow-{model.__name__}",
            )
        # A deleted story's image and a deleted title's poster leave the disk with them.
        for model, field in ((Anecdote, "image"), (Title, "poster")):
            post_delete.connect(
                partial(images.delete_files_of, field=field, renditions=f"{field}_renditions"),
                sender=model,
                weak=False,
                dispatch_uid=f"files-{model.__name__}",
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

    def get_urls(self):
        """The moderators' own pages beside the models' lists: the review desk and the
        moderation figures."""
        from .admin import desk, figures

        return [*desk.urls(self), *figures.urls(self), *super().get_urls()]

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
