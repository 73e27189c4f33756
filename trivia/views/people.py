"""People: the list filed by family name, and a person's stories, titles and aliases."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.views.generic import ListView
from django.views.generic.detail import SingleObjectMixin

from .. import queries
from ..caching.pages import LISTS, kept
from ..queries import people_with_stories, person_has_stories, titles_of
from .lists import DIGIT_INITIALS, LETTERS, StoryListMixin
from .structured_data import breadcrumbs, collection_page, json_ld

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
