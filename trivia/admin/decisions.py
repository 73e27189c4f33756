"""Deciding in the admin, the way django-contrib-comments does it: one helper per decision,
shared by the list actions and the change page, a ``log_change`` per item decided, and a
counted message to the moderator.

``decide_each`` is that helper's core, for stories and for readers' feedback alike.
``StoryDecisionsMixin`` offers the moderators' rows of ``trivia.lifecycle.TRANSITIONS`` on a
story admin: a list action per row (``decision_actions``), a button per row the story's state
allows on its change page, and for a row that needs a reason, a page asking for it
(``<id>/reject/``, ``<id>/unpublish/``). Every decision goes through ``trivia.services``.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from .. import lifecycle, services
from ..models import Anecdote
from .forms import DecisionForm, UnpublishForm

STORIES = ("story", "stories")


def story_label(story):
    """ "“The first sentence of the story…”", as a moderator's message names a story."""
    return f"“{Truncator(' '.join(story.text.split())).chars(60)}”"


def counted(count, noun=STORIES):
    """ "1 story", "3 stories": ``noun`` is the singular and the plural."""
    return f"{count} {noun[0] if count == 1 else noun[1]}"


def decide_each(model_admin, request, items, *, call, done, log, describe, noun=STORIES):
    """Apply ``call`` to each item on its own, record each decision in the admin's history,
    then tell the moderator what happened, counted.

    One refused item (decided by someone else meanwhile, no title yet) does not stop the
    others: the message counts both, "3 stories approved; 1 could not be: “…”: it is …".
    ``describe`` names an item in that message; ``log`` is the history's line for each.
    Returns the items decided.
    """
    decided, refused = [], []
    for item in items:
        try:
            call(item)
        except services.ModerationError as error:
            refused.append(f"{describe(item)}: {error}")
        else:
            decided.append(item)
            model_admin.log_change(request, item, log)
    if not refused:
        model_admin.message_user(request, f"{counted(len(decided), noun)} {done}.")
    elif len(items) == 1:
        model_admin.message_user(request, f"Not {done}: {refused[0]}", messages.ERROR)
    else:
        summary = f"{counted(len(decided), noun) if decided else f'No {noun[0]}'} {done}"
        model_admin.message_user(
            request,
            f"{summary}; {len(refused)} could not be: {' '.join(refused)}",
            messages.WARNING if decided else messages.ERROR,
        )
    return decided


def decision_actions(states):
    """The list actions of a story admin listing stories in ``states``: one per moderators'
    row of the table that starts from one of them ("approve_selected", "reject_selected"…)."""
    return [
        _list_action(row)
        for row in lifecycle.moderator_transitions()
        if row.from_states & set(states)
    ]


def _list_action(row):
    name = f"{row.verb}_selected"
    description = f"{row.verb.capitalize()} the selected stories"
    if row.needs_reason:
        description += "…"

    def action(model_admin, request, queryset):
        stories = model_admin.chosen_stories(request, queryset)
        if row.needs_reason:
            return model_admin.decide_from_list(request, stories, row.verb, action=name)
        getattr(model_admin, row.verb)(request, stories)
        return None

    action.__name__ = name
    return admin.action(permissions=["moderate"], description=description)(action)


# The form asking for a row's reason: "unpublish" also asks where the story goes.
REASON_FORMS = {"unpublish": UnpublishForm}


class StoryDecisionsMixin:
    """The moderators' decisions on a story admin, as ``trivia.lifecycle`` lists them.

    A row that needs no reason ("approve") is a submit button on the change page, which saves
    the moderator's corrections first; a row that needs one is a link to its own page. Each
    row's verb names the method deciding a list of stories (``approve``, ``reject``,
    ``unpublish``), shared by the list action and the change page.
    """

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

    # --- One helper per decision ----------------------------------------------------------

    def approve(self, request, stories, *, expected_version=None):
        return self.decide(
            request,
            stories,
            done="approved",
            log="Approved.",
            call=lambda story: services.approve_story(
                story=story, moderator=request.user, expected_version=expected_version
            ),
        )

    def reject(self, request, stories, form):
        data = form.cleaned_data
        return self.decide(
            request,
            stories,
            done="rejected",
            log=f"Rejected: {Anecdote.RejectionReason(data['reason']).label}.",
            call=lambda story: services.reject_story(
                story=story,
                moderator=request.user,
                reason=data["reason"],
                message=data["message"],
                expected_version=data["version"],
            ),
        )

    def unpublish(self, request, stories, form):
        data = form.cleaned_data
        destination = (
            "back to the queue" if data["to_state"] == Anecdote.State.PENDING else "rejected"
        )
        return self.decide(
            request,
            stories,
            done=f"unpublished ({destination})",
            log=f"Unpublished, {destination}: {Anecdote.RejectionReason(data['reason']).label}.",
            call=lambda story: services.unpublish_story(
                story=story,
                moderator=request.user,
                reason=data["reason"],
                message=data["message"],
                to_state=data["to_state"],
                expected_version=data["version"],
            ),
        )

    def decide(self, request, stories, *, done, log, call):
        return decide_each(
            self, request, stories, call=call, done=done, log=log, describe=story_label
        )

    # --- From the list ----------------------------------------------------------------------

    def chosen_stories(self, request, queryset):
        """The stories the moderator ticked, including any decided by someone else since.

        Those no longer match the queue, so the action's queryset would silently drop them;
        fetched by id, they reach the service, which says who decided them first.
        """
        if request.POST.get("select_across") == "1":
            return list(queryset)
        ids = [
            pk
            for pk in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            if pk.isascii() and pk.isdigit()
        ]
        return list(
            self.model._default_manager.filter(pk__in=ids)
            .select_related("title")
            .order_by("submitted_at", "pk")
        )

    def decision_form(self, request, kind, *, bound, version=None):
        form_class = REASON_FORMS.get(kind, DecisionForm)
        return form_class(request.POST) if bound else form_class(initial={"version": version})

    def decide_from_list(self, request, stories, kind, *, action):
        """A list action that needs a reason: its intermediate page, then the decision.

        Like Django's delete confirmation, the page posts back to the list with the chosen ids
        and ``post=yes``; cancelling returns to the list untouched.
        """
        form = self.decision_form(request, kind, bound="post" in request.POST)
        if form.is_bound and form.is_valid() and getattr(self, kind)(request, stories, form):
            return None
        # Not valid, or every story decided by someone else first: the page again, with the
        # reason and message as typed and the message saying who decided.
        return self.render_decision_page(request, stories, form, kind, action=action)

    def render_decision_page(self, request, stories, form, kind, *, action=None, story=None):
        changelist_url = self.changelist_url(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{kind.capitalize()} {counted(len(stories))}",
            "list_title": self.list_title,
            "kind": kind,
            "takes_off_site": Anecdote.State.PUBLISHED in lifecycle.BY_VERB[kind].from_states,
            "stories": stories,
            "story": story,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": changelist_url,
            "cancel_url": self.change_url(request, story) if story else changelist_url,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/trivia/decision_form.html", context)

    # --- From the change page ---------------------------------------------------------------

    def get_urls(self):
        """ "<id>/reject/", "<id>/unpublish/": a page for each row that needs a reason."""
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                f"<path:object_id>/{row.verb}/",
                self.admin_site.admin_view(self.single_decision_view),
                {"kind": row.verb},
                name=f"{info[0]}_{info[1]}_{row.verb}",
            )
            for row in lifecycle.moderator_transitions()
            if row.needs_reason
        ] + super().get_urls()

    def changelist_url(self, request):
        return self.with_filters(request, "changelist")

    def change_url(self, request, story):
        return self.with_filters(request, "change", story.pk)

    def with_filters(self, request, view, *args):
        """An admin address keeping the list's filters, so the moderator lands where they were."""
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return add_preserved_filters(context, url)

    def single_decision_view(self, request, object_id, kind):
        """The change page's "Reject…" and "Unpublish…": one story, the version it was read at."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        story = self.get_object(request, object_id)
        if story is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        bound = request.method == "POST"
        form = self.decision_form(request, kind, bound=bound, version=story.version)
        if bound and form.is_valid() and getattr(self, kind)(request, [story], form):
            return HttpResponseRedirect(self.changelist_url(request))
        # A lost race keeps what the moderator typed on the page, under the message saying who
        # decided first, rather than sending them away from it.
        return self.render_decision_page(request, [story], form, kind, story=story)

    def decision_buttons(self, request, story):
        """The change page's decision buttons: exactly the moderators' rows that
        ``story.allowed_actions`` gives this user now, in the table's order."""
        buttons = []
        for verb, row in story.allowed_actions(request.user).items():
            if row.who != lifecycle.MODERATOR:
                continue
            if row.needs_reason:
                url = self.with_filters(request, verb, story.pk)
                buttons.append({"verb": verb, "label": f"{verb.capitalize()}…", "url": url})
            else:
                buttons.append({"verb": verb, "label": f"Save and {verb}", "name": f"_{verb}"})
        return buttons

    def response_change(self, request, obj):
        """ "Save and approve": the moderator's corrections are saved, then the story decided."""
        chosen = next(
            (
                row
                for row in lifecycle.moderator_transitions()
                if not row.needs_reason and f"_{row.verb}" in request.POST
            ),
            None,
        )
        if chosen is not None and self.has_moderate_permission(request):
            if getattr(self, chosen.verb)(request, [obj], expected_version=obj.version):
                return HttpResponseRedirect(self.next_url(request) or self.changelist_url(request))
            return HttpResponseRedirect(self.change_url(request, obj))
        response = super().response_change(request, obj)
        came_from = self.next_url(request)
        if came_from and "_save" in request.POST:
            return HttpResponseRedirect(came_from)
        return response

    def next_url(self, request):
        """Where the change page was opened from (``?next=``, the review desk's "Edit"), when
        it is this site's own address: saving goes back there instead of to the list."""
        target = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return target if target and safe else ""
