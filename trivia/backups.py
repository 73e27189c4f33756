"""What the backup and restore commands share: SQLite's backup API, and how to reach
PostgreSQL's own tools."""

import os
import sqlite3

from django.db import connections


def sqlite_copy(source, destination, *, timeout=5.0):
    """Copy the SQLite database ``source`` into ``destination`` with SQLite's backup API, page
    by page under SQLite's own locks, so either may be the live database. ``timeout`` is how
    long to wait for the destination's lock (seconds)."""
    source_db = sqlite3.connect(source)
    destination_db = sqlite3.connect(destination, timeout=timeout)
    try:
        source_db.backup(destination_db)
    finally:
        destination_db.close()
        source_db.close()


def pg_url_parts():
    """The default database's connection settings, as Django holds them."""
    return connections["default"].settings_dict


def pg_environment(parts):
    """Environment for pg_dump / pg_restore: the connection without putting it on a command
    line (where ``ps`` would show the password)."""
    environment = dict(os.environ)
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ]:
        if parts.get(key):
            environment[variable] = str(parts[key])
    return environment
