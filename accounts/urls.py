"""The account pages of Backlot's own (allauth's are included after these in trivia/urls.py).

"My submissions" keeps its address under /accounts/ but is a story page: see trivia/urls.py.
"""

from django.urls import path, register_converter
from django.urls.converters import StringConverter

from . import views


class UsernameConverter(StringConverter):
    """Any username Django allows, but never a "/" or a NUL byte: PostgreSQL raises on a NUL,
    which must be a plain 404 rather than a 500."""

    regex = r"[^/\x00]+"


register_converter(UsernameConverter, "username")

urlpatterns = [
    # Before allauth's own "signup/": the same page, with the per-address limit.
    path("accounts/signup/", views.SignupView.as_view(), name="account_signup"),
    path("users/<username:username>/", views.UserDetailView.as_view(), name="user_detail"),
]
