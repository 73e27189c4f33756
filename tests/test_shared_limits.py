"""Production with several gunicorn workers: the sign-in lockout and the rate limits hold at
their configured numbers, whichever worker takes each request, with the disk cache that
production uses without Redis (and with Redis, where the run has one).

Each worker has its own memory; a count kept there would let a guesser through once per
worker (issue 16: 15 wrong passwords got through a lockout meant for 5 with 3 workers).
"""

import os
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress

from tests.factories import PASSWORD, make_anecdote, make_title, make_user
from tests.ports import free_port
from tests.servers import ROOT, Browser, hash_as_production_does, start_server, stop_server

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 3


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Production serves the collected static files; collected once for the module."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 50,
            "STATIC_ROOT": str(root),
        },
        check=True,
        timeout=120,
    )
    return root


@pytest.fixture(params=["disk", "redis"])
def site(request, static_root, tmp_path):
    """The site in production mode, three workers, counting in ``request.param``'s cache."""
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "shared-limits-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "CACHE_DIR": str(tmp_path / "cache"),
        "CACHE_KEY_PREFIX": f"shared-limits-{os.getpid()}-{free_port()}",
        "REDIS_URL": "",
    }
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("REDIS_URL is not set: the run has no Redis")
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    port = free_port()
    server = start_server(port, workers=WORKERS, **env)
    yield f"http://127.0.0.1:{port}"
    stop_server(server)


def sign_in(base, login, password):
    status, page = Browser(base).post_status(
        "/accounts/login/", {"login": login, "password": password}
    )
    assert status < 500, page[-2000:]
    if "Too many failed sign-in attempts" in page:
        return "locked"
    if "is not correct" in page:
        return "wrong"
    return "signed in"


def test_the_lockout_holds_at_five_whether_the_name_or_the_address_is_typed(site):
    user = make_user("victim", email="victim@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    hash_as_production_does(user, PASSWORD)

    typed = ["victim", "victim@example.org", "VICTIM", "Victim@Example.org"] * 3
    answers = [sign_in(site, login, f"guess-{n}") for n, login in enumerate(typed)]

    assert answers == ["wrong"] * 5 + ["locked"] * 7
    assert sign_in(site, "victim@example.org", PASSWORD) == "locked"


def test_reports_stop_at_the_configured_limit(site, settings):
    story = make_anecdote(title=make_title("Heat", year=1995), state="published")
    limit, _period = settings.RATE_LIMITS["report"]
    path = f"/anecdotes/{story.pk}/report/"

    statuses = [
        Browser(site).post_status(path, {"reason": "inaccurate", "note": f"n{n}"})[0]
        for n in range(limit + 4)
    ]

    assert statuses == [200] * limit + [429] * 4
