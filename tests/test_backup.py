"""Backup and restore round trip: same rows, same published pages, on the running database."""

import os
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import make_anecdote, make_title
from trivia.models import Anecdote, ModerationEvent, Source, Title

pytestmark = pytest.mark.django_db(transaction=True)


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Title, Anecdote, Source, ModerationEvent)
    }


def test_a_restored_backup_has_the_same_rows_and_the_same_published_pages(tmp_path, settings):
    title = make_title("Fight Club", year=1999)
    for number in range(3):
        make_anecdote(title=title, state="published", text=f"Published story {number}.")
    make_anecdote(title=title, text="A pending story.")
    (settings.MEDIA_ROOT / "posters").mkdir(parents=True)
    (settings.MEDIA_ROOT / "posters" / "poster.png").write_bytes(b"not really a png")
    before, page_before = row_counts(), Client().get("/titles/fight-club/").content
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=StringIO())

    Anecdote.objects.filter(state="published").first().events.all().delete()
    make_anecdote(title=title, state="published", text="Written after the backup.")
    (settings.MEDIA_ROOT / "posters" / "poster.png").unlink()
    call_command("restore", str(archive), no_input=True, stdout=StringIO())

    assert row_counts() == before
    assert Client().get("/titles/fight-club/").content == page_before
    assert (settings.MEDIA_ROOT / "posters" / "poster.png").read_bytes() == b"not really a png"


def test_backup_refuses_to_overwrite_an_archive(tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"precious")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=str(archive), stdout=StringIO())
    assert archive.read_bytes() == b"precious"


@pytest.mark.parametrize("content", [b"", b"plain text, not an archive"])
def test_restoring_something_that_is_not_a_backup_changes_nothing(tmp_path, content):
    make_anecdote(state="published")
    before = row_counts()
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(content)
    with pytest.raises(CommandError, match="not a Backlot backup"):
        call_command("restore", str(bogus), no_input=True, stdout=StringIO())
    assert row_counts() == before


def test_a_backup_of_another_database_kind_is_refused(tmp_path, settings):
    import json

    manifest = tmp_path / "backup.json"
    manifest.write_text(json.dumps({"vendor": "oracle", "created": "x"}))
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(manifest, "backup.json")
    with pytest.raises(CommandError, match="backup of a oracle database"):
        call_command("restore", str(archive), no_input=True, stdout=StringIO())


@pytest.mark.parametrize(
    "where",
    [
        lambda tmp_path: tmp_path / "a-file" / "backup.tar.gz",  # a file where a folder should be
        lambda tmp_path: Path("/proc/backlot-backup.tar.gz"),  # no one may write there, not root
    ],
    ids=["parent-is-a-file", "unwritable-folder"],
)
def test_a_backup_to_an_unwritable_place_is_a_clear_error_and_leaves_nothing(tmp_path, where):
    (tmp_path / "a-file").write_text("not a folder")
    target = where(tmp_path)
    with pytest.raises(CommandError, match=f"Cannot write the backup to {target}: "):
        call_command("backup", output=str(target), stdout=StringIO())
    assert not target.exists() and not target.with_name(target.name + ".partial").exists()


def test_restore_without_a_terminal_to_ask_on_refuses_and_changes_nothing(tmp_path, monkeypatch):
    make_anecdote(state="published")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=StringIO())
    make_anecdote(state="published")
    before = row_counts()
    monkeypatch.setattr("sys.stdin", StringIO("yes\n"))  # a pipe, not a terminal
    with pytest.raises(CommandError, match="no terminal to ask on. Add --no-input"):
        call_command("restore", str(archive), stdout=StringIO())
    assert row_counts() == before


def test_restore_from_a_script_without_a_terminal_says_so_in_one_line(tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"whatever: the terminal is checked before the archive is opened")
    environment = {**os.environ, "SQLITE_PATH": str(tmp_path / "never-touched.sqlite3")}
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CommandError: restore asks for confirmation" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "never-touched.sqlite3").exists()
