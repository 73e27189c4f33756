"""What readers and contributors send about published stories: proposed corrections and
reports. Both wait here for a moderator; every decision goes through ``trivia.services`` and is
counted and logged like a story's (``trivia.admin.decisions.decide_each``)."""

import difflib
import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import services
from ..models import Correction, Report
from .base import ReadOnlyAdmin
from .decisions import decide_each, story_label
from .forms import MessageForm

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old, new):
    """The change from ``old`` to ``new`` as (kind, text) pieces, kind in same/removed/added,
    compared word by word with the spaces kept. A replaced word is followed by its replacement
    after a "between" space, so the page never reads them as one word ("in" → "spliced" is not
    "inspliced")."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("removed", "".join(before[a1:a2])))
        if b2 > b1:
            if a2 > a1:
                pieces.append(("between", " "))
            pieces.append(("added", "".join(after[b1:b2])))
    return pieces


class FeedbackAdmin(ReadOnlyAdmin):
    """Shared by corrections and reports: moderators only, read-only rows, decided by buttons.

    ``decisions`` lists the review page's buttons: the submit button's name, its label, the
    method deciding one item and the line it leaves in the admin's history. ``done`` says what
    happened to the items decided, in the moderator's message ("2 reports closed").
    """

    list_select_related = ["anecdote__title"]
    change_form_template = "admin/trivia/feedback_review.html"

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

    def has_module_permission(self, request):
        return self.has_moderate_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

    @admin.display(description="story")
    def story(self, item):
        """The story's title and first words, linked to its change page: the row says which
        story it is about without opening it."""
        story = item.anecdote
        return format_html(
            '<a href="{}">{}</a><br><span class="quiet-note">{}</span>',
            reverse("admin:trivia_anecdote_change", args=[story.pk]),
            story.title.name if story.title else "(no title)",
            Truncator(" ".join(story.text.split())).words(12),
        )

    def decide(self, request, items, method, message=""):
        """Decide each item with ``method``; say how many were decided and why the others
        were not."""
        return decide_each(
            self,
            request,
            list(items),
            call=lambda item: getattr(self, method)(request, item, message=message),
            done=self.done,
            log=next(log for _, _, name, log in self.decisions if name == method),
            describe=lambda item: story_label(item.anecdote),
            noun=(self.opts.verbose_name, self.opts.verbose_name_plural),
        )

    def review_view(self, request, object_id):
        """The change page: the item beside its story, and the decision buttons."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        item = self.get_queryset(request).filter(pk=object_id).first()
        if item is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        form = MessageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            chosen = next((name for key, _, name, _ in self.decisions if key in request.POST), None)
            if chosen:
                self.decide(request, [item], chosen, **form.cleaned_data)
                return HttpResponseRedirect(
                    reverse(f"admin:trivia_{self.opts.model_name}_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(item),
            "item": item,
            "form": form,
            "buttons": [(key, label) for key, label, _, _ in self.decisions],
            "story_admin_url": reverse("admin:trivia_anecdote_change", args=[item.anecdote_id]),
            "decided": item.state != item.waiting_state,
            **self.review_context(request, item),
        }
        return TemplateResponse(request, self.change_form_template, context)

    def get_urls(self):
        name = f"trivia_{self.opts.model_name}_change"
        return [
            path(
                "<int:object_id>/change/", self.admin_site.admin_view(self.review_view), name=name
            ),
            *super().get_urls(),
        ]


@admin.register(Correction)
class CorrectionAdmin(FeedbackAdmin):
    """Proposed corrections, oldest first, each shown as a diff against the live text."""

    list_display = ["story", "proposer", "state", "created_at"]
    list_filter = ["state"]
    ordering = ["created_at"]
    search_fields = ["text", "anecdote__text", "proposer__username"]
    actions = ["reject_selected"]
    done = "decided"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposer", "anecdote__title")

    def accept(self, request, correction, message=""):
        services.accept_correction(correction=correction, moderator=request.user, message=message)

    def reject(self, request, correction, message=""):
        services.reject_correction(correction=correction, moderator=request.user, message=message)

    decisions = [
        ("_accept", "Accept: publish the proposed text", "accept", "Accepted."),
        ("_reject", "Reject: keep the published text", "reject", "Rejected."),
    ]

    @admin.action(permissions=["moderate"], description="Reject the selected corrections")
    def reject_selected(self, request, queryset):
        self.decide(request, queryset, "reject")

    def review_context(self, request, correction):
        live = correction.anecdote.text
        return {
            "diff": word_diff(live, correction.text),
            "live_changed": live != correction.base_text,
        }


@admin.register(Report)
class ReportAdmin(FeedbackAdmin):
    """Readers' reports on published stories. Fix the story (edit or unpublish it on its own
    page), then mark the report resolved; or dismiss it when nothing is wrong."""

    list_display = ["story", "reason", "note", "sent_by", "state", "created_at"]
    list_filter = ["state", "reason"]
    ordering = ["created_at"]
    search_fields = ["note", "anecdote__text"]
    actions = ["dismiss_selected", "resolve_selected"]
    done = "closed"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter", "anecdote__title")

    @admin.display(description="reporter", ordering="reporter__username")
    def sent_by(self, report):
        return report.sent_by

    def dismiss(self, request, report, message=""):
        services.resolve_report(
            report=report, moderator=request.user, outcome="dismissed", message=message
        )

    def resolve(self, request, report, message=""):
        services.resolve_report(
            report=report, moderator=request.user, outcome="resolved", message=message
        )

    decisions = [
        ("_dismiss", "Dismiss: nothing is wrong", "dismiss", "Dismissed."),
        ("_resolve", "Resolved: the story was fixed or unpublished", "resolve", "Resolved."),
    ]

    @admin.action(permissions=["moderate"], description="Dismiss the selected reports")
    def dismiss_selected(self, request, queryset):
        self.decide(request, queryset, "dismiss")

    @admin.action(permissions=["moderate"], description="Mark the selected reports resolved")
    def resolve_selected(self, request, queryset):
        self.decide(request, queryset, "resolve")

    def review_context(self, request, report):
        story = report.anecdote
        return {
            "unpublish_url": reverse("admin:trivia_anecdote_unpublish", args=[story.pk])
            if "unpublish" in story.allowed_actions(request.user)
            else "",
            "other_reports": story.reports.exclude(pk=report.pk).order_by("-created_at")[:10],
        }
