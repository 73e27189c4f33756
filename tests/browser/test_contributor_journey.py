"""A newcomer signs up, confirms their address from the email, shares a story with a source and
an image, finds it waiting in "My submissions", and edits it."""

import re

import pytest
from django.core import mail
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.factories import make_title
from trivia.models import Anecdote

pytestmark = pytest.mark.parametrize("viewport", ["phone", "desktop"], indirect=True)

USERNAME = "newcomer"
EMAIL = "newcomer@example.test"
PASSWORD = "a-long-and-unusual-passphrase-7"
STORY = "The crew painted the whole street blue overnight so the sunrise scene matched."
EDITED = STORY.replace("blue", "dark blue") + " It took eleven painters."


@pytest.fixture
def title(transactional_db):
    return make_title("Night Shift on Blue Street", year=2004)


@pytest.fixture
def photo(tmp_path):
    """A small real PNG, as a phone's photo of the set would be (smaller)."""
    path = tmp_path / "blue-street.png"
    image = Image.new("RGB", (480, 320), (40, 70, 160))
    ImageDraw.Draw(image).rectangle((60, 60, 420, 260), fill=(230, 200, 60))
    image.save(path)
    return path


def confirmation_link():
    """The path of the link in the one email sent, as the newcomer would click it."""
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_a_newcomer_signs_up_submits_a_story_with_an_image_and_edits_it(
    page, title, photo, screenshot
):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create an account", level=1)).to_be_visible()
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshot(page, "sign-up")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Confirm your email address", level=1)).to_be_visible()
    expect(page.get_by_text("We have sent you an email with a link")).to_be_visible()
    screenshot(page, "verification-sent")

    page.goto(confirmation_link())
    expect(page.get_by_text(f"Is {EMAIL} the address of the Backlot account")).to_be_visible()
    page.get_by_role("button", name="Yes, confirm it").click()
    expect(page.get_by_role("status")).to_have_text(f"You have confirmed {EMAIL}.")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Username or email").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "confirmed")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("summary", has_text=USERNAME)).to_be_visible()

    page.get_by_role("link", name="Submit a story").click()
    expect(
        page.get_by_role("heading", name="Share a behind-the-scenes story", level=1)
    ).to_be_visible()
    # The title list fills as the contributor types (static/js/title-search.js).
    page.get_by_label("Find it by name").fill("blue street")
    expect(page.get_by_text("1 title matches “blue street”: choose one.")).to_be_visible()
    page.get_by_label("Night Shift on Blue Street").check()
    page.get_by_label("What happened").fill(STORY)
    page.get_by_label("Tags").fill("set design, night shoots")
    source = page.get_by_role("group", name="Source 1")
    source.get_by_label("Web address").fill("https://example.test/making-of-blue-street")
    source.get_by_label("Title").fill("The making of Night Shift on Blue Street")
    page.get_by_label("Choose an image").set_input_files(photo)
    screenshot(page, "submit-form")

    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Check your story", level=1)).to_be_visible()
    yours = page.get_by_role("region", name="Your story, as readers will see it")
    expect(yours.get_by_text(STORY)).to_be_visible()
    expect(
        yours.get_by_role("link", name="The making of Night Shift on Blue Street")
    ).to_be_visible()
    image = yours.get_by_role("img")
    expect(image).to_be_visible()
    # Visible is not loaded: wait for the image itself to arrive, then check its size.
    expect(image).to_have_js_property("complete", True)
    expect(image).to_have_js_property("naturalWidth", 480)
    screenshot(page, "preview")

    page.get_by_role("button", name="Send it to the moderators").click()
    expect(
        page.get_by_role("heading", name="Thank you! Your story is waiting for a moderator")
    ).to_be_visible()
    screenshot(page, "sent")

    page.get_by_role("link", name="See all your submissions").click()
    expect(page.get_by_role("heading", name="My submissions", level=1)).to_be_visible()
    submission = page.get_by_role("listitem").filter(has_text="Night Shift on Blue Street")
    expect(submission.get_by_text("Waiting for a moderator")).to_be_visible()
    expect(submission.get_by_text(STORY)).to_be_visible()
    screenshot(page, "submissions")

    submission.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit your story", level=1)).to_be_visible()
    expect(page.get_by_label("What happened")).to_have_value(STORY)
    page.get_by_label("What happened").fill(EDITED)
    screenshot(page, "edit")
    page.get_by_role("button", name="Save my changes").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your changes are saved. A moderator will read them."
    )
    expect(page.get_by_text(EDITED)).to_be_visible()
    expect(page.get_by_text("Waiting for a moderator")).to_be_visible()
    screenshot(page, "edited")

    story = Anecdote.objects.get()
    assert (story.state, story.text, story.title_id) == ("pending", EDITED, title.pk)
    assert story.contributor.username == USERNAME
    assert story.image and story.image_renditions
    assert [citation.source.url for citation in story.citations.all()] == [
        "https://example.test/making-of-blue-street"
    ]


def test_a_title_typed_before_the_search_script_has_loaded_is_still_searched(
    page, title, transactional_db, live_server
):
    """The script is deferred: on a slow connection the contributor may type first."""
    from tests.factories import verified_user

    author = verified_user("swift")
    author.set_password(PASSWORD)
    author.save()
    page.goto("/accounts/login/?next=/submit/")
    page.get_by_label("Username or email").fill("swift")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Find it by name")).to_be_visible()

    held = []  # the script's request, answered only once the contributor has typed
    page.route("**/js/title-search.js", lambda route: held.append(route))
    page.reload(wait_until="commit")
    page.get_by_label("Find it by name").fill("blue street")
    assert held, "the script was not held back"
    held[0].continue_()
    expect(page.get_by_text("1 title matches “blue street”: choose one.")).to_be_visible()
