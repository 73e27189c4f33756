"""``{% story_cards stories %}``: a list's story cards, each rendered once and then taken from
the cache (issue 6), so that a page no one has cached whole, a signed-in reader's for one, costs
a few queries and a join of strings instead of rendering 20 cards (~1 ms a card: ORM and
template, at 300,000 stories).

A card's fragment is keyed by the story, its version (raised by every edit and decision), the
content generation (raised with every change a reader could see, a renamed title or tag, a
corrected source: ``trivia.caching.pages``), its contributor's name and whether their account is
open (the card links it), and the card's variant (with or without its title), so an edit, a
decision or a renamed title shows on the very next request. The views read the generation
before the stories, so a fragment never holds content older than its key. Fragments are rendered
with nothing of the reader, no request, no user, no CSRF token, so that one fragment is right
for every reader. What is the reader's own, the "interesting" button (pressed or not, its count,
a signed-in reader's CSRF token), is a slot in the fragment, rendered for each request: a vote
raises no generation, and the count it moves shows at once.

A page's fragments come in one ``content_cache.get_many``; the cards not found get their lists
(``models.card_lists``) fetched for them alone, are rendered and stored with one ``set_many``.
A story that is not published is rendered for the reader every time and never stored. Once
every card of a page is stored, the page is marked (``page_cache.mark_cards_cached``), and its
next requests read their stories as ``CardRow``s, the few columns the keys and the vote slots
need, instead of whole rows with their titles and contributors (``views.StoryListMixin``).

The cache costs one query, the generation, unless the page cache already read it for the
request. Stories fetched with ``for_cards()`` have their lists already, so for them the query
is spent only when the generation is at hand anyway; otherwise they are rendered directly, and
such a page keeps the queries it had.
"""

from django import template
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from trivia.models import Anecdote, card_lists
from trivia.caching.pages import (
    PAGE_TIMEOUT,
    CardRow,
    card_key,
    content_cache,
    current_generation,
    known_generation,
    mark_cards_cached,
    request_generation,
)
from trivia.vote_buttons import VoteButtons

register = template.Library()

CARD_TEMPLATE = "includes/anecdote_card.html"
# Where the reader's vote button goes in a cached card. No story text can forge it: stories are
# escaped, so a "<" they contain never reaches the fragment as one.
VOTE_SLOT = mark_safe("<!--vote-->")


def whole(stories):
    """``stories`` with everything their cards show: ``Anecdote``s get what they lack, a query
    per relation (none for what is there already); ``CardRow``s are read again whole, in the
    four queries of ``for_cards()``."""
    if not stories:
        return {}
    rows = [story.pk for story in stories if isinstance(story, CardRow)]
    found = Anecdote.objects.filter(pk__in=rows).for_cards().in_bulk() if rows else {}
    models = [story for story in stories if not isinstance(story, CardRow)]
    if models:
        if not all(hasattr(story, "tag_list") for story in models):
            prefetch_related_objects(models, *card_lists())
        prefetch_related_objects(models, "title", "contributor")
        found.update((story.pk, story) for story in models)
    return found


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
    found = content_cache.get_many(list(keys.values())) if keys else {}
    missing = [story for story in stories if story.pk in keys and keys[story.pk] not in found]
    if missing:
        # A story read again whole may have been taken down a moment ago: no card then.
        rendered = {
            keys[pk]: render_fragment(story, show_title=show_title)
            for pk, story in whole(missing).items()
            if story.is_published
        }
        content_cache.set_many(rendered, PAGE_TIMEOUT)
        found.update(rendered)
    return {pk: found[key] for pk, key in keys.items() if key in found}


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
        # Rows are read only for a page already marked; whole stories mark it once all cached.
        rows = isinstance(stories[0], CardRow)
        if request is not None and not rows and len(fragments) == len(stories):
            mark_cards_cached(request)
    others = whole([story for story in stories if story.pk not in fragments])
    card = context.template.engine.get_template(CARD_TEMPLATE)
    vote_buttons = VoteButtons(context)
    cards = []
    for story in stories:
        fragment = fragments.get(story.pk)
        if fragment is None:
            # Not published (shown to this reader, never stored), or a page that does not
            # spend a query on the cache (see the module docstring); gone a moment ago: none.
            if story.pk in others:
                with context.push(anecdote=others[story.pk], show_title=show_title):
                    cards.append(card.render(context))
            continue
        head, slot, tail = fragment.partition(VOTE_SLOT)
        cards.append(head + (vote_buttons.render(story) if slot else "") + tail)
    return mark_safe("\n".join(cards))
