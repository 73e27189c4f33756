"""Operators' settings, read from the environment, fail loudly: a typo stops start-up with one
message naming the variable and what it accepts; production errors reach someone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **env):
    """``python *args`` from the project, with only the given Backlot variables set."""
    ours = ("DJANGO_", "EMAIL_", "DATABASE_", "TRUSTED_PROXY", "BACKLOT_", "REDIS_URL")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def check(**env):
    return run("manage.py", "check", **env)


POSTGRESQL = "postgres://backlot@127.0.0.1:5432/backlot"  # read, never connected to by check


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DJANGO_HTTPS": "ture"},
            "DJANGO_HTTPS='ture' is not a yes/no value. Use one of 1, true, yes, on for yes "
            "or 0, false, no, off for no",
        ),
        ({"DJANGO_DEBUG": ""}, "DJANGO_DEBUG='' is not a yes/no value"),
        ({"EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS='maybe' is not a yes/no value"),
        ({"EMAIL_PORT": "abc"}, "EMAIL_PORT='abc' is not a whole number from 1 to 65535"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT='70000' is not a whole number from 1 to 65535"),
        ({"EMAIL_TIMEOUT": "10s"}, "EMAIL_TIMEOUT='10s' is not a whole number of 1 or more"),
        (
            {"TRUSTED_PROXY_COUNT": "x"},
            "TRUSTED_PROXY_COUNT='x' is not a whole number of 0 or more",
        ),
        (
            {"DATABASE_URL": POSTGRESQL, "DATABASE_STATEMENT_TIMEOUT_MS": "15s"},
            "DATABASE_STATEMENT_TIMEOUT_MS='15s' is not a whole number of 0 or more",
        ),
        ({"DJANGO_LOG_LEVEL": "loud"}, "DJANGO_LOG_LEVEL='loud' is not one of DEBUG, INFO"),
        ({"DJANGO_ADMINS": "ann"}, "DJANGO_ADMINS='ann' is not a list of email addresses"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_a_mistyped_variable_stops_start_up_with_one_clear_message(env, message):
    result = check(**env)
    assert result.returncode != 0
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one line: no traceback
    assert result.stderr.startswith("Backlot cannot start: ")


def test_production_without_a_secret_key_still_says_so_in_one_line():
    result = check(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("word", ["0", "false", "No", " off "])
def test_every_accepted_word_for_no_turns_https_off(word):
    code = "from trivia import settings as s; print(s.HTTPS, s.EMAIL_PORT, s.TRUSTED_PROXY_COUNT)"
    result = run("-c", code, DJANGO_HTTPS=word, EMAIL_PORT="587", TRUSTED_PROXY_COUNT="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "587", "1"]


def test_good_values_pass_the_check():
    result = check(DJANGO_HTTPS="yes", EMAIL_PORT="587", TRUSTED_PROXY_COUNT="2")
    assert result.returncode == 0, result.stderr


def test_admins_are_read_from_the_environment():
    code = "from trivia import settings as s; print(s.ADMINS)"
    admins = 'Ann Admin <ann@example.org>, "Ops, night shift" <ops@example.org>, bo@example.org'
    result = run("-c", code, DJANGO_ADMINS=admins)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        [
            ("Ann Admin", "ann@example.org"),
            ("Ops, night shift", "ops@example.org"),
            ("bo@example.org", "bo@example.org"),
        ]
    )


def test_a_production_error_is_mailed_to_the_admins():
    result = run(
        "manage.py",
        "shell",
        "-c",
        "import logging; logging.getLogger('trivia.views').error('The sky fell on page 3')",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ADMINS="Ann Admin <ann@example.org>",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert result.returncode == 0, result.stderr
    assert "To: ann@example.org" in result.stdout
    assert "Subject: [Backlot] ERROR: The sky fell on page 3" in result.stdout


def test_development_mails_no_one():
    result = run(
        "manage.py",
        "shell",
        "-c",
        "import logging; logging.getLogger('trivia.views').error('The sky fell on page 3')",
        DJANGO_ADMINS="Ann Admin <ann@example.org>",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert result.returncode == 0, result.stderr
    assert "The sky fell on page 3" in result.stderr  # printed
    assert "ann@example.org" not in result.stdout  # not mailed
