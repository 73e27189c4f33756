"""The importer on a corpus of listicles in the shapes the web has (tests/data/listicles/text):
each split as a careful reader would, every paragraph of the source accounted for, and the
moderator's regrouping of the paragraphs."""

import json
import re
from pathlib import Path

import pytest

from trivia import demo
from trivia.importer.reading import clean_text, read_article
from trivia.importer.splitting import ROLES, current_roles, regroup, split_article

CORPUS = Path(__file__).parent / "data" / "listicles" / "text"
ARTICLES = sorted(CORPUS.glob("*.txt"))
SEEDS = sorted(demo.DEMO_DATA.glob("*.txt"))
EVERY_ARTICLE = [*ARTICLES, *SEEDS, *sorted((CORPUS.parent.parent).glob("listicle_*.txt"))]


def split(path):
    return split_article(read_article(path))


def expected(path):
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def words(text):
    return re.findall(r"\w+", text)


def role_of(article, text):
    [role] = {p.role for p in article.paragraphs if p.text == text}
    return role


def test_the_corpus_has_ten_articles_or_more_each_with_its_split():
    assert len(ARTICLES) >= 10
    assert all(path.with_suffix(".json").exists() for path in ARTICLES)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda path: path.stem)
def test_corpus_article_splits_as_a_careful_reader_would(path):
    article, split_by_hand = split(path), expected(path)
    assert article.title == split_by_hand["title"]
    found = [
        {
            "heading": story.heading,
            "opening": " ".join(story.text.split()[: len(wanted["opening"].split())]),
            "paragraphs": len(story.text.split("\n\n")),
        }
        for story, wanted in zip(article.stories, split_by_hand["stories"], strict=False)
    ]
    wanted = [
        {key: story[key] for key in ("heading", "opening", "paragraphs")}
        for story in split_by_hand["stories"]
    ]
    assert found == wanted
    assert len(article.stories) == len(wanted)
    for story, wanted_story in zip(article.stories, split_by_hand["stories"], strict=True):
        assert len(story.text) > wanted_story.get("longer_than", 0)
    for line in split_by_hand.get("captions", []):
        assert role_of(article, line) == "caption", line
    for line in split_by_hand.get("furniture", []):
        assert role_of(article, line) == "furniture", line


@pytest.mark.parametrize("path", EVERY_ARTICLE, ids=lambda path: path.stem)
def test_every_line_of_the_source_is_one_paragraph_of_the_split_in_order(path):
    text = read_article(path)
    lines = [" ".join(line.split()) for line in clean_text(text).split("\n") if line.strip()]
    article = split_article(text)
    assert " ".join(p.text for p in article.paragraphs) == " ".join(lines)
    assert {p.role for p in article.paragraphs} <= set(ROLES) - {"continue"}


@pytest.mark.parametrize("path", EVERY_ARTICLE, ids=lambda path: path.stem)
def test_every_story_is_made_of_its_story_paragraphs_and_headed_by_its_heading(path):
    article = split(path)
    for number, story in enumerate(article.stories):
        mine = [p for p in article.paragraphs if p.story == number]
        paragraphs = [p.text for p in mine if p.role == "story"]
        parts = story.text.split("\n\n")
        assert len(parts) == len(paragraphs)
        for part, paragraph in zip(parts, paragraphs, strict=True):
            assert " ".join(words(part)) in " ".join(words(paragraph))
        headings = [p.text for p in mine if p.role == "heading"]
        if headings:
            assert " ".join(words(story.heading)) in " ".join(words(headings[0]))
    assert all(p.story is None for p in article.paragraphs if p.role not in ("story", "heading"))


@pytest.mark.parametrize("path", EVERY_ARTICLE, ids=lambda path: path.stem)
def test_regrouping_with_the_splits_own_roles_gives_the_same_split(path):
    article = split(path)
    again = regroup(article, current_roles(article))
    assert again == article


# --- The moderator's regrouping -------------------------------------------------------------

BREAKING_BAD = CORPUS / "breaking_bad_numbered.txt"


def test_a_caption_moved_into_a_story_opens_it():
    article = split(BREAKING_BAD)
    roles = current_roles(article)
    texts = [p.text for p in article.paragraphs]
    caption = texts.index("Bryan Cranston as Walter White in the pilot.")
    story = next(i for i, text in enumerate(texts) if text.startswith("Vince Gilligan"))
    assert (roles[caption], roles[story]) == ("caption", "story")
    roles[caption], roles[story] = "story", "continue"
    regrouped = regroup(article, roles)
    first = regrouped.stories[0]
    assert first.heading == article.stories[0].heading
    assert first.text.split("\n\n")[:2] == [
        "Bryan Cranston as Walter White in the pilot.",
        article.stories[0].text.split("\n\n")[0],
    ]
    assert regrouped.paragraphs[caption].role == "story"
    assert len(regrouped.stories) == len(article.stories)


def test_a_story_split_in_two_gives_a_story_without_a_heading():
    article = split(BREAKING_BAD)
    roles = current_roles(article)
    second = next(i for i, role in enumerate(roles) if role == "continue")
    roles[second] = "story"
    regrouped = regroup(article, roles)
    assert len(regrouped.stories) == len(article.stories) + 1
    one, two = regrouped.stories[:2]
    assert one.heading == article.stories[0].heading and two.heading is None
    assert f"{one.text}\n\n{two.text}" == article.stories[0].text
    assert regrouped.counts["no heading"] == 1


def test_two_stories_joined_under_the_first_heading():
    article = split(CORPUS / "netflix_descriptions.txt")
    roles = current_roles(article)
    headings = [i for i, role in enumerate(roles) if role == "heading"]
    roles[headings[1]] = "furniture"
    roles[headings[1] + 1] = "continue"
    regrouped = regroup(article, roles)
    assert len(regrouped.stories) == len(article.stories) - 1
    joined = regrouped.stories[0]
    assert joined.heading == "Real Tempered Glass – Squid Game (2021)"
    assert joined.text == f"{article.stories[0].text}\n\n{article.stories[1].text}"
    assert regrouped.paragraphs[headings[1]].role == "furniture"


def test_a_heading_the_moderator_adds_heads_the_next_story():
    article = split(CORPUS / "horror_headingless.txt")
    roles = current_roles(article)
    headless = next(i for i, p in enumerate(article.paragraphs) if p.text.startswith("The cast"))
    roles[headless - 1 : headless + 1] = ["heading", "story"]  # the Psycho story's paragraph
    regrouped = regroup(article, roles)
    assert regrouped.stories[0].heading.startswith("Alfred Hitchcock")
    assert regrouped.stories[0].text.startswith("The cast of Alien")


def test_regroup_refuses_roles_it_cannot_follow():
    article = split(BREAKING_BAD)
    with pytest.raises(ValueError, match="roles for"):
        regroup(article, current_roles(article)[1:])
    with pytest.raises(ValueError, match="Unknown role: quote"):
        regroup(article, ["quote"] * len(article.paragraphs))


# --- What the issue saw go wrong --------------------------------------------------------------


def test_a_first_heading_right_after_the_title_keeps_its_story():
    article = split_article(
        "Squid Game secrets\nReal Tempered Glass – Squid Game (2021)\nBehind the scenes, the "
        "actors you didn't know were scared walked on real glass.\nThe Marbles – Squid Game "
        "(2021)\nThe marbles episode was shot in a week.\n"
    )
    assert [story.heading for story in article.stories] == [
        "Real Tempered Glass – Squid Game (2021)",
        "The Marbles – Squid Game (2021)",
    ]
    assert article.intro == []


def test_a_subtitle_or_an_introduction_is_not_the_first_heading():
    article = split_article(
        "Film facts\n\nSmall secrets you didn't know\n\nSome films become legends off screen.\n\n"
        "Jaws\n\nThe shark kept breaking down.\n\nTen more\n\nHere are ten more facts.\n"
    )
    assert article.intro == [
        "Small secrets you didn't know",
        "Some films become legends off screen.",
    ]
    assert [story.heading for story in article.stories][:1] == ["Jaws"]


def test_a_credit_under_a_caption_is_never_a_heading_and_comments_are_closed_ends_it():
    article = split_article(
        "Two sets\n\nJaws\n\nThe shark kept breaking down.\n\nbehind the scenes\n\n@sharkfan\n\n"
        "Alien\n\nThe cast did not know what was coming.\n\nPhoto Credit: Netflix.\n\n"
        "Comments are closed.\n\nGreat article\n\nThanks for sharing all these stories with us.\n"
    )
    assert [(s.heading, s.text) for s in article.stories] == [
        ("Jaws", "The shark kept breaking down."),
        ("Alien", "The cast did not know what was coming."),
    ]
    assert [p.role for p in article.paragraphs][-4:] == ["furniture"] * 4
    assert role_of(article, "behind the scenes") == "caption"
