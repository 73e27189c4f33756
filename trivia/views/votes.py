"""The "interesting" button on a story card: a reader's vote, given or taken back."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import services
from ..models import Anecdote, Vote


def _next_url(request):
    """The page a form was posted from, if it is one of ours ("//evil.test" is not)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_POST
def vote_interesting(request, pk):
    """Votes or takes the vote back, then returns to the page the button was on. A plain form,
    so it works without JavaScript.

    The form says which way it goes (``action`` "add" or "remove", as the reader saw the
    button), so a double click votes once instead of voting and taking it back; without it,
    the vote is toggled.
    """
    story = get_object_or_404(Anecdote.objects.published(), pk=pk)
    back = _next_url(request) or story.get_absolute_url()
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    action = request.POST.get("action")
    if action not in ("add", "remove"):
        voted = Vote.objects.filter(user=request.user, anecdote=story).exists()
        action = "remove" if voted else "add"
    try:
        if action == "add":
            services.vote_interesting(story=story, user=request.user)
        else:
            services.withdraw_vote(story=story, user=request.user)
    except services.ModerationError as error:  # unpublished a moment ago
        messages.error(request, str(error))
    return HttpResponseRedirect(back)
