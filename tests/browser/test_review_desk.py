"""A moderator works the review desk in Chromium: ten straightforward stories approved by
pressing "a" ten times, with no page load between them; without JavaScript, one page load a
decision; on a 360 px phone the desk fits the screen, its duplicates one above the other."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_anecdote, make_moderator, make_title, make_untitled_story
from trivia import services
from trivia.models import Anecdote

SCREENSHOTS = Path("/tmp")


@pytest.fixture
def queue(transactional_db):
    make_moderator("mod")
    title = make_title("Harbour Lights", year=2011)
    start = timezone.now() - timedelta(hours=2)
    made = []
    for number in range(10):
        story = make_anecdote(
            title=title, text=f"Story {number}: the lighthouse lamp number {number} was real."
        )
        Anecdote.objects.filter(pk=story.pk).update(submitted_at=start + timedelta(minutes=number))
        made.append(story)
    return made


def open_desk(page, path="/admin/desk/"):
    page.goto(f"/admin/login/?next={path}")
    page.get_by_label("Username").fill("mod")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#desk-panel")).to_be_visible()
    page.wait_for_load_state("load")


def focused(page):
    """The id of the element that has the focus."""
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_ten_stories_are_approved_with_ten_keypresses_and_no_page_load(new_context, queue):
    page = new_context().new_page()
    open_desk(page)
    panel = page.locator("#desk-panel")
    expect(panel).to_have_attribute("data-item", f"story-{queue[0].pk}")
    expect(page.get_by_text("10 stories, 0 reports, 0 corrections waiting")).to_be_visible()
    loads = []
    page.on("load", lambda: loads.append(page.url))
    keys = 0
    for number in range(len(queue)):
        page.keyboard.press("a")
        keys += 1
        following = f"story-{queue[number + 1].pk}" if number + 1 < len(queue) else ""
        expect(panel).to_have_attribute("data-item", following)
        # The new panel has the focus: the next key goes to it.
        assert focused(page) == "desk-panel"
    expect(page.get_by_text("Nothing waits for you here")).to_be_visible()
    assert (keys, loads) == (10, [])
    assert page.url.endswith("/admin/desk/")
    states = set(
        Anecdote.objects.filter(pk__in=[s.pk for s in queue]).values_list("state", flat=True)
    )
    assert states == {Anecdote.State.PUBLISHED}
    page.screenshot(path=SCREENSHOTS / "desk-1280-done.png", full_page=True)


def test_rejecting_with_keys_other_needs_a_message(new_context, queue):
    page = new_context().new_page()
    open_desk(page)
    panel = page.locator("#desk-panel")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.keyboard.press("8")  # "Other", then the message box has the focus
    page.keyboard.press("Enter")
    expect(page.get_by_text("tell the contributor what is wrong")).to_be_visible()
    expect(panel).to_have_attribute("data-item", f"story-{queue[0].pk}")
    assert focused(page) == "id_message"
    page.keyboard.type("This is an advertisement, not a story.")
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("data-item", f"story-{queue[1].pk}")
    assert loads == []
    rejected = Anecdote.objects.get(pk=queue[0].pk)
    assert (rejected.state, rejected.rejection_reason) == (Anecdote.State.REJECTED, "other")
    assert rejected.moderator_message == "This is an advertisement, not a story."


def test_without_javascript_each_decision_is_one_page_load(new_context, queue):
    page = new_context(java_script_enabled=False).new_page()
    open_desk(page)
    loads = []
    page.on("load", lambda: loads.append(page.url))
    for story in queue[:3]:
        expect(page.locator("#desk-panel")).to_have_attribute("data-item", f"story-{story.pk}")
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("#desk-panel")).to_have_attribute("data-item", f"story-{queue[3].pk}")
    assert len(loads) == 3


@pytest.fixture
def busy_story(transactional_db):
    """An untitled story with a long source, a possible duplicate and a history."""
    make_moderator("mod")
    make_anecdote(
        title=make_title("Room 237", year=2012),
        state="published",
        text="Kubrick typed the same sentence on hundreds of typewriter pages for the prop.",
    )
    story = make_untitled_story(
        "The Shining (1980)",
        text="For the prop manuscript Kubrick had a typewriter fill hundreds of pages with one "
        "sentence, in several layouts, so the shot would look real.",
    )
    citation = story.citations.select_related("source").get()
    citation.source.url = "https://example.org/a-very-long-address/" + "segment/" * 12
    citation.source.save()
    citation.locator = "chapter 7"
    citation.quote = "All work and no play makes Jack a dull boy."
    citation.save()
    story.possible_duplicate_of.add(Anecdote.objects.published().get())
    services.edit_story(story=story, editor=story.contributor, changes={"is_spoiler": True})
    return story


@pytest.mark.parametrize("width", [360, 1280])
def test_the_desk_fits_the_screen(new_context, busy_story, width):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    open_desk(page)
    expect(page.get_by_text("Possible duplicates (1)")).to_be_visible()
    expect(page.get_by_role("button", name="Create title")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=SCREENSHOTS / f"desk-{width}.png", full_page=True)
    assert scroll_width <= width, f"{scroll_width} px wide on a {width} px screen"
    # Created in place, then approved: the title is the proposed one.
    page.get_by_role("button", name="Create title").click()
    expect(page.locator(".desk-title")).to_contain_text("The Shining (1980)")
    expect(page.get_by_text("Created “The Shining” and assigned it.")).to_be_visible()


def test_two_moderators_share_the_queue_and_a_lost_race_keeps_the_message(new_context, queue):
    make_moderator("bob")
    mine = new_context().new_page()
    open_desk(mine)
    theirs = new_context().new_page()
    theirs.goto("/admin/login/?next=/admin/desk/")
    theirs.get_by_label("Username").fill("bob")
    theirs.get_by_label("Password").fill(PASSWORD)
    theirs.get_by_role("button", name="Log in").click()
    first, second = queue[0], queue[1]
    expect(mine.locator("#desk-panel")).to_have_attribute("data-item", f"story-{first.pk}")
    # Bob's desk passes by the story on mine, and says so.
    expect(theirs.locator("#desk-panel")).to_have_attribute("data-item", f"story-{second.pk}")
    expect(theirs.get_by_text("1 being reviewed by others")).to_be_visible()
    # Bob opens it anyway, is told who has it, and approves it first.
    theirs.goto(f"/admin/desk/?item=story-{first.pk}")
    expect(theirs.get_by_text("Being reviewed by mod since")).to_be_visible()
    theirs.keyboard.press("a")
    expect(theirs.locator(".desk-notices")).to_contain_text("approved.")
    # Meanwhile I reject it with a message: refused, who decided is named, my words kept.
    mine.keyboard.press("r")
    mine.keyboard.press("2")
    mine.keyboard.type("Which interview is this from?")
    mine.keyboard.press("Enter")
    expect(mine.locator(".desk-notices")).to_contain_text("approved by bob")
    expect(mine.get_by_label("Message to the contributor")).to_have_value(
        "Which interview is this from?"
    )
    assert Anecdote.objects.get(pk=first.pk).state == Anecdote.State.PUBLISHED
