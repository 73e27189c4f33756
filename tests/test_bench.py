"""`make bench`'s two commands: seed_bench's dataset and its safety, bench's reading of wrk,
and the pieces of its read-under-write scenario on a tiny dataset.

No gunicorn runs here, and wrk only in the last test (skipped without it): the parser is fed
real wrk reports captured on this project.
"""

import os
import random
import shutil
import threading
import time
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from taggit.models import Tag

from tests import factories
from tests.loadtools import read_under_write as rw
from tests.loadtools.management.commands import bench
from tests.loadtools.management.commands.seed_bench import TagPicker, title_story_counts
from trivia.models import (
    Anecdote,
    Citation,
    SearchEntry,
    Source,
    TaggedAnecdote,
    Title,
)
from trivia.search.index import build_body

TINY = {"titles": 20, "anecdotes": 300, "tags": 15, "contributors": 5}


def seed(**sizes):
    out, err = StringIO(), StringIO()
    call_command("seed_bench", **{**TINY, **sizes}, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def seeded(db):
    seed()


# --- seed_bench: the dataset -----------------------------------------------------------------


def test_seed_bench_creates_exactly_the_sizes_asked_for(seeded):
    users = get_user_model().objects.filter(username__startswith="bench-user-")
    assert Title.objects.count() == 20
    assert Anecdote.objects.published().count() == Anecdote.objects.count() == 300
    assert Tag.objects.count() == 15
    assert users.count() == 5
    assert TaggedAnecdote.objects.count() == 300 * 3
    assert Citation.objects.count() == 300
    assert SearchEntry.objects.count() == 300


def test_every_seeded_story_has_three_tags_a_source_and_twenty_to_sixty_words(seeded):
    tag_counts = Counter(TaggedAnecdote.objects.values_list("content_object", flat=True))
    assert set(tag_counts.values()) == {3}
    for story in Anecdote.objects.all():
        assert story.version == 1
        assert story.published_at is not None
        assert 20 <= len(story.text.split()) <= 60
    assert set(Citation.objects.values_list("anecdote", flat=True)) == set(
        Anecdote.objects.values_list("pk", flat=True)
    )


def test_every_seeded_story_was_approved_with_its_snapshot_in_the_audit_trail(seeded):
    for story in Anecdote.objects.prefetch_related("events"):
        (event,) = story.events.all()
        assert (event.action, event.from_state, event.to_state) == (
            "approved",
            "pending",
            "published",
        )
        assert event.snapshot == story.snapshot()


def test_seeded_titles_are_skewed_as_designed(seeded):
    counts = sorted(
        (title.anecdotes.published().count() for title in Title.objects.all()), reverse=True
    )
    assert counts == title_story_counts(20, 300)
    assert counts[0] == 26  # the top title holds ~3 times the average of 15
    assert counts[-1] == 9


def test_default_sizes_give_hundreds_of_titles_with_a_fifty_story_page():
    counts = title_story_counts(10_000, 300_000)
    assert sum(counts) == 300_000
    assert sum(1 for n in counts if n >= 50) > 800
    assert min(counts) >= 1  # every title has a page


def test_most_used_tag_is_on_about_twelve_percent_of_stories_at_default_tag_count():
    picker = TagPicker(2_000, random.Random(1))
    draws = [picker.pick() for _ in range(20_000)]
    assert all(len(set(tags)) == 3 for tags in draws)
    top_share = Counter(tag for tags in draws for tag in tags).most_common(1)[0][1] / 20_000
    assert 0.10 < top_share < 0.14


def test_the_same_seed_gives_the_same_dataset(db):
    seed()
    first = list(Anecdote.objects.order_by("pk").values_list("text", "title__slug"))
    seed(reset=True)
    assert list(Anecdote.objects.order_by("pk").values_list("text", "title__slug")) == first


def test_seed_bench_shows_a_progress_bar_on_stderr(db):
    _, err = seed()
    assert "stories" in err
    assert "100%" in err
    assert "300/300" in err


def test_seeded_stories_are_on_their_title_pages(client, seeded):
    for title in Title.objects.all():
        newest = title.anecdotes.published().order_by("-published_at", "-pk").first()
        response = client.get(title.get_absolute_url())
        assert response.status_code == 200
        assert newest.text in response.content.decode()


def test_search_entries_are_what_the_search_module_would_write(seeded):
    # As words: build_body lists a story's tags in whatever order the database returns them.
    for story in Anecdote.objects.all():
        assert Counter(story.search_entry.body.split()) == Counter(build_body(story).split())


def test_search_finds_seeded_stories_by_their_title_name(client, seeded):
    title = Title.objects.get(slug="bench-20")  # 9 stories: one page of results
    stories = list(title.anecdotes.all())
    response = client.get("/search/", {"q": title.name})
    page = response.content.decode()
    assert response.status_code == 200
    assert all(story.get_absolute_url() in page for story in stories)


# --- seed_bench: running it again, resetting, refusing ----------------------------------------


def test_seed_bench_again_with_the_same_sizes_changes_nothing(seeded):
    ids = set(Anecdote.objects.values_list("pk", flat=True))
    out, _ = seed()
    assert "already holds the bench dataset" in out
    assert set(Anecdote.objects.values_list("pk", flat=True)) == ids


def test_seed_bench_with_other_sizes_refuses_without_reset(seeded):
    with pytest.raises(CommandError, match="--reset"):
        seed(anecdotes=200)
    assert Anecdote.objects.count() == 300


def test_reset_replaces_the_bench_rows_and_keeps_everything_else(db):
    demo_title = factories.make_title("Demo Film")
    demo_user = factories.make_user("carol")
    demo_source = factories.make_source()
    seed()
    old_ids = set(Anecdote.objects.values_list("pk", flat=True))
    out, _ = seed(anecdotes=200, titles=10, tags=12, contributors=3, reset=True)
    assert "Seeded 10 titles, 200 published stories" in out
    assert Title.objects.filter(pk=demo_title.pk).exists()
    assert get_user_model().objects.filter(pk=demo_user.pk).exists()
    assert Source.objects.filter(pk=demo_source.pk).exists()
    assert not Anecdote.objects.filter(pk__in=old_ids).exists()
    assert Anecdote.objects.count() == 200
    assert Title.objects.exclude(pk=demo_title.pk).count() == 10
    assert Tag.objects.count() == 12
    assert get_user_model().objects.filter(username__startswith="bench-user-").count() == 3


def test_seed_bench_refuses_a_database_with_real_stories_even_with_reset(db):
    seed()
    real = factories.make_anecdote(state="published")
    with pytest.raises(CommandError, match="1 stories that are not bench stories"):
        seed(reset=True)
    assert Anecdote.objects.filter(pk=real.pk, state="published").exists()
    assert Anecdote.objects.count() == 301


def test_a_real_title_with_a_bench_like_slug_is_not_taken_for_bench_data(db):
    real = factories.make_anecdote(title=factories.make_title("Bench 2"), state="published")
    assert real.title.slug == "bench-2"
    with pytest.raises(CommandError, match="not bench stories"):
        seed(reset=True)
    assert Anecdote.objects.filter(pk=real.pk).exists()


def test_dry_run_writes_nothing(db):
    out = StringIO()
    call_command("seed_bench", **TINY, dry_run=True, stdout=out)
    assert "Would seed 20 titles, 300 published stories" in out.getvalue()
    assert not Anecdote.objects.exists()
    assert not Title.objects.exists()


# --- bench: reading wrk, picking pages, judging targets -------------------------------------

# Real `wrk --latency` reports, captured on this project: /healthz on gunicorn (2 workers), a
# page that does not exist, and a server that drops connections.
WRK_HEALTHZ = """\
Running 3s test @ http://127.0.0.1:8771/healthz
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    49.64ms   29.54ms 240.66ms   93.42%
    Req/Sec    89.33     21.46   131.00     77.19%
  Latency Distribution
     50%   43.47ms
     75%   49.11ms
     90%   59.92ms
     99%  207.19ms
  520 requests in 3.04s, 294.02KB read
Requests/sec:    170.87
Transfer/sec:     96.62KB
"""
WRK_NOT_FOUND = """\
Running 3s test @ http://127.0.0.1:8771/no-such-page/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    51.83ms   33.88ms 262.94ms   94.27%
    Req/Sec    87.93     17.34   110.00     82.46%
  Latency Distribution
     50%   44.22ms
     75%   50.24ms
     90%   56.46ms
     99%  231.48ms
  512 requests in 3.05s, 1.44MB read
  Non-2xx or 3xx responses: 512
Requests/sec:    168.02
Transfer/sec:    482.74KB
"""
WRK_DROPPED = """\
Running 3s test @ http://127.0.0.1:8778/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   688.36us    1.06ms   3.16ms   81.82%
    Req/Sec    11.33     16.17    30.00     66.67%
  Latency Distribution
     50%  300.00us
     75%  434.00us
     90%    2.44ms
     99%    3.16ms
  11 requests in 3.07s, 649.00B read
  Socket errors: connect 0, read 19, write 0, timeout 0
Requests/sec:      3.59
Transfer/sec:     211.67B
"""


def test_wrk_report_gives_rate_and_latency_percentiles_in_milliseconds():
    result = bench.parse_wrk(WRK_HEALTHZ)
    assert result.requests_per_second == 170.87
    assert result.requests == 520
    assert result.p50_ms == pytest.approx(43.47)
    assert result.p99_ms == pytest.approx(207.19)
    assert result.errors == 0


def test_wrk_report_counts_responses_other_than_2xx_and_3xx_as_errors():
    assert bench.parse_wrk(WRK_NOT_FOUND).errors == 512


def test_wrk_report_counts_socket_errors_and_reads_microseconds():
    result = bench.parse_wrk(WRK_DROPPED)
    assert result.socket_errors == 19
    assert result.errors == 19
    assert result.p50_ms == pytest.approx(0.3)
    assert result.p99_ms == pytest.approx(3.16)


def test_wrk_output_that_is_not_a_report_is_refused():
    with pytest.raises(bench.WrkError, match="Not a wrk report"):
        bench.parse_wrk("unable to connect to 127.0.0.1:8779 Connection refused\n")


def test_bench_picks_its_pages_from_the_database(seeded):
    pages = {page.key: page for page in bench.pick_pages()}
    assert list(pages) == ["home", "title", "tag", "story", "search"]
    # No title reaches 50 stories at this size: the biggest one is taken.
    assert pages["title"].path == "/titles/bench-1/"
    top_tag = Counter(TaggedAnecdote.objects.values_list("tag__slug", flat=True)).most_common(1)
    assert pages["tag"].path == f"/tags/{top_tag[0][0]}/"
    newest = Anecdote.objects.order_by("-published_at", "-pk").first()
    assert pages["story"].path == newest.get_absolute_url()
    assert pages["search"].path.startswith("/search/?q=")


def test_queries_are_counted_on_a_repeated_request(client, seeded):
    status, queries = bench.count_queries(client, "/healthz")
    assert (status, queries) == (200, 1)


def test_queries_are_counted_with_the_cookie_wrk_sends(client, seeded):
    reader = factories.make_user()
    client.force_login(reader)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    _, anonymous = bench.count_queries(client, "/accounts/submissions/")
    status, signed_in = bench.count_queries(client, "/accounts/submissions/", cookie)
    assert anonymous == 0  # redirected to sign in: no session was sent
    assert status == 200
    assert signed_in > 0


def test_table_gives_ratios_to_the_static_floor_and_healthz_and_judges_the_targets():
    stylesheet = bench.Page("static", "stylesheet", "/static/css/site.css")
    title = bench.Page("title", "title", "/titles/bench-1/")
    tag = bench.Page("tag", "tag", "/tags/bench-tag-1/")
    search_page = bench.Page("search", "search", "/search/?q=camera")
    static_result = bench.WrkResult(1000.0, 10_000, 2.0, 5.0)
    rows = [
        bench.Row(stylesheet, bench.STATIC_READER, 200, 0, static_result, 1.0, healthz_ratio=5.0),
        bench.Row(
            title,
            bench.ANONYMOUS,
            200,
            1,
            bench.WrkResult(700.0, 7000, 3.0, 8.0),
            0.7,
            bench.targets_for("title", bench.ANONYMOUS),
            cpu_ms=1.234,
            healthz_ratio=3.5,
        ),
        bench.Row(
            title,
            bench.SIGNED_IN,
            200,
            5,
            bench.WrkResult(19.0, 190, 40.0, 90.0),
            0.019,
            bench.targets_for("title", bench.SIGNED_IN),
            healthz_ratio=0.095,
        ),
        bench.Row(
            tag,
            bench.ANONYMOUS,
            200,
            6,
            bench.WrkResult(500.0, 5000, 30.0, 80.0),
            0.5,
            bench.targets_for("tag", bench.ANONYMOUS),
        ),
        bench.Row(search_page, bench.ANONYMOUS, 404, 3, targets=bench.targets_for("search", "")),
    ]
    lines = bench.render_table(rows).splitlines()
    assert "| req/s | × static | × /healthz |" in lines[0]
    assert lines[2].startswith(
        "| stylesheet | `/static/css/site.css` | anyone (static file) | 1,000 | 1.00 | 5.00 |"
    )
    assert (
        "| 700 | 0.70 | 3.50 | 3.0 | 8.0 | 0 | 1 | 1.2 | ≥ 0.6× static (cached) | ✓ |" in lines[3]
    )
    assert "| 0.02 | 0.10 | 40.0 | 90.0 | 0 | 5 | — | ≥ 0.1× /healthz | ✗ |" in lines[4]
    assert (
        "| 0.50 | — | 30.0 | 80.0 | 0 | 6 | — | ≥ 0.6× static (cached), p99 < 50 ms | ✗ |"
        in (lines[5])
    )
    assert "not measured (HTTP 404: search not built yet)" in lines[6]
    floor = bench.floor_summary(rows)
    assert floor.startswith("cached anonymous pages at title 0.70×, tag 0.50× the stylesheet's")
    assert "target ≥ 0.6×, not met" in floor


def test_server_cpu_time_counts_the_work_of_the_process():
    before = bench.server_cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert bench.server_cpu_seconds(os.getpid()) - before >= 0.2


# --- bench: the read-under-write scenario ----------------------------------------------------

# A real report of wrk running read_under_write.LUA_SCRIPT against gunicorn.
WRK_MIX = """\
Running 3s test @ http://127.0.0.1:8791/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   183.24ms  273.87ms   1.24s    84.69%
    Req/Sec    61.12     39.72   141.00     63.64%
  Latency Distribution
     50%   28.22ms
     75%  255.73ms
     90%  640.95ms
     99%    1.06s
  212 requests in 3.07s, 7.02MB read
Requests/sec:     68.96
Transfer/sec:      2.28MB
X-Page-Cache: hit 205, miss 7, none 0
"""


def test_the_mix_script_counts_answers_from_the_page_cache_beside_wrk_s_report():
    counts = rw.parse_cache_counts(WRK_MIX)
    assert (counts.hits, counts.misses, counts.uncached) == (205, 7, 0)
    assert counts.share == pytest.approx(205 / 212)
    assert bench.parse_wrk(WRK_MIX).requests == 212
    assert rw.parse_cache_counts(WRK_HEALTHZ) is None


def test_readers_ask_mostly_for_title_pages_and_most_for_the_titles_with_most_stories(seeded):
    mix = rw.build_mix(random.Random(1), size=4000)
    assert 0.75 < mix.counts["title"] / 4000 < 0.85
    assert 0.11 < mix.counts["tag"] / 4000 < 0.19
    assert 0.03 < mix.counts["home"] / 4000 < 0.07
    busiest = mix.titles[0]
    assert busiest[0] == "/titles/bench-1/"  # the seeded title with the most stories
    by_path = Counter(mix.paths)
    assert by_path.most_common(1)[0][0] == busiest[0]
    assert by_path[busiest[0]] > 3 * by_path[mix.titles[-1][0]]
    assert all(path.startswith("/titles/") for path in mix.title_paths)
    assert "80 %" not in mix.describe() and "title 80%" in mix.describe()


def test_stage_meets_the_target_at_one_approval_a_second_only_with_both_figures():
    def stage(rate, hits, p99):
        return rw.Stage(
            rate=rate,
            result=bench.WrkResult(500.0, 5000, 3.0, 20.0),
            cache=rw.CacheCounts(hits, 100 - hits, 0),
            seconds=10,
            approvals=[12.0] * int(10 * rate),
            probe={"latencies_ms": [5.0] * 98 + [p99] * 2, "hits": 90, "errors": 0},
        )

    assert stage(1.0, 95, 20.0).verdict() == "✓"
    assert stage(1.0, 85, 20.0).verdict() == "✗"
    assert stage(1.0, 95, 30.0).verdict() == "✗"
    assert stage(5.0, 10, 300.0).verdict() == "✓"  # no target at 5/s: no error is enough
    line = rw.render_stages([stage(1.0, 95, 30.0)]).splitlines()[2]
    assert line.startswith("| 1 | 1.00 | 500 | 3.0 | 20.0 | 0 | 0.95 | 5.0 | 30.0 | 0.90 | — |")
    assert "| 12 / 12 |" in line


@pytest.mark.django_db(transaction=True)
def test_the_writer_approves_through_the_services_and_its_stories_go_afterwards(client):
    seed()
    mix = rw.build_mix(random.Random(1), size=1000)
    pks = rw.prepare_stories(5, random.Random(2), mix.titles, mix.tags)
    stories = Anecdote.objects.filter(pk__in=pks)
    assert {story.state for story in stories} == {"pending"}
    assert all(story.tags.count() == 3 and story.citations.count() == 1 for story in stories)

    moderator = rw.moderator()
    writer = rw.Writer(pks, rate=50, moderator=moderator)
    writer.start()
    deadline = time.monotonic() + 10
    while len(writer.done) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    writer.stop()
    assert writer.errors == [] and len(writer.done) == 5
    for story in stories.all():
        assert story.state == "published"
        assert story.events.get(action="approved").actor == moderator
        assert story.text in client.get(story.title.get_absolute_url()).content.decode()

    assert rw.remove_stories() == 5
    out, _ = seed()
    assert "already holds the bench dataset" in out  # the seeded sizes again


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
@pytest.mark.django_db(transaction=True)
def test_read_under_write_runs_end_to_end_against_a_live_server(live_server):
    seed()
    out = StringIO()
    call_command(
        "bench",
        base_url=live_server.url,
        scenario="read-under-write",
        rates=(0.0, 2.0),
        stage_duration=1,
        settle=0,
        warm_up=1,
        probe_rate=5,
        connections=2,
        threads=1,
        no_record=True,
        stdout=out,
        stderr=StringIO(),
    )
    table = out.getvalue()
    assert "| approvals/s | done/s | req/s |" in table
    assert "\n| 0 | 0.00 |" in table
    assert "\n| 2 | " in table
    assert not Anecdote.objects.filter(contributor__username="bench-writer").exists()
    assert threading.active_count() < 10  # the writers were joined
