"""Checking and re-encoding an uploaded image (a story's, a title's poster), so that only clean
pixels are ever stored; and making the smaller copies pages show.

An upload is never stored as it came: a PNG with HTML appended, a JPEG carrying the
contributor's GPS position in its EXIF or a comment, a polyglot file... all pass a check of the
header alone. Decoding the pixels and encoding them again into a new file leaves every byte
that is not a pixel behind. Before decoding, the declared size is checked against the limits,
because a few kilobytes of PNG can claim 20,000 × 20,000 pixels and decode into gigabytes.

``clean_image`` touches no disk: its result is stored under a random name by the caller
(``store_clean_image``). ``make_renditions`` then writes the smaller WebP copies pages show.
"""

import io
import logging
import posixpath
import uuid
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
# Stories show images at reading width; a larger image only costs storage and readers' data.
MAX_SIDE = 2400
JPEG_QUALITY = 85

# Format detected from the content (never from the file name) → format and extension written.
# A GIF keeps its first frame only, as a PNG: an animation can hide a frame a moderator never
# sees, and its frames multiply the decoding cost.
OUTPUT = {
    "JPEG": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
    "GIF": ("PNG", "png"),
}
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class ImageRejected(ValueError):
    """An upload that is not an acceptable image; the message tells the contributor why."""


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str
    width: int
    height: int

    def random_name(self, folder):
        """``folder/<32 hex digits>.<ext>``: nothing of the contributor's file name survives."""
        return f"{folder}/{uuid.uuid4().hex}.{self.extension}"


def clean_image(upload):
    """Check ``upload`` (a Django ``UploadedFile``) and return it re-encoded, or raise
    ``ImageRejected`` with a message for the contributor."""
    if upload.size > MAX_BYTES:
        raise ImageRejected(
            f"This image is {upload.size / 1024 / 1024:.1f} MB; "
            f"images may be at most {MAX_BYTES // 1024 // 1024} MB."
        )
    try:
        upload.seek(0)
        # ``formats`` limits the decoders Pillow tries, so an SVG, a PDF or a text file is
        # never handed to any other parser.
        with Image.open(upload, formats=list(OUTPUT)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_large(width, height)
            return _reencode(image)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard fires while reading the header, above 179 megapixels.
        raise ImageRejected(
            f"This image has far too many pixels; images may have at most "
            f"{MAX_PIXELS // 1_000_000} megapixels."
        ) from None
    except Image.UnidentifiedImageError:
        raise ImageRejected(
            "This file is not a JPEG, PNG, WebP or GIF image. Choose an image in one of "
            "those formats."
        ) from None
    except Exception:
        # A damaged or hostile file can make a decoder raise almost anything (OSError,
        # SyntaxError, struct.error, ValueError...): each of them means "not a usable image".
        logger.info("An uploaded image could not be decoded.", exc_info=True)
        raise ImageRejected(
            "This image could not be read: the file may be damaged or incomplete. "
            "Try saving it again, or choose another one."
        ) from None


def _too_large(width, height):
    return ImageRejected(
        f"This image is {width:,} × {height:,} pixels ({width * height / 1_000_000:.0f} "
        f"megapixels); images may have at most {MAX_PIXELS // 1_000_000} megapixels."
    )


def _reencode(image):
    # Some cameras write multi-picture JPEGs (MPO), which Pillow's JPEG decoder reports apart.
    source_format = "JPEG" if image.format == "MPO" else image.format
    out_format, extension = OUTPUT[source_format]
    if source_format == "JPEG":
        # Decode at a reduced scale when the image will be shrunk anyway: faster, less memory.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
    image.seek(0)
    image.load()
    # Turn the pixels the way the camera said, since the orientation tag is about to go.
    frame = ImageOps.exif_transpose(image)
    frame.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    frame = _output_mode(frame, out_format)
    # Pillow writes back some of what it read (a JPEG's comment, for one) from ``info``:
    # keep only a palette's transparency, which is part of the pixels.
    transparency = frame.info.get("transparency")
    frame.info = {} if transparency is None else {"transparency": transparency}

    buffer = io.BytesIO()
    if out_format == "JPEG":
        frame.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif out_format == "WEBP":
        frame.save(buffer, "WEBP", quality=JPEG_QUALITY, method=4)
    else:
        frame.save(buffer, "PNG", optimize=False)
    return CleanImage(
        content=buffer.getvalue(), extension=extension, width=frame.width, height=frame.height
    )


def _output_mode(frame, out_format):
    """A mode the output format can hold, keeping transparency where it can."""
    has_alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
    if out_format == "JPEG":
        return frame if frame.mode in ("L", "RGB") else frame.convert("RGB")
    if out_format == "WEBP":
        if frame.mode in ("RGB", "RGBA"):
            return frame
        return frame.convert("RGBA" if has_alpha else "RGB")
    if frame.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return frame
    return frame.convert("RGBA" if has_alpha else "RGB")


# --- Renditions -----------------------------------------------------------------------------
# Pages show an image through ``srcset``: the browser picks the narrowest copy that fills its
# slot at the screen's density, so a phone downloads a 320 px WebP rather than a 2400 px JPEG.
# The copies are made once, when the image is stored (or by ``manage.py make_renditions`` for
# older images), and never while a page is rendered: decoding an image costs more than the rest
# of a page.

POSTERS = "posters"  # Title.poster's folder
STORY_IMAGES = "anecdotes"  # stories' images (served by trivia/views/media.py)
RENDITION_WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 80
# The original's own width is added as a last copy when it lies between two of the widths above
# and is clearly wider than the last one: a 1000 px image gets 320, 640 and 1000.
OWN_WIDTH_MARGIN = 1.2


def rendition_widths(width):
    """The widths of the copies of an image ``width`` pixels wide: never wider than it."""
    widths = [each for each in RENDITION_WIDTHS if each <= width]
    if width < RENDITION_WIDTHS[-1] and (not widths or width > widths[-1] * OWN_WIDTH_MARGIN):
        widths.append(width)
    return widths


def rendition_name(original_name, width):
    """``anecdotes/<hex>.jpg`` → ``anecdotes/<hex>-640.webp``: beside the original and as
    unguessable as its random name, from which the media view finds whose copy it is."""
    folder, filename = posixpath.split(original_name)
    stem = filename.rsplit(".", 1)[0]
    return posixpath.join(folder, f"{stem}-{width}.webp")


def rendition_names(renditions):
    return [source["name"] for source in (renditions or {}).get("sources", [])]


def make_renditions(file_field):
    """Write WebP copies of a stored image (a model's ``FieldFile``) beside it, and return what
    a page needs to show them::

        {"width": 1600, "height": 900, "sources": [{"width": 320, "name": "…-320.webp"}, …]}

    ``width`` and ``height`` are the image's own, which the page gives the ``<img>`` so that
    its place is kept while it loads. A copy left by an earlier attempt is overwritten. Raises
    ``ImageRejected`` if the stored file is not an image this site would have accepted.
    """
    storage, name = file_field.storage, file_field.name
    try:
        with storage.open(name, "rb") as handle, Image.open(handle, formats=list(OUTPUT)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _too_large(image.width, image.height)
            image.seek(0)
            image.load()
            frame = ImageOps.exif_transpose(image)
    except (ImageRejected, FileNotFoundError):
        raise
    except Exception:
        # As in ``clean_image``: whatever a damaged file makes the decoder raise.
        logger.info("A stored image could not be decoded: %s", name, exc_info=True)
        raise ImageRejected(f"The stored image {name} could not be read.") from None
    frame = _output_mode(frame, "WEBP")
    sources = []
    try:
        for width in rendition_widths(frame.width):
            height = max(1, round(frame.height * width / frame.width))
            copy = frame.resize((width, height), Image.Resampling.LANCZOS)
            copy.info = {}  # nothing but pixels, as for the original
            buffer = io.BytesIO()
            copy.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
            target = rendition_name(name, width)
            storage.delete(target)  # a copy from an interrupted attempt; a no-op otherwise
            saved = storage.save(target, ContentFile(buffer.getvalue()))
            sources.append({"width": width, "name": saved})
    except Exception:
        delete_files(storage, rendition_names({"sources": sources}))
        raise
    return {"width": frame.width, "height": frame.height, "sources": sources}


def delete_files(storage, names):
    """Delete the named files, those already gone included."""
    for name in names:
        if name:
            storage.delete(name)


def delete_files_of(instance, *, field, renditions, **_signal_kwargs):
    """After ``instance`` (a story or a title) is deleted: its image and the image's copies
    are deleted once the deletion commits, so that none is left on disk, nor lost if it
    rolls back."""
    names = [getattr(instance, field).name, *rendition_names(getattr(instance, renditions))]
    if any(names):
        transaction.on_commit(partial(delete_files, default_storage, names))


def store_clean_image(clean, folder, storage=default_storage):
    """Save a ``CleanImage`` under a new random name in ``folder``; returns the name."""
    return storage.save(clean.random_name(folder), ContentFile(clean.content))
