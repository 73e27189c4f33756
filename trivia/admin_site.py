"""The admin site, ordered for moderators: the work that waits comes first on its index."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

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


class BacklotAdminConfig(AdminConfig):
    """Installed instead of ``django.contrib.admin`` so that ``admin.site`` is ours."""

    default_site = "trivia.admin_site.BacklotAdminSite"


# Longer searches are cut: a pasted essay would otherwise become a LIKE pattern the database
# refuses ("pattern too complex"), a 500 for the moderator instead of an answer.
MAX_SEARCH_LENGTH = 200


class BoundedSearchAdmin(admin.ModelAdmin):
    """A ModelAdmin whose list search reads at most ``MAX_SEARCH_LENGTH`` characters."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH_LENGTH])
