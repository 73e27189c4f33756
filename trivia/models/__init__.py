"""Backlot's data (DESIGN §2), one module per concept; every model is importable from here.

- ``catalogue``: titles and people with their aliases.
- ``stories``: stories (``Anecdote``), sources, citations, tags, votes.
- ``moderation``: the audit trail, corrections and reports.
- ``derived``: search entries, counters and the cache's version rows, kept by the services.
"""

from .catalogue import (  # noqa: F401
    Person,
    PersonAlias,
    Title,
    TitleAlias,
    TitleKind,
    unique_slug,
)
from .stories import (  # noqa: F401
    Accuracy,
    Anecdote,
    AnecdoteQuerySet,
    AnecdoteState,
    Citation,
    PendingAnecdote,
    RejectionReason,
    Source,
    SourceKind,
    TaggedAnecdote,
    Vote,
    card_lists,
)
from .moderation import (  # noqa: F401
    Correction,
    ModerationEvent,
    Report,
)
from .derived import (  # noqa: F401
    ContentGeneration,
    SearchEntry,
    StoryCount,
    TagStoryCount,
    TitleStoryCount,
)
