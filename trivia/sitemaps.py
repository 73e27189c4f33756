"""The sitemap (DESIGN §4): where crawlers find every public page, and nothing that is not.

``/sitemap.xml`` is an index of one sitemap per kind of page, each split into pages of
``limit`` addresses (``?p=2``), so that with 500,000 stories no response has to list them all.
Every section starts from the same public querysets as the pages themselves: a title or a tag
is listed only while it has a published story, a story only while it is published.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse

from . import queries
from .models import Anecdote


class PagesSitemap(Sitemap):
    """The home page, the lists of every story, myth and disputed story, and the indexes,
    which change whenever a story is published (their later pages are reached from the first;
    each story has its own entry)."""

    changefreq = "daily"

    def items(self):
        return [
            "home",
            "story_list",
            "myth_list",
            "disputed_list",
            "title_list",
            "tag_list",
            "person_list",
        ]

    def location(self, item):
        return reverse(item)


class TitleSitemap(Sitemap):
    """Titles with published stories; a title's page changed when its newest story came."""

    limit = 1000

    def items(self):
        newest = (
            Anecdote.objects.published()
            .filter(title=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return (
            queries.title_has_stories()
            .annotate(last_published=Subquery(newest))
            .only("slug")
            .order_by("pk")
        )

    def lastmod(self, title):
        return title.last_published

    def get_latest_lastmod(self):
        # For the index. Django's default reads every item's lastmod; this is one index lookup.
        return Anecdote.objects.published().aggregate(latest=Max("published_at"))["latest"]


class StorySitemap(Sitemap):
    """Every published story's permalink, last changed when it was last edited or decided."""

    limit = 1000

    def items(self):
        return Anecdote.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, anecdote):
        return anecdote.updated_at

    def get_latest_lastmod(self):
        """None: the index gives no date for the stories' sitemaps. Django's default reads every
        story, and even the newest ``updated_at`` alone is a scan of every story (no index)."""
        return None


class TagSitemap(Sitemap):
    """Tags with published stories. No lastmod: finding each tag's newest story would cost a
    sort of its stories per tag, and the tag page's newest stories have their own entries."""

    limit = 1000

    def items(self):
        # A tag whose name left no slug ("!!!") has no page to list.
        return queries.tag_has_stories().exclude(slug="").only("slug").order_by("pk")

    def location(self, tag):
        return reverse("tag_detail", kwargs={"slug": tag.slug})


class PersonSitemap(Sitemap):
    """People with published stories. No lastmod, for the same reason as tags."""

    limit = 1000

    def items(self):
        return queries.person_has_stories().only("slug").order_by("pk")


SITEMAPS = {
    "pages": PagesSitemap,
    "titles": TitleSitemap,
    "stories": StorySitemap,
    "tags": TagSitemap,
    "people": PersonSitemap,
}
