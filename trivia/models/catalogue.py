"""The catalogue stories hang on: titles and people, each with the other names they go by."""

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

    def save(self, *args, **kwargs):
        # Derived fields only: no side effects beyond this row.
        self.normalized_name = normalize_name(self.name)
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


class Person(CatalogueEntry):
    """Someone stories are about: an actor, a director, someone of the crew."""

    page_url_name = "person_detail"

    slug = models.SlugField(max_length=80, unique=True)
    known_for = models.CharField(max_length=100, blank=True, help_text="e.g. “Actor”, “Director”.")

    class Meta(CatalogueEntry.Meta):
        verbose_name_plural = "people"


class PersonAlias(Alias):
    """Another spelling of a person's name ("Kino Rives" for Keanu Reeves)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "person aliases"
