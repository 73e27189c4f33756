from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, register_converter

from . import feedback_views, feeds, media, sitemaps, submit, views
from .caching.pages import cache_public_page as public


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

# Pages wrapped in public() are served whole from the cache to signed-out readers and are
# invalidated exactly when what they show changes (trivia/caching/pages.py).
urlpatterns = [
    path("", public(views.HomeView.as_view()), name="home"),
    path("titles/", public(views.TitleListView.as_view()), name="title_list"),
    path("titles/<slug:slug>/", public(views.TitleDetailView.as_view()), name="title_detail"),
    path("titles/<slug:slug>/feed/", public(feeds.TitleStoriesFeed()), name="title_feed"),
    path("tags/", public(views.TagListView.as_view()), name="tag_list"),
    path("tags/<tagslug:slug>/", public(views.TagDetailView.as_view()), name="tag_detail"),
    path("tags/<tagslug:slug>/feed/", public(feeds.TagStoriesFeed()), name="tag_feed"),
    path("people/", public(views.PersonListView.as_view()), name="person_list"),
    path("people/<slug:slug>/", public(views.PersonDetailView.as_view()), name="person_detail"),
    path("search/", public(views.SearchView.as_view()), name="search"),
    path("anecdotes/<int:pk>/", public(views.AnecdoteDetailView.as_view()), name="anecdote_detail"),
    path("anecdotes/<int:pk>/interesting/", views.vote_interesting, name="anecdote_vote"),
    path("random/", views.random_story, name="random_story"),
    path("feeds/latest/", public(feeds.LatestStoriesFeed()), name="latest_feed"),
    path(
        "sitemap.xml",
        public(sitemap_views.index),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public(sitemap_views.sitemap),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", public(views.robots_txt), name="robots_txt"),
    path("anecdotes/<int:pk>/report/", feedback_views.report_anecdote, name="anecdote_report"),
    path("anecdotes/<int:pk>/correct/", feedback_views.propose_correction, name="anecdote_correct"),
    path("submit/", submit.submit_story, name="submit"),
    path("submit/titles/", submit.title_search, name="submit_title_search"),
    path("submit/image/<uuid:key>/", submit.preview_image, name="submit_preview_image"),
    path("submit/sent/<int:pk>/", submit.submit_done, name="submit_done"),
    path("media/anecdotes/<str:name>", media.story_image, name="story_image"),
    path("media/posters/<str:name>", media.poster_image, name="poster_image"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
]

# Where allauth sends a request over one of its ACCOUNT_RATE_LIMITS: the site's friendly page.
handler429 = "accounts.views.rate_limited"
