"""Issue 6: cached story cards, kept counts and query plans — fast, and never wrong.

Story cards are rendered once and served from the cache (``{% story_cards %}``); every change a
reader could notice must still show on the very next request, on pages no page cache serves (a
signed-in reader's) as on the others. The published-story counts of titles and tags are kept in
their own tables (``trivia.counters``); they must equal the real counts after every change.
"""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.template import engines
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from tests.caching import clear_caches
from tests.factories import make_anecdote, make_moderator, make_title, make_user, texts_of
from trivia import counters, services
from trivia.caching.pages import content_cache, near
from trivia.models import (
    Anecdote,
    Correction,
    Person,
    Source,
    TagStoryCount,
    Title,
    TitleStoryCount,
)
from trivia.templatetags import story_cards
from trivia.views.tags import TagDetailView

pytestmark = pytest.mark.django_db

State = Anecdote.State


def published(**kwargs):
    return make_anecdote(state=State.PUBLISHED, **kwargs)


@pytest.fixture
def title():
    return make_title("Heat", year=1995)


def signed_in_client(username=None):
    client = Client()
    client.force_login(make_user(username))
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def tag_url(name):
    return reverse("tag_detail", kwargs={"slug": Tag.objects.get(name=name).slug})


# --- Cards from the cache: every change shows at once ------------------------------------------


def test_an_edit_shows_at_once_on_a_signed_in_page(title, moderator):
    story = published(title=title, text="Kino Rives did the stunt.")
    reader = signed_in_client()
    assert "Kino Rives did the stunt." in page(reader, title.get_absolute_url())
    services.edit_story(story=story, editor=moderator, changes={"text": "Keanu did the stunt."})
    html = page(reader, title.get_absolute_url())
    assert "Keanu did the stunt." in html and "Kino Rives" not in html


def test_an_approval_and_an_unpublishing_show_at_once_with_their_counts(title, moderator):
    published(title=title, tags=["heists"], text="First story.")
    reader = signed_in_client()
    for url in (title.get_absolute_url(), tag_url("heists"), reverse("home")):
        page(reader, url)
    story = make_anecdote(title=title, tags=["heists"], text="The bank scene was real.")
    services.approve_story(story=story, moderator=moderator)
    assert "The bank scene was real." in page(reader, tag_url("heists"))
    assert "2 published stories with this tag" in page(reader, tag_url("heists"))
    assert "2 stories" in page(reader, title.get_absolute_url())
    services.unpublish_story(story=story, moderator=moderator, reason="rumour")
    for url in (title.get_absolute_url(), tag_url("heists"), reverse("home")):
        html = page(reader, url)
        assert "The bank scene was real." not in html, url
    assert "1 published story with this tag" in page(reader, tag_url("heists"))


def test_a_vote_shows_at_once_though_it_leaves_the_cached_card_as_it_is(title):
    story = published(title=title)
    watcher = signed_in_client()
    assert 'class="vote__count">0<' in page(watcher, title.get_absolute_url())
    services.vote_interesting(story=story, user=make_user())
    assert 'class="vote__count">1<' in page(watcher, title.get_absolute_url())
    anonymous = page(Client(), title.get_absolute_url())
    assert 'class="vote__count">1<' in anonymous


def test_a_renamed_title_shows_at_once_on_the_cards_that_name_it(title):
    published(title=title, tags=["heists"])
    reader = signed_in_client()
    assert ">Heat</a>" in page(reader, tag_url("heists"))
    services.rename_title(title=Title.objects.get(pk=title.pk), name="Heat (1995 cut)")
    assert ">Heat (1995 cut)</a>" in page(reader, tag_url("heists"))


def test_a_corrected_source_shows_at_once(title):
    story = published(title=title)
    source = Source.objects.get(citations__anecdote=story)
    reader = signed_in_client()
    page(reader, title.get_absolute_url())
    source.title = "The director's commentary"
    source.save()
    services.source_edited(source=source)
    assert "The director&#x27;s commentary" in page(reader, title.get_absolute_url())


def test_a_contributor_renamed_or_closed_shows_at_once(title):
    ripley = make_user("ripley")
    published(title=title, contributor=ripley)
    reader = signed_in_client()
    assert '<a href="/users/ripley/">ripley</a>' in page(reader, title.get_absolute_url())
    ripley.username = "ellen"
    ripley.save()
    assert '<a href="/users/ellen/">ellen</a>' in page(reader, title.get_absolute_url())
    ripley.is_active = False
    ripley.save()
    html = page(reader, title.get_absolute_url())
    assert "Shared by ellen" in html and "/users/ellen/" not in html


def test_each_reader_sees_only_their_own_vote_and_token(title):
    story = published(title=title)
    voter, other = make_user("voter"), make_user("other")
    services.vote_interesting(story=story, user=voter)
    as_voter, as_other = Client(), Client()
    as_voter.force_login(voter)
    as_other.force_login(other)
    voter_html = page(as_voter, title.get_absolute_url())
    other_html = page(as_other, title.get_absolute_url())
    anonymous_html = page(Client(), title.get_absolute_url())
    assert 'aria-pressed="true"' in voter_html and 'aria-pressed="true"' not in other_html
    assert 'aria-pressed="false"' in other_html
    voter_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', voter_html)[1]
    assert voter_token not in other_html
    assert "csrfmiddlewaretoken" not in anonymous_html
    assert "Sign in to mark stories as interesting" in anonymous_html
    assert "voter" not in anonymous_html and "voter" not in other_html


def test_a_search_asked_again_shows_an_approval_and_an_edit_at_once(title, moderator):
    published(title=title, text="The bank scene was shot on a Sunday.")
    reader = signed_in_client()
    search_url = reverse("search") + "?q=bank"
    assert "1 story matching" in page(reader, search_url)
    story = make_anecdote(title=title, text="A second bank, built in the studio.")
    services.approve_story(story=story, moderator=moderator)
    html = page(reader, search_url)
    assert "2 stories matching" in html and "built in the studio" in html
    services.edit_story(
        story=story, editor=moderator, changes={"text": "A second bank, built on a lot."}
    )
    html = page(signed_in_client(), search_url)
    assert "built on a lot" in html and "built in the studio" not in html


def test_a_cached_card_is_the_card_the_include_renders(title):
    """The cache changes nothing a reader sees: the cards of a list, from the cache, are the
    very cards the template include renders for the same reader."""
    contributor = make_user("ripley")
    for number in range(3):
        story = published(
            title=title, contributor=contributor, tags=["heists", "casting"], sources=2
        )
        services.edit_story(
            story=story,
            editor=make_moderator(),
            changes={"text": f"Story {number} with <b>markup</b> & a link https://x.test/a."},
        )
    services.vote_interesting(story=Anecdote.objects.first(), user=contributor)
    published_stories = Anecdote.objects.published().order_by("pk")
    request = RequestFactory().get(title.get_absolute_url())
    request.user = contributor
    voted = frozenset([Anecdote.objects.first().pk])
    engine = engines["django"]
    included = engine.from_string(
        '{% for story in stories %}{% include "includes/story_card.html" '
        "with show_title=True %}{% endfor %}"
    )
    from_tag = engine.from_string("{% load story_cards %}{% story_cards stories show_title=True %}")

    def cards(template, stories):
        html = template.render({"stories": list(stories), "voted_ids": voted}, request)
        # The CSRF token is masked anew each time; whitespace between cards is not shown.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return re.sub(r">\s+<", "><", html).strip()

    expected = cards(included, published_stories.for_cards())
    assert cards(from_tag, published_stories.for_card_list()) == expected  # rendered, stored
    assert cards(from_tag, published_stories.for_card_list()) == expected  # from the cache
    assert expected.count("<article") == 3 and expected.count('class="tags"') == 3


def test_a_card_is_rendered_once_then_taken_from_the_cache(title, monkeypatch):
    for _ in range(4):
        published(title=title, tags=["heists"])
    reader = signed_in_client()
    rendered = []
    original = story_cards.render_fragment
    monkeypatch.setattr(
        story_cards,
        "render_fragment",
        lambda story, **kwargs: rendered.append(story.pk) or original(story, **kwargs),
    )
    page(reader, title.get_absolute_url())
    assert len(rendered) == 4
    with CaptureQueriesContext(connection) as cached:
        page(reader, title.get_absolute_url())
    assert len(rendered) == 4
    # Neither the tags, the sources nor the people of a cached card are fetched again.
    sql = " ".join(query["sql"] for query in cached.captured_queries)
    assert "trivia_citation" not in sql and "trivia_anecdote_people" not in sql


def test_a_page_with_cached_cards_runs_fewer_queries_and_the_same_for_4_or_40(title):
    reader = signed_in_client()

    def queries():
        page(reader, title.get_absolute_url())  # cards rendered and stored
        with CaptureQueriesContext(connection) as captured:
            page(reader, title.get_absolute_url())
        return len(captured)

    for _ in range(4):
        published(title=title, tags=["heists"], sources=2)
    few = queries()
    clear_caches()
    with CaptureQueriesContext(connection) as captured:
        page(reader, title.get_absolute_url())
    uncached = len(captured)
    for _ in range(36):
        published(title=title, tags=["heists"], sources=2)
    assert queries() == few
    # Session, user, the publication clock, stories (five columns), votes, the stamps of the
    # cards' stories and of the kept title (its count, aliases and side column); read whole
    # (the stories with their tags, sources, people) and the side's verdicts, people and tags
    # only when uncached.
    assert few == uncached - 7 == 7


def test_a_title_renamed_or_given_an_alias_shows_at_once_to_signed_in_readers(title, moderator):
    published(title=title, text="The bank scene was shot on a Sunday.")
    reader = signed_in_client()
    assert title.name in page(reader, title.get_absolute_url())  # title kept
    client = Client()
    client.force_login(moderator)
    data = {
        "name": "Heat (director's cut)",
        "slug": title.slug,
        "kind": title.kind,
        "year": "1995",
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-0-name": "Heat 1995",
    }
    response = client.post(f"/admin/trivia/title/{title.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    html = page(reader, title.get_absolute_url())
    assert "Heat (director&#x27;s cut)" in html and "Heat 1995" in html


@pytest.mark.parametrize("list_name", ["home", "title", "tag", "archive"])
def test_the_generation_is_read_before_the_stories_a_card_shows(title, list_name):
    """Read after, a change committed in between would be cached under the new generation
    with the old content, and shown until the cache forgets it."""
    published(title=title, tags=["heists"])
    url = {
        "home": "/",
        "title": title.get_absolute_url(),
        "tag": tag_url("heists"),
        "archive": "/stories/",
    }[list_name]
    reader = signed_in_client()
    with CaptureQueriesContext(connection) as captured:
        page(reader, url)
    sql = [query["sql"] for query in captured.captured_queries]
    generation = next(i for i, text in enumerate(sql) if "trivia_contentgeneration" in text)
    stories = next(i for i, text in enumerate(sql) if text.startswith('SELECT "trivia_anecdote"'))
    assert generation < stories


def without_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("list_name", ["home", "title", "tag", "person", "interesting", "archive"])
def test_a_page_whose_cards_are_all_cached_reads_rows_and_shows_the_same(title, list_name):
    keanu = Person.objects.create(name="Keanu Reeves")
    reader = make_user()
    for number in range(3):
        story = published(title=title, tags=["heists"], text=f"Story {number}.", sources=2)
        story.people.add(keanu)
    services.vote_interesting(story=story, user=reader)
    url = {
        "home": "/",
        "title": title.get_absolute_url(),
        "tag": tag_url("heists"),
        "person": keanu.get_absolute_url(),
        "interesting": tag_url("heists") + "?sort=interest",
        "archive": "/stories/?sort=interest",
    }[list_name]
    client = Client()
    client.force_login(reader)
    first = page(client, url)  # whole rows; every card rendered and stored
    with CaptureQueriesContext(connection) as captured:
        second = page(client, url)
    assert without_tokens(second) == without_tokens(first)
    assert 'aria-pressed="true"' in second
    stories = [q["sql"] for q in captured.captured_queries if 'FROM "trivia_anecdote"' in q["sql"]]
    assert stories and not any('"trivia_anecdote"."text"' in sql for sql in stories)


def test_a_card_the_cache_lost_is_read_again_whole(title):
    stories = [published(title=title, text=f"Story {number}.") for number in range(3)]
    reader = signed_in_client()
    first = page(reader, title.get_absolute_url())
    lost = Anecdote.objects.select_related("contributor").get(pk=stories[1].pk)
    key = story_cards.card_key(lost, show_title=False)
    content_cache.delete(key)
    near.delete(key)
    assert without_tokens(page(reader, title.get_absolute_url())) == without_tokens(first)


def test_an_unpublished_story_in_a_list_is_never_stored(title):
    story = published(title=title)
    Anecdote.objects.filter(pk=story.pk).update(state=State.PENDING)  # as in a race
    request = RequestFactory().get("/")
    request.user = make_user()
    html = (
        engines["django"]
        .from_string("{% load story_cards %}{% story_cards stories %}")
        .render({"stories": [Anecdote.objects.get(pk=story.pk)], "voted_ids": None}, request)
    )
    assert f'id="story-{story.pk}"' in html
    key = story_cards.card_key(story, show_title=False)
    assert content_cache.get(key) is None and near.get(key) is None


# --- Counts: always the real ones ----------------------------------------------------------------


def real_counts():
    """Published stories per title and per tag, counted one story at a time: slow, and
    independent of the SQL ``trivia.counters`` counts with."""
    titles, tags = Counter(), Counter()
    for story in Anecdote.objects.published().prefetch_related("tags"):
        titles[story.title_id] += 1
        tags.update(tag.pk for tag in story.tags.all())
    return dict(titles), dict(tags)


def kept_counts():
    titles = dict(TitleStoryCount.objects.filter(value__gt=0).values_list("title", "value"))
    tags = dict(TagStoryCount.objects.filter(value__gt=0).values_list("tag", "value"))
    return titles, tags


def assert_counts_are_real(step):
    assert kept_counts() == real_counts(), step


def test_counts_equal_the_real_ones_after_every_change(moderator, contributor):
    heat, alien = make_title("Heat"), make_title("Alien")
    story = make_anecdote(title=heat, contributor=contributor, tags=["heists", "music"])
    other = published(title=heat, tags=["heists"])
    assert_counts_are_real("submitted and published")
    services.approve_story(story=story, moderator=moderator)
    assert_counts_are_real("approved")
    assert kept_counts()[0][heat.pk] == 2
    services.edit_story(story=story, editor=moderator, changes={"title": alien})
    assert_counts_are_real("moved to another title")
    services.edit_story(story=story, editor=moderator, tags=["music", "stunts"])
    assert_counts_are_real("tags replaced by the service")
    services.edit_story(story=other, editor=moderator, tags=[])
    assert_counts_are_real("tags cleared")
    services.unpublish_story(story=story, moderator=moderator, reason="rumour")
    assert_counts_are_real("unpublished to the queue")
    services.edit_story(story=story, editor=moderator, tags=["heists"])
    assert_counts_are_real("tags of a pending story changed")
    services.approve_story(story=story, moderator=moderator)
    assert_counts_are_real("approved again")
    correction = services.propose_correction(story=story, proposer=contributor, text="Fixed.")
    services.accept_correction(correction=correction, moderator=moderator)
    assert Correction.objects.get(pk=correction.pk).state == Correction.State.ACCEPTED
    assert_counts_are_real("correction accepted")
    services.unpublish_story(
        story=story, moderator=moderator, reason="rumour", to_state=State.REJECTED
    )
    assert_counts_are_real("unpublished and rejected")
    services.resubmit_story(story=story, contributor=contributor)
    services.approve_story(story=story, moderator=moderator)
    Tag.objects.get(name="heists").delete()
    assert_counts_are_real("a tag deleted")
    Anecdote.objects.get(pk=story.pk).delete()
    assert_counts_are_real("a published story deleted")
    assert kept_counts() == ({heat.pk: 1}, {})


def test_pending_rejected_and_withdrawn_stories_are_never_counted(contributor):
    heat = make_title("Heat")
    for state in (State.PENDING, State.REJECTED, State.WITHDRAWN):
        make_anecdote(title=heat, contributor=contributor, tags=["heists"], state=state)
    assert kept_counts() == ({}, {})
    assert page(Client(), reverse("title_list")).count("title-list__item") == 0
    assert "heists" not in page(Client(), reverse("tag_list"))


def test_a_wrong_count_never_blocks_unpublishing(title, moderator):
    story = published(title=title, tags=["heists"])
    TitleStoryCount.objects.update(value=0)
    TagStoryCount.objects.update(value=0)
    services.unpublish_story(story=story, moderator=moderator, reason="rumour")
    assert kept_counts() == ({}, {})


def test_recount_stories_repairs_wrong_counts(title):
    published(title=title, tags=["heists", "music"])
    published(title=title, tags=["heists"])
    TitleStoryCount.objects.update(value=7)
    TagStoryCount.objects.filter(tag__name="music").delete()
    out = StringIO()
    call_command("recount_stories", "--dry-run", stdout=out)
    assert "1 title counts and 1 tag counts are wrong" in out.getvalue()
    assert kept_counts() != real_counts()
    call_command("recount_stories", stdout=StringIO())
    assert_counts_are_real("recounted")


def test_the_home_page_ranks_titles_by_their_kept_counts(moderator):
    alien, jaws = make_title("Alien"), make_title("Jaws")
    for _ in range(2):
        published(title=jaws)
    for _ in range(3):
        published(title=alien)
    response = Client().get(reverse("home"))
    assert [(t.name, t.story_count) for t in response.context["top_titles"]] == [
        ("Alien", 3),
        ("Jaws", 2),
    ]
    for story in Anecdote.objects.filter(title=alien)[:2]:
        services.unpublish_story(story=story, moderator=moderator, reason="rumour")
    response = Client().get(reverse("home"))
    assert [(t.name, t.story_count) for t in response.context["top_titles"]] == [
        ("Jaws", 2),
        ("Alien", 1),
    ]


def test_a_tag_page_is_paginated_by_its_kept_count_and_a_filtered_one_by_counting(monkeypatch):
    monkeypatch.setattr(TagDetailView, "paginate_by", 4)
    for number in range(5):
        published(tags=["heists"], text=f"Heist {number}.")
    debunked = published(tags=["heists"], text="A famous myth.")
    services.edit_story(story=debunked, editor=make_moderator(), changes={"accuracy": "debunked"})
    url = tag_url("heists")
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(url, {"page": 2})
    assert response.context["paginator"].count == 6
    # The paginator's count (the side column's grouped counts are kept, and are not one).
    assert not any('AS "__count"' in query["sql"] for query in captured.captured_queries)
    assert texts_of(response.context["stories"])[-1] == "Heist 0."
    filtered = Client().get(url, {"accuracy": "debunked"})
    assert filtered.context["paginator"].count == 1
    assert texts_of(filtered.context["stories"]) == ["A famous myth."]


@pytest.mark.parametrize("walk_from", [1, 10_000], ids=["big tag", "small tag"])
def test_a_tags_most_interesting_stories_come_in_the_same_order_however_they_are_read(
    monkeypatch, walk_from
):
    from trivia import queries

    monkeypatch.setattr(queries, "WALK_FROM", walk_from)
    stories = [published(tags=["heists"], text=f"Heist {number}.") for number in range(4)]
    published(tags=["other"], text="Not a heist.")
    for votes, story in zip([2, 0, 2, 1], stories, strict=True):
        for _ in range(votes):
            services.vote_interesting(story=story, user=make_user())
    response = Client().get(tag_url("heists"), {"sort": "interest"})
    assert texts_of(response.context["stories"]) == [
        "Heist 2.",
        "Heist 0.",
        "Heist 3.",
        "Heist 1.",
    ]
    assert response.context["paginator"].count == 4


# --- Query plans ------------------------------------------------------------------------------


@pytest.fixture
def bench_sized_small(db):
    call_command(
        "seed_bench",
        titles=20,
        anecdotes=300,
        tags=15,
        contributors=5,
        stdout=StringIO(),
        stderr=StringIO(),
    )


def test_explain_hot_pages_prints_a_plan_for_every_query_of_every_hot_page(bench_sized_small):
    out = StringIO()
    call_command("explain_hot_pages", stdout=out)
    text = out.getvalue()
    for path in ("/", "/titles/", "/tags/", "/search/?q="):
        assert f"\n{path}" in text
    assert re.search(r"\d+ queries on 7 pages: no full scan of a big table", text)
    plan_word = "SEARCH" if connection.vendor == "sqlite" else "Index"
    assert plan_word in text


def test_explain_hot_pages_refuses_a_page_that_is_not_shown(bench_sized_small):
    with pytest.raises(CommandError, match="HTTP 404"):
        call_command("explain_hot_pages", "--path", "/titles/no-such-title/", stdout=StringIO())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="enable_seqscan is PostgreSQL's: SQLite's plans at this size say nothing of 300,000 "
    "stories (make bench runs explain_hot_pages on the real size).",
)
def test_every_hot_query_has_an_index_to_serve_it_on_postgresql(bench_sized_small):
    """With sequential scans priced out, PostgreSQL still reads no big table whole: every hot
    query has an index that serves it, however small the tables are here."""
    out = StringIO()
    call_command("explain_hot_pages", "--no-seqscan", stdout=out)
    assert "FULL SCAN" not in out.getvalue()
    # Home's "titles with the most stories": the first rows of the counts' index.
    assert "Index Only Scan using title_most_stories" in out.getvalue()


def test_explain_hot_pages_flags_a_full_scan_of_a_big_table(bench_sized_small, monkeypatch):
    from tests.loadtools.management.commands import explain_hot_pages

    monkeypatch.setattr(explain_hot_pages, "BIG_ROWS", 1)
    # Sorting the stories on a column no index starts with makes the database read them all.
    monkeypatch.setattr(
        explain_hot_pages,
        "record_queries",
        lambda paths, signed_in: [
            explain_hot_pages.Recorded(
                "/",
                'SELECT id FROM trivia_anecdote ORDER BY "text" LIMIT 1',
                (),
            )
        ],
    )
    out = StringIO()
    with pytest.raises(CommandError, match="read a big table whole"):
        call_command("explain_hot_pages", "--path", "/", stdout=out)
    assert "FULL SCAN" in out.getvalue()


def test_counters_recount_is_what_seed_bench_leaves(bench_sized_small):
    assert_counts_are_real("seeded")
    assert counters.recount() == (20, 15)
    assert_counts_are_real("recounted")
