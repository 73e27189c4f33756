"""Titles: the A–Z list, and a title's page of stories with its side column."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, prefetch_related_objects
from django.db.models.functions import Lower, Substr
from django.urls import reverse
from django.views.generic import ListView
from django.views.generic.detail import SingleObjectMixin
from taggit.models import Tag

from .. import queries
from ..caching.pages import kept
from ..models import Person, TitleKind
from .lists import ACCURACY_FILTERS, DIGIT_INITIALS, LETTERS, StoryListMixin
from .social import title_social
from .structured_data import SITE_NAME, breadcrumbs, collection_page
from .tags import tag_path


class TitleListView(ListView):
    """Titles A–Z by their normal form, so "The Matrix" is found under M; ?kind= and ?letter=
    narrow it, together or apart."""

    template_name = "trivia/title_list.html"
    context_object_name = "titles"
    paginate_by = settings.TITLES_PER_PAGE

    def get_queryset(self):
        titles = queries.titles_with_stories().order_by("normalized_name", "pk")
        # An unknown kind or letter (a typo, a hand-edited URL) shows every title, not an error.
        self.kind = self.request.GET.get("kind", "")
        if self.kind in TitleKind.values:
            titles = titles.filter(kind=self.kind)
        else:
            self.kind = ""
        self.letter = self.request.GET.get("letter", "").strip().upper()
        if self.letter == "#":
            # Compared character by character: "<" on names would follow the database's
            # collation, which differs between SQLite and PostgreSQL.
            titles = titles.alias(initial=Substr("normalized_name", 1, 1)).filter(
                Q(initial__in=DIGIT_INITIALS) | Q(normalized_name="")
            )
        elif len(self.letter) == 1 and self.letter.isalpha():
            # Any alphabet's letter, as the list's own letter headings link to them.
            titles = titles.filter(normalized_name__startswith=self.letter.casefold())
        else:
            self.letter = ""
        return titles

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            kinds=TitleKind.choices,
            current_kind=self.kind,
            letters=self.letters(),
            current_letter=self.letter,
            **kwargs,
        )
        # Kind and letter make different pages; anything else in the address (tracking
        # parameters, a stray ?page=1) does not.
        params = {"kind": self.kind, "letter": self.letter}
        if context["page_obj"].number > 1:
            params["page"] = context["page_obj"].number
        query = urlencode({key: value for key, value in params.items() if value})
        context["canonical_query"] = f"?{query}" if query else ""
        heading = {"film": "Films", "series": "Series"}.get(self.kind, "Titles")
        if self.letter or self.kind:  # a narrowed list: "Titles" leads back to all of them
            trail = [("Titles", reverse("title_list")), (self.narrowed_heading(heading), "")]
        else:
            trail = [("Titles", "")]
        context["breadcrumbs"] = breadcrumbs(self.request, *trail)
        context["structured_data"] = [
            collection_page(
                self.request,
                name=f"{self.narrowed_heading(heading)} on {SITE_NAME}",
                description="Every film and series with at least one published story, A to Z.",
                items=[(title.name, title.get_absolute_url()) for title in context["titles"]],
            )
        ]
        return context

    def narrowed_heading(self, heading):
        if self.letter == "#":
            return f"{heading} starting with a digit"
        return f"{heading} under {self.letter}" if self.letter else heading

    def letters(self):
        """The A–Z bar as (letter, whether any title of the chosen kind is filed under it):
        one query for the first letters of the titles, the bar's letters filed as
        ``index_letter`` files a title. A letter with no title is shown, not linked."""
        titles = queries.titles_with_stories()
        if self.kind:
            titles = titles.filter(kind=self.kind)
        firsts = (
            titles.order_by()
            .annotate(initial=Substr("normalized_name", 1, 1))
            .values_list("initial", flat=True)
            .distinct()
        )
        found = {first.upper() if first.isalpha() else "#" for first in firsts}
        return [(letter, letter in found) for letter in LETTERS]


# A title page's side column: its stories' verdicts, the people they are about and their tags,
# the most stories first.
TITLE_SIDE_PEOPLE = 10
TITLE_SIDE_TAGS = 12


def title_side(title):
    """What a title page shows beside its stories, with the scopes it shows (the title, and
    the people and tags it names, whose renames change it): three grouped queries over the
    title's published stories, kept with the title (``TitleDetailView.get``)."""
    stories = title.anecdotes.published()
    per_verdict = queries.accuracy_counts(stories)
    people = (
        Person.objects.filter(anecdotes__in=stories)
        .only("pk", "name", "slug")
        .annotate(n=Count("anecdotes"))
        .order_by("-n", "normalized_name", "pk")[:TITLE_SIDE_PEOPLE]
    )
    tags = (
        Tag.objects.filter(**{f"{queries.TAGGED_ITEMS}__content_object__in": stories})
        .exclude(slug="")
        .annotate(n=Count(queries.TAGGED_ITEMS))
        .order_by("-n", Lower("name"), "pk")[:TITLE_SIDE_TAGS]
    )
    people = [(person.pk, person.name, person.get_absolute_url(), person.n) for person in people]
    tags = [(tag.pk, tag.name, tag_path(tag), tag.n) for tag in tags]
    return {
        "verdicts": [(value, label, per_verdict[value]) for value, label in ACCURACY_FILTERS],
        "people": [(name, path, n) for _, name, path, n in people],
        "tags": [(name, path, n) for _, name, path, n in tags],
        "scopes": [
            f"title:{title.pk}",
            *(f"person:{pk}" for pk, *_ in people),
            *(f"tag:{pk}" for pk, *_ in tags),
        ],
    }


class TitleDetailView(StoryListMixin, SingleObjectMixin, ListView):
    """A title and its published stories, newest or most interesting first, paginated."""

    template_name = "trivia/title_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        # The title with its aliases, kept until the title changes: two queries fewer for
        # every reader the page cache does not serve. The clock is read first, as for the
        # stories (StoryListMixin.get); the page shows the title's scope (kept() says so).
        # Its side column is kept with it, under the scopes it shows: still one query to
        # check them on every page, where a second kept value would cost one more.
        slug = hashlib.sha256(self.kwargs["slug"].encode()).hexdigest()
        self.object = kept(
            request, f"title-page:{slug}", self.get_title, scopes=lambda title: title.side["scopes"]
        )
        return super().get(request, *args, **kwargs)

    def get_title(self):
        title = self.get_object(queryset=queries.titles_with_stories())
        prefetch_related_objects([title], "aliases")
        title.side = title_side(title)
        return title

    def get_queryset(self):
        return self.sort_and_filter(self.object.anecdotes.published().for_card_list())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["social"] = title_social(self.request, self.object)
        context["side"] = self.object.side
        context["breadcrumbs"] = breadcrumbs(
            self.request, ("Titles", reverse("title_list")), (self.object.name, "")
        )
        context["aliases"] = [
            alias.name
            for alias in self.object.aliases.all()
            if alias.name not in (self.object.name, self.object.original_title)
        ]
        return context
