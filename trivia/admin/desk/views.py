"""The review desk's page: the next waiting item, whole, and its decisions.

Every decision is a plain form posted to the desk. Without JavaScript the answer is a redirect
back to the desk with the same filters, which shows the next item (one page load a decision).
``static/js/desk.js`` posts the same forms with ``fetch`` and the header ``X-Desk-Fragment``;
the answer is then the next item's panel alone (``desk/panel.html``, the template the page
includes), which replaces the current one. A refused decision (a form error, or another
moderator decided first) answers the same item again with what was typed kept, and says who
decided. Every decision goes through ``trivia.services``.

"Edit" opens the story's admin page with ``?next=`` set to the desk's address of the item;
that page does not follow it yet (``StoryAdmin.response_change`` returns to the queue).
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from taggit.models import Tag

from ... import services
from ...forms.fields import RefuseControlCharactersMixin
from ...matching.names import normalize_name
from ...matching.titles import name_and_year
from ...models import Anecdote, Title, TitleAlias
from ..decisions import story_label
from ..forms import DecisionForm, MessageForm
from . import claims, items, panels

FRAGMENT_HEADER = "X-Desk-Fragment"
SKIPPED = "review_desk_skipped"
# A skipped item is passed by until the moderator asks to see the skipped ones again; the
# session remembers at most this many.
MAX_SKIPPED = 200
# At most this many tags and contributors are offered as filters: those of the oldest stories.
MAX_CHOICES = 100


class NewTitleForm(RefuseControlCharactersMixin, forms.ModelForm):
    """The desk's "Create title": a title named as the contributor proposed it, created and
    assigned to the story in one go."""

    class Meta:
        model = Title
        fields = ["name", "kind", "year"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        normal = normalize_name(name)
        if not normal:
            raise forms.ValidationError("Give the name in letters or digits.")
        known = Title.objects.filter(normalized_name=normal).first()
        alias = TitleAlias.objects.filter(normalized_name=normal).select_related("title").first()
        if known or alias:
            title = known or alias.title
            raise forms.ValidationError(
                f"“{title.name}” is already a title: choose it on the story's page (Edit)."
            )
        return name


def desk_view(request, site):
    if not services.can_moderate(request.user):
        raise PermissionDenied
    filters = items.Filters.from_query(request.GET)
    if request.method == "POST":
        return decide(request, site, filters)
    key = request.GET.get("item", "")
    item = None
    if key:
        item = items.find(key)
        if item is None:
            messages.warning(request, "That item does not exist (any more): here is the next one.")
    return show(request, site, filters, item=item)


# --- Showing ------------------------------------------------------------------------------------


def desk_url(filters, item=None):
    query = filters.query_string()
    if item is not None:
        query = f"{query}&item={item.key}" if query else f"item={item.key}"
    return reverse("admin:review_desk") + (f"?{query}" if query else "")


def skipped_keys(request):
    keys = request.session.get(SKIPPED, [])
    return [key for key in keys if isinstance(key, str) and items.parse_key(key)]


def next_for(request, filters):
    """The first item of the stream nobody else is reviewing and this moderator has not
    skipped, claimed for them; None when there is none. Another moderator may claim the
    chosen item at the same moment: the next one is tried then."""
    passed = set(claims.others(request.user)) | set(skipped_keys(request))
    for _attempt in range(5):
        item = items.next_item(filters, passed_by=passed)
        if item is None or claims.claim(item, request.user):
            return item
        passed.add(item.key)
    return None


def show(request, site, filters, *, item=None, bound=None):
    """The desk with ``item`` (opened by its key or kept after a refused decision), else the
    next one. ``bound`` holds the forms as the moderator filled them."""
    if item is None:
        item = next_for(request, filters)
    else:
        item.holder = claims.holder(item, request.user)
        if item.holder is None and item.is_waiting:
            claims.claim(item, request.user)
    context = {
        **site.each_context(request),
        "title": "Review desk",
        **desk_context(request, filters, item, bound or {}),
    }
    if request.headers.get(FRAGMENT_HEADER):
        response = TemplateResponse(request, "admin/trivia/desk/panel.html", context)
        response["X-Desk-Url"] = context["page_url"]
        return response
    return TemplateResponse(request, "admin/trivia/desk/desk.html", context)


def desk_context(request, filters, item, bound):
    held = claims.others(request.user)
    skipped = skipped_keys(request)
    waiting_counts, held_count, skipped_count = items.counts(
        filters, claimed_by_others=list(held), skipped=skipped
    )
    context = {
        "filters": filters,
        "kind_choices": [(value, value.capitalize()) for value in items.KIND_FILTERS],
        "order_choices": list(items.ORDERS.items()),
        "tag_choices": tag_choices(),
        "contributor_choices": contributor_choices(),
        "counts_line": items.describe_counts(waiting_counts),
        "held_count": held_count,
        "skipped_count": skipped_count,
        "item": item,
        "form_url": desk_url(filters),
        "page_url": desk_url(filters, item),
        "reasons": Anecdote.RejectionReason.choices,
    }
    if item is None:
        return context
    context["decided_note"] = "" if item.is_waiting else panels.decided_note(item)
    if item.kind == "story":
        story = item.obj
        context.update(panels.story_panel(story))
        context["reject_form"] = bound.get("reject") or DecisionForm(
            initial={"version": story.version}
        )
        if not story.title_id:
            context["title_form"] = bound.get("title") or new_title_form(story)
    else:
        panel = panels.report_panel if item.kind == "report" else panels.correction_panel
        context.update(panel(item.obj, request.user) if item.kind == "report" else panel(item.obj))
        context["message_form"] = bound.get("message") or MessageForm()
    # The story's page may send the moderator back here once saved (see the module docstring).
    context["change_url"] += "?" + urlencode({"next": context["page_url"]})
    return context


def new_title_form(story):
    """The "Create title" form, filled in from what the contributor proposed ("Squid Game
    (2021)" is the name and the year)."""
    name, year = name_and_year(story.proposed_title or "")
    return NewTitleForm(
        prefix="new_title",
        initial={
            "name": name or story.proposed_title,
            "kind": story.proposed_title_kind or "film",
            "year": story.proposed_title_year or year,
        },
    )


def tag_choices():
    """The tags of the waiting stories, by name: what the tag filter offers."""
    pending = Anecdote.objects.pending().values("pk")
    return list(
        Tag.objects.filter(trivia_taggedanecdote_items__content_object__in=pending)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")[:MAX_CHOICES]
    )


def contributor_choices():
    """The contributors of the waiting stories, by name."""
    from django.contrib.auth import get_user_model

    pending = Anecdote.objects.pending().filter(contributor__isnull=False)
    names = (
        get_user_model()
        .objects.filter(pk__in=pending.values("contributor"))
        .order_by("username")
        .values_list("username", flat=True)[:MAX_CHOICES]
    )
    return list(names)


# --- Deciding -----------------------------------------------------------------------------------


def decide(request, site, filters):
    action = request.POST.get("action", "")
    if action == "unskip":
        request.session.pop(SKIPPED, None)
        return done(request, site, filters, "The skipped items are back in the stream.")
    item = items.find(request.POST.get("item", ""))
    if item is None:
        messages.error(request, "That item does not exist any more: here is the next one.")
        return done(request, site, filters, None)
    handler = DECISIONS.get((item.kind, action))
    if handler is None:
        raise BadRequest("The desk offers no such decision.")
    return handler(request, site, filters, item)


def done(request, site, filters, message, *, stay_on=None):
    """After a decision: the next item (or ``stay_on``), as a panel for ``desk.js`` or as a
    redirect to the desk (post/redirect/get)."""
    if message:
        messages.success(request, message)
    if request.headers.get(FRAGMENT_HEADER):
        if stay_on is not None:
            stay_on = items.find(stay_on.key)
        return show(request, site, filters, item=stay_on)
    return HttpResponseRedirect(desk_url(filters, stay_on))


def refused(request, site, filters, item, error, bound):
    """The same item again, the forms as the moderator filled them, and why not."""
    if error:
        messages.error(request, error)
    fresh = items.find(item.key) or item
    return show(request, site, filters, item=fresh, bound=bound)


def version_of(request):
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def log(site, request, obj, text):
    """The admin's own history of the object, as its list actions leave it."""
    site.get_model_admin(type(obj)).log_change(request, obj, text)


def approve(request, site, filters, item):
    story = item.obj
    try:
        services.approve_story(
            story=story, moderator=request.user, expected_version=version_of(request)
        )
    except services.ModerationError as error:
        return refused(request, site, filters, item, f"Not approved: {error}", {})
    claims.release(item)
    log(site, request, story, "Approved.")
    return done(request, site, filters, f"{story_label(story)} approved.")


def reject(request, site, filters, item):
    story = item.obj
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return refused(request, site, filters, item, None, {"reject": form})
    data = form.cleaned_data
    try:
        services.reject_story(
            story=story,
            moderator=request.user,
            reason=data["reason"],
            message=data["message"],
            expected_version=data["version"],
        )
    except services.ModerationError as error:
        return refused(request, site, filters, item, f"Not rejected: {error}", {"reject": form})
    claims.release(item)
    label = Anecdote.RejectionReason(data["reason"]).label
    log(site, request, story, f"Rejected: {label}.")
    return done(request, site, filters, f"{story_label(story)} rejected: {label}.")


def skip(request, site, filters, item):
    claims.release_own(item, request.user)
    keys = [key for key in skipped_keys(request) if key != item.key]
    request.session[SKIPPED] = [*keys, item.key][-MAX_SKIPPED:]
    return done(request, site, filters, None)


def create_title(request, site, filters, item):
    """Create the title the contributor proposed and assign it to the story, as the title
    admin and the story's page would: the title saved and announced
    (``services.title_edited``), then the story edited through ``services.edit_story`` at the
    version the moderator saw. A refused edit creates no title."""
    story = item.obj
    form = NewTitleForm(request.POST, prefix="new_title")
    if not form.is_valid():
        return refused(request, site, filters, item, None, {"title": form})
    try:
        with transaction.atomic():
            title = form.save()
            services.title_edited(title=title)
            services.edit_story(
                story=story,
                editor=request.user,
                changes={"title": title},
                expected_version=version_of(request),
            )
    except services.ModerationError as error:
        return refused(request, site, filters, item, f"No title created: {error}", {"title": form})
    log(site, request, title, "Created from the review desk.")
    log(site, request, story, f"Title assigned: {title.name}.")
    return done(request, site, filters, f"Created “{title.name}” and assigned it.", stay_on=item)


def feedback_decision(call, done_text, log_text):
    """A decision on a report or a correction, with the moderator's message."""

    def decide_feedback(request, site, filters, item):
        form = MessageForm(request.POST)
        if not form.is_valid():
            return refused(request, site, filters, item, None, {"message": form})
        try:
            call(item.obj, request.user, form.cleaned_data["message"])
        except services.ModerationError as error:
            return refused(request, site, filters, item, f"Not decided: {error}", {"message": form})
        claims.release(item)
        log(site, request, item.obj, log_text)
        return done(request, site, filters, done_text.format(story_label(item.obj.anecdote)))

    return decide_feedback


DECISIONS = {
    ("story", "approve"): approve,
    ("story", "reject"): reject,
    ("story", "skip"): skip,
    ("story", "create_title"): create_title,
    ("report", "skip"): skip,
    ("correction", "skip"): skip,
    ("report", "dismiss"): feedback_decision(
        lambda report, user, message: services.resolve_report(
            report=report, moderator=user, outcome="dismissed", message=message
        ),
        "The report on {} dismissed.",
        "Dismissed.",
    ),
    ("report", "resolve"): feedback_decision(
        lambda report, user, message: services.resolve_report(
            report=report, moderator=user, outcome="resolved", message=message
        ),
        "The report on {} marked resolved.",
        "Resolved.",
    ),
    ("correction", "accept"): feedback_decision(
        lambda correction, user, message: services.accept_correction(
            correction=correction, moderator=user, message=message
        ),
        "The correction of {} accepted and published.",
        "Accepted.",
    ),
    ("correction", "reject"): feedback_decision(
        lambda correction, user, message: services.reject_correction(
            correction=correction, moderator=user, message=message
        ),
        "The correction of {} rejected.",
        "Rejected.",
    ),
}
