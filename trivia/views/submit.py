"""/submit/: a signed-in contributor with a verified email address sends a story to the queue.

One page, several steps, all posted to the same URL and told apart by the button pressed
(``action``):

- ``search`` — list the titles matching ``title_q`` (names and aliases) as radio buttons, keeping
  everything typed so far. With JavaScript, static/js/title-search.js fills the same list from
  ``/submit/titles/?q=`` as the contributor types.
- ``preview`` — check everything, then show the story as it will look and the published stories
  that look like it ("is it one of these?": on that title, or across titles for a proposed
  one, ``trivia.similar``), with the data in hidden fields.
- ``edit`` — back from the preview to the form, with everything kept.
- ``submit`` — check everything again and create the pending story through
  ``services.submit_story``.

The form carries a one-time ``submission_key``: a double-clicked or resent final step finds the
story the first one created and shows its confirmation instead of creating another. The image
is kept between the steps by ``kept_images``.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from .. import images, queries, services, tasks
from ..forms import SourceFormSet, StoryForm, is_plain_id
from ..matching.people import find_people
from ..matching.titles import titles_matching
from ..models import Anecdote, Citation, Title
from ..ratelimit import is_limited, too_many_requests
from ..similar import similar_stories
from .kept_images import (
    ImageLost,
    copy_to_story_images,
    forget_image,
    kept_image,
    move_kept_image,
    take_upload,
)

logger = logging.getLogger(__name__)

TITLE_RESULTS = 10
SUGGESTED_TAGS = 40
SOURCE_PREFIX = "source"
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def email_verified(user):
    """Whether ``user`` may submit: a confirmed email address once allauth is installed.

    Moderators are accounts an operator made, not sign-ups, and may have no address on file.
    """
    if not apps.is_installed("allauth.account") or services.can_moderate(user):
        return True
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


# --- Finding a title ------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleMatch:
    title: Title
    also_known_as: str = ""  # the alias that matched, when the name itself did not


def search_titles(query, limit=TITLE_RESULTS):
    """The titles ``query`` names (``trivia.matching.titles.titles_matching``: name, original
    title or alias, at a word's start, in normal form), as the form lists them."""
    return [TitleMatch(title, title.alias or "") for title in titles_matching(query, limit=limit)]


@login_required
def title_search(request):
    """The title list as JSON, for the form's search-as-you-type."""
    query = request.GET.get("q", "")[:200]
    results = [
        {
            "id": match.title.pk,
            "label": str(match.title),
            "kind": match.title.get_kind_display(),
            "also_known_as": match.also_known_as,
        }
        for match in search_titles(query)
    ]
    return JsonResponse({"query": query, "results": results})


# --- The form's steps -----------------------------------------------------------------------


def _posted_key(request):
    try:
        return uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return None


def _title_choices(form, results):
    """The titles listed as radio buttons: the one chosen so far, the existing titles a proposed
    one turned out to be, then the search results."""
    matches = []
    chosen = str(form["title"].value() or "")
    if is_plain_id(chosen):
        title = Title.objects.filter(pk=int(chosen)).first()
        if title is not None:
            matches.append(TitleMatch(title))
    matches += [TitleMatch(title) for title in getattr(form, "existing_titles", [])]
    unique = {}
    for match in [*matches, *results]:
        known = unique.setdefault(match.title.pk, match)
        if match.also_known_as and not known.also_known_as:
            unique[match.title.pk] = match  # keep the alias that explains the match
    return list(unique.values())


def _form_context(request, form, sources, *, key, query="", **extra):
    query = query.strip()
    results = search_titles(query) if query else []
    return {
        "form": form,
        "sources": sources,
        "submission_key": key,
        "title_query": query,
        "title_results": results,
        "title_choices": _title_choices(form, results),
        "chosen_title": str(form["title"].value() or ""),
        "kept_image": kept_image(request, key),
        "suggested_tags": queries.popular_tags(SUGGESTED_TAGS),
        **extra,
    }


def _render_form(request, form, sources, *, key, query="", **extra):
    context = _form_context(request, form, sources, key=key, query=query, **extra)
    return render(request, "trivia/submit_form.html", context)


def _too_many(request, form, sources, *, key, query=""):
    """The 429 for a limited step: the form again with everything typed (nothing judged), so
    the story is not lost and can be sent once the limit allows."""
    form, sources = _as_typed(form, sources)
    context = _form_context(request, form, sources, key=key, query=query)
    return too_many_requests(request, "submit", template="trivia/submit_form.html", context=context)


def _as_typed(form, sources):
    """Unbound copies of the posted forms, showing what was typed without judging it: a title
    search or a step back from the preview is not an attempt to submit."""
    keep = [name for name in form.fields if name not in ("image", "remove_image", form.HONEYPOT)]
    story = StoryForm(initial={name: form[name].value() for name in keep})
    typed_sources = SourceFormSet(
        prefix=SOURCE_PREFIX,
        initial=[{name: each[name].value() for name in each.fields} for each in sources.forms],
    )
    return story, typed_sources


def _initial(request):
    """A link such as /submit/?title=fight-club starts with that title chosen."""
    slug = request.GET.get("title", "")
    # Slug characters only: a NUL byte would make PostgreSQL raise rather than find nothing.
    title = Title.objects.filter(slug=slug).first() if _SLUG.fullmatch(slug) else None
    return {"title": title.pk} if title else {}


def _preview_story(request, form, sources, *, key, kept):
    """An unsaved story built from the form, for the story card of the preview."""
    data = form.cleaned_data
    story = Anecdote(
        title=data["title"],
        text=data["text"],
        is_spoiler=data["is_spoiler"],
        contributor=request.user,
    )
    story.tag_list = [_PreviewTag(name) for name in sorted(data["tags"])]
    story.citation_list = [
        Citation(source=source_form.source(), locator=source_form.cleaned_data["locator"])
        for source_form in sources.filled_forms()
    ]
    if kept:
        # The card shows ``image.url``: here, the kept image's address for this browser only,
        # with no smaller copies yet (they are made when the story is sent).
        story.image = _PreviewImage(reverse("submit_preview_image", args=[key]))
        story.image_renditions = {"width": kept["width"], "height": kept["height"]}
    return story


@dataclass(frozen=True)
class _PreviewTag:
    """A tag as a card shows it; with no slug yet, it is not linked."""

    name: str
    slug: str = ""


@dataclass(frozen=True)
class _PreviewImage:
    url: str


@login_required
def new_story(request):
    if not email_verified(request.user):
        return render(request, "trivia/submit_verify_email.html", status=403)
    if request.method != "POST":
        return _render_form(
            request,
            StoryForm(initial=_initial(request)),
            SourceFormSet(prefix=SOURCE_PREFIX),
            key=uuid.uuid4(),
            query=request.GET.get("title_q", "")[:200],
        )

    action = request.POST.get("action", "preview")
    key = _posted_key(request)
    form = StoryForm(request.POST, request.FILES)
    sources = SourceFormSet(request.POST, prefix=SOURCE_PREFIX)
    query = request.POST.get("title_q", "")[:200]
    if action == "submit":
        if key is None:
            # Without its one-time key a repeated final step could not be recognised.
            return _render_form(
                request,
                form,
                sources,
                key=uuid.uuid4(),
                problem="This form was incomplete, so nothing was sent. Check it and send it "
                "again.",
            )
        return _submit(request, form, sources, key)
    key = key or uuid.uuid4()

    # Decoding an image is the costly part of a preview: it counts against the submit limit.
    if request.FILES.get("image") and is_limited(request, "submit"):
        return _too_many(request, form, sources, key=key, query=query)
    image_error = take_upload(request, form, key)
    if action in ("search", "edit"):
        form, sources = _as_typed(form, sources)
        return _render_form(request, form, sources, key=key, query=query, image_error=image_error)
    return _preview(request, form, sources, key=key, query=query, image_error=image_error)


# Vague on purpose: a robot learns nothing, and a person whose browser filled the hidden field
# by mistake just sends the form again (the field is rendered empty).
LOOKED_AUTOMATED = (
    "Something about this form looked automated, so nothing was sent. Check it and try again."
)


def _robot(request, form, sources, key):
    """The form again, with nothing sent, for a filled honeypot."""
    logger.info("Submit form honeypot filled by user %s; nothing sent.", request.user.pk)
    return _render_form(request, form, sources, key=key, problem=LOOKED_AUTOMATED)


def _preview(request, form, sources, *, key, query, image_error):
    if form.is_bot():
        return _robot(request, form, sources, key)
    valid = form.is_valid() & sources.is_valid()
    if image_error or not valid:
        return _render_form(request, form, sources, key=key, query=query, image_error=image_error)
    if Anecdote.objects.filter(submission_key=key).exists():
        # This form already created a story (the contributor came back to it): a new key
        # makes this preview a new submission.
        new_key = uuid.uuid4()
        move_kept_image(request, key, new_key)
        key = new_key
    try:
        services.check_submission_allowance(request.user)
    except services.ModerationError as error:
        return _render_form(request, form, sources, key=key, query=query, problem=str(error))
    data = form.cleaned_data
    kept = kept_image(request, key)
    context = {
        "form": form,
        "sources": sources,
        "submission_key": key,
        "story": _preview_story(request, form, sources, key=key, kept=kept),
        "similar": similar_stories(
            title=data["title"], text=data["text"], proposed_title=data["new_title_name"]
        ),
        "kept_image": kept,
        "image_token": PurePosixPath(kept["name"]).name if kept else "",
    }
    return render(request, "trivia/submit_preview.html", context)


def _submit(request, form, sources, key):
    """The final step: create the story once, however often this step is posted."""
    if is_limited(request, "submit"):
        return _too_many(request, form, sources, key=key)
    if form.is_bot():
        return _robot(request, form, sources, key)
    done = _already_submitted(request, key)
    if done is not None:
        return done
    valid = form.is_valid() & sources.is_valid()
    if not valid:
        return _render_form(request, form, sources, key=key)

    kept = None
    token = request.POST.get("image_token", "")
    if token:
        kept = kept_image(request, key)
        if kept is None or PurePosixPath(kept["name"]).name != token:
            return _render_form(
                request,
                form,
                sources,
                key=key,
                image_error="Your image could not be kept (it expired, or the form was "
                "opened in another window). Choose it again.",
            )
    try:
        story = _create_story(request.user, form, sources, key=key, kept=kept)
    except services.ModerationError as error:
        return _render_form(request, form, sources, key=key, problem=str(error))
    except ImageLost:
        # A twin request finished first and took the image with it.
        done = _already_submitted(request, key)
        if done is not None:
            return done
        return _render_form(
            request,
            form,
            sources,
            key=key,
            image_error="Your image could not be kept. Choose it again.",
        )
    if story.contributor_id != request.user.pk:
        # The key belongs to someone else's story (a forged form): nothing was created.
        new_key = uuid.uuid4()
        move_kept_image(request, key, new_key)
        return _render_form(
            request,
            form,
            sources,
            key=new_key,
            problem="This form was already used. Check it and send it again.",
        )
    forget_image(request, key)
    return redirect("submit_done", pk=story.pk)


def _already_submitted(request, key):
    """The confirmation of the story this form already created, if it did."""
    existing = Anecdote.objects.filter(submission_key=key).only("pk", "contributor").first()
    if existing is None:
        return None
    if existing.contributor_id != request.user.pk:
        # Someone else's key, copied into a forged form: never reveal or reuse their story.
        return None
    forget_image(request, key)
    return redirect("submit_done", pk=existing.pk)


def _create_story(user, form, sources, *, key, kept):
    """Sources, image and story together: if the story is not created by this request (the
    limit was reached, or a twin request won the race), nothing of this request remains."""
    services.check_submission_allowance(user)
    data = form.cleaned_data
    image_name = copy_to_story_images(kept) if kept else ""
    renditions = {}  # the image's copies are made by the task worker (trivia/tasks.py)
    try:
        with transaction.atomic():
            citations = []
            for source_form in sources.filled_forms():
                source = source_form.source()
                if source.pk is None:
                    source.save()
                citations.append(
                    Citation(source=source, locator=source_form.cleaned_data["locator"])
                )
            story = services.submit_story(
                contributor=user,
                text=data["text"],
                title=data["title"],
                proposed_title=data["new_title_name"] if data["is_new_title"] else "",
                proposed_title_kind=data["new_title_kind"] if data["is_new_title"] else "",
                proposed_title_year=data["new_title_year"] if data["is_new_title"] else None,
                tags=data["tags"],
                # Suggestions from the names in the text, which the moderator reviews.
                people=[person.pk for person in find_people(data["text"])],
                is_spoiler=data["is_spoiler"],
                citations=citations,
                image=image_name,
                image_renditions=renditions,
                submission_key=key,
            )
            created_here = citations[0].anecdote_id == story.pk
            if created_here:
                tasks.make_renditions_later(story)
            else:
                transaction.set_rollback(True)
    except Exception:
        _delete_story_image(image_name, renditions)
        raise
    if not created_here:
        _delete_story_image(image_name, renditions)
    return story


def _delete_story_image(name, renditions):
    images.delete_files(default_storage, [name, *images.rendition_names(renditions)])


@login_required
def submit_done(request, pk):
    """ "Your story is waiting for a moderator", for its contributor only."""
    story = get_object_or_404(Anecdote.objects.for_cards(), pk=pk, contributor=request.user)
    return render(request, "trivia/submit_done.html", {"story": story})
