"""Importing HTML pages: real page shapes split as a careful reader would, with none of their
furniture in a story, the source filled from the page, pasted markup, and bad pages refused.

Each page in tests/data/listicles/html/ has a JSON file beside it: the title, what the page
says of its source, the number of stories, each story's heading and opening words, and
phrases from the page's furniture (menus, sidebars, captions, ads, comments…) that no story
may contain.
"""

import datetime
import json
import re
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from trivia.importer.reading import MAX_PAGE_BYTES, ArticleError, load_article
from trivia.importer.splitting import split_article
from trivia.models import Anecdote, Source

PAGES = Path(__file__).parent / "data" / "listicles" / "html"
CORPUS = sorted(PAGES.glob("*.html"))


def expected(page):
    return json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_article", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_corpus_has_the_shapes_the_web_has():
    assert len(CORPUS) >= 6
    assert all(page.with_suffix(".json").exists() for page in CORPUS)


@pytest.mark.parametrize("page", CORPUS, ids=[page.stem for page in CORPUS])
def test_each_page_splits_into_its_stories_with_no_furniture(page):
    want = expected(page)
    loaded = load_article(page)
    stories = split_article(loaded.text).stories

    assert loaded.title == want["title"]
    assert len(stories) == want["count"]
    for story, story_wanted in zip(stories, want["stories"], strict=False):
        assert story.heading == story_wanted["heading"]
        assert story.text.startswith(story_wanted["starts"]), story.text
        for words in story_wanted.get("contains", []):
            assert words in story.text
    for story in stories:
        for phrase in want["furniture"]:
            assert phrase not in f"{story.heading}\n{story.text}", (phrase, story.heading)


@pytest.mark.parametrize("page", CORPUS, ids=[page.stem for page in CORPUS])
def test_the_source_is_what_the_page_says_of_itself(page):
    want = expected(page)
    loaded = load_article(page)
    facts = {
        "site_name": loaded.site_name,
        "author": loaded.author,
        "date": loaded.date.isoformat() if loaded.date else "",
        "url": loaded.url,
    }
    assert facts == {**dict.fromkeys(facts, ""), **want.get("source", {})}
    if "cited_names" in want:
        assert loaded.cited_names == want["cited_names"]


def test_pasted_markup_and_an_uploaded_page_read_as_the_file_does():
    page = PAGES / "ol_strong.html"
    from_file = load_article(page)
    assert load_article(page.read_text(encoding="utf-8")) == from_file
    assert load_article(page.read_bytes(), name="upload.bin") == from_file
    fragment = "<h2>Jaws</h2><p>The shark kept sinking.</p><h2>Alien</h2><p>Nobody knew.</p>"
    text = load_article(fragment).text
    assert text == "## Jaws\n\nThe shark kept sinking.\n\n## Alien\n\nNobody knew.\n"


def test_plain_text_is_read_as_before():
    text = "Facts\n\n1. Jaws\n\nThe shark <sank> twice.\n"
    assert load_article(text).text == text
    assert load_article(text.encode()).text == text


def test_a_charset_in_a_meta_tag_decodes_the_page():
    text = load_article(PAGES / "windows1252.html").text
    assert "## Amélie (2001)" in text and "Paris “propre”" in text and "l’écran — une" in text


def test_a_page_without_a_declared_charset_is_utf8_or_else_windows_1252():
    markup = "<p>Amélie’s café</p><p>x</p><p>y</p>"
    assert "Amélie’s café" in load_article(markup.encode("utf-8"), name="a.html").text
    assert "Amélie’s café" in load_article(markup.encode("cp1252"), name="a.html").text


def test_paragraphs_and_a_quote_under_a_heading_stay_one_story_and_the_intro_is_not_one():
    page = """<article><h1>Sets</h1><p>By Ann Lee – 2 May 2020</p><p>Three stories.</p>
    <h2>Jaws</h2><p>The shark sank.</p><p>It sank again.</p>
    <blockquote>We were out of our minds.</blockquote>
    <h2>Alien</h2><p>Nobody knew.</p></article>"""
    stories = split_article(load_article(page).text).stories
    assert [(story.heading, story.text) for story in stories] == [
        ("Jaws", "The shark sank.\n\nIt sank again.\n\nWe were out of our minds."),
        ("Alien", "Nobody knew."),
    ]


def test_a_list_of_links_a_caption_and_a_comment_section_are_never_stories():
    page = """<main><h1>Props</h1><h2>Rosebud</h2><p>Three sleds were built for the film.</p>
    <figure><img src=x><figcaption>The sled, in 1941</figcaption></figure>
    <ul><li><a href=/a>Ten more props</a></li><li><a href=/b>Sets on fire</a></li></ul>
    <div class="comments"><h3>One comment</h3><p>Loved it, more please!</p></div></main>"""
    text = load_article(page).text
    assert text == "# Props\n\n## Rosebud\n\nThree sleds were built for the film.\n"


def test_list_items_in_bold_are_headings_and_plain_items_stay_together():
    page = """<h1>Casts</h1><ol><li><b>Psycho (1960)</b> – Hitchcock bought the books.</li>
    <li><strong>Vertigo:</strong> The zoom was new.</li></ol>
    <ul><li>Jaws</li><li>Alien</li><li>Heat</li></ul>"""
    text = load_article(page).text
    assert text == (
        "# Casts\n\n## Psycho (1960)\n\nHitchcock bought the books.\n\n## Vertigo\n\n"
        "The zoom was new. Jaws; Alien; Heat\n"
    )


def test_paragraphs_that_open_with_a_name_in_bold_are_stories_under_a_section_heading():
    page = """<div class=post><h1>Hurt on set</h1>
    <p><strong>Warning:</strong> some of these are painful to read about.</p>
    <h2>Our picks</h2>
    <p><strong>Fight Club:</strong> Brad Pitt chipped a tooth.<br><br>
    <b>Kill Bill</b> – Uma Thurman crashed a car.</p>
    <p>She spoke about it years later.</p></div>"""
    stories = split_article(load_article(page).text).stories
    assert [(story.heading, story.text) for story in stories] == [
        ("Fight Club", "Brad Pitt chipped a tooth."),
        ("Kill Bill", "Uma Thurman crashed a car.\n\nShe spoke about it years later."),
    ]


def test_one_paragraph_opening_in_bold_is_not_a_heading():
    page = "<p><b>Fun fact:</b> the shark sank.</p><p>The crew laughed.</p><p>More.</p>"
    assert load_article(page).text == "Fun fact: the shark sank.\n\nThe crew laughed.\n\nMore.\n"


def test_a_page_too_big_or_not_a_page_at_all_is_refused(tmp_path):
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body>" + b"<p>x</p>" * (MAX_PAGE_BYTES // 8) + b"</body></html>")
    with pytest.raises(ArticleError, match="a page may be at most 2 MB"):
        load_article(big)
    with pytest.raises(ArticleError, match="is a PNG image"):
        load_article(b"\x89PNG\r\n\x1a\n\x00\x00", name="photo.html")
    with pytest.raises(ArticleError, match="is empty"):
        load_article(b"   ", name="empty.html")


TAG_SOUP = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<h2>",
            "</h2>",
            "<li><b>",
            "</b>",
            ":",
            " – ",
            "<ul>",
            "</ul>",
            "<br>",
            "<br><br>",
            "<div class=ad>",
            "<div class='entry has-sidebar'>",
            "</div>",
            "<blockquote>",
            "<a href=/x>",
            "</a>",
            "<article>",
            "<figure><figcaption>",
            "<em>",
            "<script>",
            "Jaws",
            "The shark sank twice.",
            "Share",
            "é",
            "\x00",
            "&amp;",
        ]
    ),  # fmt: skip
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None, database=None)
@given(markup=TAG_SOUP)
def test_any_tag_soup_is_read_or_refused_with_a_message(markup):
    try:
        loaded = load_article(f"<html><body>{markup}</body></html>")
    except ArticleError as error:
        assert str(error)
    else:
        split_article(loaded.text)
        assert "<" not in loaded.text.replace("<b>", "")


def test_reading_a_page_leaves_time_for_a_thousand_articles_a_minute():
    markups = [page.read_bytes() for page in CORPUS]
    start = time.perf_counter()
    for markup in markups * 5:
        split_article(load_article(markup, name="page.html").text)
    per_page = (time.perf_counter() - start) / (len(markups) * 5)
    assert per_page < 0.06  # a minute's budget shared by 1,000 articles, reading and splitting


# --- Through the command ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_html_file_imports_with_its_source_filled_from_the_page():
    run(PAGES / "metadata_numbered.html")
    source = Source.objects.get()
    assert (source.title, source.url, source.publisher, source.author, source.date) == (
        "10 Facts About Die Hard You Probably Didn't Know",
        "https://www.cinefacts.example/lists/die-hard-facts",
        "CineFacts",
        "Maria Lopez",
        datetime.date(2023, 5, 14),
    )
    assert Anecdote.objects.count() == 5


@pytest.mark.django_db
def test_options_override_what_the_page_says():
    run(
        PAGES / "metadata_numbered.html",
        "--publisher",
        "CF",
        "--author",
        "M. Lopez",
        "--date",
        "2023-05-15",
        "--source-title",
        "Die Hard facts",
    )
    source = Source.objects.get()
    assert (source.title, source.publisher, source.author, source.date) == (
        "Die Hard facts",
        "CF",
        "M. Lopez",
        datetime.date(2023, 5, 15),
    )


@pytest.mark.django_db
def test_json_goes_alone_to_stdout_and_the_summary_to_stderr(monkeypatch):
    page = PAGES / "card_items.html"
    monkeypatch.setattr("sys.stdin", type("Stdin", (), {"buffer": page.open("rb")})())
    out, err = run("-", "--json", "--dry-run")
    assert [story["heading"] for story in json.loads(out)][:2] == ["The Ruby Slippers", "Rosebud"]
    assert err.startswith("Dry run, nothing written. 5 stories")
    run(page)
    out, err = run(page, "--json")  # imported before: said on stderr, the JSON alone on stdout
    assert len(json.loads(out)) == 5
    assert "already imported" in err and "{" not in err
    assert Source.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.html", "No such file: missing.html."),
        ("ftp://example.org/list.html", "only http:// and https:// pages can be imported"),
        ("http://", "is not a valid address"),
    ],
)
def test_a_bad_source_is_one_clear_message(source, message):
    with pytest.raises(CommandError, match=re.escape(message)) as error:
        run(source)
    assert "\n" not in str(error.value)
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="--date is not a date"):
        run(PAGES / "card_items.html", "--date", "May 5th")
