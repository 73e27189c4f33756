"""The moderators' admin, one module per concept; importing the package registers every admin.

- ``stories``: the moderation queue and all stories, with a story's change page.
- ``decisions``: approving, rejecting, unpublishing (from ``trivia.lifecycle``'s table), and
  the one helper that decides, logs and counts, for stories and feedback alike.
- ``history``: the audit trail's list and a story's moderation history.
- ``feedback``: readers' proposed corrections and reports.
- ``catalogue``: titles, people, sources and tags.
- ``importing``: the "Import an article" page of the queue.
- ``task_results``: what the background worker did and failed to do.
- ``forms``: the admin's forms; ``base``: what every admin shares.

The admin site itself is ``trivia.apps.BacklotAdminSite``: built lazily, never by this import.
"""

from . import (  # noqa: F401  (each registers its admins)
    catalogue,
    feedback,
    history,
    stories,
    task_results,
)
