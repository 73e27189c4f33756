"""The fields every form of the site builds on: plain text that refuses invisible control
characters, one line of it, a web address, a story's text, and tags."""

import unicodedata

from django import forms
from django.core.validators import URLValidator

STORY_MAX_CHARS = 1500
MAX_TAGS = 8
TAG_MAX_CHARS = 50
# The largest id PostgreSQL's bigint holds: a bigger number in a forged form is a plain error
# rather than a database exception.
_MAX_ID = 2**63 - 1


def refuse_control_characters(text, *, what, allowed="\n\t"):
    """Invisible control characters (a NUL byte, a bell...) have no place in plain text and
    break some databases and feeds; line breaks and tabs are fine unless not ``allowed``."""
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise forms.ValidationError(
                f"{what} contains an invisible control character (U+{ord(char):04X}), perhaps "
                "from a copy and paste. Type that passage again and send it once more.",
                code="control_character",
            )


class RefuseControlCharactersMixin:
    """For the admin's own forms: every text field refuses invisible control characters, which
    would otherwise be stored and break the pages and feeds that show them (XML refuses them)."""

    def clean(self):
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            if isinstance(value, str):
                try:
                    refuse_control_characters(value, what=str(self.fields[name].label or name))
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned_data


def is_plain_id(value):
    """Whether ``value`` is a row id: ASCII digits only ("²" is a digit to Python, not to int())
    and small enough for the database."""
    return value.isascii() and value.isdigit() and int(value) <= _MAX_ID


class PlainTextField(forms.CharField):
    """Several lines of plain text, with one spelling of a line break, so that a browser's
    "\\r\\n" does not count twice against the length limit."""

    def to_python(self, value):
        value = super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")
        refuse_control_characters(value, what="The text")
        return value


class StoryTextField(PlainTextField):
    """A story's text, wherever it is written (submitted, edited, corrected): the same limit,
    counted the same way, with the same words when it is over."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", STORY_MAX_CHARS)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        error_messages = {
            "max_length": f"Keep the story to {STORY_MAX_CHARS:,} characters "
            "(it has %(show_value)d).",
            **kwargs.pop("error_messages", {}),
        }
        super().__init__(error_messages=error_messages, **kwargs)


class OneLineField(forms.CharField):
    """A name or a title: one line of plain text. A control character, a line break included
    (a browser's one-line box cannot hold one, a forged form can), is refused."""

    def __init__(self, *args, what="This field", **kwargs):
        self.what = what
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        refuse_control_characters(value, what=self.what, allowed="")
        return value


class WebAddressField(forms.URLField):
    """An http(s) address: "javascript:", "data:" and the like are refused, not just unlinked."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": "Give a web address starting with http:// or https://."}


def normalise_tags(raw):
    """ "Stunts,  practical   EFFECTS, #stunts" → ["stunts", "practical effects"]."""
    tags = []
    for part in (raw or "").split(","):
        tag = " ".join(part.split()).lstrip("#").strip().lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _shown(tag, limit=60):
    return tag if len(tag) <= limit else f"{tag[:limit]}…"


class TagsField(forms.CharField):
    """A story's tags, typed as names separated by commas, in any case, with or without "#";
    cleaned to a list of distinct lower-case names (``normalise_tags``). Shown back as
    "practical effects, stunts" from names or ``Tag``s.

    One definition for every form that sets a story's tags: the submit form, the contributor's
    edit and the admin's change form (``max_tags=None``: no limit for moderators). The raw text
    may hold at most ``max_length`` characters and no control character; each tag at most
    ``TAG_MAX_CHARS``, so that no database refuses it.
    """

    default_error_messages = {
        "too_long": "A tag may have at most %(limit)d characters; shorten “%(tag)s”.",
        "too_many": "Choose at most %(limit)d tags (there are %(count)d): keep the ones a "
        "reader would look for.",
    }

    def __init__(self, *, max_tags=MAX_TAGS, **kwargs):
        self.max_tags = max_tags
        kwargs.setdefault("label", "Tags")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 600)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        return ", ".join(sorted(getattr(tag, "name", tag) for tag in value))

    def clean(self, value):
        # The text as typed is checked first (its length, as the box's maxlength), then read.
        raw = super().clean(value)
        refuse_control_characters(raw, what="A tag")
        tags = normalise_tags(raw)
        too_long = [tag for tag in tags if len(tag) > TAG_MAX_CHARS]
        if too_long:
            raise forms.ValidationError(
                self.error_messages["too_long"],
                code="too_long",
                params={"limit": TAG_MAX_CHARS, "tag": _shown(too_long[0])},
            )
        if self.max_tags is not None and len(tags) > self.max_tags:
            raise forms.ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"limit": self.max_tags, "count": len(tags)},
            )
        return tags

    def has_changed(self, initial, data):
        before = normalise_tags(self.prepare_value(initial) or "")
        return sorted(before) != sorted(normalise_tags(data))
