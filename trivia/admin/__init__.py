"""The moderators' admin, one module per desk; importing the package registers every admin.

- ``base``: what every admin shares (bounded search); the site itself is in ``trivia.apps``.
- ``stories``: the moderation queue, all stories, decisions and their history.
- ``catalogue``-side admins (titles, people, sources, tags) and ``feedback`` (corrections, reports).
- ``importing``: the "Import an article" page.
"""

from . import feedback, stories, tags  # noqa: F401  (each registers its admins)
