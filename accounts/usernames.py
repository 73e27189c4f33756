"""What a username may be, and when two names are the same name.

Usernames are public (every story card, /users/<username>/), so a new name must not pass for
another one:

- it is made of unaccented ASCII letters, digits and . @ + - _ (``ASCIIUsernameValidator``, the
  User model's validator: sign-up, the admin's user forms and ``createsuperuser`` all apply
  it), so "аdmin" with a Cyrillic "а" cannot be registered;
- it is refused when its canonical form (``canonical``: NFKC, then case-folded) is a reserved
  name's (``ACCOUNT_USERNAME_BLACKLIST``) or an existing account's: "Moderator" beside
  "moderator", or "moderator" beside an older "ｍoderator" in full-width letters.

Accounts named before these rules keep their names: they sign in and keep their public page.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import validators as auth_validators
from django.core.exceptions import ValidationError

# Any character outside printable ASCII; a regex both SQLite (Python's re) and PostgreSQL read.
NOT_PRINTABLE_ASCII = r"[^ -~]"

RESERVED_MESSAGE = "This username is reserved. Please choose another one."
TAKEN_MESSAGE = (
    "This username is taken: “%(existing)s” already exists, and names that differ only in "
    "capitals or in the width of their letters count as the same. Please choose another one."
)


class ASCIIUsernameValidator(auth_validators.ASCIIUsernameValidator):
    """Django's ASCII-only rule, in words that say why a look-alike letter is refused."""

    message = (
        "Use only unaccented letters a–z, digits and . @ + - _ in a username: letters from "
        "other alphabets or in full width look like other people's names."
    )


def canonical(username):
    """The form in which two names that read alike are equal: "ＭODERATOR" → "moderator".
    Case folding can undo NFKC's composition, so NFKC is applied again after it."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def is_reserved(username):
    reserved = {canonical(name) for name in settings.ACCOUNT_USERNAME_BLACKLIST}
    return canonical(username) in reserved


def same_name_as(username, *, exclude_pk=None):
    """The existing account whose name reads as ``username``, or None.

    Two small reads instead of a scan in Python: the names equal ignoring ASCII case
    (``iexact``), and the names with any non-ASCII character, which only accounts made before
    the ASCII rule have; both are compared in their canonical form here."""
    wanted = canonical(username)
    accounts = get_user_model()._default_manager.filter(username__iexact=username) | (
        get_user_model()._default_manager.filter(username__regex=NOT_PRINTABLE_ASCII)
    )
    if exclude_pk is not None:
        accounts = accounts.exclude(pk=exclude_pk)
    for name in accounts.values_list("username", flat=True):
        if canonical(name) == wanted:
            return name
    return None


def check_unique(username, *, exclude_pk=None):
    """Raise ``ValidationError`` if an account other than ``exclude_pk`` has the same name."""
    existing = same_name_as(username, exclude_pk=exclude_pk)
    if existing is not None:
        raise ValidationError(TAKEN_MESSAGE, code="username_taken", params={"existing": existing})
