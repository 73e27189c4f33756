from allauth.account import admin as allauth_admin  # registers its admin first, replaced here
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from trivia import services
from trivia.admin.base import SiteAdmin

from . import usernames
from .forms import AdminLoginForm
from .models import User


class UsernameRulesMixin:
    """A name given in the admin follows the sign-up's rules (``accounts.usernames``): ASCII
    only (the model's validator) and never one that reads as another account's. Reserved
    names stay the admin's to give."""

    def clean(self):
        cleaned_data = super().clean()
        username = cleaned_data.get("username")
        if username and "username" in self.changed_data:
            try:
                usernames.check_unique(username, exclude_pk=self.instance.pk)
            except ValidationError as error:
                self.add_error("username", error)
        return cleaned_data


class UserCreationForm(UsernameRulesMixin, auth_forms.AdminUserCreationForm):
    pass


class UserChangeForm(UsernameRulesMixin, auth_forms.UserChangeForm):
    def _get_validation_exclusions(self):
        # An account named before the ASCII rule can still be edited (closed, put in a group)
        # under its own name; only a new name must follow the rule.
        exclusions = super()._get_validation_exclusions()
        if "username" not in self.changed_data:
            exclusions.add("username")
        return exclusions


@admin.register(User)
class BacklotUserAdmin(SiteAdmin, UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm

    def save_model(self, request, obj, form, change):
        """A contributor renamed or closed: the cards of their stories say so at once."""
        super().save_model(request, obj, form, change)
        if change and {"username", "is_active"} & set(form.changed_data):
            services.contributor_edited(user=obj)


# Django's groups and allauth's addresses, on the base every admin of the site shares.
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)


@admin.register(Group)
class BacklotGroupAdmin(SiteAdmin, GroupAdmin):
    pass


@admin.register(EmailAddress)
class BacklotEmailAddressAdmin(SiteAdmin, allauth_admin.EmailAddressAdmin):
    pass


# /admin/login/ counts failed sign-ins with /accounts/login/ (see AdminLoginForm).
admin.site.login_form = AdminLoginForm
