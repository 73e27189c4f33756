"""The image a contributor chose on /submit/, kept between the form's steps.

The image is checked and re-encoded (trivia/images.py) as soon as it is posted, and kept under
a random name in ``pending-uploads/``, a folder no URL serves, until the final step copies it to
``images.STORY_IMAGES`` and makes its smaller WebP copies beside it. The session remembers which
file belongs to which submission key, so only the browser that uploaded an image can show it in
its preview or attach it to a story; a browser cannot re-send a file the contributor chose on an
earlier page, so this is what lets the image survive the preview. Files of previews never
submitted are deleted after a day.
"""

import mimetypes
import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .. import images

PENDING_UPLOADS = "pending-uploads"
PENDING_UPLOAD_LIFETIME = timedelta(days=1)
SESSION_IMAGES = "submit_images"
# A session keeps the images of this many unfinished submissions (several tabs) at most.
SESSION_IMAGES_KEPT = 5


class ImageLost(Exception):
    """The image kept for a submission is gone (a finished double submit, or it expired)."""


def _kept_images(request):
    return dict(request.session.get(SESSION_IMAGES, {}))


def kept_image(request, key):
    """What the session keeps for submission ``key``: name, label, width, height — or None."""
    return _kept_images(request).get(str(key))


def keep_image(request, key, clean, label):
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


def forget_image(request, key, *, delete=True):
    kept = _kept_images(request)
    entry = kept.pop(str(key), None)
    if entry is None:
        return
    if delete:
        default_storage.delete(entry["name"])
    request.session[SESSION_IMAGES] = kept


def move_kept_image(request, old_key, new_key):
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


def take_upload(request, form, key):
    """Check and keep a newly chosen image, or drop the kept one if asked. Returns the message
    for an image that was refused, else ""."""
    upload = request.FILES.get("image")
    if upload is not None:
        try:
            clean = images.clean_image(upload)
        except images.ImageRejected as error:
            return str(error)
        keep_image(request, key, clean, upload.name or "image")
    elif form["remove_image"].value():
        forget_image(request, key)
    return ""


def copy_to_story_images(kept):
    """Copy a kept image to its public folder under a new random name (the pending file stays
    until the story exists, so a failed attempt can be repeated)."""
    try:
        with default_storage.open(kept["name"], "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise ImageLost from None
    extension = PurePosixPath(kept["name"]).suffix
    return default_storage.save(
        f"{images.STORY_IMAGES}/{uuid.uuid4().hex}{extension}", ContentFile(content)
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
