"""The site's forms, by what they are for:

- ``fields``: the fields and checks every form builds on (plain text, a story's text, tags);
- ``honeypot``: the one field robots fill in and people never see;
- ``stories``: writing a story: the submit form and its sources, the contributor's edit;
- ``feedback``: a reader's report and correction;
- ``rendering``: how every form is drawn (``settings.FORM_RENDERER``).

The admin's own forms are in ``trivia.admin.forms``, next to the admin that uses them.
"""

from .feedback import CorrectionForm, ReportForm
from .fields import (
    MAX_TAGS,
    STORY_MAX_CHARS,
    TAG_MAX_CHARS,
    OneLineField,
    PlainTextField,
    RefuseControlCharactersMixin,
    StoryTextField,
    TagsField,
    WebAddressField,
    is_plain_id,
    normalise_tags,
    refuse_control_characters,
)
from .honeypot import HoneypotMixin, hide_from_people
from .stories import (
    NEW_TITLE,
    SourceForm,
    SourceFormSet,
    StoryEditForm,
    StoryForm,
    sources_initial,
)

__all__ = [
    "MAX_TAGS",
    "NEW_TITLE",
    "STORY_MAX_CHARS",
    "TAG_MAX_CHARS",
    "CorrectionForm",
    "HoneypotMixin",
    "OneLineField",
    "PlainTextField",
    "RefuseControlCharactersMixin",
    "ReportForm",
    "SourceForm",
    "SourceFormSet",
    "StoryEditForm",
    "StoryForm",
    "StoryTextField",
    "TagsField",
    "WebAddressField",
    "hide_from_people",
    "is_plain_id",
    "normalise_tags",
    "refuse_control_characters",
    "sources_initial",
]
