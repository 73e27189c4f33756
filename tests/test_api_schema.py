"""schemathesis against the live OpenAPI description (/api/v1/openapi.json): every operation,
with examples generated from its schema (valid and invalid), answers below 500, with a status,
a content type and a body its description promises; and in all it answered, no unpublished
story, nor a title or tag only unpublished stories have, ever appears.

The API is served as in production by gunicorn (tests/servers.py) over a small world with
published and unpublished stories; the data is committed, so the test is transactional. The
number of examples is bounded to keep the run under a minute on two cores; `make api-check`
runs the same against `make run`'s server (docs/api.md).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_anecdote, make_moderator, make_title
from tests.ports import free_port
from tests.servers import start_server, stop_server
from trivia import services
from trivia.models import Anecdote, Person, PersonAlias

pytestmark = pytest.mark.django_db(transaction=True)

State = Anecdote.State
HIDDEN = "Marker of a story no reader may see"
EXAMPLES = 12


@pytest.fixture
def world():
    heat = make_title("Heat", year=1995, aliases=["Heisse Spur"])
    moderator = make_moderator()
    pacino = Person.objects.create(name="Al Pacino", known_for="Actor")
    PersonAlias.objects.create(person=pacino, name="Alfredo Pacino")
    for number in range(3):
        story = make_anecdote(
            title=heat,
            tags=["stunts", f"café {number}"],
            state=State.PUBLISHED,
            text=f"Story {number}: the bank <b>shootout</b> used real blanks.",
            is_spoiler=number == 1,
        )
    services.edit_story(
        story=story,
        editor=moderator,
        changes={"accuracy": "debunked", "accuracy_note": "They were not."},
        people=[pacino],
    )
    make_anecdote(title=make_title("Titanic", year=1997, kind="film"), state=State.PUBLISHED)
    secret = make_title("Secret Film")
    for state in (State.PENDING, State.REJECTED, State.WITHDRAWN):
        make_anecdote(title=secret, tags=["secret-tag"], state=state, text=HIDDEN)
    taken_down = make_anecdote(title=heat, state=State.PUBLISHED, text=HIDDEN)
    services.unpublish_story(
        story=taken_down, moderator=moderator, reason="duplicate", message="Twice."
    )


@pytest.fixture
def server(world):
    port = free_port()
    process = start_server(port, workers=2, API_RATE_LIMIT="1000000")
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(server, tmp_path):
    har = tmp_path / "exchanges.har"
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{server}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "2",
        "--seed",
        "20261203",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "har",
        "--report-har-path",
        str(har),
    ]
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "10 selected / 10 total" in output, output[-3000:]
    assert "No issues found" in output, output[-3000:]

    exchanges = json.loads(har.read_text())["log"]["entries"]
    assert len(exchanges) > 100
    statuses = {entry["response"]["status"] for entry in exchanges}
    assert 200 in statuses and max(statuses) < 500
    bodies = [entry["response"]["content"].get("text", "") for entry in exchanges]
    assert any("real blanks" in body for body in bodies)  # the bodies are there to be read
    for entry, body in zip(exchanges, bodies, strict=True):
        for hidden in (HIDDEN, "Secret Film", "secret-tag"):
            assert hidden not in body, entry["request"]["url"]
