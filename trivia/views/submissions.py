""" "My submissions": a contributor's own stories in every state, with what the moderators
decided, and the pages that edit, withdraw and resubmit them (a published one is corrected
instead: ``feedback.correct_story``).

Every change to a story goes through ``trivia.services``; these views only choose which service
to call and turn a refusal (``ModerationError``) into a message the contributor can act on.
Another contributor's story is a 404 on every page here, never a 403: a 403 would confirm that
an unpublished story exists.
"""

from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from .. import services
from ..forms import SubmissionForm
from ..models import Anecdote, Correction, ModerationEvent

State = Anecdote.State
Action = ModerationEvent.Action
DECISIONS = (Action.APPROVED, Action.REJECTED, Action.UNPUBLISHED)
REASON_LABELS = dict(Anecdote.RejectionReason.choices)


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


def get_own_story(request, pk):
    return get_object_or_404(own_stories(request.user), pk=pk)


def posted(request):
    """The form data of a POST, even an empty one (``request.POST or None`` would treat an
    empty POST as a first visit and show no errors)."""
    return request.POST if request.method == "POST" else None


class SubmissionListView(LoginRequiredMixin, ListView):
    """The signed-in contributor's own stories, newest first, in every state."""

    template_name = "trivia/submission_list.html"
    context_object_name = "stories"
    paginate_by = settings.STORIES_PER_PAGE

    def get_queryset(self):
        return own_stories(self.request.user).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for story in context["stories"]:
            story.explanation = explain_decision(story)
            story.actions = story.allowed_actions(self.request.user)
        return context


@login_required
def edit_submission(request, pk):
    """Edit a pending story in place; edit a rejected or withdrawn one and send it back to the
    queue in the same step (what ``trivia.lifecycle`` allows). A published story is corrected
    instead."""
    story = get_own_story(request, pk)
    actions = story.allowed_actions(request.user)
    if "edit" not in actions:
        if "correct" in actions:
            return redirect("submission_correct", pk=story.pk)
        return redirect("my_submissions")
    resubmit = "resubmit" in actions
    form = SubmissionForm(posted(request), story=story)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.edit_story(
                    story=story,
                    editor=request.user,
                    changes=form.changes(),
                    tags=form.cleaned_data["tags"],
                    expected_version=form.cleaned_data["loaded_version"],
                )
                if resubmit:
                    services.resubmit_story(story=story, contributor=request.user)
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
        "trivia/submission_form.html",
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
        services.withdraw_story(story=story, contributor=request.user)
    except services.ModerationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Your story is withdrawn. You can edit and resubmit it whenever you like."
        )
    return redirect("my_submissions")
