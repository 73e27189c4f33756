"""Importing listicle articles: the split, title matching, the writes, and every bad input."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils.text import slugify

from tests.factories import make_user
from trivia import demo
from trivia.importer import reading, writing
from trivia.importer.furniture import is_furniture
from trivia.importer.splitting import split_article
from trivia.models import Anecdote, ModerationEvent, Source

SEEDS = demo.DEMO_DATA
SEED_000 = SEEDS / "000_afe1879c3c2b59d4.txt"
SEED_001 = SEEDS / "001_c5f5178235522b27.txt"
DATA = Path(__file__).parent / "data"


def csv_rows(seed):
    return [row for row in demo.title_rows() if row["seed_file"] == seed.name]


def expected_headings(seed):
    """titles.csv's headings for a seed, None where the paragraph had no heading."""
    return [
        None if row["seed_heading"].startswith("(no heading") else row["seed_heading"]
        for row in csv_rows(seed)
    ]


def split(path, index=None):
    return split_article(reading.read_article(path), index=index)


def run(*args):
    """Run import_article; return (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("import_article", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def dry_run_json(path):
    out, _ = run(path, "--dry-run", "--json")
    return json.loads(out)


def nothing_written():
    return not (Source.objects.exists() or Anecdote.objects.exists())


# --- The split (no database needed) -----------------------------------------------------------


@pytest.mark.parametrize(("seed", "count", "headless"), [(SEED_000, 18, 5), (SEED_001, 10, 0)])
def test_seed_splits_into_its_stories_with_the_csv_headings_in_order(seed, count, headless):
    stories = split(seed).stories
    assert len(stories) == count
    assert [story.heading for story in stories] == expected_headings(seed)
    assert sum(story.heading is None for story in stories) == headless


def test_seed_000_headingless_stories_are_not_glued_to_the_story_before():
    stories = split(SEED_000).stories
    headless = [story.text.split()[:2] for story in stories if story.heading is None]
    assert headless == [
        ["NASA", "played"],
        ["While", "taking"],
        ["Adrien", "Brody,"],
        ["Director", "James"],
        ["Kate", "Winslet"],
    ]
    guardians = stories[0]
    assert guardians.text.startswith("Chris Pratt stole") and "NASA" not in guardians.text


@pytest.mark.parametrize("seed", [SEED_000, SEED_001])
def test_seed_stories_are_its_paragraphs_without_intro_or_furniture(seed):
    text = seed.read_text(encoding="utf-8")
    paragraphs = {line.strip() for line in text.splitlines() if line.strip()}
    article = split(seed)
    for story in article.stories:
        assert story.text in paragraphs  # whole paragraphs, nothing glued, nothing cut
    everything = "\n".join(story.text for story in article.stories)
    for furniture in (
        "Spread the love",
        "subscribe now",
        "Check Also",
        "Leave A Reply",
        "Your email address",
        "behind-the-scenes story is not much known",  # 000's intro
        "Here are 15 details",  # 001's intro
    ):
        assert furniture not in everything
    assert article.title == text.splitlines()[0].strip()


def test_numbered_heading_followed_by_the_same_heading_counts_once():
    article = split_article(
        "Ten facts\n\n1. The glow\n\nThe glow\n\nDanny Lloyd never knew it was a horror film.\n\n"
        "2. Jaws\n\nJaws (1975)\n\nThe shark kept breaking down.\n"
    )
    assert [(s.heading, s.text) for s in article.stories] == [
        ("The glow", "Danny Lloyd never knew it was a horror film."),
        ("Jaws", "The shark kept breaking down."),
    ]


@pytest.mark.parametrize(
    ("heading_line", "heading"),
    [
        ("1. Fight Club", "Fight Club"),
        ("1) Fight Club", "Fight Club"),
        ("#1 Fight Club", "Fight Club"),
        ("#1: Fight Club", "Fight Club"),
        ("1 - Fight Club", "Fight Club"),
        ("No. 1: Fight Club", "Fight Club"),
        ("## Fight Club", "Fight Club"),
        ("**Fight Club**", "Fight Club"),
        ("Fight Club:", "Fight Club"),
        ("Fight Club (1999)", "Fight Club (1999)"),
    ],
)
def test_headings_are_recognised_in_the_usual_listicle_formats(heading_line, heading):
    second = re.sub(r"\b1\b", "2", heading_line, count=1).replace("Fight Club", "Titanic")
    article = split_article(
        f"Two stories\n\n{heading_line}\n\nBrad Pitt and Edward Norton learned to make soap.\n\n"
        f"{second}\n\nJames Cameron nailed ringing phones to the wall.\n"
    )
    assert [s.heading for s in article.stories] == [
        heading,
        heading.replace("Fight Club", "Titanic"),
    ]
    assert article.stories[0].text == "Brad Pitt and Edward Norton learned to make soap."


def test_a_short_story_without_full_stop_under_a_heading_is_still_a_story():
    article = split_article(
        "Facts\n\nBoxing Club\n\nBrad Pitt and Edward Norton both learned how to make soap\n\n"
        "The rescued Jiang Ge\n\nDiCaprio cut his hand on a glass and went on acting.\n"
    )
    assert [(s.heading, s.text[:9]) for s in article.stories] == [
        ("Boxing Club", "Brad Pitt"),
        ("The rescued Jiang Ge", "DiCaprio "),
    ]


def test_a_title_that_ends_like_a_sentence_is_still_a_heading():
    article = split_article(
        "Facts\n\nMonsters, Inc.\n\nSulley's fur needed new software.\n\n"
        "Airplane!\n\nThe cast played it completely straight.\n"
    )
    assert [s.heading for s in article.stories] == ["Monsters, Inc.", "Airplane!"]


def test_paragraphs_under_a_heading_are_one_story_until_a_wider_gap_sets_one_apart():
    article = split_article(
        "Facts\n\nHome Alone\n\nDaniel Stern let a real tarantula crawl over his face.\n\n"
        "The crew promised it was harmless.\n\n\nHe agreed to one take only.\n\n\n"
        "Kate Winslet caught pneumonia on the set.\n"
    )
    assert [(s.heading, s.text) for s in article.stories] == [
        (
            "Home Alone",
            "Daniel Stern let a real tarantula crawl over his face.\n\n"
            "The crew promised it was harmless.\n\nHe agreed to one take only.",
        ),
        (None, "Kate Winslet caught pneumonia on the set."),
    ]


def test_a_numbered_item_with_two_paragraphs_is_one_story_without_its_captions():
    article = split_article(
        "Four sets\n\nNot every shoot goes to plan.\n\n1. Jurassic Park\nDirector: Steven "
        "Spielberg\n\nThe T. rex short-circuited whenever it rained.\n\nThe ripple in the "
        "glass came from a guitar string.\n\n2. Apocalypse Now\n\nImage via United Artists\n\n"
        "Raptor footage\n\nA typhoon destroyed the sets in the Philippines.\n"
    )
    assert [(s.heading, s.text) for s in article.stories] == [
        (
            "Jurassic Park",
            "The T. rex short-circuited whenever it rained.\n\n"
            "The ripple in the glass came from a guitar string.",
        ),
        ("Apocalypse Now", "A typhoon destroyed the sets in the Philippines."),
    ]
    roles = {p.text: p.role for p in article.paragraphs}
    assert roles["Raptor footage"] == "caption"
    assert roles["Director: Steven Spielberg"] == roles["Image via United Artists"] == "furniture"


def test_paragraphs_that_open_with_a_films_name_are_headed_by_it():
    article = split_article(
        "Movie trivia\n\nHere are some surprising facts.\n\n"
        "Fight Club: Brad Pitt and Edward Norton both learned how to make soap.\n\n"
        "Titanic – James Cameron nailed ringing phones to the wall above the exit.\n"
    )
    assert [(s.heading, s.text[:10]) for s in article.stories] == [
        ("Fight Club", "Brad Pitt "),
        ("Titanic", "James Came"),
    ]


def test_hard_wrapped_text_is_unwrapped_around_plain_headings():
    article = split_article(
        "Film sets with a secret\n\n"
        "Jaws\nThe mechanical shark broke down so often that Steven Spielberg had to\n"
        "suggest its presence with music and floating yellow barrels instead.\n"
        "Alien\nThe cast was not told exactly what would happen in the chest-burster\n"
        "scene, so their horrified reactions on screen are completely real.\n\n"
        "Titanic\nThe water in the sinking scenes was kept warm, but Kate Winslet still\n"
        "caught pneumonia after refusing to wear a wetsuit under her costume.\n"
        "Home Alone\nDaniel Stern refused to let the tarantula crawl on his face twice, so\n"
        "the crew had exactly one take to get the shot they needed for it.\n"
    )
    assert [s.heading for s in article.stories] == ["Jaws", "Alien", "Titanic", "Home Alone"]
    assert article.stories[1].text == (
        "The cast was not told exactly what would happen in the chest-burster scene, so their "
        "horrified reactions on screen are completely real."
    )


def test_a_countdown_with_bold_repeats_and_a_closing_question_splits_cleanly():
    article = split_article(
        "3 roles taken too seriously\n\nActors go to extremes.\n\n#3: Taxi Driver (1976)\n\n"
        "**Taxi Driver**\n\nDe Niro drove a real cab around New York for weeks.\n\n"
        "#2: The Machinist (2004)\n\nChristian Bale lost 28 kilograms for the role.\n\n"
        "#1: The Revenant (2015)\n\nDiCaprio ate raw bison liver on camera.\n\n"
        "Which role was the most extreme? Tell us in the comments!\n"
    )
    assert [s.heading for s in article.stories] == [
        "Taxi Driver (1976)",
        "The Machinist (2004)",
        "The Revenant (2015)",
    ]
    assert article.stories[-1].text == "DiCaprio ate raw bison liver on camera."


def test_text_without_any_heading_is_all_intro():
    article = split_article(
        "My week at the cinema\n\nI saw three films this week and liked them all.\n\n"
        "The popcorn was better than last year, and the seats were new.\n"
    )
    assert article.stories == []
    assert len(article.intro) == 2


@pytest.mark.parametrize(
    "line",
    [
        "Share this:",
        "Facebook Twitter Pinterest WhatsApp",
        "Advertisement",
        "Read more: The 10 best films of 1999",
        "Related: Why Titanic sank twice",
        "Check Also: How Much Ben Shapiro Net Worth is in 2021?",
        "You may also like",
        "Subscribe to our newsletter",
        "Get real time updates directly on you device, subscribe now.",
        "Click here to see the trailer",
        "Leave a comment",
        "Your email address will not be published. Required fields are marked *",
        "Posted in Movies, Trivia",
        "Tags: film, trivia, behind the scenes",
        "Image: Warner Bros.",
        "Photo credit: Getty Images",
        "Source: IMDb",
        "© 2023 Film Facts. All rights reserved.",
        "Continue reading",
        "We use cookies to give you the best experience on our website.",
        "Next page",
        "By Jane Doe | Updated: March 3, 2021",
        "March 3, 2021",
        "Spread the love",
        "What do you think? Let us know in the comments!",
        "Story continues below advertisement",
        "SPOILER ALERT!",
        "* * *",
        "Photo Credit: Netflix.",
        "Photo Credit:",
        "Image: Kevin Winter/Getty",
        "Credit: Ursula Coyote/AMC",
        "Courtesy of Netflix",
        "via strangerfan88",
        "behind the scenes @netflixfan",
        "Comments are closed.",
        "Comments are closed",
        "Published March 14, 2024",
        "March 3, 2022 · 9 min read",
    ],
)
def test_page_furniture_is_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "1917",
        "Jaws",
        "Stand By Me",
        "Source Code",
        "The crew had to subscribe to a local newspaper to get the weather forecast.",
        "Photos from the set show how the shark was built.",
        "Netflix subscribers voted for the ending, so the writers filmed three versions.",
        "Written in three weeks, the script was sold after a bidding war.",
    ],
)
def test_titles_and_story_sentences_are_not_furniture(line):
    assert not is_furniture(line)


def test_furniture_is_dropped_and_the_comment_section_ends_the_article():
    article = split_article(
        "Film secrets\n\nSpread the love\n\nAn intro about films.\n\n1. Jaws\n\nAdvertisement\n\n"
        "The shark kept breaking down.\n\nRead more: 10 sharks\n\n2. Alien\n\nImage: Fox\n\n"
        "The cast did not know what was coming.\n\nLeave a Reply\n\nJohn Smith\n\n"
        "Great article, I loved reading it.\n"
    )
    assert [(s.heading, s.text) for s in article.stories] == [
        ("Jaws", "The shark kept breaking down."),
        ("Alien", "The cast did not know what was coming."),
    ]


# The three invented articles in tests/data, each formatted differently from the seeds.
FIXTURES = {
    "listicle_markdown.txt": (
        "12 Things You Never Knew About Your Favourite Films",
        ["Jaws (1975)", "The Wizard of Oz", "Alien", "The Fellowship of the Ring", "300"],
    ),
    "listicle_wrapped.txt": (
        "Seven Sets That Nearly Broke Their Actors",
        ["The Revenant", "Mad Max: Fury Road", "The Shining", "Titanic", "Apocalypse Now"],
    ),
    "listicle_plain.txt": (
        "Behind the scenes: small secrets of great films",
        ["Jaws", "The Good, the Bad and the Ugly", None, "Home Alone", "Monsters, Inc."],
    ),
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_invented_articles_split_as_a_careful_reader_would(name):
    title, headings = FIXTURES[name]
    article = split(DATA / name)
    assert article.title == title
    assert [story.heading for story in article.stories] == headings
    for story in article.stories:
        assert len(story.text.split()) >= 12  # whole stories, no stray furniture lines
        for furniture in ("Advertisement", "READ MORE", "Image:", "Photo", "Share", "(via"):
            assert furniture not in story.text


def test_markdown_article_keeps_a_continuation_and_drops_credits():
    stories = split(DATA / "listicle_markdown.txt").stories
    assert stories[2].text.endswith(
        "She was so shocked that she fainted, and the take was used in the final film."
    )
    assert stories[1].text.endswith("coated his lungs.")


def test_wrapped_article_is_unwrapped_and_an_inline_heading_split_off():
    stories = split(DATA / "listicle_wrapped.txt").stories
    assert "\n" not in "".join(story.text for story in stories)
    assert stories[0].text.startswith(
        "Leonardo DiCaprio, a vegetarian, ate raw bison liver for one scene even though the crew"
    )
    assert stories[2].text.startswith("Jack Nicholson improvised the line")


def test_plain_article_keeps_a_headingless_story_and_joins_a_continuation():
    stories = split(DATA / "listicle_plain.txt").stories
    assert stories[2].text.startswith("The actors of this film were not allowed")
    assert stories[3].text.endswith("the spider had been defanged.")
    assert "Let us know" not in stories[-1].text


# --- Matching headings to titles (the matching itself: tests/test_matching.py) ----------------


@pytest.fixture
def demo_titles(db):
    return demo.load_titles(demo.DemoSummary())


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [SEED_000, SEED_001])
def test_seed_headings_match_the_csv_titles_through_aliases(demo_titles, seed):
    stories = dry_run_json(seed)
    rows = csv_rows(seed)
    assert len(stories) == len(rows)
    for story, row in zip(stories, rows, strict=True):
        if row["seed_heading"].startswith("(no heading"):
            # Named only when its text names the title; never a wrong one.
            assert story["title"] in (None, slugify(row["title"])), story["text"][:60]
        else:
            assert story["title"] == slugify(row["title"]), story["heading"]
    assert [story["heading"] for story in stories] == expected_headings(seed)
    assert nothing_written()


# --- Writing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_writes_one_source_and_a_pending_imported_story_per_paragraph(demo_titles):
    importer_user = make_user("importer")
    out, _ = run(SEED_000, "--user", "importer", "--publisher", "Example site")
    source = Source.objects.get()
    assert (source.title, source.publisher, source.kind) == (
        "18 small stories behind the scenes you don’t know",
        "Example site",
        Source.Kind.ARTICLE,
    )
    stories = list(Anecdote.objects.order_by("pk").prefetch_related("citations", "events"))
    assert len(stories) == 18
    for story in stories:
        assert story.state == Anecdote.State.PENDING
        assert story.contributor == importer_user
        assert [c.source for c in story.citations.all()] == [source]
        assert [(e.action, e.actor) for e in story.events.all()] == [("imported", importer_user)]
    assert stories[0].title.name == "Guardians of the Galaxy"
    assert stories[1].title is None and stories[1].proposed_title == ""  # no heading
    assert "18 stories: 14 matched a title, 0 with an unmatched heading, 5 without a heading" in out


@pytest.mark.django_db
def test_unmatched_heading_is_kept_as_the_proposed_title():
    run(SEED_001)
    glow = Anecdote.objects.get(text__startswith="Throughout the tapes")
    assert (glow.title, glow.proposed_title) == (None, "The glow")


@pytest.mark.django_db
def test_fight_club_and_the_dark_knight_get_stories_from_both_articles(demo_titles):
    run(SEED_000)
    run(SEED_001)
    for name in ("Fight Club", "The Dark Knight"):
        sources = Source.objects.filter(citations__anecdote__title__name=name).distinct()
        assert sources.count() == 2, name


@pytest.mark.django_db
def test_importing_the_same_article_again_creates_nothing_and_says_so(demo_titles):
    run(SEED_000)
    counts = (Source.objects.count(), Anecdote.objects.count(), ModerationEvent.objects.count())
    out, _ = run(SEED_000)
    assert "already imported" in out and "nothing was created" in out
    assert (
        counts
        == (
            Source.objects.count(),
            Anecdote.objects.count(),
            ModerationEvent.objects.count(),
        )
        == (1, 18, 18)
    )


@pytest.mark.django_db
def test_same_article_with_other_whitespace_is_the_same_article(tmp_path):
    run(SEED_001)
    copy = tmp_path / "copy.txt"
    copy.write_text(SEED_001.read_text(encoding="utf-8").replace("\n", "\r\n  "), "utf-8")
    run(copy)
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_json_writes_nothing_and_lists_stories_in_order():
    stories = dry_run_json(SEED_001)
    assert nothing_written()
    first = stories[0]
    assert (first["heading"], first["title"], first["text"]) == (
        "The glow",
        None,
        "Throughout the tapes, Danny Lloyd, the actor who played Jack Nicholson’s son in "
        "the movie, had no idea that he was shooting a horror movie, to protect him and give "
        "his character that air of pure innocence.",
    )
    keys = {"heading", "title", "proposed_title", "text", "people", "duplicates", "notes"}
    assert len(stories) == 10 and all(keys <= set(story) for story in stories)


@pytest.mark.django_db
def test_dry_run_without_json_shows_the_split_and_the_summary():
    out, _ = run(SEED_000, "--dry-run")
    assert "  2. (no heading)" in out
    assert "Dry run, nothing written. 18 stories" in out
    assert nothing_written()


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_behind(monkeypatch):
    calls = []
    real_submit = writing.services.submit_story

    def failing_submit(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real_submit(**kwargs)

    monkeypatch.setattr(writing.services, "submit_story", failing_submit)
    with pytest.raises(RuntimeError):
        run(SEED_000)
    assert nothing_written()


@pytest.mark.django_db
def test_long_article_shows_progress(tmp_path):
    path = tmp_path / "long.txt"
    body = "\n\n".join(
        f"{n}. Film number {n}\n\nThe crew of film {n} did something remarkable on set."
        for n in range(1, 61)
    )
    path.write_text(f"Sixty stories\n\n{body}\n", encoding="utf-8")
    _, err = run(path)
    assert "Importing stories: 25/60" in err and "Importing stories: 60/60" in err
    assert Anecdote.objects.count() == 60


# --- Bad input ------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        (b"", "is empty"),
        (b"  \n\n \t\n", "is empty"),
        (PNG, "is a PNG image, not a plain-text article"),
        (b"Some\x00binary\x00data\x01\x02" * 20, "is a binary file"),
        ("Am\u00e9lie\n\nLe film\n".encode("latin-1"), "is not UTF-8 text (byte 0xe9 on line 1)"),
        ("1. Jaws\n\nThe shark broke.\n".encode("utf-16"), "is UTF-16 text"),
        (
            b"Just some prose.\n\nNothing but an intro, really, with no heading at all.\n",
            "No story found",
        ),
        (b"Spread the love\n\nShare this:\n\nLeave a Reply\n", "No story found"),
        (b"x" * (reading.MAX_BYTES + 1), "an article may be at most 1 MB"),
    ],
)
def test_bad_input_is_refused_with_one_clear_message(tmp_path, content, message):
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)) as error:
        run(path)
    assert "\n" not in str(error.value)
    assert nothing_written()


@pytest.mark.django_db
def test_a_directory_is_refused(tmp_path):
    with pytest.raises(CommandError, match="is a directory"):
        run(tmp_path)


@pytest.mark.django_db
def test_too_many_stories_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "MAX_STORIES", 5)
    with pytest.raises(CommandError, match="has 18 stories; at most 5"):
        run(SEED_000)
    assert nothing_written()


@pytest.mark.django_db
def test_unknown_user_and_bad_address_are_refused():
    with pytest.raises(CommandError, match="No user named “nobody”"):
        run(SEED_000, "--user", "nobody")
    with pytest.raises(CommandError, match="not a valid address"):
        run(SEED_000, "--source-url", "not a url")
    assert nothing_written()
