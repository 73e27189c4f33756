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
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.generic import ListView

from .. import images, queries, services
from ..forms import SourceFormSet, StoryEditForm, sources_initial
from ..models import Anecdote, Correction, ModerationEvent
from .submit import LOOKED_AUTOMATED, SOURCE_PREFIX, SUGGESTED_TAGS, _title_choices, search_titles

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


def last_rejection(story):
    """The moderators' reason for rejecting ``story`` when that is still their last word (a
    story rejected, then withdrawn or resubmitted), for the page that answers it."""
    last = story.decisions[0] if story.decisions else None
    if last is None or last.action != Action.REJECTED:
        return None
    return Explanation("Not accepted", REASON_LABELS.get(last.reason, ""), last.message)


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
    """Edit a pending story with everything /submit/ offers (title, text, tags, spoiler,
    sources, image); edit a rejected or withdrawn one and send it back to the queue in the same
    step (what ``trivia.lifecycle`` allows). A published story is corrected instead."""
    story = get_own_story(request, pk)
    actions = story.allowed_actions(request.user)
    if "edit" not in actions:
        if "correct" in actions:
            return redirect("submission_correct", pk=story.pk)
        return redirect("my_submissions")
    resubmit = "resubmit" in actions
    data = posted(request)
    form = StoryEditForm(data, request.FILES if data else None, story=story)
    cited = story.citations.select_related("source").order_by("pk")
    sources = SourceFormSet(
        data, prefix=SOURCE_PREFIX, initial=None if data else sources_initial(cited)
    )
    problem = ""
    if data is not None and request.POST.get("action") == "search":
        form, sources = _as_typed(form, sources, story)
    elif data is not None and form.is_bot():
        problem = LOOKED_AUTOMATED
    elif data is not None and form.is_valid() & sources.is_valid():
        if _save(request, story, form, sources, resubmit=resubmit):
            return redirect("my_submissions")
    query = request.POST.get("title_q", "")[:200].strip()
    results = search_titles(query) if query else []
    return render(
        request,
        "trivia/submission_form.html",
        {
            "story": story,
            "form": form,
            "sources": sources,
            "problem": problem,
            "resubmit": resubmit,
            "explanation": explain_decision(story) or last_rejection(story),
            "title_query": query,
            "title_results": results,
            "title_choices": _title_choices(form, results),
            "chosen_title": str(form["title"].value() or ""),
            "suggested_tags": queries.popular_tags(SUGGESTED_TAGS),
        },
    )


def _save(request, story, form, sources, *, resubmit):
    """Store a new image, then change the story through ``services.revise_submission``;
    returns whether it was saved (a refusal becomes the form's error, the new image deleted)."""
    clean = form.cleaned_data["image"]
    if clean:
        image = images.store_clean_image(clean, images.STORY_IMAGES)
    else:
        image = "" if form.cleaned_data["remove_image"] else None
    try:
        services.revise_submission(
            story=story,
            contributor=request.user,
            changes=form.changes(),
            tags=form.cleaned_data["tags"],
            citations=sources.citations(),
            image=image,
            expected_version=form.cleaned_data["loaded_version"],
        )
    except services.ModerationError as error:
        if clean:
            images.delete_files(default_storage, [image])
        form.add_error(None, str(error))
        return False
    if resubmit:
        messages.success(request, "Your story is back in the queue for a moderator.")
    else:
        messages.success(request, "Your changes are saved. A moderator will read them.")
    return True


def _as_typed(form, sources, story):
    """Unbound copies of the posted forms after a title search: what was typed, not judged."""
    keep = [name for name in form.fields if name not in ("image", "remove_image", form.HONEYPOT)]
    typed = StoryEditForm(initial={name: form[name].value() for name in keep}, story=story)
    typed_sources = SourceFormSet(
        prefix=SOURCE_PREFIX,
        initial=[{name: each[name].value() for name in each.fields} for each in sources.forms],
    )
    return typed, typed_sources


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_submission(request, pk):
    """Withdraw a story from the queue: a GET asks first (a stray click on the list must not
    take a story out of the moderators' hands), the confirmation's POST withdraws it."""
    story = get_own_story(request, pk)
    if request.method == "GET":
        if "withdraw" not in story.allowed_actions(request.user):
            state = story.get_state_display().lower()
            messages.error(request, f"Cannot withdraw this story: it is {state}.")
            return redirect("my_submissions")
        return render(request, "trivia/submission_withdraw.html", {"story": story})
    try:
        services.withdraw_story(story=story, contributor=request.user)
    except services.ModerationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Your story is withdrawn. You can edit and resubmit it whenever you like."
        )
    return redirect("my_submissions")
