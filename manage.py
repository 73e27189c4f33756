#!/usr/bin/env python
"""Django's command-line utility for Backlot."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trivia.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads trivia/settings.py, which checks the environment)
    except ImproperlyConfigured as error:
        # A wrong environment variable: its one message, not a traceback through Django.
        sys.exit(f"Backlot cannot start: {error}")
    execute_from_command_line(sys.argv)
