"""A story's image: only clean pixels are stored, under a random name, and nobody sees the image
of an unpublished story but its contributor and the moderators.

The hostile files are built small, here or in tests/hostile/catalogue.py, rather than kept as
binary fixtures.
"""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import make_moderator, make_title, make_user, move_to
from tests.hostile.catalogue import png_claiming
from tests.submit_form import form_data
from trivia import images
from trivia.models import Anecdote

pytestmark = pytest.mark.django_db


@pytest.fixture
def title(db):
    return make_title("Jaws", year=1975)


def files_under(root):
    root = Path(root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# --- Files, built small -------------------------------------------------------------------


def png_bytes(size=(64, 48), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_gps():
    """A portrait photo as phones store it: landscape pixels, an orientation tag, the place it
    was taken and a comment."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.6), 3: "E", 4: (2.0, 17.0, 40.2)}
    buffer = io.BytesIO()
    Image.new("RGB", (80, 40), (10, 120, 200)).save(
        buffer, "JPEG", exif=exif, comment=b"Shot at home, 12 rue Secret"
    )
    return buffer.getvalue()


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)
HTML_TAIL = b"<html><body><script>alert(document.cookie)</script></body></html>"


def upload(content, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def preview_with_image(client, title, content, name="photo.png", **fields):
    data = form_data(title, **fields)
    return client.post("/submit/", {**data, "action": "preview", "image": upload(content, name)})


# --- Checking and re-encoding -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just some text, not an image\n" * 10, "notes.png", "not a JPEG, PNG, WebP or GIF"),
        (SVG_WITH_SCRIPT, "drawing.svg", "not a JPEG, PNG, WebP or GIF"),
        (SVG_WITH_SCRIPT, "drawing.png", "not a JPEG, PNG, WebP or GIF"),
        (png_claiming(20_000, 20_000), "flood.png", "far too many pixels"),
        (png_claiming(6_000, 6_000), "big.png", "6,000 × 6,000 pixels (36 megapixels)"),
        (png_bytes()[:60], "cut.png", "could not be read"),
        (png_bytes() + b"\x00" * (5 * 1024 * 1024), "huge.png", "images may be at most 5 MB"),
    ],
    ids=[
        "text-named-png",
        "svg",
        "svg-named-png",
        "20000x20000-flood",
        "36-megapixels",
        "cut",
        "over-5-mb",
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_message_and_leave_nothing_on_disk(
    author_client, title, settings, content, name, message
):
    response = preview_with_image(author_client, title, content, name)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Check your story" not in html
    assert files_under(settings.MEDIA_ROOT) == []
    assert not Anecdote.objects.exists()


def test_a_file_over_5_mb_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: pytest.fail("decoded"))
    with pytest.raises(images.ImageRejected, match="images may be at most 5 MB"):
        images.clean_image(upload(b"\x89PNG" + b"\x00" * (5 * 1024 * 1024)))


def test_a_png_with_html_appended_is_stored_as_pixels_only():
    clean = images.clean_image(upload(png_bytes() + HTML_TAIL))
    assert clean.extension == "png"
    assert b"<script" not in clean.content and b"html" not in clean.content
    assert Image.open(io.BytesIO(clean.content)).size == (64, 48)


def test_a_photo_keeps_its_orientation_and_loses_its_location_and_comment():
    clean = images.clean_image(upload(jpeg_with_gps(), "IMG_0001.jpg", "image/jpeg"))
    assert clean.extension == "jpg"
    stored = Image.open(io.BytesIO(clean.content))
    assert stored.format == "JPEG"
    assert stored.size == (40, 80)  # turned upright
    assert not stored.getexif()
    assert "comment" not in stored.info
    for secret in (b"Exif", b"PhoneMaker", b"rue Secret"):
        assert secret not in clean.content


def test_a_gif_keeps_its_first_frame_as_a_png():
    frames = [Image.new("P", (20, 20), index) for index in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=b"hidden")
    clean = images.clean_image(upload(buffer.getvalue(), "anim.gif", "image/gif"))
    stored = Image.open(io.BytesIO(clean.content))
    assert (clean.extension, stored.format, getattr(stored, "n_frames", 1)) == ("png", "PNG", 1)
    assert b"hidden" not in clean.content


def test_a_webp_stays_a_webp_without_its_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), "green").save(buffer, "WEBP", exif=exif)
    clean = images.clean_image(upload(buffer.getvalue(), "x.webp", "image/webp"))
    assert clean.extension == "webp"
    assert b"PhoneMaker" not in clean.content


@pytest.mark.parametrize(
    ("mode", "file_format", "extension"),
    [
        ("CMYK", "JPEG", "jpg"),
        ("L", "JPEG", "jpg"),
        ("1", "PNG", "png"),
        ("LA", "PNG", "png"),
        ("P", "PNG", "png"),
        ("I;16", "PNG", "png"),
        ("RGBA", "PNG", "png"),
        ("RGBA", "WEBP", "webp"),
        ("L", "GIF", "png"),
    ],
)
def test_every_common_kind_of_pixel_is_re_encoded(mode, file_format, extension):
    buffer = io.BytesIO()
    image = Image.new(mode, (24, 16))
    if mode == "P":
        image.info["transparency"] = 0
    image.save(buffer, file_format)
    clean = images.clean_image(upload(buffer.getvalue(), f"x.{file_format.lower()}"))
    assert clean.extension == extension
    assert Image.open(io.BytesIO(clean.content)).size == (24, 16)


def test_a_large_image_is_scaled_down_to_reading_size():
    clean = images.clean_image(upload(png_bytes(size=(4000, 1000))))
    assert (clean.width, clean.height) == (2400, 600)


# --- Through the form ---------------------------------------------------------------------


def test_an_image_is_kept_from_the_preview_and_stored_under_a_random_name(
    author_client, title, settings
):
    preview = preview_with_image(
        author_client, title, jpeg_with_gps(), name="my holiday.jpg", is_spoiler=""
    )
    html = preview.content.decode()
    key = preview.context["submission_key"]
    assert f'src="/submit/image/{key}/"' in html
    assert author_client.get(f"/submit/image/{key}/").status_code == 200
    [pending] = files_under(settings.MEDIA_ROOT)
    assert pending.startswith("pending-uploads/")

    token = preview.context["image_token"]
    response = author_client.post(
        "/submit/",
        {**form_data(title), "submission_key": str(key), "image_token": token, "action": "submit"},
    )
    assert response.status_code == 302
    story = Anecdote.objects.get()
    name = story.image.name
    assert name.startswith("anecdotes/") and name.endswith(".jpg")
    assert len(Path(name).stem) == 32 and "holiday" not in name
    # The pending copy is gone; beside the image, its WebP copy for pages (test_images.py).
    assert files_under(settings.MEDIA_ROOT) == sorted([name, f"{name[:-4]}-40.webp"])
    stored = (Path(settings.MEDIA_ROOT) / name).read_bytes()
    assert b"Exif" not in stored and b"rue Secret" not in stored
    assert author_client.get(f"/submit/image/{key}/").status_code == 404


def test_a_kept_image_is_only_shown_to_the_browser_that_uploaded_it(author_client, client, title):
    preview = preview_with_image(author_client, title, png_bytes())
    key = preview.context["submission_key"]
    client.force_login(make_user("eve"))
    assert client.get(f"/submit/image/{key}/").status_code == 404


def test_a_refused_image_keeps_the_rest_of_the_form(author_client, title):
    response = preview_with_image(
        author_client, title, SVG_WITH_SCRIPT, "x.svg", text="My precious story text."
    )
    html = response.content.decode()
    assert "My precious story text." in html
    assert "https://example.org/making-of-the-shining" in html


def test_a_kept_image_can_be_removed_before_sending(author_client, title, settings):
    preview = preview_with_image(author_client, title, png_bytes())
    key = str(preview.context["submission_key"])
    author_client.post(
        "/submit/",
        {**form_data(title), "submission_key": key, "remove_image": "on", "action": "edit"},
    )
    assert files_under(settings.MEDIA_ROOT) == []


def test_an_image_that_expired_is_asked_for_again(author_client, title):
    preview = preview_with_image(author_client, title, png_bytes())
    key = str(preview.context["submission_key"])
    session = author_client.session
    session["submit_images"] = {}
    session.save()
    response = author_client.post(
        "/submit/",
        {
            **form_data(title),
            "submission_key": key,
            "image_token": preview.context["image_token"],
            "action": "submit",
        },
    )
    assert response.status_code == 200
    assert "Your image could not be kept" in response.content.decode()
    assert not Anecdote.objects.exists()


def test_uploading_images_counts_against_the_submit_limit(author_client, title, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (2, 3600)}
    statuses = [preview_with_image(author_client, title, png_bytes()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# --- Serving ------------------------------------------------------------------------------


def story_with_image(author_client, title):
    preview = preview_with_image(author_client, title, png_bytes() + HTML_TAIL)
    author_client.post(
        "/submit/",
        {
            **form_data(title),
            "submission_key": str(preview.context["submission_key"]),
            "image_token": preview.context["image_token"],
            "action": "submit",
        },
    )
    return Anecdote.objects.get()


def test_a_pending_storys_image_is_only_for_its_contributor_and_moderators(
    client, author_client, title
):
    story = story_with_image(author_client, title)
    url = story.image.url
    assert url.startswith("/media/anecdotes/")

    mine = author_client.get(url)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert mine["Cache-Control"] == "private, no-store"

    assert client.get(url).status_code == 404
    client.force_login(make_user("eve"))
    assert client.get(url).status_code == 404
    client.force_login(make_moderator("mo"))
    assert client.get(url).status_code == 200


def test_a_published_storys_image_is_public_and_long_cached(client, author_client, title):
    story = story_with_image(author_client, title)
    move_to(story, "published")
    response = client.get(story.image.url)
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    assert served.startswith(b"\x89PNG") and b"<script" not in served
    assert "max-age=31536000" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_unpublished_storys_image_disappears_with_it(client, author_client, title):
    story = story_with_image(author_client, title)
    move_to(story, "rejected")
    assert client.get(story.image.url).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        # No story has it. A fixed name, so that every pytest-xdist worker collects the same id.
        "0c5d1b7e9f2a4e3b8d6c4a2f1e0b9d8c.png",
        "..%2F..%2Fsettings.py",
        "evil.html",
        "x.svg",
    ],
)
def test_anything_else_under_media_is_not_found(client, name):
    assert client.get(f"/media/anecdotes/{name}").status_code == 404


def test_other_media_folders_are_not_served(client, author_client, title):
    preview = preview_with_image(author_client, title, png_bytes())
    token = preview.context["image_token"]
    assert author_client.get(f"/media/pending-uploads/{token}").status_code == 404
