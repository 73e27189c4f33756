"""Stories (the ``Anecdote`` model), their sources, tags and readers' votes.

State changes never happen here: they go through ``trivia.services.lifecycle``, which locks
the row, checks the state against ``trivia.lifecycle`` and records a ``ModerationEvent``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .base import account_link, one_of, renditions
from .catalogue import Title, TitleKind


class TaggedAnecdote(TaggedItemBase):
    """Taggit's through table with a real foreign key, so "stories with this tag" is a join on
    an indexed integer column rather than a scan of taggit's generic table."""

    content_object = models.ForeignKey("Anecdote", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "content_object"], name="unique_anecdote_tag")
        ]
        indexes = [models.Index(fields=["tag", "-content_object"], name="tagged_tag_newest")]


class StoryState(models.TextChoices):
    """Where a story is in its lifecycle; ``trivia.lifecycle`` says how it moves between them."""

    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# What a contributor's own pages call a state where the moderators' word would read coldly;
# every other state is shown by its label above.
CONTRIBUTOR_LABELS = {
    StoryState.PENDING: "Waiting for a moderator",
    StoryState.REJECTED: "Not accepted",
}


class Accuracy(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    CORROBORATED = "corroborated", "Corroborated"
    DISPUTED = "disputed", "Disputed"
    DEBUNKED = "debunked", "Debunked (a myth)"


class RejectionReason(models.TextChoices):
    UNSOURCED = "unsourced", "No usable source"
    RUMOUR = "rumour", "Rumour or opinion"
    DUPLICATE = "duplicate", "Duplicate of another story"
    NOT_BEHIND_THE_SCENES = "not_bts", "Not a behind-the-scenes story"
    WRONG_TITLE = "wrong_title", "Wrong title"
    UNMARKED_SPOILER = "spoiler", "Unmarked spoiler"
    ABUSIVE = "abusive", "Abusive"
    OTHER = "other", "Other"


class StoryQuerySet(models.QuerySet):
    def published(self):
        """The one definition of "public": every view, count, feed and list starts here."""
        return self.filter(state=Anecdote.State.PUBLISHED)

    def pending(self):
        return self.filter(state=Anecdote.State.PENDING)

    def visible_to(self, user):
        """Published stories, plus a signed-in user's own, plus everything for moderators."""
        if user.is_authenticated and user.has_perm("trivia.moderate_anecdote"):
            return self.all()
        if user.is_authenticated:
            return self.filter(Q(state=Anecdote.State.PUBLISHED) | Q(contributor=user))
        return self.published()

    def for_cards(self):
        """What a story card shows, in a fixed number of queries whatever the page size."""
        return self.select_related("title", "contributor").prefetch_related(*card_lists())

    def for_card_list(self):
        """A page of story cards to be served from their cached fragments: what the page needs
        around them, and for the cards not cached yet, all but ``card_lists()``, which
        ``{% story_cards %}`` fetches for those alone."""
        return self.select_related("title", "contributor")


def card_lists():
    """The lists a story card shows (``tag_list``, ``citation_list``, ``people_list``), one
    query each whatever the number of stories."""
    return [
        models.Prefetch("tags", to_attr="tag_list"),
        models.Prefetch(
            "citations",
            queryset=Citation.objects.select_related("source").order_by("pk"),
            to_attr="citation_list",
        ),
        models.Prefetch("people", to_attr="people_list"),
    ]


class Anecdote(models.Model):
    """One behind-the-scenes story about a title, with its sources and moderation state."""

    State = StoryState
    Accuracy = Accuracy
    RejectionReason = RejectionReason

    title = models.ForeignKey(
        Title,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="anecdotes",
        help_text="Required before approval. A title with stories cannot be deleted.",
    )
    proposed_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="The title as the contributor or the imported article named it, when it "
        "matched no title: assign the real title above.",
    )
    proposed_title_kind = models.CharField(
        max_length=20,
        choices=TitleKind.choices,
        blank=True,
        help_text="For a proposed new title: film or series, as the contributor said.",
    )
    proposed_title_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For a proposed new title: its year, as the contributor said.",
    )
    text = models.TextField(help_text="Plain text, a few sentences. Shown exactly as written.")
    tags = TaggableManager(through=TaggedAnecdote, blank=True)
    is_spoiler = models.BooleanField(
        "contains spoilers",
        default=False,
        help_text="Hidden until the reader chooses to reveal it.",
    )
    image = models.ImageField(upload_to="anecdotes/", blank=True)
    image_renditions = renditions("image")
    people = models.ManyToManyField(
        "Person",
        blank=True,
        related_name="anecdotes",
        help_text="The people this story is about: actors, directors, crew.",
    )
    interest_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="How many readers found it interesting; kept by the voting service.",
    )
    contributor = account_link(
        "anecdotes", help_text="Deleting the account keeps the story, without its author."
    )
    sources = models.ManyToManyField("Source", through="Citation", related_name="anecdotes")
    possible_duplicate_of = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        editable=False,
        related_name="possible_repeats",
        help_text="Stories this one may repeat, as its import found them "
        "(trivia.importer.repeats): a bulk approval leaves it in the queue, to be compared "
        "and approved from its own page.",
    )

    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The submit form's one-time key: a double-clicked submit creates one story.",
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, editable=False
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every change, so a decision taken on a stale copy is refused.",
    )
    rejection_reason = models.CharField(
        max_length=20, choices=RejectionReason.choices, blank=True, editable=False
    )
    moderator_message = models.TextField(
        blank=True, editable=False, help_text="The last decision's message to the contributor."
    )
    accuracy = models.CharField(
        max_length=20, choices=Accuracy.choices, default=Accuracy.UNVERIFIED
    )
    accuracy_note = models.TextField(
        blank=True,
        help_text="For disputed or debunked stories: what is known to be true.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = "story"
        verbose_name_plural = "all stories"
        permissions = [("moderate_anecdote", "Can approve, reject and unpublish stories")]
        constraints = [
            one_of("state", StoryState, name="anecdote_state_valid"),
            one_of("accuracy", Accuracy, name="anecdote_accuracy_valid"),
            models.CheckConstraint(
                condition=~Q(state=StoryState.PUBLISHED)
                | (Q(title__isnull=False) & Q(published_at__isnull=False)),
                name="published_anecdote_has_title_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=StoryState.REJECTED) | ~Q(rejection_reason=""),
                name="rejected_anecdote_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-published_at"], name="anecdote_state_newest"),
            models.Index(fields=["title", "state", "-published_at"], name="anecdote_title_newest"),
            # A title's stories "most interesting first" (the tie-break is the newest).
            models.Index(
                fields=["title", "state", "-interest_count", "-published_at"],
                name="anecdote_title_interest",
            ),
            models.Index(fields=["state", "submitted_at"], name="anecdote_queue_oldest"),
            # A big tag's stories "most interesting first" (queries.stories_tagged): the most
            # interesting stories are walked and their tag checked, instead of sorting the
            # tag's 36,578 (350 ms on PostgreSQL at 300,000 stories; now 5 ms).
            models.Index(
                fields=["state", "-interest_count", "-published_at"], name="anecdote_interest"
            ),
            # A tag's stories with one verdict ("Myths"): PostgreSQL walks the stories with that
            # verdict, newest first, when it is the rarer (145 + 126 ms for the page and its
            # count on the biggest tag; now 2 ms).
            models.Index(fields=["accuracy", "state", "-id"], name="anecdote_accuracy_newest"),
            # Serving /media/anecdotes/<name> looks the story up by its image.
            models.Index(fields=["image"], condition=~Q(image=""), name="anecdote_by_image"),
        ]

    def __str__(self):
        excerpt = " ".join(self.text.split())
        return excerpt[:60] + ("…" if len(excerpt) > 60 else "")

    def get_absolute_url(self):
        return reverse("anecdote_detail", kwargs={"pk": self.pk})

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED

    def allowed_actions(self, user):
        """What ``user`` may do to this story now, by verb (``trivia.lifecycle``): the admin's
        buttons and the contributor's links show exactly these."""
        from ..lifecycle import allowed_actions

        return allowed_actions(self, user)

    def get_state_display_for_contributor(self):
        """The state as the contributor's own pages name it (``CONTRIBUTOR_LABELS``)."""
        return CONTRIBUTOR_LABELS.get(self.state) or self.get_state_display()

    def snapshot(self):
        """What the story said at one moment, kept in its moderation events."""
        return {
            "text": self.text,
            "title": self.title.name if self.title_id else None,
            "proposed_title": self.proposed_title,
            "is_spoiler": self.is_spoiler,
            "accuracy": self.accuracy,
            "accuracy_note": self.accuracy_note,
            "image": self.image.name or "",
            "tags": sorted(tag.name for tag in self.tags.all()),
            "people": sorted(person.name for person in self.people.all()),
            "sources": [str(citation) for citation in self.citations.select_related("source")],
        }


class Vote(models.Model):
    """A signed-in reader found a story interesting: one vote each, which they can take back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    anecdote = models.ForeignKey("Anecdote", on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "anecdote"], name="one_vote_per_reader")
        ]

    def __str__(self):
        return f"{self.user} finds story {self.anecdote_id} interesting"


class SourceKind(models.TextChoices):
    ARTICLE = "article", "Article"
    BOOK = "book", "Book"
    INTERVIEW = "interview", "Interview"
    COMMENTARY = "commentary", "Commentary track"
    DOCUMENTARY = "documentary", "Documentary"
    OTHER = "other", "Other"


class PendingAnecdote(Anecdote):
    """The moderation queue's entry in the admin: the same rows, listed for deciding."""

    class Meta:
        proxy = True
        verbose_name = "story in the queue"
        verbose_name_plural = "moderation queue"


class Source(models.Model):
    """Where a story comes from. Every field may be unknown, as for the seed articles."""

    Kind = SourceKind

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(max_length=300, blank=True)
    publisher = models.CharField("publisher or site", max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    url = models.URLField("address", max_length=500, blank=True)
    date = models.DateField(null=True, blank=True)
    import_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="For an imported article: a hash of its text, so it is imported only once.",
    )
    import_sketch = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="For an imported article: a sample of its wording (a MinHash sketch) that a "
        "few changed words barely change, so a copy with small differences is recognised too.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            one_of("kind", SourceKind, name="source_kind_valid"),
            models.UniqueConstraint(
                fields=["import_fingerprint"],
                condition=~Q(import_fingerprint=""),
                name="unique_imported_article",
            ),
        ]

    def __str__(self):
        label = self.title or self.url or f"Untitled {self.get_kind_display().lower()}"
        return f"{label} ({self.publisher})" if self.publisher else label


class Citation(models.Model):
    """A story citing a source, optionally at a place (page, timestamp) and with a quote."""

    anecdote = models.ForeignKey(Anecdote, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    locator = models.CharField(max_length=100, blank=True, help_text="Page, chapter or timestamp.")
    quote = models.TextField(blank=True, max_length=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["anecdote", "source"], name="unique_citation")
        ]

    def __str__(self):
        return f"{self.source} {self.locator}".strip()
