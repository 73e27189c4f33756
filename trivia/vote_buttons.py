"""The "interesting" vote on a story card, for the reader who sees it.

A plain form that works without JavaScript; readers who are not signed in get a link to sign
in, so that no page sets a CSRF cookie for them; pages that give no ``voted_ids`` (the ids of
the page's stories the reader voted for, from ``queries.voted_ids``) show the count only.

Written in Python, not as a template include: a list of 20 cached cards renders one button per
card for every request, and 20 includes were a quarter of a signed-in title page's time. What
stays the same across a page's buttons is worked out once (``VoteButtons``).
"""

from django.template.defaultfilters import urlencode
from django.urls import reverse
from django.utils.html import format_html

COUNT_ONLY = '<span class="vote vote--count">★ {} found this interesting</span>'
FORM = (
    '<form class="vote" method="post" action="{}">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<input type="hidden" name="next" value="{}#story-{}">'
    "{}</form>"
)
VOTED = (
    '<input type="hidden" name="action" value="remove">'
    '<button type="submit" class="vote__button" aria-pressed="true" title="You found this '
    'interesting. Press again to take it back."><span aria-hidden="true">★</span> Interesting '
    '<span class="vote__count">{}</span></button>'
)
NOT_VOTED = (
    '<input type="hidden" name="action" value="add">'
    '<button type="submit" class="vote__button" aria-pressed="false" title="Mark this story as '
    'interesting"><span aria-hidden="true">☆</span> Interesting '
    '<span class="vote__count">{}</span></button>'
)
SIGN_IN = (
    '<a class="vote vote__button" href="{}?next={}%23story-{}" rel="nofollow" '
    'title="Sign in to mark stories as interesting"><span aria-hidden="true">☆</span> '
    'Interesting <span class="vote__count">{}</span></a>'
)


class VoteButtons:
    """The vote buttons of one page, from its template context."""

    def __init__(self, context):
        self.voted_ids = context.get("voted_ids")
        request = context.get("request")
        user = context.get("user") or getattr(request, "user", None)
        self.signed_in = bool(user and user.is_authenticated)
        self.path = request.get_full_path() if request is not None else "/"
        self.csrf_token = context.get("csrf_token", "")
        self.sign_in_url = reverse("account_login")

    def render(self, story):
        count = story.interest_count
        if self.voted_ids is None:
            return format_html(COUNT_ONLY, count) if count else ""
        if not self.signed_in:
            return format_html(SIGN_IN, self.sign_in_url, urlencode(self.path), story.pk, count)
        button = format_html(VOTED if story.pk in self.voted_ids else NOT_VOTED, count)
        action = reverse("anecdote_vote", args=[story.pk])
        return format_html(FORM, action, self.csrf_token, self.path, story.pk, button)
