"""/submit/: a contributor finds the title, writes the story with its sources, previews it next
to similar published stories, and sends it once to the moderation queue."""

import uuid

import pytest
from django.apps import apps

from tests.factories import (
    make_anecdote,
    make_moderator,
    make_source,
    make_title,
    make_user,
)
from tests.submit_form import KUBRICK, form_data
from trivia import similar
from trivia.models import Anecdote, ModerationEvent, Person, Source
from trivia.templatetags.backlot import linkify_plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def shining(db):
    return make_title("The Shining", year=1980, aliases=["Shining"])


def preview(client, data):
    return client.post("/submit/", {**data, "action": "preview"})


def send(client, data):
    return client.post("/submit/", {**data, "action": "submit"})


def text_of(response):
    return response.content.decode()


# --- Who may submit -----------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_first(client):
    response = client.get("/submit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/submit/" in response["Location"]


def test_anonymous_post_creates_nothing(client, shining):
    response = send(client, form_data(shining))
    assert response.status_code == 302
    assert not Anecdote.objects.exists()


@pytest.mark.skipif(
    not apps.is_installed("allauth.account"), reason="email verification comes with allauth"
)
def test_account_without_a_confirmed_address_is_asked_to_confirm_it(client, shining):
    client.force_login(make_user("newbie"))
    page = client.get("/submit/")
    assert page.status_code == 403
    assert "Confirm your email address first" in text_of(page)
    assert send(client, form_data(shining)).status_code == 403
    assert not Anecdote.objects.exists()


def test_signed_in_contributor_gets_the_form(author_client):
    page = author_client.get("/submit/")
    assert page.status_code == 200
    html = text_of(page)
    assert "Share a behind-the-scenes story" in html
    assert 'name="submission_key"' in html
    assert 'name="website"' in html  # the honeypot


# --- Choosing the title ----------------------------------------------------------------------


def test_title_search_without_javascript_lists_names_and_aliases_as_choices(author_client):
    rocky = make_title("Rocky IV", year=1985, aliases=["Rocky 4"])
    amelie = make_title("Amélie", year=2001)
    make_title("Fight Club", year=1999)

    by_alias = text_of(author_client.get("/submit/", {"title_q": "rocky 4"}))
    assert f'name="title" value="{rocky.pk}"' in by_alias
    assert "also known as “Rocky 4”" in by_alias
    assert "Fight Club" not in by_alias

    without_accent = text_of(author_client.get("/submit/", {"title_q": "AMELIE"}))
    assert f'name="title" value="{amelie.pk}"' in without_accent

    nothing = text_of(author_client.get("/submit/", {"title_q": "Zardoz"}))
    assert "No title matches “Zardoz”" in nothing


def test_search_button_keeps_everything_typed_and_judges_nothing(author_client, shining):
    data = form_data(text="Half a story I am still writing.", title_q="shining")
    data["source-0-url"] = ""
    response = author_client.post("/submit/", {**data, "action": "search"})
    html = text_of(response)
    assert f'name="title" value="{shining.pk}"' in html
    assert "Half a story I am still writing." in html
    assert "Takes, Shelley Duvall" in html
    assert "needs another look" not in html
    assert not Anecdote.objects.exists()


def test_title_search_endpoint_answers_as_you_type(author_client):
    rocky = make_title("Rocky IV", year=1985, aliases=["Rocky 4"])
    make_title("Rocky", year=1976)
    make_title("Fight Club", year=1999)

    results = author_client.get("/submit/titles/", {"q": "rock"}).json()["results"]
    assert [result["label"] for result in results] == ["Rocky (1976)", "Rocky IV (1985)"]

    by_alias = author_client.get("/submit/titles/", {"q": "Rocky 4"}).json()["results"]
    assert by_alias == [
        {"id": rocky.pk, "label": "Rocky IV (1985)", "kind": "Film", "also_known_as": "Rocky 4"}
    ]
    assert author_client.get("/submit/titles/", {"q": "\x00"}).json()["results"] == []


def test_title_search_endpoint_is_for_signed_in_contributors(client):
    assert client.get("/submit/titles/", {"q": "rocky"}).status_code == 302


def test_a_link_from_a_title_starts_with_that_title_chosen(author_client, shining):
    html = text_of(author_client.get("/submit/", {"title": shining.slug}))
    assert f'name="title" value="{shining.pk}" checked' in html


@pytest.mark.parametrize("forged", ["", "abc", "²", "999999", "99999999999999999999999"])
def test_a_missing_or_unknown_title_is_a_clear_error(author_client, forged):
    response = preview(author_client, form_data(title=forged))
    assert response.status_code == 200
    html = text_of(response)
    assert (
        "Choose the film or series this story is about" in html
        or "That title is no longer on Backlot" in html
    )


def test_nul_bytes_anywhere_get_a_message_not_an_error(author_client, shining):
    assert author_client.get("/submit/", {"title": "x\x00", "title_q": "\x00"}).status_code == 200
    fields = ["title", "new_title_name", "new_title_year", "tags", "source-0-url"]
    fields += ["source-0-title", "source-0-date", "source-0-locator", "submission_key"]
    for field in fields:
        data = {**form_data(shining), field: "a\x00b", "title_q": "\x00"}
        for action in ("search", "preview", "submit"):
            response = author_client.post("/submit/", {**data, "action": action})
            assert response.status_code == 200, (field, action)
    assert not Anecdote.objects.exists()


def test_a_new_title_is_proposed_with_the_story(author_client):
    data = form_data(
        title="new", new_title_name="Paris, Texas", new_title_kind="film", new_title_year="1984"
    )
    page = text_of(preview(author_client, data))
    assert "A new title: <strong>Paris, Texas</strong>" in page
    send(author_client, data)
    story = Anecdote.objects.get()
    assert story.title is None
    assert (story.proposed_title, story.proposed_title_kind, story.proposed_title_year) == (
        "Paris, Texas",
        "film",
        1984,
    )


def test_proposing_a_title_backlot_already_has_points_to_it(author_client):
    rocky = make_title("Rocky IV", year=1985, aliases=["Rocky 4"])
    data = form_data(title="new", new_title_name="rocky 4")
    html = text_of(preview(author_client, data))
    assert "Backlot already has “Rocky IV (1985)”" in html
    assert f'name="title" value="{rocky.pk}"' in html
    assert not Anecdote.objects.exists()


def test_a_remake_of_the_same_name_can_be_proposed_with_its_year(author_client):
    make_title("Dune", year=1984)
    send(author_client, form_data(title="new", new_title_name="Dune", new_title_year="2021"))
    assert Anecdote.objects.get().proposed_title == "Dune"


def test_a_new_title_needs_a_name(author_client):
    html = text_of(preview(author_client, form_data(title="new")))
    assert "Give the name of the film or series." in html


# --- The text and tags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the story here."),
        ("A bell\x07 rang on set.", "invisible control character (U+0007)"),
        ("A NUL\x00 byte.", "invisible control character (U+0000)"),
        ("x" * 1501, "Keep the story to 1,500 characters (it has 1501)."),
    ],
)
def test_unusable_text_gets_a_clear_message(author_client, shining, text, message):
    response = preview(author_client, form_data(shining, text=text))
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Anecdote.objects.exists()


def test_line_breaks_sent_by_a_browser_count_once(author_client, shining):
    text = ("y" * 98 + "\r\n") * 15  # 1,500 characters once "\r\n" is one line break
    send(author_client, form_data(shining, text=text))
    assert Anecdote.objects.get().text == text.replace("\r\n", "\n").strip()


def test_tags_are_normalised(author_client, shining):
    send(author_client, form_data(shining, tags="  Takes ,#takes, SHELLEY   Duvall,, "))
    story = Anecdote.objects.get()
    assert sorted(tag.name for tag in story.tags.all()) == ["shelley duvall", "takes"]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (",".join(f"tag{n}" for n in range(9)), "Choose at most 8 tags (there are 9)"),
        ("x" * 51, "A tag may have at most 50 characters"),
    ],
)
def test_too_many_or_too_long_tags_are_refused(author_client, shining, tags, message):
    assert message in text_of(preview(author_client, form_data(shining, tags=tags)))


def test_existing_tags_are_suggested(author_client):
    make_anecdote(tags=["practical effects"], state="published")
    make_anecdote(tags=["unseen pending tag"], state="pending")
    html = text_of(author_client.get("/submit/"))
    assert '<option value="practical effects">' in html
    assert "unseen pending tag" not in html


# --- Sources --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source-0-url": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"source-0-url": "data:text/html,<script>alert(1)</script>"}, "http:// or https://"),
        ({"source-0-url": "ftp://example.org/file"}, "starting with http:// or https://"),
        ({"source-0-url": ""}, "Give at least one source: its web address, or at least its"),
        (
            {"source-0-url": "", "source-0-author": "Someone"},
            "Give this source&#x27;s web address, or at least its title.",
        ),
        (
            {"source-1-url": "https://example.org/making-of-the-shining"},
            "The same web address is given twice",
        ),
    ],
)
def test_unusable_sources_get_a_clear_message(author_client, shining, fields, message):
    response = preview(author_client, form_data(shining, **fields))
    assert response.status_code == 200
    assert message in text_of(response)
    send(author_client, form_data(shining, **fields))
    assert not Anecdote.objects.exists()


def test_a_described_source_is_cited_with_its_page(author_client, shining):
    data = form_data(shining, **{"source-0-url": ""})
    data.update(
        {
            "source-0-kind": "book",
            "source-0-title": "The Stanley Kubrick Archives",
            "source-0-author": "Alison Castle",
            "source-0-publisher": "Taschen",
            "source-0-date": "2005-10-01",
            "source-0-locator": "p. 212",
        }
    )
    send(author_client, data)
    citation = Anecdote.objects.get().citations.select_related("source").get()
    assert citation.locator == "p. 212"
    source = citation.source
    assert (source.kind, source.title, source.author, source.publisher, str(source.date)) == (
        "book",
        "The Stanley Kubrick Archives",
        "Alison Castle",
        "Taschen",
        "2005-10-01",
    )


def test_a_source_given_in_the_second_place_is_enough(author_client, shining):
    data = form_data(shining, **{"source-0-url": "", "source-1-title": "Kubrick: a biography"})
    send(author_client, data)
    assert Anecdote.objects.get().sources.get().title == "Kubrick: a biography"


def test_a_known_address_reuses_its_source_and_a_second_source_is_cited(author_client, shining):
    known = make_source(title="Making The Shining", url="https://example.org/making-of-the-shining")
    data = form_data(shining, **{"source-1-url": "https://example.org/interview"})
    send(author_client, data)
    story = Anecdote.objects.get()
    sources = list(story.sources.order_by("pk"))
    assert sources[0] == known
    assert sources[1].url == "https://example.org/interview"
    assert Source.objects.count() == 2


def test_an_address_without_a_scheme_is_taken_as_https(author_client, shining):
    send(author_client, form_data(shining, **{"source-0-url": "example.org/shining"}))
    assert Anecdote.objects.get().sources.get().url == "https://example.org/shining"


# --- Preview and similar stories ------------------------------------------------------------


def test_preview_shows_similar_published_stories_and_the_story_as_it_will_look(
    author, author_client, shining
):
    similar = make_anecdote(
        title=shining,
        state="published",
        text="Shelley Duvall had to repeat the baseball bat scene 127 times for Kubrick.",
    )
    make_anecdote(
        title=shining,
        state="published",
        text="The hotel exteriors were filmed at the Timberline Lodge in Oregon.",
    )
    make_anecdote(
        title=shining,
        state="pending",
        text="Kubrick made Shelley Duvall repeat the baseball bat scene 127 times.",
    )
    make_anecdote(
        state="published", text="Kubrick made Shelley Duvall repeat the baseball bat scene."
    )

    response = preview(author_client, form_data(shining))
    html = text_of(response)
    assert "Is it one of these?" in html
    assert response.context["similar"] == [similar]
    assert "Send it anyway" in html
    assert "Your story, as readers will see it" in html
    assert KUBRICK in html
    assert "takes" in html and "example.org/making-of-the-shining" in html
    assert not Anecdote.objects.filter(contributor=author).exists()


def test_a_story_for_a_title_still_to_be_created_is_compared_across_titles(author_client, shining):
    """A contributor who did not find the film in the list may still be retelling a story
    published under it: on every database the site's latest stories are compared too."""
    told = make_anecdote(
        title=shining,
        state="published",
        text="Shelley Duvall had to repeat the baseball bat scene 127 times for Kubrick.",
    )
    response = preview(author_client, form_data(title="new", new_title_name="The Shinning"))
    assert response.context["similar"] == [told]
    assert "Is it one of these?" in text_of(response)


LEDGER_TOLD = (
    "To play the Joker, Heath Ledger shut himself away in a motel room for about six weeks "
    "and kept a diary."
)
LEDGER_TYPED = (
    "Heath Ledger locked himself in a hotel room for roughly a month and a half to find the "
    "Joker's voice."
)


@pytest.mark.parametrize("proposed", [False, True], ids=["title chosen", "new title proposed"])
def test_a_paraphrase_of_a_published_story_is_shown_before_sending(author_client, proposed):
    dark_knight = make_title("The Dark Knight", year=2008)
    told = make_anecdote(title=dark_knight, state="published", text=LEDGER_TOLD)
    make_anecdote(state="published", text="The Joker's makeup was applied by the actor.")
    if proposed:
        data = form_data("new", new_title_name="Batman: The Dark Knight", text=LEDGER_TYPED)
    else:
        data = form_data(dark_knight, text=LEDGER_TYPED)
    response = preview(author_client, data)
    assert response.context["similar"] == [told]
    html = text_of(response)
    assert "Is it one of these?" in html
    assert "shut himself away in a motel room" in html


@pytest.mark.parametrize("found_by", ["title name", "person"])
def test_a_proposed_titles_story_is_compared_beyond_the_latest_by_name_and_people(
    author_client, monkeypatch, found_by
):
    """Older than the site's latest stories, a retelling is still found through the titles the
    proposed name may be another name of, or the people the text names."""
    monkeypatch.setattr(similar, "CANDIDATES", 1)
    ledger = Person.objects.create(name="Heath Ledger")
    title = make_title("The Dark Knight" if found_by == "title name" else "Behind the Mask")
    people = [ledger.pk] if found_by == "person" else []
    told = make_anecdote(title=title, state="published", text=LEDGER_TOLD, people=people)
    make_anecdote(state="published", text="The batpod was built for the chase in Chicago.")
    data = form_data("new", new_title_name="Dark Knight Diaries", text=LEDGER_TYPED)
    assert preview(author_client, data).context["similar"] == [told]


def test_preview_and_search_run_a_fixed_number_of_queries(
    author_client, shining, django_assert_max_num_queries
):
    for number in range(12):
        make_anecdote(
            title=shining,
            state="published",
            tags=[f"tag {number}", "takes"],
            sources=2,
            text=f"Kubrick made Shelley Duvall repeat the baseball bat scene {number} times.",
        )
        make_title(f"Shining Lights {number}", aliases=[f"Shining Alias {number}"])
    with django_assert_max_num_queries(14):
        response = preview(author_client, form_data(shining))
    assert len(response.context["similar"]) == 3
    with django_assert_max_num_queries(10):
        response = author_client.get("/submit/", {"title_q": "shining"})
    assert len(response.context["title_choices"]) == 10


def test_preview_without_similar_stories_offers_a_plain_send(author_client, shining):
    html = text_of(preview(author_client, form_data(shining)))
    assert "Is it one of these?" not in html
    assert "Send it to the moderators" in html


def test_the_preview_carries_everything_to_the_final_step(author_client, shining):
    """The final step posts what the preview page holds in its hidden fields."""
    data = form_data(shining, is_spoiler="on", text="Line one.\r\nLine two.")
    response = preview(author_client, data)
    carried = {
        name: value
        for name, value in _hidden_inputs(text_of(response))
        if name not in ("csrfmiddlewaretoken",)
    }
    author_client.post("/submit/", {**carried, "action": "submit"})
    story = Anecdote.objects.get()
    assert story.text == "Line one.\nLine two."
    assert story.is_spoiler
    assert story.title == shining
    assert story.sources.get().url == "https://example.org/making-of-the-shining"


def _hidden_inputs(html):
    import html as html_module
    import re

    for match in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        yield match.group(1), html_module.unescape(match.group(2))


def test_changing_something_after_the_preview_keeps_everything(author_client, shining):
    data = form_data(shining, text="Keep me exactly.")
    response = author_client.post("/submit/", {**data, "action": "edit"})
    html = text_of(response)
    assert "Keep me exactly." in html
    assert f'name="title" value="{shining.pk}" checked' in html
    assert "https://example.org/making-of-the-shining" in html
    assert "needs another look" not in html


# --- The final step -------------------------------------------------------------------------


def test_final_step_creates_one_pending_story_with_its_event(author_client, author, shining):
    response = send(author_client, form_data(shining, is_spoiler="on"))
    story = Anecdote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submit/sent/{story.pk}/"
    assert story.state == Anecdote.State.PENDING
    assert story.contributor == author
    assert story.title == shining
    assert story.is_spoiler
    assert story.submitted_at is not None
    event = ModerationEvent.objects.get(anecdote=story)
    assert (event.action, event.actor, event.to_state) == ("submitted", author, "pending")

    confirmation = text_of(author_client.get(response["Location"]))
    assert "Your story is waiting for a moderator" in confirmation
    assert 'href="/accounts/submissions/"' in confirmation


def test_a_double_clicked_final_step_creates_one_story(author_client, shining):
    data = form_data(shining)
    first = send(author_client, data)
    second = send(author_client, data)
    assert Anecdote.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_coming_back_to_a_sent_form_makes_a_new_submission(author_client, shining):
    data = form_data(shining)
    send(author_client, data)
    again = preview(author_client, {**data, "text": "Another story entirely, about the maze."})
    new_key = again.context["submission_key"]
    assert str(new_key) != data["submission_key"]
    send(author_client, {**data, "submission_key": str(new_key), "text": "The maze story."})
    assert Anecdote.objects.count() == 2


def test_someone_elses_submission_key_neither_shows_nor_reuses_their_story(author_client, shining):
    theirs = make_anecdote(title=shining, submission_key=uuid.uuid4())
    response = send(author_client, form_data(shining, submission_key=str(theirs.submission_key)))
    assert response.status_code == 200
    assert "This form was already used" in text_of(response)
    assert theirs.text not in text_of(response)
    assert Anecdote.objects.count() == 1
    assert Source.objects.filter(url="https://example.org/making-of-the-shining").count() == 0


def test_forged_state_author_and_moderator_fields_are_ignored(author_client, author, shining):
    other = make_user("mallory")
    data = form_data(
        shining,
        state="published",
        contributor=str(other.pk),
        contributor_id=str(other.pk),
        version="42",
        accuracy="corroborated",
        published_at="2020-01-01T00:00:00Z",
        rejection_reason="",
        moderator_message="Approved!",
    )
    send(author_client, data)
    story = Anecdote.objects.get()
    assert story.state == Anecdote.State.PENDING
    assert story.contributor == author
    assert story.version == 1
    assert story.accuracy == Anecdote.Accuracy.UNVERIFIED
    assert story.published_at is None
    assert story.moderator_message == ""


def test_a_filled_honeypot_creates_nothing(author_client, shining):
    data = form_data(shining, website="http://spam.example")
    for response in (preview(author_client, data), send(author_client, data)):
        assert response.status_code == 200
        html = text_of(response)
        assert "looked automated" in html
        assert "http://spam.example" not in html  # rendered empty, so a person can resend
    assert not Anecdote.objects.exists()


def test_a_new_accounts_fourth_story_of_the_day_gets_a_friendly_message(
    author_client, author, shining, settings
):
    settings.NEW_ACCOUNT_DAILY_STORIES = 3
    for _ in range(3):
        make_anecdote(contributor=author)
    text = "A fourth story, which I would not like to lose."
    for response in (
        preview(author_client, form_data(shining, text=text)),
        send(author_client, form_data(shining, text=text)),
    ):
        assert response.status_code == 200
        html = text_of(response)
        assert "New accounts can submit 3 stories a day" in html
        assert text in html
    assert Anecdote.objects.count() == 3
    assert not Source.objects.filter(url="https://example.org/making-of-the-shining").exists()


def test_an_account_with_an_approved_story_is_not_held_to_the_daily_limit(
    author_client, author, shining, settings
):
    settings.NEW_ACCOUNT_DAILY_STORIES = 3
    make_anecdote(contributor=author, state="published")
    for _ in range(3):
        make_anecdote(contributor=author)
    send(author_client, form_data(shining))
    assert Anecdote.objects.count() == 5


def test_too_many_submits_get_a_friendly_429(author_client, shining, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (2, 3600)}
    statuses = [send(author_client, form_data(shining)).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    limited = send(author_client, form_data(shining))
    assert "Too many requests" in text_of(limited)
    assert limited["Retry-After"] == "3600"
    assert Anecdote.objects.count() == 2


def test_a_limited_submit_shows_the_form_again_with_the_story_typed(
    author_client, shining, settings
):
    """The 429 keeps what the contributor typed, escaped, and says when to send it again."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (1, 3600)}
    assert send(author_client, form_data(shining)).status_code == 302
    typed = 'Kubrick kept <b>every</b> take & said "again" 127 times.'
    limited = send(author_client, form_data(shining, text=typed, tags="Takes"))
    assert limited.status_code == 429
    assert limited["Retry-After"] == "3600"
    html = text_of(limited)
    assert "send it again in about 60 minutes" in html
    assert "Kubrick kept &lt;b&gt;every&lt;/b&gt; take &amp; said &quot;again&quot; 127" in html
    assert "<b>every</b>" not in html
    assert f'value="{shining.pk}" checked' in html
    assert Anecdote.objects.count() == 1


def test_searching_and_previewing_text_do_not_count_against_the_limit(
    author_client, shining, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (1, 3600)}
    for _ in range(3):
        assert preview(author_client, form_data(shining)).status_code == 200
        assert (
            author_client.post("/submit/", {**form_data(), "action": "search"}).status_code == 200
        )
    assert send(author_client, form_data(shining)).status_code == 302


def test_the_confirmation_is_only_for_the_stories_contributor(client, author_client, shining):
    send(author_client, form_data(shining))
    story = Anecdote.objects.get()
    client.force_login(make_user("eve"))
    assert client.get(f"/submit/sent/{story.pk}/").status_code == 404


def test_moderators_need_no_email_confirmation(client, shining):
    client.force_login(make_moderator("mona"))
    assert send(client, form_data(shining)).status_code == 302
    assert Anecdote.objects.get().contributor.username == "mona"


# --- Links in stories -----------------------------------------------------------------------


def test_addresses_in_a_story_become_links_and_everything_else_stays_text(author_client, shining):
    text = (
        "Kubrick's notes (see https://example.org/notes?a=1&b=2). "
        '<script>alert("x")</script> javascript:alert(1)'
    )
    send(author_client, form_data(shining, text=text))
    story = Anecdote.objects.get()
    html = text_of(author_client.get(story.get_absolute_url()))
    assert (
        '<a href="https://example.org/notes?a=1&amp;b=2" rel="nofollow ugc">'
        "https://example.org/notes?a=1&amp;b=2</a>)." in html
    )
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; javascript:alert(1)" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "Read https://example.org/a.",
            'Read <a href="https://example.org/a" rel="nofollow ugc">https://example.org/a</a>.',
        ),
        (
            "(see https://en.wikipedia.org/wiki/Jaws_(film))",
            '(see <a href="https://en.wikipedia.org/wiki/Jaws_(film)" rel="nofollow ugc">'
            "https://en.wikipedia.org/wiki/Jaws_(film)</a>)",
        ),
        (
            '"https://x.test/?q=<b>"',
            '&quot;<a href="https://x.test/?q=" rel="nofollow ugc">'
            "https://x.test/?q=</a>&lt;b&gt;&quot;",
        ),
        ("http:// alone, ftp://x.test, www.x.test", "http:// alone, ftp://x.test, www.x.test"),
        ("http://[::1 broken", "http://[::1 broken"),
    ],
)
def test_linkify_plain_links_web_addresses_and_escapes_the_rest(text, html):
    assert linkify_plain(text) == html
