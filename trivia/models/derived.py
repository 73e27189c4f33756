"""Tables derived from published stories, kept in step by the services: search, counts."""

from django.db import models
from taggit.models import Tag

from .catalogue import Title


class SearchEntry(models.Model):
    """What search reads for one published story: its text with its title, aliases, people
    and tags, accent-free and lower-cased. Rows exist for published stories only, written by
    the services; the full-text index over them is the database's own (FTS5 or GIN)."""

    anecdote = models.OneToOneField(
        "Anecdote", on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    body = models.TextField()

    def __str__(self):
        return f"Search entry of story {self.anecdote_id}"


class ContentGeneration(models.Model):
    """One row counting changes the public could see; cached pages are keyed by its value
    (``trivia.caching.pages``). Raised in the same transaction as each such change."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Content generation {self.value}"


class StoryCount(models.Model):
    """How many published stories one title or tag has, read by the public lists instead of
    counting stories (DESIGN §5: "titles with the most stories" counted 300,000 stories on
    every home page). Written only by ``trivia.counters``, in the same transaction as every
    change that moves it; ``value`` never goes below zero."""

    value = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class TitleStoryCount(StoryCount):
    title = models.OneToOneField(
        Title, on_delete=models.CASCADE, primary_key=True, related_name="story_counter"
    )

    class Meta:
        # Home's "titles with the most stories": the first rows of this index.
        indexes = [models.Index(fields=["-value", "title"], name="title_most_stories")]

    def __str__(self):
        return f"{self.value} published stories of title {self.title_id}"


class TagStoryCount(StoryCount):
    tag = models.OneToOneField(
        Tag, on_delete=models.CASCADE, primary_key=True, related_name="story_counter"
    )

    def __str__(self):
        return f"{self.value} published stories with tag {self.tag_id}"


class PublicVersion(models.Model):
    """When each scope of what readers see last changed, on the publication clock
    (``ContentGeneration``): ``story:<id>``, ``title:<id>``, ``tag:<id>``, ``person:<id>`` and
    ``lists``. Written only by ``trivia.publication``, in the changing transaction; a cached
    page is exact while none of the scopes it shows changed after it was rendered
    (``trivia.caching.pages``)."""

    scope = models.CharField(max_length=40, primary_key=True)
    changed_at = models.BigIntegerField()

    def __str__(self):
        return f"{self.scope} changed at {self.changed_at}"
