"""Every change to a story and to what readers give back, one module per domain.

Views, admin actions and commands call these through ``from trivia import services``; none of
them changes ``Anecdote.state`` itself.

- ``lifecycle``: approve, reject, unpublish, withdraw, resubmit, edit (the table of allowed
  moves is ``trivia.lifecycle``).
- ``submissions``: a contributor's new story.
- ``feedback``: corrections and reports.
- ``votes``: readers' "interesting" votes.
- ``errors``: what a refused change raises.
"""

from .errors import ModerationError, StaleDecision
from .feedback import (
    accept_correction,
    propose_correction,
    reject_correction,
    report_anecdote,
    resolve_report,
)
from .lifecycle import (
    EDITABLE_FIELDS,
    action_verb,
    approve_anecdote,
    can_moderate,
    edit_anecdote,
    reject_anecdote,
    resubmit_anecdote,
    unpublish_anecdote,
    withdraw_anecdote,
)
from .submissions import check_submission_allowance, submit_anecdote
from .votes import vote_interesting, withdraw_vote

__all__ = [
    "EDITABLE_FIELDS",
    "ModerationError",
    "StaleDecision",
    "accept_correction",
    "action_verb",
    "approve_anecdote",
    "can_moderate",
    "check_submission_allowance",
    "edit_anecdote",
    "propose_correction",
    "reject_anecdote",
    "reject_correction",
    "report_anecdote",
    "resolve_report",
    "resubmit_anecdote",
    "submit_anecdote",
    "unpublish_anecdote",
    "vote_interesting",
    "withdraw_anecdote",
    "withdraw_vote",
]
