"""Account pages of Backlot's own: sign-up (allauth's, with a limit per address), the page for
too many requests, and a contributor's public profile (DESIGN §4).

A contributor's own stories ("My submissions") are story pages: ``trivia.views.submissions``.
"""

from allauth.account import views as allauth_views
from allauth.core import ratelimit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from trivia.models import Anecdote
from trivia.ratelimit import is_limited, too_many_requests
from trivia.views.structured_data import profile_page


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, plus ``RATE_LIMITS["signup"]`` accounts an hour per address.

    Only a valid form counts, so someone fixing a typo in their password is not locked out; a
    bot's flood of posts is stopped earlier by allauth's own "signup" limit.

    One transaction (ATOMIC_REQUESTS is off): allauth writes the user, then the address, then
    queues the confirmation email (accounts/adapter.py); anything failing on the way leaves no
    user behind whose name is taken and who never got a link.
    """

    def form_valid(self, form):
        if is_limited(self.request, "signup"):
            return too_many_requests(self.request, "signup")
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except Exception:
            # allauth counted a confirmation email to the address ("confirm_email", kept in the
            # cache, which no rollback undoes): the same sign-up again would get none.
            if email := form.cleaned_data.get("email"):
                ratelimit.clear(self.request, action="confirm_email", key=email.lower())
            raise


def rate_limited(request, exception=None):
    """The page allauth answers with once one of its ``ACCOUNT_RATE_LIMITS`` is reached
    (``handler429`` in ``trivia/urls.py``); its windows are a few minutes at most."""
    response = render(request, "429.html", {"retry_after_minutes": 5}, status=429)
    response["Retry-After"] = "300"
    return response


class UserDetailView(ListView):
    """A contributor's public page: their published stories, newest first, and nothing else.

    An account without a published story still has its page (usernames are public on every
    story card anyway), saying only that nothing is published yet; search engines are asked not
    to index it. Unknown and deactivated accounts are a 404.
    """

    template_name = "accounts/user_detail.html"
    context_object_name = "stories"
    paginate_by = settings.STORIES_PER_PAGE

    def get(self, request, *args, username, **kwargs):
        # Not a SingleObjectMixin: it would name the profile "user" in the template context,
        # hiding the signed-in reader's "user".
        self.profile_user = get_object_or_404(get_user_model(), username=username, is_active=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Anecdote.objects.published().filter(contributor=self.profile_user).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(profile_user=self.profile_user, **kwargs)
        name = self.profile_user.get_username()
        context["structured_data"] = [
            profile_page(
                self.request,
                name=name,
                items=[
                    (
                        f"A behind-the-scenes story about {story.title.name}",
                        story.get_absolute_url(),
                    )
                    for story in context["stories"]
                ],
            )
        ]
        return context
