"""Load Backlot's demo: the demo users (admin, moderator, contributor) and their logins, then the
demo content (``trivia.demo``): the seed articles' titles, both articles imported, corrected and
mostly approved by the demo moderator, a few stories left in the queue.

Idempotent: run it as often as you like (`make run` runs it every time). The demo passwords are
well known, so the command refuses to run with DJANGO_DEBUG=0 unless told --force.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trivia.demo import DemoDataError, load_demo_content
from trivia.importer.reading import ArticleError
from trivia.roles import MODERATORS_GROUP

DEMO_USERS = [
    # username, password, role, is_staff, is_superuser, moderator
    ("admin", "backlot-admin", "admin (everything)", True, True, False),
    ("moderator", "backlot-moderator", "moderator (the queue)", True, False, True),
    ("contributor", "backlot-contributor", "contributor (submits stories)", False, False, False),
]


class Command(BaseCommand):
    help = "Create the demo users and content. Safe to run again: it creates nothing twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DJANGO_DEBUG=0 (not advised)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with well-known passwords; it runs only in development "
                "(DJANGO_DEBUG=1). Use --force if you really mean it."
            )
        try:
            with transaction.atomic():
                users = self.create_users()
                summary = load_demo_content(moderator=users["moderator"])
        except (ArticleError, DemoDataError) as error:
            raise CommandError(f"The demo content could not be loaded: {error}") from None
        self.stdout.write(str(summary))
        self.print_logins()

    def create_users(self):
        User = get_user_model()
        moderators = Group.objects.get(name=MODERATORS_GROUP)
        users = {}
        for username, password, _role, is_staff, is_superuser, moderator in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@backlot.test"}
            )
            user.is_staff, user.is_superuser = is_staff, is_superuser
            user.email = user.email or f"{username}@backlot.test"
            user.set_password(password)
            user.save()
            # allauth lets an account sign in only with a verified address.
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            if moderator:
                user.groups.add(moderators)
            users[username] = user
        return users

    def print_logins(self):
        self.stdout.write(
            self.style.SUCCESS("Demo logins (development only), at /accounts/login/:")
        )
        for username, password, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {password:<22} {role}")
