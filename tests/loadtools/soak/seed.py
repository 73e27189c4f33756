"""The world a soak starts from, in its freshly made database: titles with published stories,
verified contributors with accounts to spare, the moderators, and a queue of pending stories."""

import random
import string
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.test.utils import override_settings

from trivia import services
from trivia.models import Citation, Source, Title
from trivia.roles import MODERATORS_GROUP

PASSWORD = "soak-password-not-secret"
TITLES = 20
PENDING_AT_START = 40
# Every seeded story has the first and one of the others, so that every tag has a page.
TAGS = ("soak", "reel one", "reel two", "reel three")


def own_words(count=12):
    """Made-up words, new for every story: the soak's stories must not read as repeats of one
    another, which bulk approval holds back (``trivia.similar``; real words drawn from one
    list still share too many letter trigrams for PostgreSQL's check)."""
    return " ".join("".join(random.choices(string.ascii_lowercase, k=7)) for _ in range(count))


@dataclass
class Account:
    """A contributor's account, used until the submit limit would answer."""

    username: str
    address: str
    sent: int = 0  # final-step posts, each counted by the submit rate limit


def seed(*, duration, contributors, moderators):
    """Titles with published stories, contributors (verified, each with an approved story,
    so no new-account limit applies), the moderators, and a queue to start on."""
    users = get_user_model()
    hasher = PBKDF2PasswordHasher()
    # A cheap hash to create; the server upgrades it to the full one at the first sign-in.
    password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    group = Group.objects.get(name=MODERATORS_GROUP)
    seeder = users.objects.create(username="soak-seeder", password=password, is_staff=True)
    seeder.groups.add(group)
    names = []
    for n in range(1, moderators + 1):
        moderator = users.objects.create(
            username=f"soak-mod-{n}",
            email=f"soak-mod-{n}@soak.invalid",
            password=password,
            is_staff=True,
        )
        moderator.groups.add(group)
        names.append(moderator.username)

    # Enough accounts that the submit limit (per hour, per account) never answers: seven
    # stories an account, and a contributor sends one every second at most.
    per_contributor = int(duration / 7) + 2
    accounts = []
    for c in range(contributors):
        pool = []
        for n in range(per_contributor):
            username = f"soak-user-{c}-{n}"
            user = users.objects.create(
                username=username, email=f"{username}@soak.invalid", password=password
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            pool.append(Account(username, f"127.0.{c + 1}.{n + 1}"))
        accounts.append(pool)
    people = list(users.objects.filter(username__startswith="soak-user-"))

    titles = []
    for n in range(1, TITLES + 1):
        title = Title.objects.create(name=f"Soak Film {n}", year=1990 + n)
        titles.append((title.pk, title.slug, title.name))
    stories = 0

    def story(contributor):
        nonlocal stories
        stories += 1
        pk, _slug, name = titles[stories % len(titles)]
        source = Source.objects.create(title=f"Seed source {stories}")
        return services.submit_story(
            contributor=contributor,
            title=Title.objects.get(pk=pk),
            text=f"Seed story {stories} about {name}: {own_words(16)}.",
            tags=[TAGS[0], TAGS[1 + stories % (len(TAGS) - 1)]],
            citations=[Citation(source=source)],
        )

    # Every title has published stories (a title page without any is a 404), every
    # contributor one of them.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for n in range(max(len(people), 2 * TITLES)):
            published = story(people[n % len(people)])
            services.approve_story(story=published, moderator=seeder)
        for n in range(PENDING_AT_START):
            story(people[n % len(people)])
    return titles, accounts, names
