"""The content cache with Redis: a worker's own copy in front of the shared cache
(trivia/caching/tiered.py). The shared tier is a second local-memory store here, standing for
Redis, so that the tiers can be watched apart on any machine; CI's PostgreSQL + Redis run
serves every page test through the real pair."""

import pytest

from trivia.caching.tiered import TieredCache


@pytest.fixture
def tiered():
    cache = TieredCache(
        "test-tiers",
        {
            "OPTIONS": {
                "NEAR_TIMEOUT": 30,
                "SHARED": {
                    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": "test-shared",
                },
            }
        },
    )
    cache.clear()
    yield cache
    cache.clear()


def test_a_value_set_by_one_worker_is_read_by_another_and_then_kept_near(tiered):
    tiered.set("page:7:home", b"<html>", 600)
    tiered.near.clear()  # another worker: nothing of its own yet
    assert tiered.get("page:7:home") == b"<html>"
    tiered.shared.delete("page:7:home")
    assert tiered.get("page:7:home") == b"<html>"  # its own copy now, no round trip


def test_get_many_takes_what_is_near_and_fetches_only_the_rest(tiered):
    tiered.set_many({"card:1": "a", "card:2": "b"}, 600)
    tiered.near.delete("card:2")
    tiered.shared.delete("card:1")  # would be missed if it were asked of the shared tier
    assert tiered.get_many(["card:1", "card:2", "card:3"]) == {"card:1": "a", "card:2": "b"}
    assert tiered.near.get("card:2") == "b"


def test_a_near_copy_expires_after_the_near_timeout_and_is_read_again(tiered, monkeypatch):
    import django.core.cache.backends.locmem as locmem

    tiered.set("kept:7:votes", 3, 600)
    tiered.shared.set("kept:7:votes", 4, 600)  # what another worker wrote since
    assert tiered.get("kept:7:votes") == 3
    now = locmem.time.time()
    monkeypatch.setattr(locmem.time, "time", lambda: now + 31)
    assert tiered.get("kept:7:votes") == 4


def test_a_missing_key_is_the_default_and_a_delete_reaches_both_tiers(tiered):
    assert tiered.get("nothing", "default") == "default"
    tiered.set("page:1:x", "x")
    tiered.delete("page:1:x")
    assert tiered.near.get("page:1:x") is None and tiered.shared.get("page:1:x") is None
