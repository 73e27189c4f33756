"""Changes to what stories are filed under (titles, people, tags, sources) and to who shared
them (a contributor renamed or closed).

Their names are on every story card and in every search entry of their stories, so each change
goes through here and tells ``trivia.publication`` in the same transaction. The admin saves a
title or person with its aliases (inline forms) and then calls ``*_edited``; code elsewhere
(a shell, a command) renames with ``rename_*``.
"""

from django.db import transaction

from .. import publication


def title_edited(*, title):
    """``title`` (and its aliases) were saved in the caller's transaction."""
    publication.title_changed(title)


def person_edited(*, person):
    """``person`` (and their aliases) were saved in the caller's transaction."""
    publication.person_changed(person)


def tag_edited(*, tag):
    """``tag`` was saved (renamed or re-slugged) in the caller's transaction."""
    publication.tag_changed(tag)


def source_edited(*, source):
    """``source`` (its address, name, author or date) was saved in the caller's transaction."""
    publication.source_changed(source)


def _rename(thing, name, edited):
    with transaction.atomic():
        thing.name = name
        thing.save(update_fields=["name"])
        edited(thing)
    return thing


def contributor_edited(*, user):
    """``user``'s name or whether their account is open was saved: the cards of their stories
    say who shared them."""
    publication.contributor_changed(user)


def rename_title(*, title, name):
    return _rename(title, name, publication.title_changed)


def rename_person(*, person, name):
    return _rename(person, name, publication.person_changed)


def rename_tag(*, tag, name):
    return _rename(tag, name, publication.tag_changed)
