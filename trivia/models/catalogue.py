"""The catalogue stories hang on: titles and people, each with the other names they go by."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from ..matching.names import normalize_name


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


class Title(models.Model):
    """A film or a series; its stories are listed on its page."""

    name = models.CharField(max_length=200)
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
    poster_renditions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Smaller copies of the poster, made once when it is uploaded.",
    )
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TitleKind.values), name="title_kind_valid"),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | (Q(kind=TitleKind.SERIES) & Q(end_year__gte=models.F("year"))),
                name="title_end_year_series_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})" if self.year else self.name

    def save(self, *args, **kwargs):
        # Derived fields only: no side effects beyond this row.
        self.normalized_name = normalize_name(self.name)
        if not self.slug:
            self.slug = unique_slug(Title, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("title_detail", kwargs={"slug": self.slug})

    @property
    def years(self):
        """ "1999", "2009–2015" or "2016–" for a series still running."""
        if not self.year:
            return ""
        if self.kind == TitleKind.SERIES and self.end_year and self.end_year != self.year:
            return f"{self.year}–{self.end_year}"
        return str(self.year)


class TitleAlias(models.Model):
    """Another name of a title: a translation, a garbled name seen in an article, a numbering.

    Aliases are unique in their normal form across all titles, so a heading can match at most
    one title.
    """

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    normalized_name = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "title aliases"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        super().save(*args, **kwargs)


class Person(models.Model):
    """Someone stories are about: an actor, a director, someone of the crew."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    known_for = models.CharField(max_length=100, blank=True, help_text="e.g. “Actor”, “Director”.")
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        if not self.slug:
            self.slug = unique_slug(Person, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("person_detail", kwargs={"slug": self.slug})


class PersonAlias(models.Model):
    """Another spelling of a person's name ("Kino Rives" for Keanu Reeves), for matching."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    normalized_name = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "person aliases"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        super().save(*args, **kwargs)
