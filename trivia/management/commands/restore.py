"""Restore a backup made by ``backup``: the database and the uploaded files.

    python manage.py restore backups/backlot-20261121-101500.tar.gz
    python manage.py restore FILE --no-input     # no question asked (scripts, make restore)

The archive must come from the same kind of database (SQLite or PostgreSQL); to move from
SQLite to PostgreSQL, see README "Backups". Everything in the current database and media folder
is replaced, so the command asks first.
"""

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from trivia import publication
from trivia.backups import pg_environment, pg_url_parts, sqlite_copy


class Command(BaseCommand):
    help = "Replace the database and the uploaded files with those of a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A .tar.gz written by `manage.py backup`.")
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, archive, no_input=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No backup at {path}.")
        if not no_input and not sys.stdin.isatty():
            # From cron, a script or a pipe nobody can answer the question: say so, at once.
            raise CommandError(
                "restore asks for confirmation, and there is no terminal to ask on. "
                "Add --no-input to replace the database and the uploaded files without asking."
            )
        with tempfile.TemporaryDirectory() as work:
            manifest = self.unpack(path, Path(work))
            vendor = connections["default"].vendor
            if manifest.get("vendor") != vendor:
                raise CommandError(
                    f"{path} is a backup of a {manifest.get('vendor')} database, but this site "
                    f"runs on {vendor}. See README, Backups, to move between them."
                )
            if not no_input and not self.confirmed():
                raise CommandError("Restore cancelled; nothing was changed.")
            connections.close_all()
            if vendor == "sqlite":
                self.restore_sqlite(Path(work) / "database.sqlite3")
            else:
                self.restore_postgresql(Path(work) / "database.pgdump")
            self.restore_media(Path(work) / "media")
        # Pages cached since the backup show what the restored database no longer holds: every
        # one is recomputed at its next request, in every process (trivia.publication).
        publication.stamp_everything()
        self.stdout.write(self.style.SUCCESS(f"Restored {path} ({manifest.get('created')})."))

    def confirmed(self):
        try:
            answer = input(
                "This replaces the whole database and all uploaded files. Type 'yes' to go on: "
            )
        except EOFError:  # the terminal closed (Ctrl-D)
            return False
        return answer.strip().lower() == "yes"

    def unpack(self, path, work):
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, filter="data")  # no absolute paths, links or devices
            return json.loads((work / "backup.json").read_text())
        except (tarfile.TarError, OSError, EOFError, ValueError) as error:
            raise CommandError(f"{path} is not a Backlot backup ({error}).") from None

    def restore_sqlite(self, database):
        if not database.is_file():
            raise CommandError("The archive holds no SQLite database.")
        # The backup API writes the whole copy into the live file under SQLite's locks.
        sqlite_copy(database, connections["default"].settings_dict["NAME"], timeout=30)

    def restore_postgresql(self, dump):
        if not dump.is_file():
            raise CommandError("The archive holds no PostgreSQL dump.")
        parts = pg_url_parts()
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={parts['NAME']}",
            str(dump),
        ]
        result = subprocess.run(command, env=pg_environment(parts), capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")

    def restore_media(self, media):
        target = Path(settings.MEDIA_ROOT)
        if target.exists():
            shutil.rmtree(target)
        if media.is_dir():
            shutil.copytree(media, target)
