"""Which title or person is this name (trivia.matching): normal forms, the title a heading
names, the titles a proposed name duplicates, the titles whose names begin with what was typed,
the titles a running text names and the known names a garbled one is close to. Finding people in
a text is tested with the people, in tests/test_people.py."""

import pytest

from tests.factories import make_anecdote, make_title, move_to
from trivia import demo, queries
from trivia.matching.mentions import NameIndex
from trivia.matching.names import close_spelling, normalize_name, text_words
from trivia.matching.titles import TitleIndex, TitleRef, titles_matching, titles_named
from trivia.models import Anecdote, Title

# --- Normal forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Parks & Recreation", "parks and recreation"),
        ("The Parks and Recreation!", "parks and recreation"),
        ("Amélie", "amelie"),
        ("Schindler’s List", "schindler s list"),
        ("The", "the"),
        ("", ""),
    ],
)
def test_names_are_compared_in_one_normal_form(name, normal):
    assert normalize_name(name) == normal


def test_running_text_keeps_its_leading_article_and_capitals():
    assert [(w.normal, w.capitalised) for w in text_words("The Rock’s")] == [
        ("the", True),
        ("rock", True),
        ("s", False),
    ]


# --- The title a heading names --------------------------------------------------------------------


@pytest.fixture
def demo_titles(db):
    return demo.load_titles(demo.DemoSummary())


@pytest.mark.django_db
def test_title_index_is_built_in_one_query(demo_titles, django_assert_num_queries):
    with django_assert_num_queries(1):
        index = TitleIndex.from_db()
    assert len(index) == Title.objects.count()


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("Batman: The Dark Knight", "The Dark Knight"),
        ("batman - the dark knight", "The Dark Knight"),
        ("Parks & Recreation", "Parks and Recreation"),
        ("The fight Club", "Fight Club"),
        ("FIGHT CLUB!", "Fight Club"),
        ("Amelie", "Amélie"),
        ("Le Fabuleux Destin d'Amélie Poulain", "Amélie"),
        ("Boxing Club", "Fight Club"),
        ("Interstellar (2014)", "Interstellar"),
        ("Jane The Virgin", "Jane the Virgin"),
        ("Rocky 4", "Rocky IV"),
        ("Titanic (James Cameron, 1997)", "Titanic"),
        ("Movie: Titanic", "Titanic"),
        ("Schindler’s List", "Schindler's List"),
    ],
)
def test_heading_matches_its_title_by_name_original_title_or_alias(demo_titles, heading, name):
    match = TitleIndex.from_db().match(heading)
    assert match is not None and match.name == name


@pytest.mark.django_db
def test_numbered_sequels_match_without_an_alias():
    make_title("Rocky IV", year=1985)
    assert TitleIndex.from_db().match("Rocky 4").name == "Rocky IV"


@pytest.mark.django_db
def test_a_name_two_titles_share_matches_only_with_its_year():
    make_title("Dune", year=1984)
    make_title("Dune", year=2021)
    index = TitleIndex.from_db()
    assert index.match("Dune") is None
    assert index.match("Dune (2021)").year == 2021


@pytest.mark.django_db
def test_unknown_heading_matches_nothing(demo_titles):
    index = TitleIndex.from_db()
    assert index.match("The Room") is None
    assert index.match("") is None


# --- The titles a proposed name duplicates --------------------------------------------------------


@pytest.mark.django_db
def test_a_proposed_name_finds_the_titles_it_would_duplicate_by_name_or_alias():
    rocky = make_title("Rocky IV", year=1985, aliases=["Rocky 4"])
    dune = make_title("Dune", year=1984)
    undated = make_title("Dune")
    assert list(titles_named("rocky 4")) == [rocky]
    assert set(titles_named("Dune")) == {dune, undated}
    assert list(titles_named("Dune", 2021)) == [undated]  # a remake is another title
    assert not titles_named("?!")


# --- The titles whose names begin with what was typed ---------------------------------------------


@pytest.mark.django_db
def test_typed_names_match_at_the_start_of_a_word_shortest_name_first():
    rocky = make_title("Rocky", year=1976)
    rocky_iv = make_title("Rocky IV", year=1985, aliases=["Rocky 4"])
    make_title("Fight Club", year=1999)
    assert titles_matching("rock", limit=10) == [rocky, rocky_iv]
    assert titles_matching("ocky", limit=10) == []
    assert [t.name for t in titles_matching("club", limit=10)] == ["Fight Club"]
    assert titles_matching("rock", limit=1) == [rocky]


@pytest.mark.django_db
def test_a_typed_name_says_which_alias_matched_when_the_name_did_not():
    amelie = make_title("Amélie", original_title="Le Fabuleux Destin d'Amélie Poulain")
    rocky_iv = make_title("Rocky IV", aliases=["Rocky 4"])
    [by_alias] = titles_matching("rocky 4", limit=10)
    assert (by_alias, by_alias.alias) == (rocky_iv, "Rocky 4")
    [by_name] = titles_matching("ROCKY", limit=10)
    assert by_name.alias is None
    [by_original] = titles_matching("Fabuleux Destin", limit=10)
    assert (by_original, by_original.alias) == (amelie, None)
    assert titles_matching("\x00", limit=10) == []


@pytest.mark.django_db
def test_the_titles_to_choose_from_can_be_the_public_ones_with_their_counts():
    shown = make_title("Heat One")
    make_title("Heat Two")  # nothing published
    move_to(make_anecdote(title=shown), Anecdote.State.PUBLISHED)
    assert titles_matching("heat", limit=10) != [shown]
    [found] = titles_matching("heat", limit=10, among=queries.titles_with_stories())
    assert (found, found.story_count) == (shown, 1)


# --- The titles a running text names ----------------------------------------------------------


def title_index(*names):
    """An index of titles by name, without the database."""
    return TitleIndex(
        (TitleRef(pk=number, slug=f"t{number}", name=name, year=None), [name])
        for number, name in enumerate(names, start=1)
    )


def titles_in(text, index, cited=()):
    return [mention.refs[0].name for mention in index.mentions(text_words(text), cited=cited)]


COMMON_WORD_TITLES = title_index("It", "Up", "Her", "Us", "Signs", "Friends", "Joker", "The Room")


@pytest.mark.parametrize(
    "text",
    [
        "It was the last day of shooting, and up to then nobody had noticed her.",
        "Up to that point, the crew had given her everything they had.",
        "Signs of wear were painted on the costume. Us? We were exhausted.",
        "Her husband visited the set with friends of the director.",
        "When preparing to play the Joker, Heath Ledger hid in a room.",
        "The room was cold. He stayed in Room 237 for a week.",
        "Bloody Bad Guy Signs Up",  # a heading in capitals: a capital says nothing
    ],
)
def test_common_words_in_a_text_do_not_name_titles_called_it_up_her_us_or_signs(text):
    assert titles_in(text, COMMON_WORD_TITLES) == []


def test_a_common_word_title_counts_where_it_is_written_as_a_name_or_cited():
    assert titles_in("Jennifer Aniston said Friends paid for her house.", COMMON_WORD_TITLES) == [
        "Friends"
    ]
    assert titles_in("Her script was rewritten weekly.", COMMON_WORD_TITLES, cited=["Her"]) == [
        "Her"
    ]
    assert titles_in("They rebuilt The Room twice.", COMMON_WORD_TITLES) == ["The Room"]


def test_titles_are_found_longest_first_with_or_without_their_article_and_numerals():
    index = title_index("The Dark Knight", "The Dark Knight Rises", "The Terminator", "Rocky IV")
    text = "After The Dark Knight Rises, he wore Terminator make-up and watched Rocky 4."
    assert titles_in(text, index) == ["The Dark Knight Rises", "The Terminator", "Rocky IV"]


# --- Garbled names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("Kino Rives", "Keanu Reeves"),
        ("Audrey Tutu", "Audrey Tautou"),
        ("Sean Bing", "Sean Bean"),
        ("Heath Leger", "Heath Ledger"),
        ("Jurrasic Park", "Jurassic Park"),
    ],
)
def test_a_garbled_name_is_close_to_the_known_one(typed, known):
    assert close_spelling(normalize_name(typed).split(), normalize_name(known).split())


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("Sean Penn", "Sean Bean"),
        ("Tom Hanks", "Tom Hardy"),
        ("Emma Stone", "Emma Watson"),
        ("Matt Dillon", "Matt Damon"),
        ("Chris Evans", "Chris Pratt"),
        ("Audrey Hepburn", "Audrey Tautou"),
        ("Owen Wilson", "Owen Watson"),
        ("Bill Murray", "Bill Murphy"),
        ("Sean Bean", "Sean Bean"),  # the same name is no garbling
        ("Sean Bean", "Sean Bean Jr"),
    ],
)
def test_real_names_near_a_known_one_are_not_garblings_of_it(typed, known):
    assert close_spelling(normalize_name(typed).split(), normalize_name(known).split()) is None


def test_the_closest_known_name_wins_and_a_tie_between_two_is_no_answer():
    names = NameIndex()
    names.add("Keanu Reeves", ("keanu", "reeves"))
    names.add("Sean Bean", ("sean", "bean"))
    names.add("Sean Been", ("sean", "been"))
    assert names.closest(("kino", "rives"))[0] == "Keanu Reeves"
    assert names.closest(("sean", "bing")) is None  # as close to both
    assert names.closest(("keanu", "reeves")) is None  # known: nothing to correct


@pytest.mark.django_db
def test_a_renamed_title_is_found_by_its_new_name_only():
    """``services.rename_title`` saves only the name; its normal form, which matching and the
    A–Z list compare, follows it."""
    from trivia import services

    title = make_title("Heat")
    services.rename_title(title=title, name="Zodiac")

    assert Title.objects.get(pk=title.pk).normalized_name == "zodiac"
    assert list(titles_named("Zodiac")) == [title]
    assert not titles_named("Heat").exists()
