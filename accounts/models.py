from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """Backlot's user: contributors, moderators and admins alike.

    A custom model from the first migration, so profile fields can be added later without
    the painful swap of ``AUTH_USER_MODEL`` on a live database.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
