"""/submit/: a signed-in contributor with a verified email address sends a story to the queue.

One page, several steps, all posted to the same URL and told apart by the button pressed
(``action``):

- ``search`` — list the titles matching ``title_q`` (names and aliases) as radio buttons, keeping
  everything typed so far. With JavaScript, static/js/title-search.js fills the same list from
  ``/submit/titles/?q=`` as the contributor types.
- ``preview`` — check everything, then show the story as it will look and the published stories
  on that title that look like it ("is it one of these?"), with the data in hidden fields.
- ``edit`` — back from the preview to the form, with everything kept.
- ``submit`` — check everything again and create the pending story through
  ``services.submit_anecdote``.

The form carries a one-time ``submission_key``: a double-clicked or resent final step finds the
story the first one created and shows its confirmation instead of creating another.

The image is checked and re-encoded (trivia/images.py) as soon as it is posted, and kept under
a random name in ``pending-uploads/``, a folder no URL serves, until the final step copies it to
``anecdotes/`` and makes its smaller WebP copies beside it. The session remembers which file
belongs to which submission key, so only the browser that uploaded an image can show it in its
preview or attach it to a story; a browser cannot re-send a file the contributor chose on an
earlier page, so this is what lets the image survive the preview. Files of previews never
submitted are deleted after a day.
"""

import logging
import mimetypes
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import images, queries, services
from .forms import SourceFormSet, StoryForm, is_plain_id
from .models import Anecdote, Citation, Title, TitleAlias
from .names import normalize_name
from .people import find_people
from .ratelimit import is_limited, too_many_requests
from .similar import similar_stories

logger = logging.getLogger(__name__)

TITLE_RESULTS = 10
SUGGESTED_TAGS = 40
PENDING_UPLOADS = "pending-uploads"
STORY_IMAGES = "anecdotes"
PENDING_UPLOAD_LIFETIME = timedelta(days=1)
SESSION_IMAGES = "submit_images"
# A session keeps the images of this many unfinished submissions (several tabs) at most.
SESSION_IMAGES_KEPT = 5
SOURCE_PREFIX = "source"
SUBMISSIONS_PATH = "/accounts/submissions/"
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


def _ranked(queryset, field, normal):
    """Rows whose ``field`` contains ``normal``: the exact name first, then those starting
    with it, then the rest, A–Z."""
    return (
        queryset.filter(**{f"{field}__contains": normal})
        .annotate(
            rank=Case(
                When(**{field: normal}, then=Value(0)),
                When(**{f"{field}__startswith": normal}, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", field, "pk")
    )


def search_titles(query, limit=TITLE_RESULTS):
    """Titles whose name or an alias contains ``query``, compared in normal form (so "amelie"
    finds "Amélie", "rocky 4" finds "Rocky IV" through its alias), best matches first.

    Two bounded queries (names, aliases) and one to load the titles, however many match.
    """
    normal = normalize_name(query)
    if not normal:
        return []
    best = {}
    by_name = _ranked(Title.objects.all(), "normalized_name", normal)
    for pk, rank in by_name.values_list("pk", "rank")[:limit]:
        best[pk] = (rank, "")
    by_alias = _ranked(TitleAlias.objects.all(), "normalized_name", normal)
    for pk, alias, rank in by_alias.values_list("title_id", "name", "rank")[:limit]:
        if pk not in best or rank < best[pk][0]:
            best[pk] = (rank, alias)
    titles = Title.objects.in_bulk(best)
    found = sorted(best, key=lambda pk: (best[pk][0], titles[pk].normalized_name, pk))
    return [TitleMatch(titles[pk], best[pk][1]) for pk in found[:limit]]


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


# --- The image kept between the steps -------------------------------------------------------


class ImageLost(Exception):
    """The image kept for a submission is gone (a finished double submit, or it expired)."""


def _kept_images(request):
    return dict(request.session.get(SESSION_IMAGES, {}))


def kept_image(request, key):
    """What the session keeps for submission ``key``: name, label, width, height — or None."""
    return _kept_images(request).get(str(key))


def _keep_image(request, key, clean, label):
    kept = _kept_images(request)
    previous = kept.pop(str(key), None)
    if previous:
        default_storage.delete(previous["name"])
    name = default_storage.save(clean.random_name(PENDING_UPLOADS), ContentFile(clean.content))
    kept[str(key)] = {
        "name": name,
        "label": label[:100],
        "width": clean.width,
        "height": clean.height,
    }
    while len(kept) > SESSION_IMAGES_KEPT:
        default_storage.delete(kept.pop(next(iter(kept)))["name"])
    request.session[SESSION_IMAGES] = kept
    _delete_abandoned_uploads()


def _forget_image(request, key, *, delete=True):
    kept = _kept_images(request)
    entry = kept.pop(str(key), None)
    if entry is None:
        return
    if delete:
        default_storage.delete(entry["name"])
    request.session[SESSION_IMAGES] = kept


def _move_kept_image(request, old_key, new_key):
    kept = _kept_images(request)
    if str(old_key) in kept:
        kept[str(new_key)] = kept.pop(str(old_key))
        request.session[SESSION_IMAGES] = kept


def _delete_abandoned_uploads():
    """Delete the images of previews that were never submitted, a day on."""
    try:
        _folders, files = default_storage.listdir(PENDING_UPLOADS)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PENDING_UPLOAD_LIFETIME
    for filename in files:
        name = f"{PENDING_UPLOADS}/{filename}"
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
        except FileNotFoundError:
            continue  # another request deleted it first


def _take_upload(request, form, key):
    """Check and keep a newly chosen image, or drop the kept one if asked. Returns the message
    for an image that was refused, else ""."""
    upload = request.FILES.get("image")
    if upload is not None:
        try:
            clean = images.clean_image(upload)
        except images.ImageRejected as error:
            return str(error)
        _keep_image(request, key, clean, upload.name or "image")
    elif form["remove_image"].value():
        _forget_image(request, key)
    return ""


def _copy_to_story_images(kept):
    """Copy a kept image to its public folder under a new random name (the pending file stays
    until the story exists, so a failed attempt can be repeated)."""
    try:
        with default_storage.open(kept["name"], "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise ImageLost from None
    extension = PurePosixPath(kept["name"]).suffix
    return default_storage.save(
        f"{STORY_IMAGES}/{uuid.uuid4().hex}{extension}", ContentFile(content)
    )


@never_cache
@login_required
def preview_image(request, key):
    """The image kept for one of this browser's submissions, for its preview page only."""
    kept = kept_image(request, key)
    if kept is None:
        raise Http404("No image is waiting for this submission.")
    try:
        handle = default_storage.open(kept["name"], "rb")
    except FileNotFoundError:
        raise Http404("This image has expired.") from None
    content_type, _encoding = mimetypes.guess_type(kept["name"])
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response


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


def _render_form(request, form, sources, *, key, query="", **extra):
    query = query.strip()
    results = search_titles(query) if query else []
    context = {
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
    return render(request, "trivia/submit_form.html", context)


def _as_typed(form, sources):
    """Unbound copies of the posted forms, showing what was typed without judging it: a title
    search or a step back from the preview is not an attempt to submit."""
    keep = [name for name in form.fields if name not in ("image", "remove_image", "website")]
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
def submit_story(request):
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
        return too_many_requests(request, "submit")
    image_error = _take_upload(request, form, key)
    if action in ("search", "edit"):
        form, sources = _as_typed(form, sources)
        return _render_form(request, form, sources, key=key, query=query, image_error=image_error)
    return _preview(request, form, sources, key=key, query=query, image_error=image_error)


def _honeypot_problem(request):
    logger.info("Submit form honeypot filled by user %s; nothing sent.", request.user.pk)
    # Vague on purpose: a robot learns nothing, and a person whose browser filled the hidden
    # field by mistake just sends the form again (the field is rendered empty).
    return (
        "Something about this form looked automated, so nothing was sent. Check it and try again."
    )


def _preview(request, form, sources, *, key, query, image_error):
    if request.POST.get("website"):
        return _render_form(request, form, sources, key=key, problem=_honeypot_problem(request))
    valid = form.is_valid() & sources.is_valid()
    if image_error or not valid:
        return _render_form(request, form, sources, key=key, query=query, image_error=image_error)
    if Anecdote.objects.filter(submission_key=key).exists():
        # This form already created a story (the contributor came back to it): a new key
        # makes this preview a new submission.
        new_key = uuid.uuid4()
        _move_kept_image(request, key, new_key)
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
        "similar": similar_stories(title=data["title"], text=data["text"]),
        "kept_image": kept,
        "image_token": PurePosixPath(kept["name"]).name if kept else "",
    }
    return render(request, "trivia/submit_preview.html", context)


def _submit(request, form, sources, key):
    """The final step: create the story once, however often this step is posted."""
    if is_limited(request, "submit"):
        return too_many_requests(request, "submit")
    if request.POST.get("website"):
        return _render_form(request, form, sources, key=key, problem=_honeypot_problem(request))
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
        anecdote = _create_story(request.user, form, sources, key=key, kept=kept)
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
    if anecdote.contributor_id != request.user.pk:
        # The key belongs to someone else's story (a forged form): nothing was created.
        new_key = uuid.uuid4()
        _move_kept_image(request, key, new_key)
        return _render_form(
            request,
            form,
            sources,
            key=new_key,
            problem="This form was already used. Check it and send it again.",
        )
    _forget_image(request, key)
    return redirect("submit_done", pk=anecdote.pk)


def _already_submitted(request, key):
    """The confirmation of the story this form already created, if it did."""
    existing = Anecdote.objects.filter(submission_key=key).only("pk", "contributor").first()
    if existing is None:
        return None
    if existing.contributor_id != request.user.pk:
        # Someone else's key, copied into a forged form: never reveal or reuse their story.
        return None
    _forget_image(request, key)
    return redirect("submit_done", pk=existing.pk)


def _create_story(user, form, sources, *, key, kept):
    """Sources, image and story together: if the story is not created by this request (the
    limit was reached, or a twin request won the race), nothing of this request remains."""
    services.check_submission_allowance(user)
    data = form.cleaned_data
    image_name = _copy_to_story_images(kept) if kept else ""
    renditions = {}
    try:
        if image_name:
            # Made once, here, outside the transaction: pages only ever read the result.
            renditions = images.make_renditions(Anecdote(image=image_name).image)
        with transaction.atomic():
            citations = []
            for source_form in sources.filled_forms():
                source = source_form.source()
                if source.pk is None:
                    source.save()
                citations.append(
                    Citation(source=source, locator=source_form.cleaned_data["locator"])
                )
            anecdote = services.submit_anecdote(
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
            created_here = citations[0].anecdote_id == anecdote.pk
            if not created_here:
                transaction.set_rollback(True)
    except Exception:
        _delete_story_image(image_name, renditions)
        raise
    if not created_here:
        _delete_story_image(image_name, renditions)
    return anecdote


def _delete_story_image(name, renditions):
    images.delete_files(default_storage, [name, *images.rendition_names(renditions)])


@login_required
def submit_done(request, pk):
    """ "Your story is waiting for a moderator", for its contributor only."""
    anecdote = get_object_or_404(Anecdote.objects.for_cards(), pk=pk, contributor=request.user)
    return render(
        request,
        "trivia/submit_done.html",
        {"anecdote": anecdote, "submissions_path": SUBMISSIONS_PATH},
    )
