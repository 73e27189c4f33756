"""Load and fault tooling, for development only: ``make bench`` and ``make soak``.

A Django app so that its management commands (``seed_bench``, ``bench``,
``explain_hot_pages``, ``soak``, ``bench_importer``) run with the site's settings; production
does not install it (trivia/settings.py: only with ``BACKLOT_DEVTOOLS=1`` or in DEBUG), so a
production process
cannot kill its own workers or restart PostgreSQL. ``soak/`` holds the soak's parts, the command
puts them together.
"""
