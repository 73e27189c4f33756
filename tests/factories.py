"""Small builders for test data. Each returns saved objects in the state the test names."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from trivia import services
from trivia.models import Anecdote, Citation, Source, Title, TitleAlias
from trivia.roles import MODERATORS_GROUP

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(username=None, **fields):
    username = username or f"user{next(_counter)}"
    fields.setdefault("email", f"{username}@example.test")
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def verified_user(username=None):
    """A contributor whose email address is confirmed: one who may submit."""
    from allauth.account.models import EmailAddress

    user = make_user(username)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def make_moderator(username=None):
    user = make_user(username or f"moderator{next(_counter)}", is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def make_title(name=None, *, aliases=(), **fields):
    title = Title.objects.create(name=name or f"Film {next(_counter)}", **fields)
    for alias in aliases:
        TitleAlias.objects.create(title=title, name=alias)
    return title


def make_source(**fields):
    fields.setdefault("title", f"Article {next(_counter)}")
    return Source.objects.create(**fields)


def make_anecdote(
    *, title=None, contributor=None, text=None, tags=(), sources=1, state="pending", **kwargs
):
    """A story with ``sources`` citations, moved through the services to ``state``."""
    contributor = contributor or make_user()
    anecdote = services.submit_story(
        contributor=contributor,
        title=title if title is not None else make_title(),
        text=text or f"Story number {next(_counter)} from the set.",
        tags=tags,
        citations=[Citation(source=make_source()) for _ in range(sources)],
        **kwargs,
    )
    return move_to(anecdote, state)


def make_untitled_story(proposed_title, *, contributor=None, text=None):
    """A pending story with one source whose heading matched no title: it only names one."""
    return services.submit_story(
        contributor=contributor or make_user(),
        text=text or f"Story number {next(_counter)}, under no known title.",
        proposed_title=proposed_title,
        citations=[Citation(source=make_source())],
    )


def move_to(anecdote, state):
    if state == Anecdote.State.PUBLISHED:
        services.approve_story(story=anecdote, moderator=make_moderator())
    elif state == Anecdote.State.REJECTED:
        services.reject_story(
            story=anecdote,
            moderator=make_moderator(),
            reason="unsourced",
            message="Needs a source.",
        )
    elif state == Anecdote.State.WITHDRAWN:
        services.withdraw_story(story=anecdote, contributor=anecdote.contributor)
    return anecdote


def make_staff(username=None, *, permissions=()):
    """A staff user outside the Moderators group, holding only the named trivia permissions."""
    from django.contrib.auth.models import Permission

    user = make_user(username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="trivia", codename__in=permissions)
    )
    return user


def texts_of(stories):
    """The texts of a page's stories, in the page's order (pages list them as ``CardRow``s)."""
    from trivia.models import Anecdote

    by_pk = Anecdote.objects.in_bulk([story.pk for story in stories])
    return [by_pk[story.pk].text for story in stories]


def edit_form_data(story, **changes):
    """What the edit page of "My submissions" posts for ``story`` unchanged (its title, text,
    tags, spoiler flag and sources), with ``changes`` on top."""
    data = {
        "title": story.title_id or ("new" if story.proposed_title else ""),
        "new_title_name": story.proposed_title,
        "new_title_kind": story.proposed_title_kind or "film",
        "new_title_year": story.proposed_title_year or "",
        "text": story.text,
        "tags": ", ".join(sorted(tag.name for tag in story.tags.all())),
        "loaded_version": story.version,
        "source-TOTAL_FORMS": 3,
        "source-INITIAL_FORMS": 0,
        # A browser posts every source form's kind, the empty ones' too.
        **{f"source-{number}-kind": "article" for number in range(3)},
    }
    if story.is_spoiler:
        data["is_spoiler"] = "on"
    citations = story.citations.select_related("source").order_by("pk")
    for number, citation in enumerate(citations):
        source = citation.source
        for name in ("url", "kind", "title", "publisher", "author"):
            data[f"source-{number}-{name}"] = getattr(source, name)
        data[f"source-{number}-date"] = source.date or ""
        data[f"source-{number}-locator"] = citation.locator
    data.update(changes)
    return data
