"""The reader's pages: home, titles, tags, people, a story's permalink, "surprise me" and
robots.txt.

Every list starts from ``Anecdote.objects.published()`` (directly or through ``trivia.queries``),
so what the public sees has one definition. Only the permalink widens it, to ``visible_to``: a
story's contributor and the moderators may read an unpublished story there, under a banner.

Each page runs a fixed number of queries whatever the number of stories: story cards come from
``{% story_cards %}`` (cached fragments; the cards not cached fetch their lists in one query
each), and counts are those ``trivia.counters`` keeps, read with the rows they count.
"""

import hashlib
import string
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, Lower, Substr
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from taggit.models import Tag

from .. import queries
from ..caching.headers import never_stored
from ..caching.pages import LISTS, card_rows, clock_for, kept, shows
from ..feeds import story_summary
from ..models import Accuracy, Anecdote, Person, TaggedAnecdote, TitleKind
from ..queries import people_with_stories, person_has_stories, titles_of
from .social import story_social, title_social
from .structured_data import SITE_NAME, breadcrumbs, collection_page, json_ld, site_url

HOME_STORIES = 10
HOME_TAGS = 24
HOME_TITLES = 10
TAGS_PER_PAGE = 300


class HomeView(TemplateView):
    template_name = "trivia/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clock_for(self.request)  # before the stories, as StoryListMixin
        latest = Anecdote.objects.published().for_card_list()[:HOME_STORIES]
        context["latest_stories"] = card_rows(latest)
        context["voted_ids"] = queries.voted_ids(self.request.user, context["latest_stories"])
        # The same for every reader until a story is published or taken down: 2–4 ms saved.
        context["popular_tags"] = kept(
            self.request,
            "popular-tags",
            lambda: list(queries.popular_tags(HOME_TAGS)),
            scopes=[LISTS],
        )
        context["top_titles"] = queries.titles_with_most_stories(HOME_TITLES)
        context["structured_data"] = [
            website(self.request),
            json_ld(
                {
                    "@type": "ItemList",
                    "name": "Latest stories",
                    "itemListElement": list_items(
                        self.request, story_items(context["latest_stories"])
                    ),
                }
            ),
        ]
        return context


def website(request):
    """The site as a ``WebSite`` whose search a search engine may offer in its results."""
    # Written out, not built by build_absolute_uri, which would escape the braces.
    search = site_url(request).rstrip("/") + reverse("search") + "?q={search_term_string}"
    return json_ld(
        {
            "@type": "WebSite",
            "name": SITE_NAME,
            "url": site_url(request),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint", "urlTemplate": search},
                "query-input": "required name=search_term_string",
            },
        }
    )


def list_items(request, items):
    """(name, path) pairs as an ``ItemList``'s elements."""
    return [
        {
            "@type": "ListItem",
            "position": position,
            "name": name,
            "url": request.build_absolute_uri(path),
        }
        for position, (name, path) in enumerate(items, start=1)
    ]


def story_items(stories):
    """A page's stories (``CardRow``s) as (name, path) pairs for its structured data, named
    as their own pages name them: one query for their titles' names, whatever the page size."""
    names = dict(
        Anecdote.objects.published()
        .filter(pk__in=[story.pk for story in stories])
        .values_list("pk", "title__name")
    )
    return [
        (
            f"A behind-the-scenes story about {names[story.pk]}",
            reverse("anecdote_detail", kwargs={"pk": story.pk}),
        )
        for story in stories
        if story.pk in names
    ]


# --- Story lists: what the title, tag and person pages share ---------------------------------

# ?accuracy= on story lists: the moderators' verdicts, as a reader would look for them.
ACCURACY_FILTERS = [
    (Accuracy.CORROBORATED, "Corroborated"),
    (Accuracy.DISPUTED, "Disputed"),
    (Accuracy.DEBUNKED, "Myths"),
    (Accuracy.UNVERIFIED, "Unverified"),
]
SORTS = [("newest", "Newest"), ("interest", "Most interesting")]


class CountedPaginator(Paginator):
    """A paginator told how many items there are (a count ``trivia.counters`` keeps) instead
    of counting them: ``COUNT(*)`` over a tag's 36,578 stories cost 50–200 ms a page."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count


class StoryListMixin:
    """What the title, tag and person pages share: ``?sort=newest|interest`` (newest unless
    told), ``?accuracy=`` one of the moderators' verdicts, and the reader's own votes on the
    page's stories. A value the page does not know (a typo, an old link) is ignored: the
    reader gets the plain list, never an error."""

    def get(self, request, *args, **kwargs):
        # The publication clock before the stories: a change committed in between is stamped
        # later than the page, which is then recomputed once (trivia.caching.pages).
        clock_for(request)
        return super().get(request, *args, **kwargs)

    def sort_and_filter(self, stories):
        accuracy = self.request.GET.get("accuracy", "")
        self.accuracy = accuracy if accuracy in Accuracy.values else ""
        if self.accuracy:
            stories = stories.filter(accuracy=self.accuracy)
        self.sort = "interest" if self.request.GET.get("sort") == "interest" else "newest"
        if self.sort == "interest":
            stories = stories.order_by("-interest_count", "-published_at", "-pk")
        return stories

    def get_paginator(self, queryset, per_page, **kwargs):
        """The page's object (title, tag) knows its published stories' count; a list narrowed
        by accuracy is counted."""
        count = getattr(self.object, "story_count", None)
        if self.accuracy or count is None:
            return super().get_paginator(queryset, per_page, **kwargs)
        return CountedPaginator(queryset, per_page, count=count, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page reads only what keys its cards and fills their vote buttons (0.4 ms where
        # whole rows cost 2); {% story_cards %} reads whole only the cards not cached.
        stories = card_rows(context["object_list"])
        context["object_list"] = context["page_obj"].object_list = stories
        context["stories"] = stories
        context["voted_ids"] = queries.voted_ids(self.request.user, stories)
        context.update(
            sorts=SORTS,
            current_sort=self.sort,
            accuracy_filters=ACCURACY_FILTERS,
            current_accuracy=self.accuracy,
        )
        return context


# --- Titles ----------------------------------------------------------------------------------

# The title list's A–Z bar, in the list's order: "#" (titles starting with a digit, see
# ``index_letter``) sorts first.
LETTERS = ["#", *string.ascii_uppercase]
DIGIT_INITIALS = [*string.digits, "_"]


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
    per_verdict = dict(stories.order_by().values_list("accuracy").annotate(n=Count("pk")))
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
        "verdicts": [
            (value, label, per_verdict.get(value, 0)) for value, label in ACCURACY_FILTERS
        ],
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


# --- Tags ------------------------------------------------------------------------------------


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


# --- People ----------------------------------------------------------------------------------

PEOPLE_PER_PAGE = 60
# A person's page names the titles of their stories up to this many, then "and N more".
PERSON_TITLES_SHOWN = 12


class PersonListView(ListView):
    """The people stories are about, filed by family name (``Person.sort_name``: Heath Ledger
    under L), with their published-story counts, letter headings and an A–Z bar linking the
    letters that have someone (``?letter=L``).

    Only people with a published story are listed, and only published stories are counted:
    someone named only by a pending story is not on the site yet.
    """

    template_name = "trivia/person_list.html"
    context_object_name = "people"
    paginate_by = PEOPLE_PER_PAGE

    def get_queryset(self):
        people = people_with_stories().order_by("sort_name", "pk")
        self.letter = self.request.GET.get("letter", "").strip().upper()
        if self.letter == "#":
            people = people.alias(initial=Substr("sort_name", 1, 1)).filter(
                Q(initial__in=DIGIT_INITIALS) | Q(sort_name="")
            )
        elif len(self.letter) == 1 and self.letter.isalpha():
            people = people.filter(sort_name__startswith=self.letter.casefold())
        else:
            self.letter = ""
        return people

    def get_context_data(self, **kwargs):
        # The letters with someone under them, the same for every reader until a story is
        # published or taken down (the A–Z bar links no empty letter).
        present = kept(self.request, "person-letters", queries.person_letters, scopes=[LISTS])
        context = super().get_context_data(
            letters=[(letter, letter in present) for letter in LETTERS],
            current_letter=self.letter,
            **kwargs,
        )
        params = {"letter": self.letter}
        if context["page_obj"].number > 1:
            params["page"] = context["page_obj"].number
        query = urlencode({key: value for key, value in params.items() if value})
        context["canonical_query"] = f"?{query}" if query else ""
        heading = f"People under {self.letter}" if self.letter else "People"
        context["breadcrumbs"] = (
            breadcrumbs(
                self.request, ("People", reverse("person_list")), (f"Under {self.letter}", "")
            )
            if self.letter
            else breadcrumbs(self.request, ("People", ""))
        )
        context["heading"] = heading
        context["structured_data"] = [
            collection_page(
                self.request,
                name=heading,
                description="The actors, directors and crew Backlot's behind-the-scenes "
                "stories are about, by family name.",
                items=[(person.name, person.get_absolute_url()) for person in context["people"]],
            )
        ]
        return context


class PersonDetailView(StoryListMixin, SingleObjectMixin, ListView):
    """One person's published stories across titles, newest first, each card naming its
    title; beside them the titles they appear in, the other spellings of their name and their
    feed. A 404 for a person with no published story."""

    template_name = "trivia/person_detail.html"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, **kwargs):
        # The person with their aliases and titles, kept until they change (a rename, an
        # alias, a story about them published or taken down: ``person:<id>``) or one of the
        # titles is renamed: one query for every reader the page cache does not serve, where
        # reading them costs three. The clock is read first, as for the stories.
        slug = hashlib.sha256(self.kwargs["slug"].encode()).hexdigest()
        self.object, self.aliases, self.titles, self.title_count = kept(
            request,
            f"person:{slug}",
            self.get_person,
            scopes=lambda found: [
                f"person:{found[0].pk}",
                *(f"title:{title.pk}" for title in found[2]),
            ],
        )
        return super().get(request, *args, **kwargs)

    def get_person(self):
        person = self.get_object(queryset=person_has_stories())
        aliases = [
            alias.name
            for alias in person.aliases.order_by("name")
            if alias.normalized_name != person.normalized_name
        ]
        titles = list(titles_of(person))
        return person, aliases, titles[:PERSON_TITLES_SHOWN], len(titles)

    def get_queryset(self):
        return self.sort_and_filter(self.object.anecdotes.published().for_card_list())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        context.update(
            person=person,
            aliases=self.aliases,
            titles=self.titles,
            more_titles=self.title_count - len(self.titles),
            breadcrumbs=breadcrumbs(
                self.request, ("People", reverse("person_list")), (person.name, "")
            ),
            structured_data=[person_json_ld(self.request, person, self.aliases)],
        )
        return context


def person_json_ld(request, person, aliases):
    """schema.org's ``Person`` for a person's page: their name, the other spellings of it,
    the page, and what they are known for. No ``sameAs``: the site links nowhere about them."""
    data = {
        "@type": "Person",
        "name": person.name,
        "url": request.build_absolute_uri(person.get_absolute_url()),
    }
    if aliases:
        data["alternateName"] = aliases
    if person.known_for:
        data["jobTitle"] = person.known_for
        data["description"] = f"{person.known_for}: behind-the-scenes stories on Backlot."
    return json_ld(data)


# --- A story ---------------------------------------------------------------------------------


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


# --- Crawlers --------------------------------------------------------------------------------

# Private or endless pages: the admin, accounts, forms, search results, random redirects, and
# the read API (for programs; its content is on the pages).
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/submit/", "/search/", "/random/", "/api/"]


def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
