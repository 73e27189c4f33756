from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .forms import AdminLoginForm
from .models import User

admin.site.register(User, UserAdmin)
# /admin/login/ counts failed sign-ins with /accounts/login/ (see AdminLoginForm).
admin.site.login_form = AdminLoginForm
