"""What the models share: columns of the same kind, declared once."""

from django.conf import settings
from django.db import models
from django.db.models import Q


def one_of(field, choices, *, name):
    """A CHECK that ``field`` holds one of the values of ``choices`` (a ``TextChoices``), so
    that a row written around the forms cannot name a state or a kind the code does not know."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def account_link(related_name, **options):
    """A link to the account that wrote, reported or decided something. Deleting the account
    keeps the row, with the link empty."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        **options,
    )


def renditions(of):
    """Where the smaller copies of an image are (``trivia.images`` makes them, once)."""
    return models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=f"Smaller copies of the {of}, made once when it is uploaded.",
    )
