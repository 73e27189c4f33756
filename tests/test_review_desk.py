"""The review desk (/admin/desk/): the next waiting item shown whole, decided without going back
to a list, with and without JavaScript, by two moderators at once."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import change_form_data
from tests.factories import (
    make_anecdote,
    make_moderator,
    make_staff,
    make_title,
    make_untitled_story,
    make_user,
)
from tests.hostile.catalogue import SHORT, STRINGS
from tests.hostile.checks import problems_in
from trivia import services
from trivia.models import Anecdote, Correction, Person, PersonAlias, Report, ReviewClaim, Title

pytestmark = pytest.mark.django_db

DESK = "/admin/desk/"
FRAGMENT = {"HTTP_X_DESK_FRAGMENT": "1"}
State = Anecdote.State


def browser_of(user):
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def desk(moderator):
    return browser_of(moderator)


def stories(count, **fields):
    """``count`` pending stories, oldest first, each submitted a minute after the one before."""
    made = []
    start = timezone.now() - timedelta(hours=1)
    for number in range(count):
        story = make_anecdote(text=f"Story {number}: the crew built a raft of oil drums.", **fields)
        Anecdote.objects.filter(pk=story.pk).update(submitted_at=start + timedelta(minutes=number))
        made.append(Anecdote.objects.get(pk=story.pk))
    return made


def shown(response):
    """The key of the item the desk shows ("story-12"), or "" for none."""
    html = response.content.decode()
    marker = 'data-item="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def approve(browser, story, *, url=DESK, **headers):
    return browser.post(
        url, {"item": f"story-{story.pk}", "action": "approve", "version": story.version}, **headers
    )


# --- Who may use it ------------------------------------------------------------------------------


def test_the_desk_is_for_moderators_only(client):
    story = make_anecdote(text="A pending story nobody outside the moderators may read.")
    response = client.get(DESK)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    contributor = browser_of(make_user())
    assert contributor.get(DESK).status_code == 302
    staff = browser_of(make_staff(permissions=["view_anecdote"]))
    for answer in (staff.get(DESK), approve(staff, story)):
        assert answer.status_code == 403
        assert b"nobody outside the moderators" not in answer.content
    assert Anecdote.objects.get(pk=story.pk).state == State.PENDING


def test_the_desk_has_a_name_in_the_admin():
    assert reverse("admin:review_desk") == DESK


# --- The next item --------------------------------------------------------------------------------


def test_the_desk_shows_the_oldest_waiting_story_whole_with_its_counts(desk):
    first, second = stories(2)
    long_text = "A long story. " * 80
    Anecdote.objects.filter(pk=first.pk).update(text=long_text.strip())
    make_anecdote(state="published")
    report_on = make_anecdote(state="published")
    services.report_story(story=report_on, reporter=None, reason="inaccurate")
    response = desk.get(DESK)
    assert response.status_code == 200
    assert shown(response) == f"story-{first.pk}"
    assert long_text.strip() in response.content.decode()
    assert "2 stories, 1 report, 0 corrections waiting" in response.content.decode()


def test_approving_shows_the_next_story_after_a_redirect_keeping_the_filters(desk):
    first, second, third = stories(3)
    response = approve(desk, first, url=DESK + "?order=oldest&kind=stories")
    assert response.status_code == 302
    assert response["Location"] == DESK + "?kind=stories"
    assert Anecdote.objects.get(pk=first.pk).state == State.PUBLISHED
    page = desk.get(response["Location"])
    assert shown(page) == f"story-{second.pk}"
    assert "approved." in page.content.decode()


def test_rejecting_with_a_reason_shows_the_next_story(desk):
    first, second = stories(2)
    response = desk.post(
        DESK,
        {
            "item": f"story-{first.pk}",
            "action": "reject",
            "reason": "unsourced",
            "message": "Which book?",
            "version": first.version,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.rejection_reason, first.moderator_message) == (
        State.REJECTED,
        "unsourced",
        "Which book?",
    )
    assert shown(desk.get(response["Location"])) == f"story-{second.pk}"


def test_other_without_a_message_is_refused_and_the_story_stays(desk):
    (story,) = stories(1)
    response = desk.post(
        DESK,
        {"item": f"story-{story.pk}", "action": "reject", "reason": "other", "message": ""},
    )
    assert response.status_code == 200
    assert shown(response) == f"story-{story.pk}"
    assert "tell the contributor what is wrong" in response.content.decode()
    assert Anecdote.objects.get(pk=story.pk).state == State.PENDING


def test_the_fragment_answer_is_the_next_items_panel_alone(desk):
    first, second = stories(2)
    response = approve(desk, first, **FRAGMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="desk-panel"' in html and "<html" not in html
    assert shown(response) == f"story-{second.pk}"
    assert response["X-Desk-Url"] == DESK + f"?item=story-{second.pk}"
    assert "approved." in html


def test_skip_shows_another_item_and_show_skipped_again_brings_it_back(desk):
    first, second = stories(2)
    response = desk.post(DESK, {"item": f"story-{first.pk}", "action": "skip"})
    page = desk.get(response["Location"])
    assert shown(page) == f"story-{second.pk}"
    assert "you skipped 1" in page.content.decode()
    assert Anecdote.objects.get(pk=first.pk).state == State.PENDING
    desk.post(DESK, {"item": f"story-{second.pk}", "action": "skip"})
    assert shown(desk.get(DESK)) == ""
    desk.post(DESK, {"action": "unskip"})
    assert shown(desk.get(DESK)) == f"story-{first.pk}"


def test_filters_choose_the_items(desk):
    contributor = make_user("dora")
    titled = stories(1)[0]
    untitled = make_untitled_story("Some Unknown Film", contributor=contributor)
    tagged = make_anecdote(tags=["stunts"])
    flagged = make_anecdote(text="Flagged by its import.")
    flagged.possible_duplicate_of.add(make_anecdote(state="published"))
    published = make_anecdote(state="published")
    report = services.report_story(story=published, reporter=None, reason="spoiler")
    correction = services.propose_correction(
        story=published, proposer=contributor, text="A better text."
    )
    assert shown(desk.get(DESK)) == f"story-{titled.pk}"
    assert shown(desk.get(DESK + "?untitled=1")) == f"story-{untitled.pk}"
    assert shown(desk.get(DESK + "?tag=stunts")) == f"story-{tagged.pk}"
    assert shown(desk.get(DESK + "?duplicates=1")) == f"story-{flagged.pk}"
    assert shown(desk.get(DESK + "?contributor=dora")) == f"story-{untitled.pk}"
    assert shown(desk.get(DESK + "?kind=reports")) == f"report-{report.pk}"
    assert shown(desk.get(DESK + "?kind=corrections")) == f"correction-{correction.pk}"
    newest = desk.get(DESK + "?order=newest")
    assert shown(newest) == f"correction-{correction.pk}"
    counted = desk.get(DESK + "?untitled=1").content.decode()
    assert "1 story waiting" in counted


def test_the_desk_runs_the_same_number_of_queries_for_a_short_and_a_long_queue(
    desk, django_assert_max_num_queries
):
    stories(3)
    with django_assert_max_num_queries(60) as short:
        desk.get(DESK)
    stories(25)
    with django_assert_max_num_queries(len(short.captured_queries)):
        desk.get(DESK)


# --- What a story shows -------------------------------------------------------------------------


def test_a_story_shows_its_sources_people_tags_record_and_history(desk, contributor):
    story = make_anecdote(
        contributor=contributor, text="Kino Rives trained for months.", tags=["training"]
    )
    citation = story.citations.get()
    citation.locator = "p. 42"
    citation.quote = "He trained every day."
    citation.save()
    source = citation.source
    source.url = "https://example.org/interview"
    source.save()
    keanu = Person.objects.create(name="Keanu Reeves")
    PersonAlias.objects.create(person=keanu, name="Kino Rives")
    make_anecdote(contributor=contributor, state="published")
    html = desk.get(DESK).content.decode()
    assert '<a href="https://example.org/interview"' in html
    assert "p. 42" in html and "He trained every day." in html
    assert "training" in html
    assert "1 published · 0 rejected · 1 waiting" in html
    assert "member for" in html
    assert "Keanu Reeves" in html  # named in the text, not attached yet
    assert "Submitted" in html


def test_a_resubmitted_story_shows_what_changed(desk, author):
    story = make_anecdote(contributor=author)
    services.reject_story(story=story, moderator=make_moderator(), reason="unsourced")
    services.edit_story(story=story, editor=author, changes={"text": "Now with a better text."})
    services.resubmit_story(story=Anecdote.objects.get(pk=story.pk), contributor=author)
    html = desk.get(DESK).content.decode()
    assert "Changed: text." in html
    assert "No usable source" in html


def test_possible_duplicates_are_shown_side_by_side_with_the_shared_words_marked(desk):
    title = make_title("The Shining")
    make_anecdote(
        title=title,
        state="published",
        text="Kubrick typed the same sentence on thousands of typewriter pages.",
    )
    make_anecdote(
        title=title,
        text="Kubrick had a typewriter fill hundreds of pages with one sentence.",
    )
    html = desk.get(DESK).content.decode()
    assert "Possible duplicates (1)" in html
    assert "<mark>Kubrick</mark>" in html and "<mark>typewriter</mark>" in html
    assert html.count('class="story-text desk-compare"') == 2


def test_a_story_text_with_markup_is_shown_escaped(desk):
    make_anecdote(text='<script>alert("x")</script> and <b>bold</b>')
    html = desk.get(DESK).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_creating_the_proposed_title_in_place_assigns_it(desk):
    story = make_untitled_story("Harbour Lights (2011)")
    page = desk.get(DESK).content.decode()
    assert 'value="Harbour Lights"' in page and 'value="2011"' in page
    response = desk.post(
        DESK,
        {
            "item": f"story-{story.pk}",
            "action": "create_title",
            "version": story.version,
            "new_title-name": "Harbour Lights",
            "new_title-kind": "film",
            "new_title-year": "2011",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == DESK + f"?item=story-{story.pk}"
    title = Title.objects.get(name="Harbour Lights")
    story.refresh_from_db()
    assert story.title == title and story.proposed_title == ""
    assert story.events.last().action == "edited"
    # And it can be approved from there.
    approve(desk, story)
    assert Anecdote.objects.get(pk=story.pk).state == State.PUBLISHED


def test_creating_a_title_that_exists_is_refused(desk):
    make_title("Harbour Lights")
    story = make_untitled_story("harbour lights")
    response = desk.post(
        DESK,
        {
            "item": f"story-{story.pk}",
            "action": "create_title",
            "version": story.version,
            "new_title-name": "Harbour Lights",
            "new_title-kind": "film",
        },
    )
    assert response.status_code == 200
    assert "is already a title" in response.content.decode()
    assert Title.objects.count() == 1


def test_a_title_is_not_created_when_the_story_changed_meanwhile(desk):
    story = make_untitled_story("Harbour Lights")
    response = desk.post(
        DESK,
        {
            "item": f"story-{story.pk}",
            "action": "create_title",
            "version": story.version - 1,
            "new_title-name": "Harbour Lights",
            "new_title-kind": "film",
        },
    )
    assert "Someone else changed this story" in response.content.decode()
    assert not Title.objects.filter(name="Harbour Lights").exists()


# --- Two moderators -----------------------------------------------------------------------------


def test_an_item_on_one_desk_is_passed_by_on_another(desk, moderator):
    first, second = stories(2)
    assert shown(desk.get(DESK)) == f"story-{first.pk}"
    other = browser_of(make_moderator("bob"))
    page = other.get(DESK)
    assert shown(page) == f"story-{second.pk}"
    assert "1 being reviewed by others" in page.content.decode()
    opened = other.get(DESK + f"?item=story-{first.pk}").content.decode()
    assert "Being reviewed by <strong>mod</strong> since" in opened
    # Still decidable by the one who opened it.
    approve(other, first)
    assert Anecdote.objects.get(pk=first.pk).state == State.PUBLISHED
    assert not ReviewClaim.objects.filter(object_id=first.pk, kind="story").exists()


def test_an_expired_claim_is_taken_over(desk):
    (story,) = stories(1)
    desk.get(DESK)
    ReviewClaim.objects.update(claimed_at=timezone.now() - timedelta(minutes=11))
    other = browser_of(make_moderator("bob"))
    assert shown(other.get(DESK)) == f"story-{story.pk}"
    assert ReviewClaim.objects.get().moderator.username == "bob"


def test_a_lost_race_names_the_winner_and_keeps_the_typed_message(desk):
    (story,) = stories(1)
    services.approve_story(story=story, moderator=make_moderator("bob"))
    response = desk.post(
        DESK,
        {
            "item": f"story-{story.pk}",
            "action": "reject",
            "reason": "rumour",
            "message": "I typed this carefully.",
            "version": story.version,
        },
        **FRAGMENT,
    )
    html = response.content.decode()
    assert "bob" in html and "approved" in html
    assert "I typed this carefully." in html
    assert '<option value="rumour" selected>' in html
    assert Anecdote.objects.get(pk=story.pk).state == State.PUBLISHED


def test_a_lost_race_on_a_report_names_the_winner_and_keeps_the_message(desk):
    published = make_anecdote(state="published")
    report = services.report_story(story=published, reporter=None, reason="inaccurate")
    services.resolve_report(report=report, moderator=make_moderator("bob"), outcome="dismissed")
    response = desk.post(
        DESK, {"item": f"report-{report.pk}", "action": "resolve", "message": "Fixed it."}
    )
    html = response.content.decode()
    assert "already decided by bob" in html and "Fixed it." in html
    assert Report.objects.get().state == "dismissed"


# --- Reports and corrections ----------------------------------------------------------------------


def test_reports_are_dismissed_or_resolved_from_the_desk(desk):
    published = make_anecdote(state="published", text="The published story reported.")
    first = services.report_story(story=published, reporter=None, reason="inaccurate")
    second = services.report_story(story=published, reporter=None, reason="spoiler")
    page = desk.get(DESK).content.decode()
    assert "The published story reported." in page and "unpublish it" in page
    desk.post(DESK, {"item": f"report-{first.pk}", "action": "dismiss", "message": "Fine."})
    desk.post(DESK, {"item": f"report-{second.pk}", "action": "resolve", "message": ""})
    states = dict(Report.objects.values_list("pk", "state"))
    assert states == {first.pk: "dismissed", second.pk: "resolved"}
    assert Report.objects.get(pk=first.pk).resolution == "Fine."


def test_corrections_are_shown_as_a_word_diff_and_accepted_from_the_desk(desk):
    published = make_anecdote(state="published", text="The raft was made of barrels.")
    correction = services.propose_correction(
        story=published, proposer=make_user(), text="The raft was made of oil drums."
    )
    html = desk.get(DESK).content.decode()
    assert "<del>barrels</del>" in html and "<ins>oil drums</ins>" in html
    response = desk.post(
        DESK, {"item": f"correction-{correction.pk}", "action": "accept"}, **FRAGMENT
    )
    assert shown(response) == ""
    assert Correction.objects.get().state == "accepted"
    assert Anecdote.objects.get(pk=published.pk).text == "The raft was made of oil drums."


def test_a_correction_is_rejected_from_the_desk(desk):
    published = make_anecdote(state="published", text="Old text.")
    correction = services.propose_correction(story=published, proposer=make_user(), text="New.")
    desk.post(DESK, {"item": f"correction-{correction.pk}", "action": "reject", "message": "No."})
    assert Correction.objects.get().state == "rejected"
    assert Anecdote.objects.get(pk=published.pk).text == "Old text."


# --- Hostile input --------------------------------------------------------------------------------


def test_forged_desk_parameters_are_answered_below_500(desk):
    (story,) = stories(1)
    problems = []
    for name, value in STRINGS.items():
        for parameter in ("item", "kind", "tag", "contributor", "order", "untitled"):
            response = desk.get(DESK, {parameter: value})
            problems += problems_in(response, f"GET {parameter}={name}")
    for name, value in SHORT.items():
        for field in ("item", "action", "version", "reason", "message"):
            data = {"item": f"story-{story.pk}", "action": "reject", "reason": ""}
            data[field] = value
            response = desk.post(DESK, data)
            problems += problems_in(response, f"POST {field}={name}")
    assert not problems, "\n".join(problems)
    assert Anecdote.objects.get(pk=story.pk).state == State.PENDING


def test_edit_opens_the_story_page_with_the_way_back_to_the_desk(desk):
    (story,) = stories(1)
    html = desk.get(DESK + "?kind=stories").content.decode()
    edit = f"/admin/trivia/pendinganecdote/{story.pk}/change/?next=%2Fadmin%2Fdesk%2F%3Fkind"
    assert f'href="{edit}' in html
    start = html.index(edit)
    url = html[start : html.index('"', start)].replace("&amp;", "&")
    assert desk.get(url).status_code == 200

    saved = desk.post(
        url, {**change_form_data(story, text="Fixed: a raft of oil drums."), "_save": 1}
    )
    assert saved.status_code == 302 and saved["Location"].startswith("/admin/desk/?kind=stories")
    approved = desk.post(url, {**change_form_data(story), "_approve": 1})
    assert approved.status_code == 302 and approved["Location"].startswith("/admin/desk/")
    assert Anecdote.objects.get(pk=story.pk).state == State.PUBLISHED


def test_the_story_page_goes_back_only_to_this_sites_addresses(desk):
    (story,) = stories(1)
    url = f"/admin/trivia/pendinganecdote/{story.pk}/change/?next=https://elsewhere.example/"
    saved = desk.post(url, {**change_form_data(story, text="Fixed."), "_save": 1})
    assert saved["Location"] == "/admin/trivia/pendinganecdote/"


def test_the_desk_is_never_stored_and_has_no_inline_style_or_script(desk):
    first, second = stories(2)
    make_anecdote(state="published", title=first.title, text=first.text)  # a duplicate shown
    pages = [desk.get(DESK), approve(desk, first, **FRAGMENT)]
    for response in pages:
        cache_control = response.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control
        html = response.content.decode()
        assert not re.search(r"\sstyle\s*=|<style[\s>]", html)
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)


def test_a_story_shows_its_image(desk):
    from tests.hostile.world import stored_png

    (story,) = stories(1)
    name = stored_png("anecdotes")
    Anecdote.objects.filter(pk=story.pk).update(image=name)
    html = desk.get(DESK).content.decode()
    assert f'<img src="/media/{name}"' in html
    assert desk.get(f"/media/{name}").status_code == 200


def test_every_admin_page_leads_a_moderator_to_the_desk(desk, moderator):
    for page in ("/admin/", "/admin/trivia/pendinganecdote/", "/admin/trivia/report/"):
        html = desk.get(page).content.decode()
        assert 'href="/admin/desk/"' in html and 'href="/admin/figures/"' in html
    staff = browser_of(make_staff(permissions=["view_anecdote"]))
    assert 'href="/admin/desk/"' not in staff.get("/admin/").content.decode()
