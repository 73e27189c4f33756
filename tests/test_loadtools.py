"""The load and fault tooling (tests/loadtools) is for development: production settings leave it
out, so that a production process can neither kill its own workers nor restart PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import database_environment

ROOT = Path(__file__).resolve().parent.parent
TOOLS = {"bench", "bench_importer", "explain_hot_pages", "seed_bench", "soak"}
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key"}


def manage(*args, **env):
    """manage.py in a process of its own, with only ``env`` of the variables that choose."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BACKLOT_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        pytest.param({}, True, id="development"),
        pytest.param({"BACKLOT_DEVTOOLS": "0"}, False, id="development-without-devtools"),
        pytest.param(PRODUCTION, False, id="production"),
        pytest.param({**PRODUCTION, "BACKLOT_DEVTOOLS": "1"}, True, id="make-bench"),
    ],
)
def test_the_load_tooling_is_installed_in_development_or_when_asked_for_only(env, installed):
    result = manage("help", "--commands", **env)
    assert result.returncode == 0, result.stderr
    commands = set(result.stdout.split())
    assert "backup" in commands  # the product's own commands are there either way
    assert (TOOLS & commands) == (TOOLS if installed else set())


def test_a_production_process_has_no_soak_command():
    result = manage("soak", "--no-pg-restart", **PRODUCTION)
    assert result.returncode != 0
    assert "Unknown command: 'soak'" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_importer_benchmark_runs_on_a_few_articles():
    """Run, not timed: its figures depend on the machine. It reads the published stories and
    people, so it runs against the test database."""
    result = manage("bench_importer", "--articles", "5", "--titles", "50", **database_environment())
    assert result.returncode == 0, result.stderr
    assert "5 articles, " in result.stdout
    assert "articles a minute (target: 1,000)" in result.stdout
