"""Feedback on a published story: "report a problem" (anyone) and "propose a correction"
(signed-in users, its contributor included). Both go to the moderators' queue through
``trivia.services``; neither changes what readers see until a moderator decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from .. import services
from ..forms import CorrectionForm, ReportForm
from ..models import Anecdote
from ..ratelimit import ratelimit
from .submissions import get_own_story, posted


def _published_story(pk):
    return get_object_or_404(Anecdote.objects.published().select_related("title"), pk=pk)


@ratelimit("report")
def report_story(request, pk):
    story = _published_story(pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A robot is thanked like a person, so it learns nothing, and nothing is stored.
        if not form.is_bot():
            services.report_story(
                story=story,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        messages.success(request, "Thank you: a moderator will look at your report.")
        return redirect(story)
    return render(request, "trivia/report_form.html", {"story": story, "form": form})


@login_required
@ratelimit("correct")
def correct_story(request, pk, *, from_submissions=False):
    """Propose new text for a published story. It waits in the moderators' queue as a
    correction; the published text stays as it is until a moderator accepts it.

    One page for two ways in: a reader's "Propose a correction" under the story, and a
    contributor's own under "My submissions" (``from_submissions``), where another's story is a
    404 and a story not published yet is edited instead.
    """
    if from_submissions:
        story = get_own_story(request, pk)
        if "correct" not in story.allowed_actions(request.user):
            return redirect("submission_edit", pk=story.pk)
        done = reverse("my_submissions")
    else:
        story = _published_story(pk)
        done = story.get_absolute_url()
    form = CorrectionForm(posted(request), initial={"text": story.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_correction(
                story=story,
                proposer=request.user,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Thank you: your correction waits for a moderator. The published story stays "
                "as it is until one accepts it.",
            )
            return redirect(done)
    context = {
        "story": story,
        "form": form,
        "back_url": done,
        "from_submissions": from_submissions,
        "earlier_corrections": story.corrections.filter(proposer=request.user).order_by(
            "-created_at", "-pk"
        ),
    }
    return render(request, "trivia/correction_form.html", context)
