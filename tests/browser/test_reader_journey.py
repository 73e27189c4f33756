"""A reader with no account: the home page, a title, a spoiler revealed, a tag, the search, a
person's page, and a report on a story."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_anecdote, make_title
from trivia.models import Person, Report

pytestmark = pytest.mark.parametrize("viewport", ["phone", "desktop"], indirect=True)

TITLE = "The Long Night Shoot"
SPOILER = "The twist ending was shot last, with only four crew members told how it ends."
STORY = "Ana Ortiz ran the generator herself when the rain cut the power on the hill."
OTHER = "A story about another film, which the tag and the search must not show."


@pytest.fixture
def stories(transactional_db):
    title = make_title(TITLE, year=1999)
    person = Person.objects.create(name="Ana Ortiz", known_for="Gaffer")
    spoiler = make_anecdote(
        title=title,
        text=SPOILER,
        is_spoiler=True,
        tags=["Practical effects"],
        state="published",
    )
    story = make_anecdote(
        title=title, text=STORY, tags=["Night shoots"], people=[person], state="published"
    )
    make_anecdote(title=make_title("Elsewhere"), text=OTHER, tags=["Casting"], state="published")
    return spoiler, story


def test_a_reader_browses_reveals_a_spoiler_searches_and_reports_a_story(page, stories, screenshot):
    _spoiler, story = stories

    page.goto("/")
    expect(page.get_by_role("heading", name="Behind the scenes", level=1)).to_be_visible()
    latest = page.get_by_role("region", name="Latest stories")
    expect(latest.get_by_text(STORY)).to_be_visible()
    # On a list, a spoiler stays behind its "Reveal spoiler" until the reader opens it.
    expect(latest.get_by_text(SPOILER)).to_be_hidden()
    screenshot(page, "home")

    latest.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("2 stories")).to_be_visible()
    expect(page.get_by_text(OTHER)).to_have_count(0)
    spoiler = page.locator("article", has_text="Reveal spoiler")
    expect(spoiler.get_by_text("Spoiler", exact=True)).to_be_visible()
    expect(spoiler.get_by_text(SPOILER)).to_be_hidden()
    spoiler.get_by_text("Reveal spoiler").click()
    expect(spoiler.get_by_text(SPOILER)).to_be_visible()
    # Open, the fold offers to hide it again, not to reveal it.
    expect(spoiler.locator("summary")).to_have_text("Hide spoiler", use_inner_text=True)
    screenshot(page, "title-spoiler-revealed")

    spoiler.get_by_role("list", name="Tags").get_by_role("link", name="Practical effects").click()
    expect(page.get_by_role("heading", name="Practical effects", level=1)).to_be_visible()
    expect(page.get_by_text("1 published story with this tag")).to_be_visible()
    expect(page.get_by_text(STORY)).to_have_count(0)
    expect(page.get_by_text(SPOILER)).to_be_hidden()
    screenshot(page, "tag")

    search = page.get_by_role("search")
    search.get_by_label("Search stories, titles and people").fill("ortiz")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    expect(page.get_by_text("1 story matching “ortiz”")).to_be_visible()
    expect(page.get_by_text("generator herself")).to_be_visible()
    people = page.get_by_role("region", name="People")
    screenshot(page, "search")

    people.get_by_role("link", name="Ana Ortiz").click()
    expect(page.get_by_role("heading", name="Ana Ortiz", level=1)).to_be_visible()
    expect(page.get_by_text("Gaffer")).to_be_visible()
    expect(page.get_by_text(STORY)).to_be_visible()
    expect(page.get_by_text(SPOILER)).to_have_count(0)
    screenshot(page, "person")

    page.get_by_role("link", name="Permalink to this story").click()
    expect(page).to_have_url(re.compile(rf"/anecdotes/{story.pk}/$"))
    page.get_by_role("link", name="Report a problem").click()
    expect(page.get_by_role("heading", name="Report a problem", level=1)).to_be_visible()
    expect(page.get_by_text(STORY)).to_be_visible()
    page.get_by_role("button", name="Send the report").click()
    # Nothing chosen: the form says what is missing, and nothing is sent.
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert not Report.objects.exists()
    page.get_by_label("It has an unmarked spoiler").check()
    page.get_by_label("Details (optional)").fill("It tells who ran the generator.")
    screenshot(page, "report-form")

    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_have_text(
        "Thank you: a moderator will look at your report."
    )
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    screenshot(page, "reported")
    report = Report.objects.get()
    assert (report.anecdote_id, report.reason, report.reporter) == (story.pk, "spoiler", None)
    assert report.note == "It tells who ran the generator."
