"""Serving stories' images, which are as private as their stories (DESIGN §3).

Story images live under MEDIA_ROOT, but no static route serves that folder: an image is
answered here, to anyone once its story is published, and before that only to the story's
contributor and to moderators. Everyone else gets the same 404 as for a name that never
existed, so a pending image's address reveals nothing.

A published image never changes (a new image gets a new random name), so browsers may keep it
for a year; shared caches keep it for a day only, so an image whose story is unpublished stops
being served by a CDN soon after.
"""

import mimetypes
import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .models import Anecdote
from .services import can_moderate
from .submit import STORY_IMAGES

# Image file names only: whatever else might one day be stored there is never served from here.
_NAME = re.compile(r"[\w-]{1,100}\.(?:jpe?g|png|webp|gif)")
PUBLIC_CACHE = "public, max-age=31536000, s-maxage=86400, immutable"
PRIVATE_CACHE = "private, no-store"


@require_safe
def story_image(request, name):
    if not _NAME.fullmatch(name):
        raise Http404("No such image.")
    path = f"{STORY_IMAGES}/{name}"
    story = Anecdote.objects.filter(image=path).only("state", "contributor_id").first()
    if story is None:
        raise Http404("No such image.")
    # Only an unpublished story's image depends on who asks; a published one is the same for
    # everyone, and reading the session would make caches keep one copy per visitor.
    if not story.is_published and not _may_see_unpublished(request.user, story):
        raise Http404("No such image.")
    try:
        handle = default_storage.open(path, "rb")
    except FileNotFoundError:
        raise Http404("No such image.") from None
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = PUBLIC_CACHE if story.is_published else PRIVATE_CACHE
    return response


def _may_see_unpublished(user, story):
    if not user.is_authenticated:
        return False
    return story.contributor_id == user.pk or can_moderate(user)
