"""Serving stories' images and titles' posters, with their smaller copies (renditions).

Story images are as private as their stories (DESIGN §3). They live under MEDIA_ROOT, but no
static route serves that folder: an image, or one of its copies, is answered here, to anyone
once its story is published, and before that only to the story's contributor and to
moderators. Everyone else gets the same 404 as for a name that never existed, so a pending
image's address reveals nothing.

A published image never changes (a new image gets a new random name), so browsers may keep it
for a year; shared caches keep it for a day only, so an image whose story is unpublished stops
being served by a CDN soon after.

Posters belong to titles, which have no unpublished state: every file in ``posters/`` is
public and cached for a year. They are served here because ``runserver`` serves nothing from
MEDIA_ROOT; in production a proxy may serve ``posters/`` itself (see the README).
"""

import mimetypes
import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from ..images import POSTERS, STORY_IMAGES, rendition_names
from ..models import Anecdote
from ..services import can_moderate

# Image file names only: whatever else might one day be stored there is never served from here.
_NAME = re.compile(r"[\w-]{1,100}\.(?:jpe?g|png|webp|gif)")
# A rendition's name: its original's random name, a width, WebP (see images.rendition_name).
_RENDITION = re.compile(r"(?P<stem>[0-9a-f]{32})-[0-9]{1,4}\.webp")
# What an original may have been stored as; renditions are found through their original.
_ORIGINAL_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "gif")
PUBLIC_CACHE = "public, max-age=31536000, s-maxage=86400, immutable"
POSTER_CACHE = "public, max-age=31536000, immutable"
PRIVATE_CACHE = "private, no-store"


@require_safe
def story_image(request, name):
    if not _NAME.fullmatch(name):
        raise Http404("No such image.")
    path = f"{STORY_IMAGES}/{name}"
    story = _story_showing(path, name)
    if story is None:
        raise Http404("No such image.")
    # Only an unpublished story's image depends on who asks; a published one is the same for
    # everyone, and reading the session would make caches keep one copy per visitor.
    if not story.is_published and not _may_see_unpublished(request.user, story):
        raise Http404("No such image.")
    return _file_response(path, PUBLIC_CACHE if story.is_published else PRIVATE_CACHE)


@require_safe
def poster_image(request, name):
    """A title's poster or one of its copies: public, like the title page showing it."""
    if not _NAME.fullmatch(name):
        raise Http404("No such image.")
    return _file_response(f"{POSTERS}/{name}", POSTER_CACHE)


def _story_showing(path, name):
    """The story whose image is ``path``, or one of whose recorded copies is."""
    # The index on images is partial (no empty names); SQLite uses it only when the query
    # repeats its condition.
    stories = Anecdote.objects.exclude(image="").only("state", "contributor_id", "image_renditions")
    copy = _RENDITION.fullmatch(name)
    if copy is None:
        return stories.filter(image=path).first()
    # The copy's name holds its original's random name, which the index on images finds.
    originals = [f"{STORY_IMAGES}/{copy['stem']}.{ext}" for ext in _ORIGINAL_EXTENSIONS]
    story = stories.filter(image__in=originals).first()
    if story is not None and path in rendition_names(story.image_renditions):
        return story
    return None


def _file_response(path, cache_control):
    try:
        handle = default_storage.open(path, "rb")
    except FileNotFoundError:
        raise Http404("No such image.") from None
    content_type, _encoding = mimetypes.guess_type(path)
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = cache_control
    return response


def _may_see_unpublished(user, story):
    if not user.is_authenticated:
        return False
    return story.contributor_id == user.pk or can_moderate(user)
