"""``{% story_cards stories %}``: a list's story cards, each rendered once and then taken from
the cache, so that a page no one has cached whole (a signed-in reader's, or one whose title
just changed) costs a few queries and a join of strings instead of rendering 20 cards (~1 ms a
card: ORM and template, at 300,000 stories).

A card's fragment is stored with the publication clock as the page read it and is served while
its story's scope (``story:<id>``) has not been stamped since (``trivia.caching.pages``):
``trivia.publication`` stamps it for every change a card shows, the story's own edits and
decisions and a rename of its title, tags or people. A page recomputed after an approval
elsewhere reuses every card it had. The key holds the contributor's name and whether their
account is open (the card links it) and the card's variant (with or without its title).
Fragments are rendered with nothing of the reader, no request, no user, no CSRF token, so that
one fragment is right for every reader; the reader's own "interesting" button is a slot in the
fragment, filled for each request.

A page's fragments come in one read of the caches and one query for their stories' stamps; the
cards not found get their lists (``models.card_lists``) fetched for them alone, are rendered and
stored together. A story that is not published is rendered for the reader every time and never
stored. Views pass ``CardRow``s (the few columns keys and vote slots need) or whole stories.
"""

from django import template
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from trivia.caching.pages import (
    CardRow,
    card_key,
    clock_for,
    shows,
    store_cards,
    story_scope,
    valid_cards,
)
from trivia.models import Anecdote, card_lists
from trivia.vote_buttons import VoteButtons

register = template.Library()

CARD_TEMPLATE = "includes/story_card.html"
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
        CARD_TEMPLATE, {"story": story, "show_title": show_title, "vote_slot": VOTE_SLOT}
    )


def cached_fragments(stories, clock, *, show_title):
    """The fragments of the published ones of ``stories`` by story id: from the cache while
    still exact, or rendered and stored as of ``clock``. The stories' card lists are fetched
    only for the cards rendered."""
    keys = {
        story.pk: card_key(story, show_title=show_title) for story in stories if story.is_published
    }
    found = valid_cards(keys) if keys else {}
    missing = [story for story in stories if story.pk in keys and story.pk not in found]
    if missing:
        # A story read again whole may have been taken down a moment ago: no card then.
        rendered = {
            pk: render_fragment(story, show_title=show_title)
            for pk, story in whole(missing).items()
            if story.is_published
        }
        store_cards({keys[pk]: html for pk, html in rendered.items()}, clock)
        found.update(rendered)
    return found


@register.simple_tag(takes_context=True)
def story_cards(context, stories, show_title=False):
    """The cards of ``stories`` (a page of them: ``CardRow``s or stories), with the reader's
    own vote buttons; ``show_title`` for lists across titles."""
    stories = list(stories)
    if not stories:
        return ""
    request = context.get("request")
    shows(request, *(story_scope(story.pk) for story in stories))
    fragments = cached_fragments(stories, clock_for(request), show_title=show_title)
    others = whole([story for story in stories if story.pk not in fragments])
    card = context.template.engine.get_template(CARD_TEMPLATE)
    vote_buttons = VoteButtons(context)
    cards = []
    for story in stories:
        fragment = fragments.get(story.pk)
        if fragment is None:
            # Not published (shown to this reader, never stored), or gone a moment ago: none.
            if story.pk in others:
                with context.push(story=others[story.pk], show_title=show_title):
                    cards.append(card.render(context))
            continue
        head, slot, tail = fragment.partition(VOTE_SLOT)
        cards.append(head + (vote_buttons.render(story) if slot else "") + tail)
    return mark_safe("\n".join(cards))
