"""What every admin here shares: forged parameters answered as bad requests rather than 500s,
searches bounded so a pasted essay is no 500, read-only lists of what the services write, and
counts per row in one query."""

import re
from datetime import MAXYEAR

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce

# Longer searches are cut: a pasted essay would otherwise become a LIKE pattern the database
# refuses ("pattern too complex"), a 500 for the moderator instead of an answer.
MAX_SEARCH_LENGTH = 200

# What a date drill-down may ask for. The year stops one short of the calendar's last, since
# the list asks for everything before the start of the next year (month, day).
DRILLDOWN_LIMITS = {"year": (1, MAXYEAR - 1), "month": (1, 12), "day": (1, 31)}


class SiteAdmin(admin.ModelAdmin):
    """The base of every ModelAdmin of the site, Django's and allauth's registered again on it
    (``accounts.admin``). A moderator's browser sends what the pages offer; a forged request
    may send anything, and Django's admin reads some of it straight into a query or a date,
    answering 500. Here those parameters are checked first."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH_LENGTH])

    def response_action(self, request, queryset):
        """The ticked rows must be ids of this list: Django filters on them as sent, and "abc"
        for a numeric key (or a number past the column's range) raises inside the query."""
        key = self.opts.pk
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                key.clean(value, None)
            except ValidationError:
                raise BadRequest(f"Not an id of {self.opts.verbose_name_plural}") from None
        return super().response_action(request, queryset)

    def get_changelist_instance(self, request):
        """A date drill-down past the calendar is the list's "invalid filter" page (``?e=1``):
        Django catches a month 13, but not a year of 31 digits (an OverflowError) nor the day
        after 31 December 9999."""
        if self.date_hierarchy:
            for part, (low, high) in DRILLDOWN_LIMITS.items():
                for value in request.GET.getlist(f"{self.date_hierarchy}__{part}"):
                    if not re.fullmatch(r"[0-9]{1,4}", value) or not low <= int(value) <= high:
                        raise IncorrectLookupParameters(f"No {part} {value[:40]!r}.")
        return super().get_changelist_instance(request)


class ReadOnlyAdmin(SiteAdmin):
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
