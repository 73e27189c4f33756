"""The catalogue stories hang on: titles and people, each with the other names they go by."""

import re

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from ..matching.names import normalize_name
from .base import one_of, renditions


def unique_slug(model, text, *, max_length=80):
    """A slug for ``text`` not yet used by ``model``: "fight-club", then "fight-club-2"..."""
    base = slugify(text, allow_unicode=False)[:max_length].strip("-") or "untitled"
    slug, counter = base, 2
    while model.objects.filter(slug=slug).exists():
        suffix = f"-{counter}"
        slug = base[: max_length - len(suffix)] + suffix
        counter += 1
    return slug


class TitleKind(models.TextChoices):
    FILM = "film", "Film"
    SERIES = "series", "Series"


class Named(models.Model):
    """A name, kept with its normal form (``normalized_name``), which matching compares."""

    name = models.CharField(max_length=200)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    # Fields derived from the name, saved with it even when only "name" is (a rename).
    derived_from_name = ["normalized_name"]

    def save(self, *args, **kwargs):
        # Derived fields only: no side effects beyond this row.
        self.normalized_name = normalize_name(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, *self.derived_from_name}
        super().save(*args, **kwargs)


class CatalogueEntry(Named):
    """What a title and a person share: their name, and a page of their stories under a slug
    made from it (``page_url_name``)."""

    page_url_name = None

    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Named.Meta):
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(self.page_url_name, kwargs={"slug": self.slug})


class Title(CatalogueEntry):
    """A film or a series; its stories are listed on its page."""

    page_url_name = "title_detail"

    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="Part of the title's URL: "
        "readers bookmark it, so change it only to fix a mistake.",
    )
    kind = models.CharField(max_length=20, choices=TitleKind.choices, default=TitleKind.FILM)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of release (first season for a series)."
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Series only: the year of the last season."
    )
    original_title = models.CharField(
        max_length=200, blank=True, help_text="The title in its original language, if different."
    )
    synopsis = models.TextField(blank=True, max_length=1000)
    poster = models.ImageField(upload_to="posters/", blank=True)
    poster_renditions = renditions("poster")

    class Meta(CatalogueEntry.Meta):
        constraints = [
            one_of("kind", TitleKind, name="title_kind_valid"),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | (Q(kind=TitleKind.SERIES) & Q(end_year__gte=models.F("year"))),
                name="title_end_year_series_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})" if self.year else self.name

    @property
    def years(self):
        """ "1999", "2009–2015" or "2016–" for a series still running."""
        if not self.year:
            return ""
        if self.kind == TitleKind.SERIES and self.end_year and self.end_year != self.year:
            return f"{self.year}–{self.end_year}"
        return str(self.year)


class Alias(Named):
    """Another name a title or a person goes by, for matching.

    Aliases of one kind are unique in their normal form, so a name matches at most one title,
    or one person.
    """

    normalized_name = models.CharField(max_length=200, unique=True, editable=False)

    class Meta(Named.Meta):
        abstract = True


class TitleAlias(Alias):
    """Another name of a title: a translation, a garbled name seen in an article, a numbering."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "title aliases"


# Words after a family name that are not it: "Sammy Davis Jr.", "Robert Downey, Jr.".
NAME_SUFFIXES = frozenset("jr jnr junior sr snr senior ii iii iv".split())
# Particles of a family name. Written in lower case they are skipped when filing ("Ludwig van
# Beethoven" under B, "Guillermo del Toro" under T); written with a capital they lead it, as
# English files such names ("Robert De Niro" under D, "Benicio Del Toro" under D).
NAME_PARTICLES = frozenset(
    "de del della der di da das dos du la le van von ten ter den st saint mac bin ibn".split()
)


def family_sort_name(name):
    """The key ``/people/`` files a person under: their family name, then the rest of their
    name, in normal form ("Heath Ledger" → "ledger heath", "Robert De Niro" → "de niro robert",
    "Ludwig van Beethoven" → "beethoven ludwig van", "Sammy Davis Jr." → "davis sammy jr").

    The rule, for Western names as the site's people mostly are: the family name is the last
    word once suffixes (Jr., III) are set aside, with the particles written before it; a
    hyphenated family name stays whole ("Gordon-Levitt" under G); one word is its own key.
    A name given family name first ("Bong Joon-ho") is filed by its last word, like any other.
    """
    words = [word for word in re.split(r"[\s,]+", name or "") if any(c.isalnum() for c in word)]
    suffixes = []
    while len(words) > 1 and normalize_name(words[-1]).replace(" ", "") in NAME_SUFFIXES:
        suffixes.insert(0, words.pop())
    start = len(words) - 1
    while start > 1 and normalize_name(words[start - 1]) in NAME_PARTICLES:
        start -= 1  # "De Niro", "van Beethoven": the particles belong to the family name
    # Lower-case particles are skipped for filing, capitalised ones lead ("De Niro" under D).
    filed = start
    while filed < len(words) - 1 and words[filed][:1].islower():
        filed += 1
    ordered = words[filed:] + words[:filed] + suffixes
    return " ".join(normalize_name(word) for word in ordered if normalize_name(word))[:200]


class Person(CatalogueEntry):
    """Someone stories are about: an actor, a director, someone of the crew."""

    page_url_name = "person_detail"

    slug = models.SlugField(max_length=80, unique=True)
    known_for = models.CharField(max_length=100, blank=True, help_text="e.g. “Actor”, “Director”.")
    sort_name = models.CharField(
        max_length=200,
        db_index=True,
        editable=False,
        default="",
        help_text="Family name first, in normal form, from the name (``family_sort_name``): "
        "the order and the letters of /people/.",
    )

    class Meta(CatalogueEntry.Meta):
        verbose_name_plural = "people"

    derived_from_name = [*CatalogueEntry.derived_from_name, "sort_name"]

    def save(self, *args, **kwargs):
        self.sort_name = family_sort_name(self.name)
        super().save(*args, **kwargs)

    @property
    def index_letter(self):
        """The letter of ``/people/`` this person is filed under, "#" for a name without one."""
        first = self.sort_name[:1].upper()
        return first if first.isalpha() else "#"


class PersonAlias(Alias):
    """Another spelling of a person's name ("Kino Rives" for Keanu Reeves)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "person aliases"
