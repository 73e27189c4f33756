"""Two application processes sharing one database (and Redis, when configured): a moderator
approves through one, and the other shows the story on its very next request.

Each process has its own memory; only the database and the cache are shared, as with several
gunicorn workers or machines. The test runs real gunicorn processes on loopback ports against
the test database, so it needs committed data (a transactional test).
"""

import pytest

from tests.factories import PASSWORD, make_anecdote, make_moderator, make_title
from tests.ports import free_port
from tests.servers import Browser, hash_as_production_does, start_server, stop_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_servers():
    ports = [free_port(), free_port()]
    servers = [start_server(port) for port in ports]
    yield [f"http://127.0.0.1:{port}" for port in ports]
    for server in servers:
        stop_server(server)


def test_an_approval_through_one_process_shows_in_the_other_at_once(two_servers):
    first, second = two_servers
    title = make_title("Heat", year=1995)
    make_anecdote(title=title, state="published", text="Already public.")
    story = make_anecdote(title=title, text="The bank scene used real gunfire sounds.")
    moderator = make_moderator("racer")
    hash_as_production_does(moderator, PASSWORD)
    reader = Browser(second)
    assert "real gunfire" not in reader.get("/titles/heat/")  # cached now in the second
    assert "real gunfire" not in reader.get("/titles/heat/")

    admin = Browser(first)
    admin.post("/admin/login/?next=/admin/", {"username": moderator.username, "password": PASSWORD})
    queue = "/admin/trivia/pendinganecdote/"
    result = admin.post(queue, {"action": "approve_selected", "_selected_action": [story.pk]})
    assert "1 story approved" in result

    assert "real gunfire" in reader.get("/titles/heat/")
