"""Readers' feedback on a published story: "report a problem" (anyone) and "propose a
correction" (signed-in users). Both go to the moderators' queue through ``trivia.services``;
neither changes what readers see until a moderator decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from . import services
from .forms import CorrectionForm, ReportForm
from .models import Anecdote
from .ratelimit import ratelimit


def _published_story(pk):
    return get_object_or_404(Anecdote.objects.published().select_related("title"), pk=pk)


@ratelimit("report")
def report_anecdote(request, pk):
    anecdote = _published_story(pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.is_bot():
            services.report_anecdote(
                anecdote=anecdote,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        messages.success(request, "Thank you: a moderator will look at your report.")
        return redirect(anecdote)
    return render(request, "trivia/report_form.html", {"anecdote": anecdote, "form": form})


@login_required
@ratelimit("correct")
def propose_correction(request, pk):
    anecdote = _published_story(pk)
    form = CorrectionForm(request.POST or None, initial={"text": anecdote.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_correction(
                anecdote=anecdote,
                proposer=request.user,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
            )
        except services.ModerationError as error:
            form.add_error("text", str(error))
        else:
            messages.success(
                request,
                "Thank you: your correction waits for a moderator. The story stays as it is "
                "until one accepts it.",
            )
            return redirect(anecdote)
    return render(request, "trivia/correction_form.html", {"anecdote": anecdote, "form": form})
