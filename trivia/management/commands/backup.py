"""Back up the database and the uploaded files into one archive.

    python manage.py backup                  # backups/backlot-20261121-101500.tar.gz
    python manage.py backup --output FILE    # somewhere else

SQLite is copied with its online backup API, page by page inside SQLite's own locking, so the
copy is consistent while the site keeps serving (a plain file copy of a live WAL database is
not). PostgreSQL is dumped with ``pg_dump --format=custom``, also consistent while it serves.
The archive holds ``database.sqlite3`` or ``database.pgdump``, the uploaded files under
``media/``, and ``backup.json`` saying what it is. ``restore`` reads it back.
"""

import json
import subprocess
import tarfile
import tempfile
from contextlib import suppress
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

from trivia.backups import pg_environment, pg_url_parts, sqlite_copy


class Command(BaseCommand):
    help = "Write the database and the uploaded files to one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The archive to write (default: backups/…tar.gz).")

    def handle(self, *args, output=None, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = Path(output or settings.BASE_DIR / "backups" / f"backlot-{stamp}.tar.gz")
        if target.exists():
            raise CommandError(f"{target} exists already; choose another --output.")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise unwritable(target, error) from None
        vendor = connection.vendor
        with tempfile.TemporaryDirectory() as work:
            if vendor == "sqlite":
                database = Path(work) / "database.sqlite3"
                self.copy_sqlite(database)
            elif vendor == "postgresql":
                database = Path(work) / "database.pgdump"
                self.dump_postgresql(database)
            else:
                raise CommandError(f"Backups of a {vendor} database are not supported.")
            manifest = Path(work) / "backup.json"
            manifest.write_text(json.dumps({"vendor": vendor, "created": stamp}))
            partial = target.with_name(target.name + ".partial")
            try:
                with tarfile.open(partial, "w:gz") as archive:
                    archive.add(manifest, "backup.json")
                    archive.add(database, database.name)
                    if Path(settings.MEDIA_ROOT).is_dir():
                        archive.add(settings.MEDIA_ROOT, "media")
                partial.rename(target)  # never leave a half-written archive under the real name
            except BaseException as error:
                with suppress(OSError):
                    partial.unlink(missing_ok=True)
                if isinstance(error, OSError):
                    raise unwritable(target, error) from None
                raise
        self.stdout.write(self.style.SUCCESS(f"Backed up the {vendor} database to {target}"))

    def copy_sqlite(self, destination):
        sqlite_copy(connections["default"].settings_dict["NAME"], destination)

    def dump_postgresql(self, destination):
        parts = pg_url_parts()
        command = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            f"--file={destination}",
            parts["NAME"],
        ]
        result = subprocess.run(command, env=pg_environment(parts), capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")


def unwritable(target, error):
    """An unwritable folder, a full disk, a file where a folder should be: said in one line."""
    return CommandError(f"Cannot write the backup to {target}: {error.strerror or error}.")
