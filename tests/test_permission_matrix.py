"""The permission matrix (tests/permissions.py) checked cell by cell: every route of the urlconf
× every role × GET and POST answers exactly as the table says.

A route without a row fails here first, so that no URL reaches the site without someone
deciding who may open it. Each cell runs in its own transaction, rolled back afterwards, with
an empty cache (page cache and rate limits), in a fresh browser signed in as the role.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import URLResolver, get_resolver

from tests.caching import clear_caches
from tests.hostile.figures import FIGURES
from tests.hostile.world import ROLES, build_world
from tests.permissions import (
    ALL_STORIES,
    DELETE,
    PREFIX_RULES,
    ROWS,
    STORY_DELETE,
    STORY_DELETION,
    Go,
)
from trivia.models import Anecdote, ModerationEvent

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST")
# A route's converters (<slug:slug>, <path:object_id>) or a regex group, as filled in to open a
# route covered by a prefix rule.
_PART = re.compile(r"<[^>]+>")
MADE_UP_ID = "987654"


def routes(patterns=None, prefix=""):
    """Every route of the urlconf as it is spelled there, joined to its includes' prefixes:
    "titles/<slug:slug>/", "admin/trivia/title/<path:object_id>/change/", allauth's regexes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route


def rule_for(route):
    return next((prefix for prefix in PREFIX_RULES if route.startswith(prefix)), None)


def fill(template, values):
    return template.format(**values) if isinstance(template, str) else template


def matches(expected, response, values):
    """Whether ``response`` is the answer ``expected``: a status, a ``Go``, alternatives in a
    tuple, or None for any answer below 500."""
    if expected is None:
        return response.status_code < 500
    if isinstance(expected, tuple):
        return any(matches(each, response, values) for each in expected)
    if isinstance(expected, Go):
        if response.status_code != 302:
            return False
        target = fill(expected.to, values)
        location = response["Location"]
        return location.startswith(target) if expected.prefix else location == target
    return response.status_code == expected


def described(response):
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def answer(world, role, method, url, data):
    """What ``role`` gets for ``method url``, with nothing of it kept afterwards."""
    clear_caches()
    browser = world.browser(role)
    with transaction.atomic():
        if method == "POST":
            response = browser.post(url, {key: fill(v, world.values) for key, v in data.items()})
        else:
            response = browser.get(url)
        transaction.set_rollback(True)
    FIGURES.matrix_cells += 1
    if response.status_code >= 500:
        FIGURES.server_errors += 1
    return response


def cells_of(row):
    for method in METHODS:
        for role, expected in zip(ROLES, row.get if method == "GET" else row.post, strict=True):
            yield method, role, expected


def wrong_cells(world, row):
    url = fill(row.url, world.values)
    wrong = []
    for method, role, expected in cells_of(row):
        response = answer(world, role, method, url, row.data)
        if not matches(expected, response, world.values):
            got = described(response)
            wrong.append(f"{method} {url} as {role}: expected {expected}, got {got}")
    return wrong


def test_every_route_of_the_urlconf_has_a_row_in_the_permission_matrix():
    with_rows = {row.pattern for row in ROWS}
    missing = [route for route in routes() if route not in with_rows and not rule_for(route)]
    assert not missing, (
        "Routes without a row in tests/permissions.py (add one per route, with the answer "
        "each role must get):\n" + "\n".join(missing)
    )


def test_every_row_and_rule_of_the_permission_matrix_names_a_route_that_exists():
    existing = set(routes())
    stale = [row.pattern for row in ROWS if row.pattern not in existing]
    stale += [
        prefix for prefix in PREFIX_RULES if not any(route.startswith(prefix) for route in existing)
    ]
    assert not stale, "Rows for routes the urlconf no longer has:\n" + "\n".join(stale)


def test_every_cell_of_the_permission_matrix_answers_as_the_table_says():
    world = build_world()
    wrong = []
    for row in ROWS:
        wrong += wrong_cells(world, row)
    with_rows = {row.pattern for row in ROWS}
    for route in routes():
        prefix = rule_for(route)
        if prefix is None or route in with_rows:
            continue
        url = "/" + _PART.sub(MADE_UP_ID, route)
        for method in METHODS:
            for role, expected in zip(ROLES, PREFIX_RULES[prefix], strict=True):
                response = answer(world, role, method, url, {})
                if not matches(expected, response, world.values):
                    wrong.append(f"{method} {url} as {role} ({prefix} rule): {described(response)}")
    assert not wrong, f"{len(wrong)} cells answer otherwise:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", STORY_DELETION)
def test_only_a_superuser_deletes_a_story_and_its_events_outlive_it(role):
    world = build_world()
    user = world.users[role]
    permissions, on_get, on_post = STORY_DELETION[role]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="trivia", codename__in=permissions)
    )
    story_id = world.published.pk
    trail = set(ModerationEvent.objects.filter(anecdote_id=story_id).values_list("pk", flat=True))
    assert trail
    clear_caches()
    browser = world.browser(role)
    url = fill(STORY_DELETE, world.values)

    page = browser.get(url)
    assert matches(on_get, page, world.values), f"GET as {role}: {described(page)}"
    if role != "admin":
        listed = browser.post(
            ALL_STORIES, {"action": "delete_selected", "_selected_action": story_id, **DELETE}
        )
        assert listed.status_code < 500
    done = browser.post(url, DELETE)
    assert matches(on_post, done, world.values), f"POST as {role}: {described(done)}"

    deleted = not Anecdote.objects.filter(pk=story_id).exists()
    assert deleted == (role == "admin")
    kept = ModerationEvent.objects.filter(pk__in=trail)
    assert kept.count() == len(trail)
    deletions = ModerationEvent.objects.filter(action=ModerationEvent.Action.DELETED)
    if not deleted:
        assert not deletions.exists()
        return
    assert set(kept.values_list("anecdote_id", "story_number")) == {(None, story_id)}
    deletion = deletions.get()
    assert (deletion.story_number, deletion.actor, deletion.from_state) == (
        story_id,
        user,
        Anecdote.State.PUBLISHED,
    )
