"""Backlot's data (DESIGN §2), one module per concept; every model is importable from here.

- ``catalogue``: titles and people with their aliases.
- ``stories``: stories (``Anecdote``), sources, citations, tags, votes.
- ``moderation``: the audit trail, corrections and reports, the review desk's claims.
- ``derived``: search entries, counters and the cache's version rows, kept by the services.
- ``base``: what they share: choice constraints, links to accounts, image renditions.
"""

from .catalogue import (  # noqa: F401
    Person,
    PersonAlias,
    Title,
    TitleAlias,
    TitleKind,
    unique_slug,
)
from .derived import (  # noqa: F401
    ContentGeneration,
    PublicVersion,
    SearchEntry,
    StoryCount,
    TagStoryCount,
    TitleStoryCount,
)
from .moderation import (  # noqa: F401
    Correction,
    ModerationEvent,
    Report,
    ReviewClaim,
)
from .stories import (  # noqa: F401
    Accuracy,
    Anecdote,
    Citation,
    PendingAnecdote,
    RejectionReason,
    Source,
    SourceKind,
    StoryQuerySet,
    StoryState,
    TaggedAnecdote,
    Vote,
    card_lists,
)
