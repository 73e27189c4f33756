from django.contrib.auth.models import AbstractUser
from django.urls import reverse


class User(AbstractUser):
    """Backlot's user: contributors, moderators and admins alike.

    A custom model from the first migration, so profile fields can be added later without
    the painful swap of ``AUTH_USER_MODEL`` on a live database.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def get_absolute_url(self):
        """The contributor's public page, which lists their published stories only."""
        return reverse("user_detail", kwargs={"username": self.username})
