"""Tags: the A–Z list, and a tag's stories across titles with its side column."""

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import Lower
from django.urls import reverse
from django.views.generic import ListView
from django.views.generic.detail import SingleObjectMixin
from taggit.models import Tag

from .. import queries
from ..caching.pages import LISTS, clock_for, kept, shows
from ..models import Anecdote
from .lists import ACCURACY_FILTERS, StoryListMixin, story_items
from .structured_data import breadcrumbs, collection_page

TAGS_PER_PAGE = 300


class TagListView(ListView):
    """Tags A–Z with their published-story counts."""

    template_name = "trivia/tag_list.html"
    context_object_name = "tags"
    paginate_by = TAGS_PER_PAGE

    def get_queryset(self):
        return queries.tags_with_stories().order_by(Lower("name"), "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = breadcrumbs(self.request, ("Tags", ""))
        context["structured_data"] = [
            collection_page(
                self.request,
                name="Tags on Backlot",
                description="Every tag of a published story, with how many stories carry it.",
                items=[(tag.name, tag_path(tag)) for tag in context["tags"] if tag.slug],
            )
        ]
        return context


def tag_path(tag):
    return reverse("tag_detail", kwargs={"slug": tag.slug})


# A tag page's side column: its stories' verdicts, the titles with the most of them, and the
# tags found with it among its newest stories (bounded, as home's popular tags).
TAG_SIDE_TITLES = 8
TAG_SIDE_RELATED = 12
RELATED_AMONG = 200


def tag_side(tag):
    """What a tag page shows beside its stories, and the scopes a page showing it shows (the
    tag, and the titles and tags it names, whose renames change it): a grouped query over the
    tag's stories and one over its newest."""
    per_title, per_verdict, names = {}, {}, {}
    rows = (
        Anecdote.objects.published()
        .filter(tags=tag)
        .values_list("title_id", "title__name", "title__slug", "accuracy")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for title_id, name, slug, accuracy, n in rows:
        names[title_id] = name, slug
        per_title[title_id] = per_title.get(title_id, 0) + n
        per_verdict[accuracy] = per_verdict.get(accuracy, 0) + n
    verdicts = [
        (value, label, per_verdict[value])
        for value, label in ACCURACY_FILTERS
        if value in per_verdict
    ]
    # The most stories first, then A-Z.
    ranked = sorted(per_title, key=lambda pk: (-per_title[pk], names[pk][0].casefold()))
    ranked = ranked[:TAG_SIDE_TITLES]
    titles = [
        (names[pk][0], reverse("title_detail", kwargs={"slug": names[pk][1]}), per_title[pk])
        for pk in ranked
    ]
    newest = queries.stories_tagged(tag).values("pk")[:RELATED_AMONG]
    related = (
        Tag.objects.filter(**{f"{queries.TAGGED_ITEMS}__content_object__in": newest})
        .exclude(pk=tag.pk)
        .exclude(slug="")
        .annotate(together=Count(queries.TAGGED_ITEMS))
        .order_by("-together", Lower("name"), "pk")[:TAG_SIDE_RELATED]
    )
    related = [(other.pk, other.name, tag_path(other)) for other in related]
    scopes = [
        f"tag:{tag.pk}",
        *(f"title:{pk}" for pk in ranked),
        *(f"tag:{pk}" for pk, _, _ in related),
    ]
    return {
        "verdicts": verdicts,
        "titles": titles,
        "related": [(name, path) for _, name, path in related],
        "scopes": scopes,
    }


class TagDetailView(StoryListMixin, SingleObjectMixin, ListView):
    """The published stories with one tag, across titles, newest or most interesting first."""

    template_name = "trivia/tag_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        clock_for(request)
        self.object = self.get_object(queryset=queries.tags_with_stories())
        shows(request, f"tag:{self.object.pk}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        most_interesting = self.request.GET.get("sort") == "interest"
        stories = queries.stories_tagged(self.object, most_interesting=most_interesting)
        return self.sort_and_filter(stories.for_card_list())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tag = self.object
        context["breadcrumbs"] = breadcrumbs(
            self.request, ("Tags", reverse("tag_list")), (tag.name, "")
        )
        context["structured_data"] = [
            collection_page(
                self.request,
                name=f"Stories tagged “{tag.name}”",
                description=f"Behind-the-scenes stories tagged “{tag.name}”, across titles.",
                items=story_items(context["stories"]),
            )
        ]
        # Kept until a story is published, changed or taken down anywhere (``LISTS``), which
        # covers every change to what the side shows, but not the votes that stamp the tag
        # (43 ms for a tag on 17,000 stories). Not passed the request: the page shows the tag,
        # titles and tags the side names, not every change on the site.
        context["side"] = side = kept(
            None, f"tag-side:{tag.pk}", lambda: tag_side(tag), scopes=[LISTS]
        )
        shows(self.request, *side["scopes"])
        return context
