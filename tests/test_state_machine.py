"""Random moderation histories (Hypothesis's rule-based state machine): contributors submit, edit
and withdraw, moderators approve, reject, unpublish and edit, readers propose corrections that a
moderator accepts, in any order. After every step, every public surface shows exactly the
published stories: the home page, each title's and each tag's page and feed, search, the latest
stories' feed and the sitemap.

Each story's text carries a marker word ("zqm12x"), replaced by every edit or correction, so a
page is read as the set of markers on it and compared with the model's. Pages are read as an
anonymous reader would, through the page cache, which is never emptied between steps: a page
served stale after a change is a failure too. Each run happens in a transaction rolled back
afterwards.
"""

import re
import uuid
from itertools import count

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.admin_forms import change_form_data
from tests.caching import clear_caches
from tests.factories import edit_form_data, make_moderator, make_title, make_user
from tests.hostile.figures import FIGURES
from tests.hostile.world import verified
from trivia import services
from trivia.models import Anecdote, Correction

pytestmark = pytest.mark.django_db

State = Anecdote.State
MARKER = re.compile(r"\bzqm\d+x\b")
STORY_PAGE = re.compile(r"/anecdotes/(\d+)/")
TITLES = ("Heat", "Ronin")
TAG_SETS = (("alpha",), ("beta",), ("alpha", "beta"))
MAX_STORIES = 8  # fewer than the home page's 10 and a page's 20: every one is on every list


class ModelStory:
    """What the model knows of a story: who wrote it, its state, its marker, title and tags."""

    def __init__(self, pk, author, marker, title, tags):
        self.pk, self.author, self.marker = pk, author, marker
        self.title, self.tags, self.state = title, tags, State.PENDING


class PublicSurfaces(RuleBasedStateMachine):
    stories = Bundle("stories")

    def __init__(self):
        super().__init__()
        self.markers = count(1)
        self.model = []
        # Undone in teardown: every run starts from the same empty site and an empty cache
        # (a cached page from a rolled-back run would belong to no site at all).
        self.transaction = transaction.atomic()
        self.transaction.__enter__()
        clear_caches()

    def teardown(self):
        transaction.set_rollback(True)
        self.transaction.__exit__(None, None, None)

    @initialize()
    def site(self):
        self.titles = {name: make_title(name, year=1995) for name in TITLES}
        self.moderator = make_moderator()
        self.authors = {name: verified(make_user()) for name in ("ana", "ben")}
        self.reader_account = make_user()
        self.browsers = {}
        for name, user in [
            *self.authors.items(),
            ("moderator", self.moderator),
            ("reader", self.reader_account),
        ]:
            self.browsers[name] = Client()
            self.browsers[name].force_login(user)
        self.anonymous = Client()

    def new_text(self):
        marker = f"zqm{next(self.markers)}x"
        return marker, f"Behind the scenes {marker}: the fuzzstory crew shot it at night."

    def published(self, **where):
        return {
            story.marker
            for story in self.model
            if story.state == State.PUBLISHED
            and all(getattr(story, key) == value for key, value in where.items())
        }

    # --- Contributors -----------------------------------------------------------------------

    @precondition(lambda self: len(self.model) < MAX_STORIES)
    @rule(
        target=stories,
        author=st.sampled_from(["ana", "ben"]),
        title=st.sampled_from(TITLES),
        tags=st.sampled_from(TAG_SETS),
    )
    def submit(self, author, title, tags):
        marker, text = self.new_text()
        response = self.browsers[author].post(
            "/submit/",
            {
                "action": "submit",
                "submission_key": str(uuid.uuid4()),
                "title": str(self.titles[title].pk),
                "new_title_kind": "film",
                "text": text,
                "tags": ", ".join(tags),
                "source-TOTAL_FORMS": "3",
                "source-INITIAL_FORMS": "0",
                "source-0-url": f"https://example.org/source-{uuid.uuid4().hex}",
                "source-0-kind": "article",
                "source-1-kind": "article",
                "source-2-kind": "article",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        pk = Anecdote.objects.get(text=text).pk
        story = ModelStory(pk, author, marker, title, frozenset(tags))
        self.model.append(story)
        return story

    @rule(story=stories, tags=st.sampled_from(TAG_SETS))
    def author_edits(self, story, tags):
        """A pending, rejected or withdrawn story is edited (and resubmitted); a published one
        is sent to the correction form instead, unchanged."""
        marker, text = self.new_text()
        url = f"/accounts/submissions/{story.pk}/edit/"
        stored = Anecdote.objects.get(pk=story.pk)
        self.browsers[story.author].post(
            url, edit_form_data(stored, text=text, tags=", ".join(tags))
        )
        if story.state != State.PUBLISHED:
            story.marker, story.tags, story.state = marker, frozenset(tags), State.PENDING

    @rule(story=stories)
    def author_withdraws(self, story):
        self.browsers[story.author].post(f"/accounts/submissions/{story.pk}/withdraw/")
        if story.state in (State.PENDING, State.REJECTED):
            story.state = State.WITHDRAWN

    # --- Moderators -------------------------------------------------------------------------

    @rule(story=stories)
    def approve(self, story):
        """Ticked in the queue and approved in bulk. The machine's stories differ by their
        marker alone, so bulk approval holds a second one on a title back as a possible
        repeat; the moderator then approves it from its own page, as the message asks."""
        moderator = self.browsers["moderator"]
        answer = moderator.post(
            "/admin/trivia/pendinganecdote/",
            {"action": "approve_selected", "_selected_action": str(story.pk)},
            follow=True,
        )
        if "Not approved, as possible duplicates" in answer.content.decode():
            moderator.post(
                f"/admin/trivia/pendinganecdote/{story.pk}/change/",
                change_form_data(Anecdote.objects.get(pk=story.pk), _approve="1"),
            )
        if story.state == State.PENDING:
            story.state = State.PUBLISHED

    @rule(story=stories)
    def reject(self, story):
        try:
            services.reject_story(
                story=Anecdote.objects.get(pk=story.pk),
                moderator=self.moderator,
                reason="unsourced",
                message="A better source, please.",
            )
        except services.ModerationError:
            assert story.state != State.PENDING
        else:
            story.state = State.REJECTED

    @rule(story=stories, to_state=st.sampled_from([State.PENDING, State.REJECTED]))
    def unpublish(self, story, to_state):
        version = Anecdote.objects.get(pk=story.pk).version
        self.browsers["moderator"].post(
            f"/admin/trivia/anecdote/{story.pk}/unpublish/",
            {"reason": "duplicate", "message": "", "to_state": to_state, "version": version},
        )
        if story.state == State.PUBLISHED:
            story.state = to_state

    @rule(story=stories, title=st.sampled_from(TITLES), tags=st.sampled_from(TAG_SETS))
    def moderator_edits(self, story, title, tags):
        """In any state, and a published story's page changes at once."""
        marker, text = self.new_text()
        services.edit_story(
            story=Anecdote.objects.get(pk=story.pk),
            editor=self.moderator,
            changes={"text": text, "title": self.titles[title]},
            tags=list(tags),
        )
        story.marker, story.title, story.tags = marker, title, frozenset(tags)

    @rule(story=stories)
    def reader_corrects_and_a_moderator_accepts(self, story):
        marker, text = self.new_text()
        self.browsers["reader"].post(f"/anecdotes/{story.pk}/correct/", {"text": text})
        correction = Correction.objects.filter(anecdote_id=story.pk, text=text).first()
        assert (correction is not None) == (story.state == State.PUBLISHED)
        if correction is not None:
            self.browsers["moderator"].post(
                f"/admin/trivia/correction/{correction.pk}/change/", {"_accept": "1"}
            )
            story.marker = marker

    # --- What the public sees ---------------------------------------------------------------

    def markers_on(self, url, expected):
        """The markers ``url`` shows; a list with nothing to show must be a 404."""
        response = self.anonymous.get(url)
        if not expected and response.status_code == 404:
            return set()
        assert response.status_code == 200, (url, response.status_code)
        return set(MARKER.findall(response.content.decode()))

    @invariant()
    def public_surfaces_show_exactly_the_published_stories(self):
        everything = self.published()
        surfaces = {"/": everything, "/search/?q=fuzzstory": everything}
        surfaces["/feeds/latest/"] = everything
        for name, title in self.titles.items():
            surfaces[title.get_absolute_url()] = self.published(title=name)
            surfaces[f"{title.get_absolute_url()}feed/"] = self.published(title=name)
        for tag in ("alpha", "beta"):
            tagged = {
                story.marker
                for story in self.model
                if story.state == State.PUBLISHED and tag in story.tags
            }
            surfaces[f"/tags/{tag}/"] = tagged
            surfaces[f"/tags/{tag}/feed/"] = tagged
        wrong = []
        for url, expected in surfaces.items():
            shown = self.markers_on(url, expected)
            if shown != expected:
                FIGURES.leaks += len(shown - expected)
                wrong.append(f"{url}: shows {sorted(shown)}, published {sorted(expected)}")
        sitemap = self.anonymous.get("/sitemap-stories.xml").content.decode()
        listed = {int(pk) for pk in STORY_PAGE.findall(sitemap)}
        public = {story.pk for story in self.model if story.state == State.PUBLISHED}
        if listed != public:
            wrong.append(f"sitemap: lists {sorted(listed)}, published {sorted(public)}")
        assert not wrong, "\n".join(wrong)


# Bounded, so that the suite stays fast: 20 histories of up to 12 steps, each step followed by
# 13 page reads.
MACHINE = hypothesis_settings(
    max_examples=20,
    stateful_step_count=12,
    deadline=None,
    database=None,  # no folder in the project; a failure prints its steps
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_public_surfaces_show_exactly_the_published_stories_after_every_step(settings):
    # One account submits up to 8 stories and a reader proposes a correction at every step.
    settings.RATE_LIMITS = {
        scope: (10**9, period) for scope, (_limit, period) in settings.RATE_LIMITS.items()
    }
    run_state_machine_as_test(PublicSurfaces, settings=MACHINE)
