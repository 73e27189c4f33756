"""What the desk shows of an item, beyond its own fields: a story's possible duplicates side by
side with what they share, its contributor's record, the names its text may garble, its
history; a correction's diff; what a report is about.

Everything here reads; the decisions are in ``views``.
"""

import re
from types import SimpleNamespace

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from ...importer.naming import name_stories
from ...matching.names import strip_accents
from ...matching.people import PersonIndex
from ...matching.titles import TitleIndex
from ...models import Anecdote, Citation, ModerationEvent, Report
from ...similar import STOPWORDS, content_words, similar_stories, stem
from ..feedback import word_diff
from ..history import contributor_counts, moderation_history

_WORDS = re.compile(r"([^\W_]+)")
# How many possible duplicates are shown beside a story: the importer's flags first.
MAX_DUPLICATES = 4
THUMBNAIL_WIDTH = 320


def story_panel(story):
    """What the desk shows of a story, besides the story itself."""
    story = (
        Anecdote.objects.select_related("title", "contributor")
        .prefetch_related(
            Prefetch("tags", to_attr="tag_list"),
            Prefetch("people", to_attr="people_list"),
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source").order_by("pk"),
                to_attr="citation_list",
            ),
        )
        .get(pk=story.pk)
    )
    people_index = PersonIndex.from_db()
    attached = {person.pk for person in story.people_list}
    contributor = story.contributor
    return {
        "story": story,
        "image_url": thumbnail_url(story),
        "duplicates": duplicates(story),
        "record": contributor_counts(contributor),
        "account_age": timesince(contributor.date_joined, depth=1) if contributor else "",
        "name_corrections": name_corrections(story, people_index),
        "suggested_people": [
            ref for ref in people_index.find(story.text) if ref.pk not in attached
        ],
        "history": moderation_history(story),
        "change_url": reverse("admin:trivia_pendinganecdote_change", args=[story.pk]),
    }


def thumbnail_url(story):
    """The smallest copy of the story's image at least ``THUMBNAIL_WIDTH`` wide, else the
    largest copy, else the image itself (copies are made in the background)."""
    if not story.image:
        return ""
    sources = sorted(
        (story.image_renditions or {}).get("sources", []), key=lambda source: source["width"]
    )
    if not sources:
        return story.image.url
    chosen = next((s for s in sources if s["width"] >= THUMBNAIL_WIDTH), sources[-1])
    return story.image.storage.url(chosen["name"])


def duplicates(story):
    """The stories this one may repeat: those its import flagged, then the published stories
    ``trivia.similar`` finds alike; each with both texts cut into pieces, the content words
    they share marked, and those words listed."""
    flagged = list(
        story.possible_duplicate_of.select_related("title").order_by("pk")[:MAX_DUPLICATES]
    )
    alike = similar_stories(title=story.title, text=story.text, proposed_title=story.proposed_title)
    seen, found = {story.pk}, []
    for other, how in [(o, "flagged by the import") for o in flagged] + [
        (o, "similar published story") for o in alike
    ]:
        if other.pk in seen or len(found) >= MAX_DUPLICATES:
            continue
        seen.add(other.pk)
        mine, theirs = content_words(story.text), content_words(other.text)
        shared = mine.keys() & theirs.keys()
        found.append(
            {
                "story": other,
                "how": how,
                "shared_words": sorted(mine[key] for key in shared),
                "mine": marked(story.text, shared),
                "theirs": marked(other.text, shared),
                "url": reverse("admin:trivia_anecdote_change", args=[other.pk]),
            }
        )
    return found


def marked(text, shared):
    """``text`` as (piece, is_shared) pairs: each word whose stem is in ``shared`` (as
    ``similar.content_words`` reads words) is marked, everything else kept as written."""
    pieces = []
    for number, piece in enumerate(_WORDS.split(text)):
        if not piece:
            continue
        word = strip_accents(piece).casefold()
        counts = number % 2 == 1 and word not in STOPWORDS and (len(word) > 2 or word.isdigit())
        pieces.append((piece, counts and stem(word) in shared))
    return pieces


# Stands for "the title is known" to the importer's naming, which then only looks for people
# and garbled names.
_KNOWN_TITLE = object()


def name_corrections(story, people_index):
    """The garbled names of the story's text, as the importer would suggest correcting them:
    [{"typed": "Kino Rives", "known": "Keanu Reeves"}] (``importer.naming.name_stories``, given
    the text as an article of one story under no heading)."""
    one = SimpleNamespace(
        heading="",
        text=story.text,
        title=_KNOWN_TITLE,
        proposed_title="",
        people=[],
        notes=[],
        corrections=[],
    )
    name_stories(SimpleNamespace(stories=[one]), titles=TitleIndex.from_db(), people=people_index)
    return one.corrections


def report_panel(report, user):
    story = report.anecdote
    return {
        "story": story,
        "change_url": reverse("admin:trivia_anecdote_change", args=[story.pk]),
        "unpublish_url": reverse("admin:trivia_anecdote_unpublish", args=[story.pk])
        if "unpublish" in story.allowed_actions(user)
        else "",
        "other_reports": list(
            story.reports.filter(state=Report.waiting_state)
            .exclude(pk=report.pk)
            .order_by("created_at")[:10]
        ),
    }


def correction_panel(correction):
    live = correction.anecdote.text
    return {
        "story": correction.anecdote,
        "change_url": reverse("admin:trivia_anecdote_change", args=[correction.anecdote_id]),
        "diff": word_diff(live, correction.text),
        "live_changed": live != correction.base_text,
    }


def decided_note(item):
    """For an item no longer waiting: what became of it and who decided, as the moderator
    who lost the race reads it."""
    obj = item.obj
    if item.kind == "story":
        last = (
            obj.events.exclude(action=ModerationEvent.Action.EDITED)
            .select_related("actor")
            .order_by("-created_at", "-pk")
            .first()
        )
        state = obj.get_state_display().lower()
        if last is None:
            return f"This story is {state}."
        who = last.actor.get_username() if last.actor else "someone"
        ago = timesince(last.created_at, timezone.now(), depth=1)
        return f"This story is {state}: {last.get_action_display().lower()} by {who}, {ago} ago."
    by = obj.decided_by if item.kind == "correction" else obj.resolved_by
    who = by.get_username() if by else "another moderator"
    return f"This {item.kind} was already decided by {who}: {obj.get_state_display().lower()}."
