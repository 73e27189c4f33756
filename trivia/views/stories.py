"""A story's permanent link, with its related stories, and "surprise me".

Only the permalink widens what the public sees, to ``visible_to``: a story's contributor and
the moderators may read an unpublished story there, under a banner."""

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView

from .. import queries
from ..caching.headers import never_stored
from ..caching.pages import clock_for, shows
from ..feeds import story_summary
from ..models import Anecdote, TaggedAnecdote
from .social import story_social
from .structured_data import breadcrumbs


class StoryDetailView(DetailView):
    """A story's permanent link. Unpublished stories are a 404, except to their contributor
    and to moderators, who see them marked as not public."""

    context_object_name = "story"  # the template keeps the model's name: anecdote_detail.html

    def get_object(self, queryset=None):
        clock_for(self.request)
        story = super().get_object(queryset)
        shows(self.request, f"story:{story.pk}")
        return story

    def get_queryset(self):
        return Anecdote.objects.visible_to(self.request.user).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        story = self.object
        # An unpublished story's page (its contributor's, a moderator's) describes nothing to
        # machines, breadcrumbs included: only a published one has them and its side column.
        if story.is_published:
            context["breadcrumbs"] = breadcrumbs(
                self.request,
                ("Titles", reverse("title_list")),
                (story.title.name, story.title.get_absolute_url()),
                ("Story", ""),
            )
            context["voted_ids"] = queries.voted_ids(self.request.user, [story])
            context["social"] = story_social(self.request, story)
            related = related_stories(story)
            # Each one shown is on this page: its unpublishing, edit or new title's name stamps
            # its scope, and the page is recomputed at the next request. A story published
            # since that would rank among them joins when the page is next recomputed: the
            # page does not show its people's and tags' scopes, which every approval of a
            # common tag would stamp.
            shows(self.request, *(f"story:{other.pk}" for other in related))
            for other in related:
                other.excerpt = story_summary(other, RELATED_EXCERPT)
            context["related"] = related
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            # Its contributor's or a moderator's page: no cache on the way keeps a copy.
            never_stored(response)
        return response


# A story page's "related stories": how many, and among how many of the newest stories sharing
# a person, and of those sharing a tag, they are chosen (bounded: a tag on a tenth of the site
# costs what a rare one does).
RELATED_STORIES = 4
RELATED_AMONG = 200
RELATED_EXCERPT = 140


def related_stories(story, limit=RELATED_STORIES):
    """Published stories about the same people or with the same tags as ``story`` (read with
    ``for_cards()``), the most shared first (a person counts as much as two tags), the newest
    among equals; never ``story`` itself. One query whatever the number of stories."""
    person_ids = [person.pk for person in story.people_list]
    tag_ids = [tag.pk for tag in story.tag_list]
    if not (person_ids or tag_ids):
        return []
    candidates, score = Q(), Value(0)
    if person_ids:
        links = Anecdote.people.through.objects.filter(person_id__in=person_ids)
        newest = links.order_by("-anecdote_id").values("anecdote_id")[:RELATED_AMONG]
        shared = links.filter(anecdote_id=OuterRef("pk")).order_by().values("anecdote_id")
        candidates |= Q(pk__in=newest)
        score = score + 2 * Coalesce(Subquery(shared.annotate(n=Count("pk")).values("n")), 0)
    if tag_ids:
        links = TaggedAnecdote.objects.filter(tag_id__in=tag_ids)
        newest = links.order_by("-content_object_id").values("content_object_id")[:RELATED_AMONG]
        shared = links.filter(content_object_id=OuterRef("pk")).order_by()
        shared = shared.values("content_object_id").annotate(n=Count("pk")).values("n")
        candidates |= Q(pk__in=newest)
        score = score + Coalesce(Subquery(shared), 0)
    return list(
        Anecdote.objects.published()
        .filter(candidates)
        .exclude(pk=story.pk)
        .annotate(score=score)
        .select_related("title")
        .order_by("-score", "-published_at", "-pk")[:limit]
    )


@never_cache
def random_story(request):
    """ "Surprise me": a redirect to a random published story, a new one on every visit."""
    pk = queries.random_published_pk()
    if pk is None:
        messages.info(request, "No stories have been published yet: come back soon.")
        return redirect("home")
    return redirect("anecdote_detail", pk=pk)
