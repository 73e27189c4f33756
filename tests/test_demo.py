"""The demo content: seed titles, both seed articles imported, corrected and mostly approved."""

from io import StringIO

import pytest
from django.core.management import call_command
from taggit.models import Tag

from trivia import demo, services
from trivia.models import (
    Anecdote,
    ModerationEvent,
    Source,
    TaggedAnecdote,
    Title,
    TitleAlias,
)

pytestmark = pytest.mark.django_db
State = Anecdote.State


def load_demo():
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    load_demo()


def entries():
    """corrections.json's entries, in story order over both seeds."""
    table = demo.corrections()
    return [entry for name in demo.SEED_FILES for entry in table[name]]


def test_titles_of_the_csv_exist_with_kind_years_and_original_title(loaded):
    rows = demo.title_rows()
    assert Title.objects.count() == len({row["title"] for row in rows}) == 25
    parks = Title.objects.get(name="Parks and Recreation")
    assert (parks.kind, parks.year, parks.end_year) == ("series", 2009, 2015)
    amelie = Title.objects.get(name="Amélie")
    assert (amelie.kind, amelie.year, amelie.original_title) == (
        "film",
        2001,
        "Le Fabuleux Destin d'Amélie Poulain",
    )


def test_garbled_seed_headings_and_original_titles_are_aliases(loaded):
    aliases = dict(TitleAlias.objects.values_list("name", "title__name"))
    assert aliases["Boxing Club"] == "Fight Club"
    assert aliases["The rescued Jiang Ge"] == "Django Unchained"
    assert aliases["Rocky 4"] == "Rocky IV"
    assert aliases["Batman: The Dark Knight"] == "The Dark Knight"
    assert aliases["Interview with the Vampire: The Vampire Chronicles"] == (
        "Interview with the Vampire"
    )
    # Names that already normalise to the title's own are not repeated as aliases.
    assert "Parks & Recreation" not in aliases and "The fight Club" not in aliases


def test_both_seeds_are_imported_as_one_source_each_citing_their_stories(loaded):
    sources = Source.objects.order_by("pk")
    assert [source.title for source in sources] == [
        "18 small stories behind the scenes you don’t know",
        "10 behind-the-scenes details that made some scenes memorable",
    ]
    assert [source.citations.count() for source in sources] == [18, 10]
    assert Anecdote.objects.count() == 28


def test_published_stories_are_the_corrected_ones_with_the_correction_in_history(loaded):
    approved = [entry for entry in entries() if entry.get("approve", True)]
    published = Anecdote.objects.published().select_related("title").prefetch_related("tags")
    assert published.count() == len(approved) == 24
    by_text = {story.text: story for story in published}
    for entry in approved:
        story = by_text[entry["text"]]
        assert story.title.name == entry["title"]
        assert sorted(tag.name for tag in story.tags.all()) == sorted(entry["tags"])
        actions = list(story.events.order_by("pk").values_list("action", "actor__username"))
        assert actions == [
            ("imported", "moderator"),
            ("edited", "moderator"),
            ("approved", "moderator"),
        ]
        imported = story.events.order_by("pk").first().snapshot["text"]
        assert imported.startswith(entry["was"]) and imported != story.text


def test_garbled_names_are_gone_from_published_stories(loaded):
    published = " ".join(Anecdote.objects.published().values_list("text", flat=True))
    for garbled in ("Kino Rives", "Sean Bing", "Boxing Club", "The glow", "Good boys"):
        assert garbled not in published
    assert "Keanu Reeves" in published and "Sean Bean" in published


def test_the_queue_holds_the_stories_left_for_a_moderator_to_try(loaded):
    left = [entry["was"] for entry in entries() if not entry.get("approve", True)]
    queue = Anecdote.objects.pending().order_by("pk")
    assert len(left) == queue.count() == 4
    for was, story in zip(left, queue, strict=True):
        assert story.text.startswith(was)  # untouched: still the imported text
        assert list(story.events.values_list("action", flat=True)) == ["imported"]
    winslet = queue.get(text__startswith="Kate Winslet")
    assert winslet.title is None  # heading-less: a moderator assigns Titanic


def test_headingless_stories_are_given_their_titles(loaded):
    for opening, name in [
        ("NASA showed Armageddon", "Armageddon"),
        ("During a lunch break", "The Terminator"),
        ("To prepare for the lead role, Adrien Brody", "The Pianist"),
        ("James Cameron was so demanding", "Titanic"),
    ]:
        story = Anecdote.objects.published().get(text__startswith=opening)
        assert story.title.name == name
        assert story.proposed_title == ""


def test_dubious_claims_and_a_famous_myth_are_published_with_a_note(loaded, client):
    """The demo fills /disputed/ and /myths/, each story saying what is known."""
    published = Anecdote.objects.published()
    disputed = published.filter(accuracy=Anecdote.Accuracy.DISPUTED)
    myths = published.filter(accuracy=Anecdote.Accuracy.DEBUNKED)
    assert list(disputed.values_list("title__name", flat=True)) == ["Fight Club"]
    assert list(myths.values_list("title__name", flat=True)) == ["The Dark Knight"]
    assert all(story.accuracy_note for story in [*disputed, *myths])
    assert "the pause was written into the scene" in client.get("/myths/").content.decode()


def test_fight_club_and_the_dark_knight_hold_published_stories_from_both_sources(loaded):
    for name in ("Fight Club", "The Dark Knight"):
        sources = Source.objects.filter(
            citations__anecdote__in=Anecdote.objects.published().filter(title__name=name)
        ).distinct()
        assert sources.count() == 2, name


def test_title_page_shows_the_corrected_stories_and_not_the_queue(loaded, client):
    page = client.get("/titles/fight-club/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Brad Pitt and Edward Norton both learned how to make soap for their roles." in html
    assert "The film was shot in chronological order." in html
    titanic = client.get("/titles/titanic/").content.decode()
    assert "nail gun" in titanic
    assert "Kate Winslet discovered" not in titanic


def test_running_it_again_creates_nothing():
    load_demo()
    models = (Title, TitleAlias, Source, Anecdote, ModerationEvent, Tag, TaggedAnecdote)
    before = [model.objects.count() for model in models]
    out = load_demo()
    assert [model.objects.count() for model in models] == before
    assert "0 titles, 0 aliases, 0 stories from 0 articles added now, 0 corrected" in out
    assert "24 stories published, 4 waiting in the moderation queue" in out


def test_a_later_moderator_decision_stands_when_it_runs_again(moderator):
    load_demo()
    story = Anecdote.objects.published().get(text__startswith="Will Smith grew so attached")
    services.unpublish_story(
        story=story, moderator=moderator, reason="other", message="Checking the dog's name."
    )
    load_demo()
    story.refresh_from_db()
    assert story.state == State.PENDING
    assert Anecdote.objects.published().count() == 23
