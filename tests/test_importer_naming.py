"""Naming imported stories (trivia.importer.naming): a title for every story a careful reader
could name, a new title proposed where none is known, the people named, and the garbled names a
moderator should correct; then the same through ``import_article``, as a dry run shows it and as
the queue receives it."""

import pytest

from tests.factories import make_title
from trivia import demo
from trivia.importer.naming import name_stories
from trivia.importer.reading import read_article
from trivia.importer.splitting import Article, Story
from trivia.importer.writing import import_article
from trivia.matching.people import PersonIndex, PersonRef
from trivia.matching.titles import TitleIndex, TitleRef
from trivia.models import Anecdote

TITLES = TitleIndex(
    (TitleRef(pk=number, slug=f"t{number}", name=name, year=year), [name])
    for number, (name, year) in enumerate(
        [
            ("Django Unchained", 2012),
            ("Squid Game", 2021),
            ("Game of Thrones", 2011),
            ("Friends", 1994),
            ("The Terminator", 1984),
            ("Jurassic Park", 1993),
            ("It", 2017),
            ("Up", 2009),
            ("Her", 2013),
            ("Us", 2019),
            ("Signs", 2002),
            ("Joker", 2019),
            ("Bad Boys", 1995),
        ],
        start=1,
    )
)
PEOPLE = PersonIndex(
    (PersonRef(pk=number, slug=f"p{number}", name=name), [name])
    for number, name in enumerate(
        [
            "Keanu Reeves",
            "Audrey Tautou",
            "Sean Bean",
            "Kit Harington",
            "Leonardo DiCaprio",
            "Heath Ledger",
            "Tom Hardy",
            "Emma Watson",
            "Matt Damon",
        ],
        start=1,
    )
)


def named(heading, text, *, title=None, cited=()):
    """The story as ``name_stories`` leaves it."""
    story = Story(heading=heading, text=text, title=title)
    article = Article(title="", stories=[story])
    name_stories(article, titles=TITLES, people=PEOPLE, cited_names=cited)
    return story


def title_of(story):
    return story.title.name if story.title else None


# --- Titles ---------------------------------------------------------------------------------------


def test_a_pun_heading_is_named_by_the_title_in_the_first_sentence_with_a_note():
    story = named("Bloody Bad Guy", "While shooting Django Unchained, DiCaprio cut his hand.")
    assert title_of(story) == "Django Unchained"
    assert story.notes == ["Title found in the text: Django Unchained."]


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Real Tempered Glass – Squid Game (2021)", "Squid Game"),
        ("Squid Game: the glass was real", "Squid Game"),
        ("Squid Game (2021): Real Tempered Glass", "Squid Game"),
        ("Game of Thrones Kit Harington's fake acting", "Game of Thrones"),
        ("Surprise entrance of Janice (Friends)", "Friends"),
    ],
)
def test_a_heading_that_carries_a_known_title_with_a_description_is_matched(heading, title):
    assert title_of(named(heading, "The crew kept it quiet for years.")) == title


@pytest.mark.parametrize(
    ("heading", "proposed"),
    [
        ("Real Tempered Glass – Squid Games (2022)", "Squid Games (2022)"),
        ("Money Heist: the masks were cheap", "Money Heist"),
        ("Money Heist (2017): The Masks", "Money Heist (2017)"),
        ("House of the Dragon Kit Harington's cameo", "House of the Dragon"),
        ("Surprise entrance of Janice (Seinfeld)", "Seinfeld"),
        ("The Glow (1980)", "The Glow (1980)"),
        ("The glow", "The glow"),  # nothing better: the heading, as the import always did
    ],
)
def test_an_unknown_title_in_the_heading_is_proposed_with_its_year(heading, proposed):
    story = named(heading, "The crew kept it quiet for years.")
    assert (story.title, story.proposed_title) == (None, proposed)


@pytest.mark.parametrize(
    ("text", "proposed"),
    [
        ("While filming Mad Max: the crew crashed cars.", "Mad Max"),
        ("On the set of Mad Max (2015), the crew crashed cars.", "Mad Max (2015)"),
        ("In Mad Max, the crew crashed real cars.", "Mad Max"),
        ("The crew worked in The Big Lebowski, rolling real bowling balls.", "The Big Lebowski"),
        ("For Speed (1994), the lead actor did the bus stunts himself.", "Speed (1994)"),
    ],
)
def test_a_headless_story_proposes_the_film_its_text_names_as_articles_do(text, proposed):
    story = named(None, text)
    assert (story.title, story.proposed_title) == (None, proposed)
    assert story.notes == [f"New title named in the text: {proposed}."]


def test_a_sentence_heading_proposes_no_title_and_says_so():
    story = named("The hospital explosion had a very real hiccup.", "Nobody expected the pause.")
    assert (story.title, story.proposed_title) == (None, None)
    assert story.notes == ["No title found: choose one or create it."]
    story = named("Kino Rives did his own stunts again", "The crew watched him do it.")
    assert story.proposed_title is None


def test_places_after_in_are_not_proposed_as_titles():
    story = named(None, "The scene was filmed in Los Angeles, then again in Paris, at night.")
    assert (story.title, story.proposed_title) == (None, None)


def test_a_name_the_article_set_in_italics_names_the_title_even_a_common_word():
    assert title_of(named("A new voice", "Her script changed weekly.", cited=["Her"])) == "Her"
    story = named("A new voice", "Arrival's script changed weekly.", cited=["Arrival"])
    assert story.proposed_title == "Arrival"


def test_a_garbled_title_in_the_heading_is_read_as_the_known_one_with_a_note():
    story = named("Real Tempered Glass – Sqiud Game (2021)", "The glass bridge was real.")
    assert title_of(story) == "Squid Game"
    assert story.notes == ["“Sqiud Game” read as Squid Game."]


def test_the_splitters_exact_match_is_kept():
    game = TITLES.match("Squid Game")
    story = named("Squid Game", "While shooting Django Unchained, nobody slept.", title=game)
    assert title_of(story) == "Squid Game" and story.notes == []


def test_a_title_the_heading_and_the_text_both_name_wins_over_the_first_sentence():
    story = named(
        "Game of Thrones Kit Harington's stunt",
        "Unlike on Django Unchained, the stunt on Game of Thrones was real.",
    )
    assert title_of(story) == "Game of Thrones"


@pytest.mark.parametrize(
    ("heading", "text"),
    [
        ("Bloody Bad Guy", "The director kept the take. It was perfect."),
        ("It Was All a Dream", "Up to that point, nobody had noticed her."),
        ("Signs of Trouble", "Signs of wear were painted on. Us? We were exhausted."),
        ("Up All Night", "The crew gave her all they had, with friends of the director."),
        ("Her Finest Hour", "It rained for three days, so they shot it inside."),
        ("The Joker Laughs Last", "He played the Joker for weeks between takes."),
    ],
)
def test_a_pun_or_sentence_heading_is_never_matched_to_an_unrelated_title(heading, text):
    story = named(heading, text)
    assert story.title is None
    assert story.notes == []


# --- People and corrections -----------------------------------------------------------------------


def test_people_named_in_the_heading_and_the_text_are_suggested_in_order():
    story = named("Kit Harington's fake acting", "Heath Ledger and Kit Harington laughed.")
    assert [person.name for person in story.people] == ["Kit Harington", "Heath Ledger"]


def test_garbled_names_close_to_a_known_person_or_title_are_offered_as_corrections():
    story = named(
        "Secret training",
        "Kino Rives trained for months. Audrey Tutu could not play the float. However, Sean "
        "Bing is afraid of flying, as the crew of Jurrasic Park knew.",
    )
    assert story.corrections == [
        {"typed": "Kino Rives", "known": "Keanu Reeves"},
        {"typed": "Audrey Tutu", "known": "Audrey Tautou"},
        {"typed": "Sean Bing", "known": "Sean Bean"},
        {"typed": "Jurrasic Park", "known": "Jurassic Park"},
    ]


def test_real_names_near_a_known_one_are_not_corrected():
    story = named(
        "Cameos",
        "Sean Penn, Tom Hanks, Emma Stone, Matt Dillon and Audrey Hepburn never met Sean Bean, "
        "Tom Hardy, Emma Watson or Matt Damon. Los Angeles and Brazilian Jiu-Jitsu.",
    )
    assert story.corrections == []


# --- Through import_article -----------------------------------------------------------------------


SEED_000 = demo.DEMO_DATA / "000_afe1879c3c2b59d4.txt"


@pytest.fixture
def demo_catalogue(db):
    summary = demo.DemoSummary()
    demo.load_titles(summary)
    demo.load_people(summary)


@pytest.mark.django_db
def test_a_dry_run_names_the_seed_stories_and_offers_corrections_for_garbled_aliases(
    demo_catalogue,
):
    result = import_article(read_article(SEED_000), dry_run=True)
    stories = {story.text[:20]: story for story in result.article.stories}
    wick = stories["Kino Rives himself p"]
    assert wick.title.name == "John Wick: Chapter 2"
    assert [person.name for person in wick.people] == ["Keanu Reeves"]
    assert wick.corrections == [{"typed": "Kino Rives", "known": "Keanu Reeves"}]
    terminator = stories["While taking a break"]
    assert terminator.heading is None and terminator.title.name == "The Terminator"
    assert terminator.notes == ["Title found in the text: The Terminator."]
    assert not Anecdote.objects.exists()


@pytest.mark.django_db
def test_a_proposed_title_is_stored_with_its_year_and_a_matched_one_as_the_title():
    make_title("Django Unchained", year=2012)
    text = (
        "Secrets of the set\n\n"
        "Real Tempered Glass – Squid Game (2021)\n\n"
        "The glass bridge was made of real tempered glass, so the fear was real.\n\n"
        "Bloody Bad Guy\n\n"
        "While shooting Django Unchained, the lead cut his hand and kept acting.\n"
    )
    import_article(text)
    glass, blood = Anecdote.objects.order_by("pk")
    assert (glass.title, glass.proposed_title, glass.proposed_title_year) == (
        None,
        "Squid Game",
        2021,
    )
    assert (blood.title.name, blood.proposed_title) == ("Django Unchained", "")
