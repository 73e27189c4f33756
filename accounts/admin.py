from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from trivia import services
from trivia.admin.base import MAX_SEARCH_LENGTH

from .forms import AdminLoginForm
from .models import User


@admin.register(User)
class BacklotUserAdmin(UserAdmin):
    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH_LENGTH])

    def save_model(self, request, obj, form, change):
        """A contributor renamed or closed: the cards of their stories say so at once."""
        super().save_model(request, obj, form, change)
        if change and {"username", "is_active"} & set(form.changed_data):
            services.contributor_edited(user=obj)


# /admin/login/ counts failed sign-ins with /accounts/login/ (see AdminLoginForm).
admin.site.login_form = AdminLoginForm
