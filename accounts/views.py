"""A contributor's pages: sign-up, "My submissions" and the public profile (DESIGN §4).

Every change to a story goes through ``trivia.services``; these views only choose which service
to call and turn a refusal (``ModerationError``) into a message the contributor can act on.
Another contributor's story is a 404 on every page here, never a 403: a 403 would confirm that
an unpublished story exists.
"""

from typing import NamedTuple

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from trivia import services
from trivia.models import Anecdote, Correction, ModerationEvent
from trivia.ratelimit import is_limited, ratelimit, too_many_requests

from .forms import CorrectionForm, SubmissionForm

State = Anecdote.State
Action = ModerationEvent.Action
DECISIONS = (Action.APPROVED, Action.REJECTED, Action.UNPUBLISHED)
RESUBMITTABLE = (State.REJECTED, State.WITHDRAWN)
REASON_LABELS = dict(Anecdote.RejectionReason.choices)


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, plus ``RATE_LIMITS["signup"]`` accounts an hour per address.

    Only a valid form counts, so someone fixing a typo in their password is not locked out; a
    bot's flood of posts is stopped earlier by allauth's own "signup" limit.
    """

    def form_valid(self, form):
        if is_limited(self.request, "signup"):
            return too_many_requests(self.request, "signup")
        return super().form_valid(form)


def rate_limited(request, exception=None):
    """The page allauth answers with once one of its ``ACCOUNT_RATE_LIMITS`` is reached
    (``handler429`` in ``trivia/urls.py``); its windows are a few minutes at most."""
    response = render(request, "429.html", {"retry_after_minutes": 5}, status=429)
    response["Retry-After"] = "300"
    return response


# --- My submissions ----------------------------------------------------------------------------


class Explanation(NamedTuple):
    heading: str
    reason: str
    message: str


def explain_decision(story):
    """What the contributor should be told about the moderators' last word on ``story``, or
    None when nothing needs explaining.

    A rejected story keeps its reason on the row; a story unpublished back to the queue keeps
    it only in its moderation event, so that comes from ``story.decisions`` (newest first).
    """
    if story.state == State.REJECTED:
        return Explanation(
            "Not accepted", story.get_rejection_reason_display(), story.moderator_message
        )
    last = story.decisions[0] if story.decisions else None
    if story.state == State.PENDING and last and last.action == Action.UNPUBLISHED:
        return Explanation("Taken off the site", REASON_LABELS.get(last.reason, ""), last.message)
    return None


def own_stories(user):
    """The user's stories in every state, with what their list needs in a fixed number of
    queries: tags, the user's proposed corrections and the moderators' decisions."""
    return (
        Anecdote.objects.filter(contributor=user)
        .select_related("title")
        .prefetch_related(
            Prefetch("tags", to_attr="tag_list"),
            Prefetch(
                "corrections",
                queryset=Correction.objects.filter(proposer=user).order_by("-created_at", "-pk"),
                to_attr="correction_list",
            ),
            Prefetch(
                "events",
                queryset=ModerationEvent.objects.filter(action__in=DECISIONS).order_by(
                    "-created_at", "-pk"
                ),
                to_attr="decisions",
            ),
        )
    )


class SubmissionListView(LoginRequiredMixin, ListView):
    """The signed-in contributor's own stories, newest first, in every state."""

    template_name = "accounts/submission_list.html"
    context_object_name = "stories"
    paginate_by = settings.STORIES_PER_PAGE

    def get_queryset(self):
        return own_stories(self.request.user).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for story in context["stories"]:
            story.explanation = explain_decision(story)
        return context


def posted(request):
    """The form data of a POST, even an empty one (``request.POST or None`` would treat an
    empty POST as a first visit and show no errors)."""
    return request.POST if request.method == "POST" else None


def get_own_story(request, pk):
    return get_object_or_404(own_stories(request.user), pk=pk)


@login_required
def edit_submission(request, pk):
    """Edit a pending story in place; edit a rejected or withdrawn one and send it back to the
    queue in the same step. A published story is corrected instead (``correct_submission``)."""
    story = get_own_story(request, pk)
    if story.state == State.PUBLISHED:
        return redirect("submission_correct", pk=story.pk)
    resubmit = story.state in RESUBMITTABLE
    form = SubmissionForm(posted(request), anecdote=story)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.edit_anecdote(
                    anecdote=story,
                    editor=request.user,
                    changes=form.changes(),
                    tags=form.cleaned_data["tags"],
                    expected_version=form.cleaned_data["loaded_version"],
                )
                if resubmit:
                    services.resubmit_anecdote(anecdote=story, contributor=request.user)
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            if resubmit:
                messages.success(request, "Your story is back in the queue for a moderator.")
            else:
                messages.success(request, "Your changes are saved. A moderator will read them.")
            return redirect("my_submissions")
    return render(
        request,
        "accounts/submission_form.html",
        {
            "story": story,
            "form": form,
            "resubmit": resubmit,
            "explanation": explain_decision(story),
        },
    )


@login_required
@require_POST
def withdraw_submission(request, pk):
    story = get_own_story(request, pk)
    try:
        services.withdraw_anecdote(anecdote=story, contributor=request.user)
    except services.ModerationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Your story is withdrawn. You can edit and resubmit it whenever you like."
        )
    return redirect("my_submissions")


@login_required
@ratelimit("correct")
def correct_submission(request, pk):
    """Propose new text for one's own published story. It waits in the moderators' queue as a
    correction; the published text stays as it is until a moderator accepts it."""
    story = get_own_story(request, pk)
    if story.state != State.PUBLISHED:
        return redirect("submission_edit", pk=story.pk)
    form = CorrectionForm(posted(request), initial={"text": story.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_correction(
                anecdote=story,
                proposer=request.user,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Thank you: your correction waits for a moderator. "
                "The published story stays as it is until then.",
            )
            return redirect("my_submissions")
    return render(request, "accounts/correction_form.html", {"story": story, "form": form})


# --- Public profile ------------------------------------------------------------------------------


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
        return super().get_context_data(profile_user=self.profile_user, **kwargs)
