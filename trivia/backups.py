"""What the backup and restore commands share: how to reach PostgreSQL's own tools."""

import os

from django.db import connections


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
