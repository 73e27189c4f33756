from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from .usernames import ASCIIUsernameValidator


class User(AbstractUser):
    """Backlot's user: contributors, moderators and admins alike.

    A custom model from the first migration, so profile fields can be added later without
    the painful swap of ``AUTH_USER_MODEL`` on a live database.
    """

    # New names are ASCII, so none passes for another with look-alike letters (Cyrillic "а",
    # full-width "ｍ"): see accounts.usernames. Older names stay as they are.
    username_validator = ASCIIUsernameValidator()

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text=(
            "Required. 150 characters or fewer: unaccented letters a–z, digits and . @ + - _ "
            "only. Names that differ only in capitals count as the same."
        ),
        validators=[username_validator],
        error_messages={"unique": "A user with that username already exists."},
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def get_absolute_url(self):
        """The contributor's public page, which lists their published stories only."""
        return reverse("user_detail", kwargs={"username": self.username})
