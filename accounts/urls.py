"""The account pages of Backlot's own (allauth's are included after these in trivia/urls.py)."""

from django.urls import path, register_converter

from . import views


class UsernameConverter:
    """Any username Django allows, but never a "/" or a NUL byte: PostgreSQL raises on a NUL,
    which must be a plain 404 rather than a 500."""

    regex = r"[^/\x00]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UsernameConverter, "username")

urlpatterns = [
    # Before allauth's own "signup/": the same page, with the per-address limit.
    path("accounts/signup/", views.SignupView.as_view(), name="account_signup"),
    path("accounts/submissions/", views.SubmissionListView.as_view(), name="my_submissions"),
    path("accounts/submissions/<int:pk>/edit/", views.edit_submission, name="submission_edit"),
    path(
        "accounts/submissions/<int:pk>/withdraw/",
        views.withdraw_submission,
        name="submission_withdraw",
    ),
    path(
        "accounts/submissions/<int:pk>/correct/",
        views.correct_submission,
        name="submission_correct",
    ),
    path("users/<username:username>/", views.UserDetailView.as_view(), name="user_detail"),
]
