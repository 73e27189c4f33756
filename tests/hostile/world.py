"""A small site with one of everything, and a browser for each role.

The permission matrix opens every URL of it as every role; the hostile-input suite throws its
catalogue at the same pages. Everything a URL needs (a slug, a story's id, an image's name, an
admin object's id) is in ``World.values``, by the name the URL templates use.
"""

import io
import uuid
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_tasks_db.models import DBTaskResult
from PIL import Image
from taggit.models import Tag

from tests.factories import make_anecdote, make_moderator, make_staff, make_title, make_user
from trivia import services
from trivia.models import Anecdote, ModerationEvent, Person, Report
from trivia.roles import MODERATORS_GROUP

# The matrix's columns, in its order.
ROLES = ("anonymous", "contributor", "other", "staff", "moderator", "admin")

PUBLISHED_TEXT = "The published story of the matrix: the crew shot the rain scene at night."
PENDING_TEXT = "The pending story of the matrix, waiting for a moderator."
REJECTED_TEXT = "The rejected story of the matrix, sent back without a source."


def png_bytes(size=(40, 30), color=(20, 120, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def stored_png(folder):
    """A real PNG saved under a random name in ``folder`` (as the site names its files)."""
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.png", ContentFile(png_bytes()))


def verified(user):
    """Every account of the world has a confirmed address: what a role may do never depends
    on it, only on the role."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@dataclass
class World:
    users: dict
    title: object
    published: object
    pending: object
    rejected: object
    values: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)

    def browser(self, role):
        """A fresh browser signed in as ``role`` (none for "anonymous"): the session lives in
        the database, so a cell rolled back leaves the next one signed in as before."""
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def build_world():
    owner = verified(make_user("owner"))
    users = {
        "contributor": owner,
        "other": verified(make_user("other")),
        "staff": verified(make_staff("staffer")),
        "moderator": verified(make_moderator("mod")),
        "admin": verified(make_user("root", is_staff=True, is_superuser=True)),
    }
    moderator = users["moderator"]

    title = make_title("Matrix Film", year=1999, poster=stored_png("posters"))
    published = make_anecdote(
        title=title,
        contributor=owner,
        text=PUBLISHED_TEXT,
        tags=["permtag"],
        image=stored_png("anecdotes"),
        state=Anecdote.State.PUBLISHED,
    )
    person = Person.objects.create(name="Perm Person")
    services.edit_story(story=published, editor=moderator, people=[person])
    pending = make_anecdote(
        title=title, contributor=owner, text=PENDING_TEXT, image=stored_png("anecdotes")
    )
    rejected = make_anecdote(contributor=owner, text=REJECTED_TEXT, state=Anecdote.State.REJECTED)
    # Proposed by an account outside the roles: each role may still propose its own (one
    # pending correction per person and story).
    correction = services.propose_correction(
        story=published, proposer=make_user("proposer"), text=PUBLISHED_TEXT + " Corrected."
    )
    report = services.report_story(
        story=published, reporter=users["other"], reason=Report.Reason.values[0], note="Hm."
    )

    world = World(users=users, title=title, published=published, pending=pending, rejected=rejected)
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    # A preview image kept for one of the contributor's unfinished submissions.
    image_key = uuid.uuid4()
    session = Client()
    session.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["contributor"]
    store = session.session
    store["submit_images"] = {
        str(image_key): {
            "name": stored_png("pending-uploads"),
            "label": "still.png",
            "width": 40,
            "height": 30,
        }
    }
    store.save()

    world.values = {
        "title": title.slug,
        "tag": Tag.objects.get(name="permtag").slug,
        "person": person.slug,
        "published": published.pk,
        "pending": pending.pk,
        "pending_version": pending.version,
        "published_version": Anecdote.objects.get(pk=published.pk).version,
        "rejected": rejected.pk,
        "username": owner.username,
        "published_image": published.image.name.rsplit("/", 1)[1],
        "pending_image": pending.image.name.rsplit("/", 1)[1],
        "poster": title.poster.name.rsplit("/", 1)[1],
        "image_key": image_key,
        "correction": correction.pk,
        "report": report.pk,
        "source": published.citations.first().source_id,
        "event": ModerationEvent.objects.filter(anecdote=published).first().pk,
        # A task's result as the worker leaves it (the tests run tasks at once, keeping none).
        "task_result": DBTaskResult.objects.create(
            task_path="trivia.tasks.send_queue_digest",
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
        ).pk,
        "group": Group.objects.get(name=MODERATORS_GROUP).pk,
        "user": owner.pk,
        "email": EmailAddress.objects.get(user=owner).pk,
        "title_id": title.pk,
        "person_id": person.pk,
        "tag_id": Tag.objects.get(name="permtag").pk,
        "story_type": ContentType.objects.get_for_model(Anecdote).pk,
        "uidb36": user_pk_to_url_str(owner),
    }
    return world
