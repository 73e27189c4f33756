"""What waits for a moderator, as one stream: pending stories, open reports and proposed
corrections, oldest first (or newest), filtered as the moderation queue is.

An item is named by its key, "story-12", "report-3", "correction-5": the desk's address
(``?item=story-12``) and its forms carry it. Counting and finding the next item run a fixed
number of queries whatever the length of the queue.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, Q

from ...forms.fields import is_plain_id
from ...models import Anecdote, Correction, Report

KINDS = ("story", "report", "correction")
# The "kind" filter's values, as the page offers them, and the item kinds each one shows.
KIND_FILTERS = {
    "all": KINDS,
    "stories": ("story",),
    "reports": ("report",),
    "corrections": ("correction",),
}
ORDERS = {"oldest": "Oldest first", "newest": "Newest first"}
NOUNS = {
    "story": ("story", "stories"),
    "report": ("report", "reports"),
    "correction": ("correction", "corrections"),
}
_KEY = re.compile(r"(story|report|correction)-([0-9]{1,18})")
# Longest tag slug or username a filter takes: longer is no tag and no user.
_MAX_FILTER = 150


@dataclass(frozen=True)
class Filters:
    """The desk's filters, read from the query string; anything unknown is the default, so a
    forged address shows the whole stream rather than an error."""

    kind: str = "all"
    untitled: bool = False
    tag: str = ""
    contributor: str = ""
    duplicates: bool = False
    order: str = "oldest"

    @classmethod
    def from_query(cls, query):
        def text(name):
            value = query.get(name, "").strip()
            return value if len(value) <= _MAX_FILTER and "\x00" not in value else ""

        kind = query.get("kind", "all")
        order = query.get("order", "oldest")
        return cls(
            kind=kind if kind in KIND_FILTERS else "all",
            untitled=query.get("untitled") == "1",
            tag=text("tag"),
            contributor=text("contributor"),
            duplicates=query.get("duplicates") == "1",
            order=order if order in ORDERS else "oldest",
        )

    def query_string(self):
        """The filters as the desk's address gives them, defaults left out."""
        pairs = [
            ("kind", self.kind if self.kind != "all" else ""),
            ("untitled", "1" if self.untitled else ""),
            ("tag", self.tag),
            ("contributor", self.contributor),
            ("duplicates", "1" if self.duplicates else ""),
            ("order", self.order if self.order != "oldest" else ""),
        ]
        return urlencode([(name, value) for name, value in pairs if value])

    @property
    def kinds(self):
        """The kinds of item shown. The filters on a story's title and its duplicate flags
        concern stories only; a contributor's stories and proposed corrections, not reports
        (a reader's report has no contributor)."""
        kinds = KIND_FILTERS[self.kind]
        if self.untitled or self.duplicates:
            return tuple(kind for kind in kinds if kind == "story")
        if self.contributor:
            return tuple(kind for kind in kinds if kind != "report")
        return kinds

    @property
    def any(self):
        return self != Filters(order=self.order)


@dataclass
class Item:
    """One waiting thing: ``kind`` and the object (an ``Anecdote``, ``Report`` or
    ``Correction``)."""

    kind: str
    obj: object
    holder: object = None  # the claim of another moderator, if any
    extra: dict = field(default_factory=dict)

    @property
    def key(self):
        return f"{self.kind}-{self.obj.pk}"

    @property
    def waiting_since(self):
        return self.obj.submitted_at if self.kind == "story" else self.obj.created_at

    @property
    def is_waiting(self):
        if self.kind == "story":
            return self.obj.state == Anecdote.State.PENDING
        return self.obj.state == self.obj.waiting_state


def parse_key(key):
    """("story", 12) for "story-12"; None for anything else."""
    match = _KEY.fullmatch(key or "")
    if not match or not is_plain_id(match[2]):
        return None
    return match[1], int(match[2])


# What an item's panel shows of its rows, fetched with it.
RELATED = {
    "story": ("title", "contributor"),
    "report": ("reporter", "resolved_by", "anecdote__title"),
    "correction": ("proposer", "decided_by", "anecdote__title"),
}
MODELS = {"story": Anecdote, "report": Report, "correction": Correction}


def base_queryset(kind):
    """Every item of ``kind``, whatever its state, with what its panel shows in one go."""
    return MODELS[kind].objects.select_related(*RELATED[kind])


def waiting(kind, filters):
    """The waiting items of ``kind`` that ``filters`` keep, in the stream's order."""
    if kind == "story":
        items = Anecdote.objects.pending()
        if filters.untitled:
            items = items.filter(title__isnull=True)
        if filters.duplicates:
            flagged = Anecdote.possible_duplicate_of.through.objects.values("from_anecdote")
            items = items.filter(pk__in=flagged)
        if filters.contributor:
            items = items.filter(contributor__username=filters.contributor)
        if filters.tag:
            items = items.filter(tags__slug=filters.tag)
        moment = F("submitted_at")
    else:
        model = Report if kind == "report" else Correction
        items = model.objects.filter(state=model.waiting_state)
        if filters.contributor:
            items = items.filter(proposer__username=filters.contributor)
        if filters.tag:
            items = items.filter(anecdote__tags__slug=filters.tag)
        moment = F("created_at")
    if filters.order == "newest":
        return items.order_by(moment.desc(nulls_last=True), "-pk")
    return items.order_by(moment.asc(nulls_last=True), "pk")


def next_item(filters, *, passed_by):
    """The first item of the stream that is not in ``passed_by`` (keys: claimed by others,
    skipped), or None: one query per kind shown."""
    firsts = []
    for kind in filters.kinds:
        ids = [pk for other_kind, pk in map(parse_key, passed_by) if other_kind == kind]
        found = waiting(kind, filters).exclude(pk__in=ids).select_related(*RELATED[kind]).first()
        if found is not None:
            firsts.append(Item(kind, found))
    if not firsts:
        return None
    newest = filters.order == "newest"

    def place(item):
        moment = item.waiting_since
        stamp = moment.timestamp() if moment else 0
        sign = -1 if newest else 1
        return (moment is None, sign * stamp, sign * item.obj.pk)

    return min(firsts, key=place)


def find(key):
    """The item a key names, in whatever state it is now, or None."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    kind, pk = parsed
    obj = base_queryset(kind).filter(pk=pk).first()
    return Item(kind, obj) if obj is not None else None


def counts(filters, *, claimed_by_others, skipped):
    """How many items wait under ``filters``, per kind, and how many of them others are
    reviewing and this moderator skipped: ``{"story": 12, ...}, held, skipped_count``."""
    waiting_counts, held, passed = {}, 0, 0
    for kind in filters.kinds:
        items = waiting(kind, filters)
        waiting_counts[kind] = items.count()
        held_ids = [pk for k, pk in map(parse_key, claimed_by_others) if k == kind]
        skipped_ids = [pk for k, pk in map(parse_key, skipped) if k == kind]
        if held_ids or skipped_ids:
            marked = items.filter(Q(pk__in=held_ids) | Q(pk__in=skipped_ids)).values_list(
                "pk", flat=True
            )
            for pk in marked:
                if pk in held_ids:
                    held += 1
                else:
                    passed += 1
    return waiting_counts, held, passed


def describe_counts(waiting_counts):
    """ "12 stories, 2 reports, 1 correction waiting" (every kind shown, zeros included)."""
    parts = [
        f"{number} {NOUNS[kind][0] if number == 1 else NOUNS[kind][1]}"
        for kind, number in waiting_counts.items()
    ]
    return f"{', '.join(parts)} waiting" if parts else "Nothing matches these filters"
