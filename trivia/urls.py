from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, register_converter
from django.urls.converters import StringConverter

from . import feeds, health, sitemaps
from .api import api
from .caching.pages import LISTS
from .caching.pages import cache_public_page as public
from .views import (
    feedback,
    home,
    kept_images,
    media,
    people,
    posters,
    search,
    stories,
    submissions,
    submit,
    tags,
    titles,
    votes,
)
from .views.archive import DisputedListView, MythListView, StoryArchiveView


class TagSlugConverter(StringConverter):
    """Taggit's slugs keep accented letters ("café"), which Django's ``slug`` converter refuses.

    Letters, digits, "_" and "-" only: a NUL byte or any other character never reaches the
    database (PostgreSQL raises on a NUL), it is a plain 404.
    """

    regex = r"[-\w]+"


register_converter(TagSlugConverter, "tagslug")

# Pages wrapped in public() are served whole from the cache to signed-out readers and are
# invalidated exactly when what they show changes (trivia/caching/pages.py).
urlpatterns = [
    # --- Reading
    path("", public(home.HomeView.as_view(), LISTS), name="home"),
    path("titles/", public(titles.TitleListView.as_view(), LISTS), name="title_list"),
    path("titles/<slug:slug>/", public(titles.TitleDetailView.as_view()), name="title_detail"),
    path("titles/<slug:slug>/feed/", public(feeds.TitleStoriesFeed()), name="title_feed"),
    path("titles/<slug:slug>/poster.svg", public(posters.title_poster), name="title_poster"),
    path("tags/", public(tags.TagListView.as_view(), LISTS), name="tag_list"),
    path("tags/<tagslug:slug>/", public(tags.TagDetailView.as_view()), name="tag_detail"),
    path("tags/<tagslug:slug>/feed/", public(feeds.TagStoriesFeed()), name="tag_feed"),
    path("people/", public(people.PersonListView.as_view(), LISTS), name="person_list"),
    path("people/<slug:slug>/", public(people.PersonDetailView.as_view()), name="person_detail"),
    path("people/<slug:slug>/feed/", public(feeds.PersonStoriesFeed()), name="person_feed"),
    path("search/", public(search.SearchView.as_view(), LISTS), name="search"),
    path("anecdotes/<int:pk>/", public(stories.StoryDetailView.as_view()), name="anecdote_detail"),
    path("anecdotes/<int:pk>/interesting/", votes.vote_interesting, name="anecdote_vote"),
    path("random/", stories.random_story, name="random_story"),
    path("feeds/latest/", public(feeds.LatestStoriesFeed(), LISTS), name="latest_feed"),
    path("stories/", public(StoryArchiveView.as_view(), LISTS), name="story_list"),
    path("myths/", public(MythListView.as_view(), LISTS), name="myth_list"),
    path("myths/feed/", public(feeds.MythsFeed(), LISTS), name="myth_feed"),
    path("disputed/", public(DisputedListView.as_view(), LISTS), name="disputed_list"),
    path("disputed/feed/", public(feeds.DisputedFeed(), LISTS), name="disputed_feed"),
    path(
        "sitemap.xml",
        public(sitemap_views.index, LISTS),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public(sitemap_views.sitemap, LISTS),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", public(home.robots_txt, LISTS), name="robots_txt"),
    path("media/anecdotes/<str:name>", media.story_image, name="story_image"),
    path("media/posters/<str:name>", media.poster_image, name="poster_image"),
    # --- Feedback on a published story
    path("anecdotes/<int:pk>/report/", feedback.report_story, name="anecdote_report"),
    path("anecdotes/<int:pk>/correct/", feedback.correct_story, name="anecdote_correct"),
    # --- Sending a story, and one's own stories ("My submissions", under /accounts/)
    path("submit/", submit.new_story, name="submit"),
    path("submit/titles/", submit.title_search, name="submit_title_search"),
    path("submit/image/<uuid:key>/", kept_images.preview_image, name="submit_preview_image"),
    path("submit/sent/<int:pk>/", submit.submit_done, name="submit_done"),
    path(
        "accounts/submissions/",
        submissions.SubmissionListView.as_view(),
        name="my_submissions",
    ),
    path(
        "accounts/submissions/<int:pk>/edit/",
        submissions.edit_submission,
        name="submission_edit",
    ),
    path(
        "accounts/submissions/<int:pk>/withdraw/",
        submissions.withdraw_submission,
        name="submission_withdraw",
    ),
    path(
        "accounts/submissions/<int:pk>/correct/",
        feedback.correct_story,
        {"from_submissions": True},
        name="submission_correct",
    ),
    # --- The public read API (trivia/api/): cached as the pages are, by the same scopes
    path("api/v1/", api.urls),
    # --- The site
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
]

# A request Django cannot read (a broken upload) or the site refuses: the site's page.
handler400 = "trivia.client_errors.bad_request"
# Where allauth sends a request over one of its ACCOUNT_RATE_LIMITS: the site's friendly page.
handler429 = "accounts.views.rate_limited"
