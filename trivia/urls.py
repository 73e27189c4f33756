from django.contrib import admin
from django.urls import include, path, register_converter

from . import feedback_views, media, submit, views


class TagSlugConverter:
    """Taggit's slugs keep accented letters ("café"), which Django's ``slug`` converter refuses.

    Letters, digits, "_" and "-" only: a NUL byte or any other character never reaches the
    database (PostgreSQL raises on a NUL), it is a plain 404.
    """

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TagSlugConverter, "tagslug")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("titles/", views.TitleListView.as_view(), name="title_list"),
    path("titles/<slug:slug>/", views.TitleDetailView.as_view(), name="title_detail"),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<tagslug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("anecdotes/<int:pk>/", views.AnecdoteDetailView.as_view(), name="anecdote_detail"),
    path("anecdotes/<int:pk>/report/", feedback_views.report_anecdote, name="anecdote_report"),
    path("anecdotes/<int:pk>/correct/", feedback_views.propose_correction, name="anecdote_correct"),
    path("submit/", submit.submit_story, name="submit"),
    path("submit/titles/", submit.title_search, name="submit_title_search"),
    path("submit/image/<uuid:key>/", submit.preview_image, name="submit_preview_image"),
    path("submit/sent/<int:pk>/", submit.submit_done, name="submit_done"),
    path("media/anecdotes/<str:name>", media.story_image, name="story_image"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
]

# Where allauth sends a request over one of its ACCOUNT_RATE_LIMITS: the site's friendly page.
handler429 = "accounts.views.rate_limited"
