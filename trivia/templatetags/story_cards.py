"""``{% story_cards stories %}``: a list's story cards, each rendered once and then taken from
the cache (issue 6), so that a page no one has cached whole, a signed-in reader's for one, costs
a few queries and a join of strings instead of rendering 20 cards (~1 ms a card: ORM and
template, at 300,000 stories).

A card's fragment is keyed by the story, its version (raised by every edit and decision), the
content generation (raised with every change a reader could see, a renamed title or tag, a
corrected source: ``trivia.page_cache``), its contributor's name and whether their account is
open (the card links it), and the card's variant (with or without its title), so an edit, a
decision or a renamed title shows on the very next request. The views read the generation
before the stories, so a fragment never holds content older than its key. Fragments are rendered
with nothing of the reader, no request, no user, no CSRF token, so that one fragment is right
for every reader. What is the reader's own, the "interesting" button (pressed or not, its count,
a signed-in reader's CSRF token), is a slot in the fragment, rendered for each request: a vote
raises no generation, and the count it moves shows at once.

A page's fragments come in one ``cache.get_many``; the cards not found get their lists
(``models.card_lists``) fetched for them alone, are rendered and stored with one ``set_many``.
A story that is not published is rendered for the reader every time and never stored.

The cache costs one query, the generation, unless the page cache already read it for the
request. Stories fetched with ``for_cards()`` have their lists already, so for them the query
is spent only when the generation is at hand anyway; otherwise they are rendered directly, and
such a page keeps the queries it had.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from trivia.models import Anecdote, card_lists
from trivia.page_cache import (
    PAGE_TIMEOUT,
    current_generation,
    known_generation,
    request_generation,
)

register = template.Library()

CARD_TEMPLATE = "includes/anecdote_card.html"
VOTE_TEMPLATE = "includes/vote_button.html"
# Where the reader's vote button goes in a cached card. No story text can forge it: stories are
# escaped, so a "<" they contain never reaches the fragment as one.
VOTE_SLOT = mark_safe("<!--vote-->")


def card_key(story, generation, *, show_title):
    contributor = story.contributor if Anecdote.contributor.is_cached(story) else None
    shared_by = (
        f"{contributor.pk}:{contributor.get_username()}:{contributor.is_active}"
        if contributor
        else ""
    )
    digest = hashlib.sha256(shared_by.encode()).hexdigest()[:12]
    return f"card:{generation}:{story.pk}:{story.version}:{int(show_title)}:{digest}"


def fetch_card_lists(stories):
    """What the cards of ``stories`` show beyond their own row, for those that lack it: a
    query per relation, none for what is there already."""
    if not stories:
        return
    if not all(hasattr(story, "tag_list") for story in stories):
        prefetch_related_objects(stories, *card_lists())
    prefetch_related_objects(stories, "title", "contributor")


def render_fragment(story, *, show_title):
    """The card of a published story as every reader sees it, its vote button left as a slot.
    Rendered without a request: nothing of one reader can end up in it."""
    return render_to_string(
        CARD_TEMPLATE, {"anecdote": story, "show_title": show_title, "vote_slot": VOTE_SLOT}
    )


def cached_fragments(stories, generation, *, show_title):
    """The fragments of the published ones of ``stories`` by story id: from the cache, or
    rendered and stored. The stories' card lists are fetched only for the cards rendered."""
    keys = {
        story.pk: card_key(story, generation, show_title=show_title)
        for story in stories
        if story.is_published
    }
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = [story for story in stories if story.pk in keys and keys[story.pk] not in found]
    if missing:
        fetch_card_lists(missing)
        rendered = {
            keys[story.pk]: render_fragment(story, show_title=show_title) for story in missing
        }
        cache.set_many(rendered, PAGE_TIMEOUT)
        found.update(rendered)
    return {pk: found[key] for pk, key in keys.items()}


@register.simple_tag(takes_context=True)
def story_cards(context, stories, show_title=False):
    """The cards of ``stories`` (a page of them, from ``for_card_list()`` or ``for_cards()``),
    with the reader's own vote buttons; ``show_title`` for lists across titles."""
    stories = list(stories)
    if not stories:
        return ""
    request = context.get("request")
    fetched = all(hasattr(story, "tag_list") for story in stories)
    if fetched and known_generation(request) is None:
        fragments = {}
    else:
        generation = request_generation(request) if request is not None else current_generation()
        fragments = cached_fragments(stories, generation, show_title=show_title)
    fetch_card_lists([story for story in stories if story.pk not in fragments])
    engine = context.template.engine
    card, vote_button = engine.get_template(CARD_TEMPLATE), engine.get_template(VOTE_TEMPLATE)
    cards = []
    for story in stories:
        with context.push(anecdote=story, show_title=show_title):
            fragment = fragments.get(story.pk)
            if fragment is None:
                cards.append(card.render(context))
                continue
            head, slot, tail = fragment.partition(VOTE_SLOT)
            cards.append(head + (vote_button.render(context) if slot else "") + tail)
    return mark_safe("\n".join(cards))
