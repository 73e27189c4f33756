"""What every admin here shares: searches bounded so a pasted essay is no 500, read-only lists
of what the services write, and counts per row in one query."""

from django.contrib import admin
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce

# Longer searches are cut: a pasted essay would otherwise become a LIKE pattern the database
# refuses ("pattern too complex"), a 500 for the moderator instead of an answer.
MAX_SEARCH_LENGTH = 200


class BoundedSearchAdmin(admin.ModelAdmin):
    """A ModelAdmin whose list search reads at most ``MAX_SEARCH_LENGTH`` characters."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH_LENGTH])


class ReadOnlyAdmin(BoundedSearchAdmin):
    """Rows that only the services write: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def count_of(queryset, column):
    """A correlated COUNT per row: one query for the whole list instead of one per row."""
    counted = queryset.order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)
