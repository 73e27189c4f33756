"""Posters and story images with their renditions: smaller WebP copies made once, when the
image is stored, shown with srcset, width and height, and as private as the story they belong to.
"""

import io
import re
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import Client
from PIL import Image

from tests.admin_forms import title_form
from tests.factories import (
    make_anecdote,
    make_moderator,
    make_title,
    make_user,
    move_to,
)
from tests.hostile.catalogue import png_claiming
from tests.submit_form import form_data
from tests.test_uploads import (
    SVG_WITH_SCRIPT,
    files_under,
    jpeg_with_gps,
    png_bytes,
    preview_with_image,
    upload,
)
from trivia import images, services
from trivia.models import Anecdote, Title

pytestmark = pytest.mark.django_db


@pytest.fixture
def title(db):
    return make_title("Jaws", year=1975)


def stored_image(folder="anecdotes", size=(1600, 900), file_format="PNG", **options):
    """An image already in storage, as an older upload or a hand-copied poster would be."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, file_format, **options)
    extension = {"PNG": "png", "JPEG": "jpg"}[file_format]
    return default_storage.save(
        f"{folder}/{uuid.uuid4().hex}.{extension}", ContentFile(buffer.getvalue())
    )


def open_stored(name):
    with default_storage.open(name, "rb") as handle:
        content = handle.read()
    image = Image.open(io.BytesIO(content))
    image.load()
    return image, content


def media_url(name):
    return f"/media/{name}"


def copy_urls(renditions):
    return [media_url(name) for name in images.rendition_names(renditions)]


def sent_story(author_client, title, content=None):
    """A story sent through /submit/ with an image (1600 × 900 unless told), pending."""
    preview = preview_with_image(author_client, title, content or png_bytes(size=(1600, 900)))
    sent = author_client.post(
        "/submit/",
        {
            **form_data(title),
            "submission_key": str(preview.context["submission_key"]),
            "image_token": preview.context["image_token"],
            "action": "submit",
        },
    )
    assert sent.status_code == 302
    return Anecdote.objects.get(pk=sent["Location"].strip("/").rsplit("/", 1)[-1])


def image_tag(html, css_class):
    found = re.search(rf'<img class="{css_class}"[^>]*>', html)
    assert found, f"no <img class={css_class}> in the page"
    return found.group(0)


def refuse_to_decode(*args, **kwargs):
    pytest.fail("An image was decoded while answering a request.")


# --- Making the copies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (2400, [320, 640, 1280]),
        (1280, [320, 640, 1280]),
        (1000, [320, 640, 1000]),
        (700, [320, 640]),
        (330, [320]),
        (200, [200]),
    ],
)
def test_copies_are_webp_at_320_640_and_1280_and_never_wider_than_the_original(width, widths):
    name = stored_image(size=(width, width // 2))
    renditions = images.make_renditions(Anecdote(image=name).image)
    assert (renditions["width"], renditions["height"]) == (width, width // 2)
    assert [source["width"] for source in renditions["sources"]] == widths
    stem = name.removesuffix(".png")
    for source in renditions["sources"]:
        assert source["name"] == f"{stem}-{source['width']}.webp"  # beside the original
        copy, _content = open_stored(source["name"])
        assert copy.format == "WEBP"
        assert copy.width == source["width"]
        assert abs(copy.height - source["width"] / 2) <= 1


def test_copies_carry_no_metadata_and_stand_upright():
    name = default_storage.save(
        f"posters/{uuid.uuid4().hex}.jpg", ContentFile(jpeg_with_gps())
    )  # a poster stored as it came, before posters were cleaned
    renditions = images.make_renditions(Title(poster=name).poster)
    [source] = renditions["sources"]
    copy, content = open_stored(source["name"])
    assert copy.size == (40, 80) == (renditions["width"], renditions["height"])
    assert not copy.getexif()
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(copy.info)
    for secret in (b"Exif", b"PhoneMaker", b"rue Secret"):
        assert secret not in content


def test_copies_are_made_once_when_the_story_is_sent_not_on_preview_nor_resend(
    author_client, title, settings, monkeypatch
):
    calls = []
    make = images.make_renditions
    monkeypatch.setattr(images, "make_renditions", lambda field: calls.append(field) or make(field))

    preview = preview_with_image(author_client, title, png_bytes(size=(1600, 900)))
    assert calls == []
    assert all(name.startswith("pending-uploads/") for name in files_under(settings.MEDIA_ROOT))

    data = {
        **form_data(title),
        "submission_key": str(preview.context["submission_key"]),
        "image_token": preview.context["image_token"],
        "action": "submit",
    }
    assert author_client.post("/submit/", data).status_code == 302
    assert author_client.post("/submit/", data).status_code == 302  # a double click
    story = Anecdote.objects.get()
    assert len(calls) == 1
    assert [source["width"] for source in story.image_renditions["sources"]] == [320, 640, 1280]
    assert files_under(settings.MEDIA_ROOT) == sorted(
        [story.image.name, *images.rendition_names(story.image_renditions)]
    )


def test_the_preview_keeps_the_images_place_before_any_copy_exists(author_client, title):
    preview = preview_with_image(author_client, title, png_bytes(size=(64, 48)))
    img = image_tag(preview.content.decode(), "story__image")
    key = preview.context["submission_key"]
    assert f'src="/submit/image/{key}/"' in img
    assert 'width="64" height="48"' in img
    assert "srcset" not in img


# --- Showing them -------------------------------------------------------------------------


def test_a_story_card_shows_its_copies_with_size_lazy_loading_and_alt_text(
    client, author_client, title
):
    story = move_to(sent_story(author_client, title), "published")
    small, medium, large = copy_urls(story.image_renditions)
    for url in (title.get_absolute_url(), story.get_absolute_url(), "/"):
        img = image_tag(client.get(url).content.decode(), "story__image")
        assert f'src="{medium}"' in img
        assert f'srcset="{small} 320w, {medium} 640w, {large} 1280w"' in img
        assert 'sizes="' in img
        assert 'width="1600" height="900"' in img
        assert 'loading="lazy" decoding="async"' in img
        assert 'alt="Image for the story about Jaws"' in img


def test_a_title_page_shows_its_poster_with_its_copies_and_alt_text(client, moderator):
    title = make_title('Tom & Jerry "Live"')
    client.force_login(moderator)
    response = client.post(
        f"/admin/trivia/title/{title.pk}/change/",
        title_form(title, poster=upload(png_bytes(size=(800, 1200)), "poster.png")),
    )
    assert response.status_code == 302
    make_anecdote(title=title, state="published")
    title.refresh_from_db()
    small, medium, own = copy_urls(title.poster_renditions)

    img = image_tag(Client().get(title.get_absolute_url()).content.decode(), "title-header__poster")
    assert f'src="{small}"' in img
    assert f'srcset="{small} 320w, {medium} 640w, {own} 800w"' in img
    assert 'sizes="(min-width: 40rem) 10rem, 6rem"' in img
    assert 'width="800" height="1200"' in img
    assert 'decoding="async"' in img
    assert 'alt="Poster of Tom &amp; Jerry &quot;Live&quot;"' in img


def test_pages_and_images_are_served_without_decoding_any_image(
    client, author_client, title, monkeypatch
):
    story = move_to(sent_story(author_client, title), "published")
    Title.objects.filter(pk=title.pk).update(poster=stored_image("posters"))
    title.refresh_from_db()
    Title.objects.filter(pk=title.pk).update(poster_renditions=images.make_renditions(title.poster))
    title.refresh_from_db()

    monkeypatch.setattr(Image, "open", refuse_to_decode)
    pages = ["/", title.get_absolute_url(), story.get_absolute_url(), "/tags/takes/"]
    files = [story.image.url, *copy_urls(story.image_renditions), title.poster.url]
    for url in [*pages, *files, *copy_urls(title.poster_renditions)]:
        assert client.get(url).status_code == 200, url
    assert 'srcset="' in client.get(title.get_absolute_url()).content.decode()


# --- Who sees them --------------------------------------------------------------------------


def test_a_pending_storys_image_and_copies_are_for_its_contributor_and_moderators_only(
    client, author_client, title
):
    story = sent_story(author_client, title)
    urls = [story.image.url, *copy_urls(story.image_renditions)]
    assert len(urls) == 4
    eve = Client()
    eve.force_login(make_user("eve"))
    moderator = Client()
    moderator.force_login(make_moderator("mo"))
    for url in urls:
        assert client.get(url).status_code == 404
        assert eve.get(url).status_code == 404
        mine = author_client.get(url)
        assert mine.status_code == 200
        assert mine["Cache-Control"] == "private, no-store"
        assert moderator.get(url).status_code == 200


def test_a_storys_copies_are_public_once_approved_and_gone_again_once_unpublished(
    client, author_client, title
):
    story = sent_story(author_client, title)
    move_to(story, "published")
    urls = [story.image.url, *copy_urls(story.image_renditions)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" in response["Cache-Control"]
    assert response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"

    services.unpublish_story(
        story=story, moderator=make_moderator(), reason="unsourced", message="Needs work."
    )
    for url in urls:
        assert client.get(url).status_code == 404


def test_no_public_page_names_a_pending_storys_image(client, author_client, title, author):
    make_anecdote(title=title, tags=["Takes"], contributor=author, state="published")
    story = sent_story(author_client, title)
    stem = Path(story.image.name).stem
    public = [
        "/",
        "/titles/",
        title.get_absolute_url(),
        "/tags/",
        "/tags/takes/",
        f"/users/{author.username}/",
        "/feeds/latest/",
        f"/titles/{title.slug}/feed/",
        "/sitemap.xml",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        assert stem not in response.content.decode(), url
    assert story.get_absolute_url() not in client.get(title.get_absolute_url()).content.decode()

    move_to(story, "published")
    assert stem in client.get(title.get_absolute_url()).content.decode()


def test_a_card_of_an_unpublished_story_shows_its_image_only_to_who_may_see_it(
    rf, author_client, author, title
):
    """Views list unpublished stories only for their contributor and moderators; the card
    itself holds the same line, whatever list it is put in."""
    story = Anecdote.objects.for_cards().get(pk=sent_story(author_client, title).pk)
    stem = Path(story.image.name).stem
    for user, shown in [
        (AnonymousUser(), False),
        (make_user("eve"), False),
        (author, True),
        (make_moderator("mo"), True),
    ]:
        request = rf.get("/")
        request.user = user
        html = render_to_string("includes/story_card.html", {"story": story}, request)
        assert (stem in html) is shown, user


def test_only_recorded_copies_of_a_published_story_are_served(client, author_client, title):
    story = move_to(sent_story(author_client, title), "published")
    stem = Path(story.image.name).stem
    assert client.get(f"/media/anecdotes/{stem}-640.webp").status_code == 200
    default_storage.save(f"anecdotes/{stem}-999.webp", ContentFile(b"RIFF....WEBP"))
    for name in (f"{stem}-999.webp", f"{uuid.uuid4().hex}-640.webp", f"{stem}-640.png"):
        assert client.get(f"/media/anecdotes/{name}").status_code == 404


# --- Posters in the admin -----------------------------------------------------------------


def photo_with_location(size):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.6), 3: "E", 4: (2.0, 17.0, 40.2)}
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 20, 20)).save(
        buffer, "JPEG", exif=exif, comment=b"Scanned at home, 12 rue Secret"
    )
    return buffer.getvalue()


def test_a_poster_uploaded_in_the_admin_is_cleaned_renamed_and_copied(
    client, moderator, title, settings
):
    client.force_login(moderator)
    response = client.post(
        f"/admin/trivia/title/{title.pk}/change/",
        title_form(title, poster=upload(photo_with_location((900, 1350)), "jaws poster.jpg")),
    )
    assert response.status_code == 302
    title.refresh_from_db()
    name = title.poster.name
    assert re.fullmatch(r"posters/[0-9a-f]{32}\.jpg", name)
    _poster, content = open_stored(name)
    for secret in (b"Exif", b"PhoneMaker", b"rue Secret"):
        assert secret not in content
    assert title.poster_renditions["width"] == 900
    assert [source["width"] for source in title.poster_renditions["sources"]] == [320, 640, 900]
    assert files_under(settings.MEDIA_ROOT) == sorted(
        [name, *images.rendition_names(title.poster_renditions)]
    )

    served = Client().get(title.poster.url)
    assert served.status_code == 200
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not an image at all\n" * 10, "poster.jpg", "not a JPEG, PNG, WebP or GIF"),
        (SVG_WITH_SCRIPT, "poster.svg", "not a JPEG, PNG, WebP or GIF"),
        (png_claiming(6_000, 6_000), "big.png", "(36 megapixels)"),
        (png_claiming(20_000, 20_000), "flood.png", "far too many pixels"),
        (png_bytes() + b"\x00" * (5 * 1024 * 1024), "huge.png", "at most 5 MB"),
        (png_bytes()[:60], "cut.png", "could not be read"),
    ],
    ids=["text", "svg", "36-megapixels", "flood", "over-5-mb", "cut"],
)
def test_a_bad_poster_is_a_form_error_in_the_admin(
    client, moderator, title, settings, content, name, message
):
    client.force_login(moderator)
    response = client.post(
        f"/admin/trivia/title/{title.pk}/change/", title_form(title, poster=upload(content, name))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in errors["poster"][0]
    assert message in response.content.decode()
    title.refresh_from_db()
    assert not title.poster and title.poster_renditions == {}
    assert files_under(settings.MEDIA_ROOT) == []


def test_replacing_or_removing_a_poster_deletes_the_old_files_once_saved(
    client, moderator, title, settings, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    change = f"/admin/trivia/title/{title.pk}/change/"
    client.post(change, title_form(title, poster=upload(png_bytes(size=(700, 1000)))))
    title.refresh_from_db()
    first = [title.poster.name, *images.rendition_names(title.poster_renditions)]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(change, title_form(title, poster=upload(png_bytes(size=(500, 750)))))
    title.refresh_from_db()
    second = [title.poster.name, *images.rendition_names(title.poster_renditions)]
    assert files_under(settings.MEDIA_ROOT) == sorted(second)
    assert not set(first) & set(second)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(change, title_form(title, **{"poster-clear": "on"}))
    title.refresh_from_db()
    assert not title.poster and title.poster_renditions == {}
    assert files_under(settings.MEDIA_ROOT) == []


def test_anything_else_under_media_posters_is_not_found(client):
    default_storage.save("posters/notes.txt", ContentFile(b"hello"))
    for name in (f"{uuid.uuid4().hex}.jpg", "notes.txt", "..%2Fanecdotes%2Fx.png", "x.svg"):
        assert client.get(f"/media/posters/{name}").status_code == 404


# --- The make_renditions command ------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("make_renditions", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_command_makes_the_missing_copies_only(settings):
    older = make_anecdote(image=stored_image(), state="published")
    poster = make_title(poster=stored_image("posters", size=(600, 900)))
    complete_name = stored_image()
    complete = make_anecdote(
        image=complete_name,
        image_renditions=images.make_renditions(Anecdote(image=complete_name).image),
    )
    lost_name = stored_image(size=(500, 300))
    lost = make_anecdote(
        image=lost_name, image_renditions=images.make_renditions(Anecdote(image=lost_name).image)
    )
    default_storage.delete(images.rendition_names(lost.image_renditions)[0])
    untouched = {
        name: default_storage.get_modified_time(name)
        for name in images.rendition_names(complete.image_renditions)
    }

    output = run_command()
    assert "Made the copies of 3 image(s)." in output
    for row in (older, poster, lost, complete):
        row.refresh_from_db()
    assert [source["width"] for source in older.image_renditions["sources"]] == [320, 640, 1280]
    assert [source["width"] for source in poster.poster_renditions["sources"]] == [320, 600]
    every_copy = [
        *images.rendition_names(older.image_renditions),
        *images.rendition_names(poster.poster_renditions),
        *images.rendition_names(lost.image_renditions),
    ]
    assert all(default_storage.exists(name) for name in every_copy)
    assert {name: default_storage.get_modified_time(name) for name in untouched} == untouched
    assert "nothing to do" in run_command()


def test_the_command_dry_run_lists_what_it_would_make_and_writes_nothing(settings):
    story = make_anecdote(image=stored_image())
    title = make_title(poster=stored_image("posters"))
    before = files_under(settings.MEDIA_ROOT)

    output = run_command("--dry-run")
    assert f"Would make the copies of {story.image.name}" in output
    assert f"Would make the copies of {title.poster.name}" in output
    assert "2 image(s) lack their copies; nothing was written." in output
    assert files_under(settings.MEDIA_ROOT) == before
    story.refresh_from_db()
    title.refresh_from_db()
    assert story.image_renditions == {} and title.poster_renditions == {}


def test_the_command_names_an_unreadable_image_and_still_does_the_others(settings):
    broken_name = default_storage.save(
        f"anecdotes/{uuid.uuid4().hex}.png", ContentFile(b"\x89PNG damaged")
    )
    make_anecdote(image=broken_name)
    fine = make_anecdote(image=stored_image())
    with pytest.raises(CommandError, match=re.escape(broken_name)):
        run_command()
    fine.refresh_from_db()
    assert fine.image_renditions["sources"]


def test_deleting_a_story_or_a_title_deletes_its_image_and_copies_once_committed(
    author_client, title, settings, django_capture_on_commit_callbacks
):
    story = sent_story(author_client, title)
    poster = stored_image("posters")
    Title.objects.filter(pk=title.pk).update(
        poster=poster, poster_renditions=images.make_renditions(Title(poster=poster).poster)
    )
    assert len(files_under(settings.MEDIA_ROOT)) == 8  # story 1 + 3 copies, poster 1 + 3
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        story.delete()
    assert len(files_under(settings.MEDIA_ROOT)) == 8  # nothing yet: it could roll back
    for callback in callbacks:
        callback()
    assert files_under(settings.MEDIA_ROOT) == sorted(
        [poster, *images.rendition_names(Title.objects.get(pk=title.pk).poster_renditions)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        Title.objects.get(pk=title.pk).delete()
    assert files_under(settings.MEDIA_ROOT) == []
