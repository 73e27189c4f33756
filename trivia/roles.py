"""The "Moderators" group and what it may do, kept in step with the code after every migrate."""

from django.contrib.auth.models import Group, Permission

MODERATORS_GROUP = "Moderators"

# Moderators work the queue and its surroundings; they never delete stories or users.
MODERATOR_PERMISSIONS = {
    "trivia": [
        "moderate_anecdote",
        "view_anecdote",
        "change_anecdote",
        "view_title",
        "add_title",
        "change_title",
        "view_titlealias",
        "add_titlealias",
        "change_titlealias",
        "delete_titlealias",
        "view_person",
        "add_person",
        "change_person",
        "view_personalias",
        "add_personalias",
        "change_personalias",
        "delete_personalias",
        "view_source",
        "add_source",
        "change_source",
        "view_citation",
        "add_citation",
        "change_citation",
        "delete_citation",
        "view_moderationevent",
    ],
    "taggit": ["view_tag", "add_tag", "change_tag"],
    # The task queue's results, read-only: an email that failed for good is theirs to follow up.
    "django_tasks_database": ["view_dbtaskresult"],
}


def ensure_moderators_group(**kwargs):
    """post_migrate handler: create the group and give it exactly its permissions."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = Permission.objects.none()
    for app_label, codenames in MODERATOR_PERMISSIONS.items():
        wanted |= Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    group.permissions.set(wanted)
