"""A moderator signs in to the admin, works the moderation queue: edits and approves one story,
rejects another with a reason. A reader sees the first on its title page at once; its
contributor, signed in in a browser of their own, reads why the second was not accepted."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_anecdote, make_moderator, make_title, make_user
from trivia.models import Anecdote

pytestmark = pytest.mark.parametrize("viewport", ["phone", "desktop"], indirect=True)

TITLE = "Harbour Lights"
PUBLISHED = "The harbour was flooded on purpose for the storm scene, with fresh water."
TO_APPROVE = "The lighthouse was built in cardboard and lit from inside with six lamps."
APPROVED = "The lighthouse was built of plywood and lit from inside with six lamps."
TO_REJECT = "Everyone on set said the director was hard to work with."
REASON = "No usable source"
MESSAGE = "Which interview or book is this from? Add it and send it again."


@pytest.fixture
def queue(transactional_db):
    make_moderator("mod")
    carol = make_user("carol")
    EmailAddress.objects.create(user=carol, email=carol.email, verified=True, primary=True)
    title = make_title(TITLE, year=2011)
    make_anecdote(title=title, text=PUBLISHED, state="published")
    to_approve = make_anecdote(title=title, contributor=carol, text=TO_APPROVE)
    to_reject = make_anecdote(title=make_title("Quiet Set"), contributor=carol, text=TO_REJECT)
    return title, to_approve, to_reject


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("summary", has_text=username)).to_be_visible()


def test_a_moderator_edits_and_approves_one_story_and_rejects_another_with_a_reason(
    new_context, queue, screenshot
):
    title, to_approve, to_reject = queue
    reader = new_context().new_page()
    contributor = new_context().new_page()
    moderator = new_context().new_page()

    # Before: the reader has the title page (now in the page cache) with its one story.
    reader.goto(f"/titles/{title.slug}/")
    expect(reader.get_by_text("1 story", exact=True)).to_be_visible()
    expect(reader.get_by_text(PUBLISHED)).to_be_visible()
    sign_in(contributor, "carol")
    contributor.locator("summary", has_text="carol").click()
    contributor.get_by_role("link", name="My submissions").click()
    expect(contributor.get_by_text("Waiting for a moderator")).to_have_count(2)

    moderator.goto("/admin/")
    # Signed out, the admin asks for the moderator's account first.
    expect(moderator.get_by_role("banner")).to_contain_text("Backlot moderation")
    expect(moderator.get_by_role("button", name="Log in")).to_be_visible()
    moderator.get_by_label("Username").fill("mod")
    moderator.get_by_label("Password").fill(PASSWORD)
    moderator.get_by_role("button", name="Log in").click()
    expect(moderator.get_by_role("heading", name="Moderation and content")).to_be_visible()
    screenshot(moderator, "admin-index")

    moderator.get_by_role("link", name="Moderation queue").first.click()
    expect(moderator.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()
    expect(moderator.get_by_text("2 stories waiting")).to_be_visible()
    screenshot(moderator, "queue")

    # A row's title opens the story; its text unfolds in place.
    moderator.get_by_role("row").filter(has_text=TO_APPROVE).get_by_role("link").first.click()
    expect(moderator.get_by_role("heading", name="Edit story", level=1)).to_be_visible()
    expect(moderator.get_by_text("submitted", exact=False).first).to_be_visible()
    text = moderator.get_by_role("textbox", name="Text")
    expect(text).to_have_value(TO_APPROVE)
    text.fill(APPROVED)
    screenshot(moderator, "edit")
    moderator.get_by_role("button", name="Save and approve").first.click()
    expect(moderator.get_by_text("1 story approved.")).to_be_visible()
    expect(moderator.get_by_text("1 story waiting")).to_be_visible()

    moderator.get_by_role("row").filter(has_text=TO_REJECT).get_by_role("link").first.click()
    moderator.get_by_role("link", name="Reject…").first.click()
    expect(moderator.get_by_role("heading", name="Reject 1 story", level=1)).to_be_visible()
    expect(moderator.get_by_text("This story will not be published.")).to_be_visible()
    moderator.get_by_role("button", name="Reject 1 story").click()
    # No reason chosen: nothing happens but a request for one.
    expect(moderator.get_by_text("This field is required.")).to_be_visible()
    moderator.get_by_label("Reason").select_option(label=REASON)
    moderator.get_by_label("Message to the contributor").fill(MESSAGE)
    screenshot(moderator, "reject")
    moderator.get_by_role("button", name="Reject 1 story").click()
    expect(moderator.get_by_text("1 story rejected.")).to_be_visible()
    expect(moderator.get_by_text("0 stories waiting")).to_be_visible()
    screenshot(moderator, "queue-done")

    # At once, for a reader with no account: the approved story, as the moderator edited it.
    reader.reload()
    expect(reader.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(reader.get_by_text("2 stories", exact=True)).to_be_visible()
    expect(reader.get_by_text(APPROVED)).to_be_visible()
    expect(reader.get_by_text(TO_APPROVE)).to_have_count(0)
    expect(reader.get_by_text(TO_REJECT)).to_have_count(0)
    screenshot(reader, "title-for-readers")

    contributor.reload()
    published = contributor.get_by_role("listitem").filter(has_text=TITLE)
    expect(published.get_by_text("Published", exact=True)).to_be_visible()
    rejected = contributor.get_by_role("listitem").filter(has_text="Quiet Set")
    expect(rejected.get_by_text("Not accepted", exact=True)).to_be_visible()
    expect(rejected.get_by_text(f"Not accepted: {REASON}")).to_be_visible()
    expect(rejected.get_by_text(MESSAGE)).to_be_visible()
    expect(rejected.get_by_role("link", name="Edit and resubmit")).to_be_visible()
    screenshot(contributor, "contributor-submissions")

    states = dict(Anecdote.objects.values_list("text", "state"))
    assert states == {PUBLISHED: "published", APPROVED: "published", TO_REJECT: "rejected"}
    # Both decisions reached the contributor by email too, the rejection with its reason.
    emails = {m.subject: m.body for m in mail.outbox if m.to == ["carol@example.test"]}
    assert sorted(emails) == [
        f"Backlot: your story about {TITLE} was published",
        "Backlot: your story about Quiet Set was not accepted",
    ]
    rejection = emails["Backlot: your story about Quiet Set was not accepted"]
    assert REASON in rejection and MESSAGE in rejection
