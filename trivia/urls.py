from django.contrib import admin
from django.urls import include, path, register_converter

from . import views


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
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
]
