"""Readers report problems and propose corrections; moderators decide them in the admin."""

import re

import pytest

from tests.factories import make_anecdote, make_moderator, make_staff, make_title, make_user
from trivia.models import Anecdote, Correction, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return make_anecdote(state="published", text="The film was shot in chronological order.")


def test_an_anonymous_reader_reports_a_story(client, story):
    response = client.post(
        f"/anecdotes/{story.pk}/report/", {"reason": "inaccurate", "note": "Not true."}, follow=True
    )
    assert "a moderator will look at your report" in response.content.decode()
    report = Report.objects.get()
    assert (report.anecdote, report.reason, report.note, report.reporter) == (
        story,
        "inaccurate",
        "Not true.",
        None,
    )
    assert story.events.last().action == "reported"


def test_the_story_page_offers_report_and_correction_links(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    assert f"/anecdotes/{story.pk}/report/" in page
    assert f"/anecdotes/{story.pk}/correct/" in page


def test_a_filled_honeypot_thanks_the_bot_and_stores_nothing(client, story):
    response = client.post(
        f"/anecdotes/{story.pk}/report/", {"reason": "abusive", "website": "http://spam.test"}
    )
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_a_report_without_a_reason_is_asked_again(client, story):
    response = client.post(f"/anecdotes/{story.pk}/report/", {"note": "hmm"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("state", ["pending", "rejected", "withdrawn"])
def test_unpublished_stories_cannot_be_reported_or_corrected(client, state):
    hidden = make_anecdote(state=state)
    client.force_login(make_user())
    assert client.get(f"/anecdotes/{hidden.pk}/report/").status_code == 404
    assert client.post(f"/anecdotes/{hidden.pk}/report/", {"reason": "other"}).status_code == 404
    assert client.post(f"/anecdotes/{hidden.pk}/correct/", {"text": "x"}).status_code == 404
    assert not Report.objects.exists() and not Correction.objects.exists()


def test_reports_are_rate_limited_per_address(client, story, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": (2, 3600)}
    codes = [
        client.post(f"/anecdotes/{story.pk}/report/", {"reason": "other"}).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Report.objects.count() == 2


def test_proposing_a_correction_needs_an_account(client, story):
    response = client.get(f"/anecdotes/{story.pk}/correct/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_proposed_correction_never_changes_the_public_page(client, story):
    client.force_login(make_user())
    response = client.post(
        f"/anecdotes/{story.pk}/correct/",
        {"text": "Most of the film was shot out of order.", "note": "Commentary track"},
    )
    assert response.status_code == 302
    page = client.get(story.get_absolute_url()).content.decode()
    assert "shot in chronological order" in page and "out of order" not in page
    assert Correction.objects.get().state == "pending"


def test_an_unchanged_correction_is_refused_with_a_message(client, story):
    client.force_login(make_user())
    response = client.post(f"/anecdotes/{story.pk}/correct/", {"text": story.text})
    assert "same as the published one" in response.content.decode()
    assert not Correction.objects.exists()


def test_moderator_sees_the_correction_as_a_diff_and_accepts_it(client, story, moderator):
    client.force_login(make_user())
    client.post(f"/anecdotes/{story.pk}/correct/", {"text": "The film was shot out of order."})
    correction = Correction.objects.get()
    client.force_login(moderator)
    review = client.get(f"/admin/trivia/correction/{correction.pk}/change/").content.decode()
    assert "<del>chronological</del>" in review and "<ins>out</ins>" in review
    client.post(f"/admin/trivia/correction/{correction.pk}/change/", {"_accept": "1"})
    assert Anecdote.objects.get(pk=story.pk).text == "The film was shot out of order."
    assert "shot out of order" in client.get(story.get_absolute_url()).content.decode()


def test_moderator_rejects_a_correction_and_the_text_stays(client, story, moderator):
    client.force_login(make_user())
    client.post(f"/anecdotes/{story.pk}/correct/", {"text": "Something else entirely."})
    correction = Correction.objects.get()
    client.force_login(moderator)
    client.post(
        f"/admin/trivia/correction/{correction.pk}/change/",
        {"_reject": "1", "message": "Needs a source"},
    )
    correction.refresh_from_db()
    assert (correction.state, correction.decision_message) == ("rejected", "Needs a source")
    assert Anecdote.objects.get(pk=story.pk).text == story.text


def test_moderator_dismisses_a_report_from_its_page(client, story, moderator):
    client.post(f"/anecdotes/{story.pk}/report/", {"reason": "duplicate"})
    report = Report.objects.get()
    client.force_login(moderator)
    review = client.get(f"/admin/trivia/report/{report.pk}/change/").content.decode()
    assert "It duplicates another story" in review and "unpublish it" in review
    client.post(f"/admin/trivia/report/{report.pk}/change/", {"_dismiss": "1", "message": "Fine"})
    report.refresh_from_db()
    assert (report.state, report.resolved_by, report.resolution) == ("dismissed", moderator, "Fine")


def test_moderator_resolves_reports_in_bulk(client, story, moderator):
    for _ in range(2):
        client.post(f"/anecdotes/{story.pk}/report/", {"reason": "spoiler"})
    client.force_login(moderator)
    response = client.post(
        "/admin/trivia/report/",
        {"action": "resolve_selected", "_selected_action": [r.pk for r in Report.objects.all()]},
        follow=True,
    )
    assert "2 reports closed" in response.content.decode()
    assert set(Report.objects.values_list("state", flat=True)) == {"resolved"}


def test_staff_without_the_moderation_permission_cannot_see_feedback(client, story):
    client.post(f"/anecdotes/{story.pk}/report/", {"reason": "other"})
    client.force_login(make_staff(permissions=["view_anecdote"]))
    report = Report.objects.get()
    assert client.get("/admin/trivia/report/").status_code == 403
    response = client.post(f"/admin/trivia/report/{report.pk}/change/", {"_dismiss": "1"})
    assert response.status_code == 403
    assert Report.objects.get().state == "open"


def test_a_reader_and_the_storys_contributor_propose_corrections_on_one_page(client, story):
    """/anecdotes/<id>/correct/ and /accounts/submissions/<id>/correct/: one view, one page,
    one form; only where each goes back to differs."""
    reader = make_user("reader")
    client.force_login(reader)
    from_story = client.get(f"/anecdotes/{story.pk}/correct/")
    client.force_login(story.contributor)
    from_submissions = client.get(f"/accounts/submissions/{story.pk}/correct/")
    for response in (from_story, from_submissions):
        assert response.status_code == 200
        assert "trivia/correction_form.html" in {t.name for t in response.templates}
        assert list(response.context["form"].fields) == ["text", "note"]
    assert client.post(
        f"/accounts/submissions/{story.pk}/correct/", {"text": "Shot out of order."}
    )["Location"] == ("/accounts/submissions/")
    client.force_login(reader)
    assert (
        client.post(f"/anecdotes/{story.pk}/correct/", {"text": "Shot backwards."})["Location"]
        == story.get_absolute_url()
    )
    assert Correction.objects.count() == 2
    # Each sees their own earlier proposal when they come back, and only theirs.
    page = client.get(f"/anecdotes/{story.pk}/correct/").content.decode()
    assert "Your earlier proposals" in page
    assert page.count('class="state state--pending"') == 1


def test_a_second_correction_while_the_first_waits_is_refused_on_the_form(client, story):
    client.force_login(make_user())
    client.post(f"/anecdotes/{story.pk}/correct/", {"text": "The film was shot out of order."})
    response = client.post(f"/anecdotes/{story.pk}/correct/", {"text": "Shot backwards."})
    assert response.status_code == 200
    assert "already have a correction of this story waiting" in response.content.decode()
    assert Correction.objects.count() == 1


def test_the_correction_diff_replaces_whole_words_without_gluing_them(client, story, moderator):
    client.force_login(make_user())
    client.post(
        f"/anecdotes/{story.pk}/correct/", {"text": "The film was spliced in chronological order."}
    )
    correction = Correction.objects.get()
    client.force_login(moderator)
    review = client.get(f"/admin/trivia/correction/{correction.pk}/change/").content.decode()
    assert "<del>shot</del> <ins>spliced</ins>" in review
    diff = re.search(r'<div class="diff">(.*?)</div>', review, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", diff) == (
        "The film was shot spliced in chronological order."  # each word whole, one space apart
    )


def test_reports_name_an_anonymous_reader_and_a_deleted_account_apart(client, story, moderator):
    client.post(f"/anecdotes/{story.pk}/report/", {"reason": "spoiler"})
    gone = make_user("gone")
    client.force_login(gone)
    client.post(f"/anecdotes/{story.pk}/report/", {"reason": "duplicate"})
    gone.delete()
    anonymous, deleted = Report.objects.order_by("pk")
    client.force_login(moderator)
    listing = client.get("/admin/trivia/report/").content.decode()
    assert "an anonymous reader" in listing and "a deleted account" in listing
    for report, sender in [
        (anonymous, "by an anonymous reader"),
        (deleted, "by a deleted account"),
    ]:
        review = client.get(f"/admin/trivia/report/{report.pk}/change/").content.decode()
        assert sender in review


def test_report_and_correction_lists_show_the_storys_title_linked_to_its_page(client, story):
    story.title = make_title("Jaws")
    story.save(update_fields=["title"])
    client.post(f"/anecdotes/{story.pk}/report/", {"reason": "spoiler"})
    client.force_login(make_user())
    client.post(f"/anecdotes/{story.pk}/correct/", {"text": "The film was shot out of order."})
    client.force_login(make_moderator())
    link = f'<a href="/admin/trivia/anecdote/{story.pk}/change/">Jaws</a>'
    for listing in ("/admin/trivia/report/", "/admin/trivia/correction/"):
        page = client.get(listing).content.decode()
        assert link in page and "The film was shot in chronological order." in page
