"""A story's lifecycle as data: what can be done to a story in which state, by whom, and where
it leaves the story.

``TRANSITIONS`` is the one table. The services (``trivia.services.lifecycle``) enforce it under
a row lock; the admin's buttons and list actions and the contributor's pages offer exactly what
``allowed_actions`` finds in it, so nothing is offered that the service would refuse.

Adding a state is a ``StoryState`` member with its label (``trivia.models.stories``), the rows
here that lead into and out of it, a migration (the check constraint is built from the
choices), and, where the moderators' word would read wrongly to a contributor, its entry in
``CONTRIBUTOR_LABELS`` there (and a ``state--<value>`` colour in ``static/css/site.css``).
"""

from dataclasses import dataclass

from .models import Anecdote, ModerationEvent, StoryState

State = StoryState
Action = ModerationEvent.Action

# Who may take an action. One role per row; a user may hold several.
MODERATOR = "moderator"  # has ``trivia.moderate_anecdote``
AUTHOR = "author"  # the story's contributor
READER = "reader"  # anyone signed in, the author and moderators included


@dataclass(frozen=True)
class Transition:
    """One row of the table."""

    action: str  # what the moderation history records (a ``ModerationEvent.Action``)
    verb: str  # on buttons, in list actions and in refusals: "Cannot approve this story"
    from_states: frozenset
    who: str  # MODERATOR, AUTHOR or READER
    to_states: tuple = ()  # the first unless the actor chooses another; empty: the state stays
    notifies: bool = False  # the contributor is emailed the decision…
    told: str = ""  # …which says their story "was published" (templates/emails/decision_*)
    needs_reason: bool = False  # a ``RejectionReason``, shown to the contributor with a message

    def __post_init__(self):
        object.__setattr__(self, "from_states", frozenset(self.from_states))
        object.__setattr__(self, "to_states", tuple(self.to_states))

    @property
    def to_state(self):
        """Where the story goes unless the actor chooses (None: it stays where it is)."""
        return self.to_states[0] if self.to_states else None


PENDING, PUBLISHED = State.PENDING, State.PUBLISHED
REJECTED, WITHDRAWN = State.REJECTED, State.WITHDRAWN

TRANSITIONS = {
    row.action: row
    for row in [
        Transition(
            Action.APPROVED,
            verb="approve",
            from_states={PENDING},
            to_states=(PUBLISHED,),
            who=MODERATOR,
            notifies=True,
            told="was published",
        ),
        Transition(
            Action.REJECTED,
            verb="reject",
            from_states={PENDING},
            to_states=(REJECTED,),
            who=MODERATOR,
            notifies=True,
            told="was not accepted",
            needs_reason=True,
        ),
        Transition(
            Action.UNPUBLISHED,
            verb="unpublish",
            from_states={PUBLISHED},
            to_states=(PENDING, REJECTED),  # back to the queue, or rejected outright
            who=MODERATOR,
            notifies=True,
            told="was taken off the site",
            needs_reason=True,
        ),
        Transition(
            Action.WITHDRAWN,
            verb="withdraw",
            from_states={PENDING, REJECTED},
            to_states=(WITHDRAWN,),
            who=AUTHOR,
        ),
        Transition(
            Action.RESUBMITTED,
            verb="resubmit",
            from_states={REJECTED, WITHDRAWN},
            to_states=(PENDING,),
            who=AUTHOR,
        ),
        # The state stays. Moderators edit a story in any state, through the admin's change
        # form (its change permission); its contributor only while no reader sees it.
        Transition(
            Action.EDITED,
            verb="edit",
            from_states={PENDING, REJECTED, WITHDRAWN},
            who=AUTHOR,
        ),
        # Published text changes only through a correction that a moderator accepts.
        Transition(
            Action.CORRECTION_PROPOSED,
            verb="correct",
            from_states={PUBLISHED},
            who=READER,
        ),
    ]
}
BY_VERB = {row.verb: row for row in TRANSITIONS.values()}

# A reason that says nothing by itself: given one, the contributor must also be told why.
REASONS_NEEDING_A_MESSAGE = frozenset({Anecdote.RejectionReason.OTHER})


def can_moderate(user):
    return bool(user and user.is_authenticated and user.has_perm("trivia.moderate_anecdote"))


def roles_of(user, story):
    """The roles ``user`` holds towards ``story``."""
    if not (user and user.is_authenticated):
        return frozenset()
    roles = {READER}
    if story.contributor_id is not None and story.contributor_id == user.pk:
        roles.add(AUTHOR)
    if can_moderate(user):
        roles.add(MODERATOR)
    return frozenset(roles)


def allowed_actions(story, user):
    """What ``user`` may do to ``story`` in its current state, by verb, in the table's order:
    ``{"approve": Transition(...), "reject": ...}``. A template asks ``"withdraw" in actions``."""
    roles = roles_of(user, story)
    return {
        row.verb: row
        for row in TRANSITIONS.values()
        if story.state in row.from_states and row.who in roles
    }


def moderator_transitions():
    """The rows a moderator acts on in the admin, in the table's order."""
    return [row for row in TRANSITIONS.values() if row.who == MODERATOR]


def action_verb(action):
    """ "approve" for ``Action.APPROVED``: how a refusal names what was attempted."""
    row = TRANSITIONS.get(action)
    return row.verb if row else str(action)
