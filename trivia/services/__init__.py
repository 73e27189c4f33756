"""Every change to a story and to what readers give back, one module per domain.

Views, admin actions and commands call these through ``from trivia import services``; none of
them changes ``Anecdote.state`` itself.

- ``lifecycle``: approve, reject, unpublish, withdraw, resubmit, edit (the table of allowed
  moves is ``trivia.lifecycle``), and a superuser's deletion, which the trail outlives.
- ``submissions``: a contributor's new story, and its second chance once rejected.
- ``feedback``: corrections and reports.
- ``votes``: readers' "interesting" votes.
- ``catalogue``: titles, people, tags and sources edited or renamed; contributors renamed or
  closed.
- ``errors``: what a refused change raises.
"""

from ..lifecycle import action_verb, can_moderate
from .catalogue import (
    contributor_edited,
    person_edited,
    rename_person,
    rename_tag,
    rename_title,
    source_edited,
    tag_edited,
    title_edited,
)
from .errors import ModerationError, StaleDecision
from .feedback import (
    accept_correction,
    propose_correction,
    reject_correction,
    report_story,
    resolve_report,
)
from .lifecycle import (
    EDITABLE_FIELDS,
    approve_story,
    delete_story,
    edit_story,
    reject_story,
    resubmit_story,
    unpublish_story,
    withdraw_story,
)
from .submissions import check_submission_allowance, revise_submission, submit_story
from .votes import vote_interesting, withdraw_vote

__all__ = [
    "EDITABLE_FIELDS",
    "ModerationError",
    "StaleDecision",
    "accept_correction",
    "action_verb",
    "approve_story",
    "can_moderate",
    "check_submission_allowance",
    "delete_story",
    "edit_story",
    "propose_correction",
    "reject_story",
    "reject_correction",
    "report_story",
    "resolve_report",
    "resubmit_story",
    "revise_submission",
    "submit_story",
    "unpublish_story",
    "vote_interesting",
    "withdraw_story",
    "withdraw_vote",
    "title_edited",
    "contributor_edited",
    "person_edited",
    "tag_edited",
    "source_edited",
    "rename_title",
    "rename_person",
    "rename_tag",
]
