"""The people of a soak, each a thread over HTTP: readers load the public pages (title pages
mostly; home, the lists, tag pages, search, the feed and the sitemap), contributors sign in and
send stories through /submit/, moderators race each other through the admin's queue.
``Run`` holds what they share: the clock, every call, and what the server acknowledged."""

import random
import re
import secrets
import threading
import time

from django.conf import settings

from .audit import Action, DecisionAck, SubmissionAck
from .client import SIGNED_OUT, Browser, hidden_fields, messages_of, ok, signed_out
from .seed import PASSWORD, TAGS, own_words

RACE_WINDOW = 3  # moderators pick among the oldest few pending stories, so they collide
SUBMIT_RETRIES = 3
# Pauses between one actor's steps: enough load to keep every worker busy on two cores
# without turning the soak into a benchmark.
READER_PAUSE = 0.05
STORY_INTERVAL = 1.0  # a contributor sends a story a second at most
MODERATOR_PAUSE = 0.2
PROBE_INTERVAL = 0.2
ERROR_PAUSE = 0.25

QUEUE = "/admin/trivia/pendinganecdote/"
# What a refused moderator reads when someone else decided the story first (trivia.services).
STALE_MARKERS = (
    "it is published",
    "it is rejected",
    "changed while you were looking at it",
    "Someone else decided",
)

# What readers load, by weight: every page the cache keeps whole for signed-out readers.
READER_PAGES = {
    "title page": 8,
    "home": 1,
    "title list": 1,
    "tag page": 2,
    "search": 2,
    "feed": 1,
    "sitemap": 1,
}
# Words of every seeded story (seed.py), so that each search finds some.
SEARCH_WORDS = ("seed", "story", "film", "soak")

_SELECTED = re.compile(r'name="_selected_action" value="(\d+)"')
_SENT = re.compile(r"/submit/sent/(\d+)/$")


class Run:
    """The shared state of one soak: the clock, every call, and what was acknowledged."""

    def __init__(self, *, host, port, titles):
        self.host, self.port = host, port
        self.titles = titles  # (id, slug, name)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.calls = []
        self.decisions = []
        self.submissions = []
        self.refused_stale = 0
        self.refused_other = []
        self.unconfirmed = 0
        self.notes = []
        self.origin = time.monotonic()
        self.ready = 0  # actors signed in and waiting for the start
        self.go = threading.Event()
        self.ended = None  # the clock when the load stopped

    def clock(self):
        """Seconds since the start of the load (negative while the actors sign in)."""
        return time.monotonic() - self.origin

    def wait_for_start(self):
        """Signing in is setup: each actor waits here, signed in, until every one is."""
        with self.lock:
            self.ready += 1
        self.go.wait()

    def start(self):
        """Start the clock: the sign-ins so far keep their times, before zero."""
        with self.lock:
            shift = time.monotonic() - self.origin
            self.origin += shift
            for call in self.calls:
                call.start -= shift
                call.end -= shift
        self.go.set()

    def record(self, call):
        with self.lock:
            self.calls.append(call)

    def running(self):
        return not self.stop.is_set()

    def pause(self, seconds):
        self.stop.wait(seconds * random.uniform(0.5, 1.5))

    def note(self, text):
        with self.lock:
            if text not in self.notes:
                self.notes.append(text)

    # --- readers ---

    def reader(self):
        browser = Browser(self, "reader")
        self.wait_for_start()
        steps, weights = list(READER_PAGES), list(READER_PAGES.values())
        while self.running():
            step = random.choices(steps, weights)[0]
            path, must_show = self.reader_page(step)
            answer = browser.get(path, step=step)
            if ok(answer) and must_show not in answer.text:
                answer.call.unexpected = f"the page does not show {must_show!r}"
            self.pause(READER_PAUSE if ok(answer) else ERROR_PAUSE)

    def reader_page(self, step):
        """The address a reader loads for ``step`` and a text the page must show."""
        _pk, slug, name = random.choice(self.titles)
        if step == "title page":
            return f"/titles/{slug}/", name
        if step == "tag page":
            tag = random.choice(TAGS)
            return f"/tags/{tag.replace(' ', '-')}/", tag
        if step == "search":
            return f"/search/?q={random.choice(SEARCH_WORDS)}", "search-hit"
        return {
            "home": ("/", "Soak Film"),
            "title list": ("/titles/", name),
            "feed": ("/feeds/latest/", "<feed"),  # Atom
            "sitemap": ("/sitemap.xml", "<sitemapindex"),
        }[step]

    def probe(self):
        browser = Browser(self, "probe")
        while self.running():
            browser.get("/healthz", step="healthz")
            self.stop.wait(PROBE_INTERVAL)

    # --- contributors ---

    def contributor(self, accounts):
        """Sends stories from one account after another: each may send only so many an hour
        (RATE_LIMITS["submit"]), and the soak is not about that limit."""
        accounts = iter(accounts)
        account = next(accounts)
        browser = Browser(self, "contributor", address=account.address)
        signed_in = self.sign_in_contributor(browser, account)
        self.wait_for_start()
        cap = settings.RATE_LIMITS["submit"][0] - SUBMIT_RETRIES
        while self.running():
            started = time.monotonic()
            if account.sent >= cap:
                account = next(accounts, None)
                if account is None:
                    self.note("a contributor used up its accounts before the end")
                    return
                browser, signed_in = Browser(self, "contributor", address=account.address), False
            if not signed_in:
                signed_in = self.sign_in_contributor(browser, account)
            else:
                signed_in = self.submit_one(browser, account) != SIGNED_OUT
            if not signed_in:
                self.pause(ERROR_PAUSE)
            else:  # a person's pace, which the accounts seeded are counted on (seed.py)
                self.stop.wait(max(0.0, STORY_INTERVAL - (time.monotonic() - started)))

    def sign_in_contributor(self, browser, account):
        page = browser.get("/accounts/login/", step="sign-in form")
        fields = hidden_fields(page.text, 'name="password"') if ok(page) else None
        if fields is None:
            if ok(page):
                page.call.unexpected = "no sign-in form"
            return False
        data = [*fields, ("login", account.username), ("password", PASSWORD)]
        answer = browser.post("/accounts/login/", data, step="sign in")
        return ok(answer, 302)

    def submit_one(self, browser, account):
        """Form, preview, send: the three steps a person takes. The send is retried with the
        same one-time key after an error, as a person pressing the button again would."""
        title, slug, name = random.choice(self.titles)
        form = browser.get(f"/submit/?title={slug}", step="submit form")
        if signed_out(form):
            return SIGNED_OUT
        if not ok(form):
            return False
        fields = hidden_fields(form.text, 'name="submission_key"')
        if fields is None:
            form.call.unexpected = "no submit form"
            return False
        number = secrets.token_hex(4)
        data = [
            *fields,
            ("title", str(title)),
            ("text", f"Soak story {number} about {name}: {own_words()}."),
            ("tags", "soak, set design"),
            ("new_title_kind", "film"),
            ("source-TOTAL_FORMS", "1"),
            ("source-INITIAL_FORMS", "0"),
            ("source-MIN_NUM_FORMS", "0"),
            ("source-MAX_NUM_FORMS", "3"),
            ("source-0-kind", "article"),
            ("source-0-title", f"Soak source {number}"),
            ("website", ""),
            ("action", "preview"),
        ]
        preview = browser.post("/submit/", data, step="submit preview", expect=200)
        if not ok(preview):
            return False
        carried = hidden_fields(preview.text, 'value="submit"')
        if carried is None:
            preview.call.unexpected = "no preview (the form came back)"
            return False
        final = [*carried, ("action", "submit")]
        key = dict(carried).get("submission_key", "")
        for attempt in range(1 + SUBMIT_RETRIES):
            account.sent += 1
            answer = browser.post("/submit/", final, step="submit send")
            if answer is not None and answer.status < 500:
                sent = _SENT.search(answer.location) if answer.status == 302 else None
                if sent is None:
                    answer.call.unexpected = answer.call.unexpected or "not sent"
                    return False
                ack = SubmissionAck(int(sent[1]), key, account.username, retried=attempt > 0)
                with self.lock:
                    self.submissions.append(ack)
                return True
            if not self.running():
                return False
            self.pause(ERROR_PAUSE * 2)
        return False

    # --- moderators ---

    def moderator(self, username):
        browser = Browser(self, "moderator")
        signed_in = self.sign_in_moderator(browser, username)
        self.wait_for_start()
        while self.running():
            if not signed_in:
                signed_in = self.sign_in_moderator(browser, username)
                if not signed_in:
                    self.pause(ERROR_PAUSE)
                continue
            queue = browser.get(QUEUE, step="queue")
            if signed_out(queue):
                signed_in = False
                continue
            if not ok(queue):
                self.pause(ERROR_PAUSE)
                continue
            pending = _SELECTED.findall(queue.text)
            csrf = hidden_fields(queue.text, 'name="_selected_action"')
            if not pending or csrf is None:
                self.pause(MODERATOR_PAUSE)
                continue
            story = random.choice(pending[:RACE_WINDOW])
            way = random.choices(
                [self.approve_from_list, self.reject_from_list, self.reject_from_page],
                weights=[2, 1, 1],
            )[0]
            way(browser, username, int(story), csrf)
            self.pause(MODERATOR_PAUSE)

    def sign_in_moderator(self, browser, username):
        page = browser.get("/admin/login/?next=/admin/", step="admin sign-in form")
        fields = hidden_fields(page.text, 'name="password"') if ok(page) else None
        if fields is None:
            return False
        data = [*fields, ("username", username), ("password", PASSWORD)]
        return ok(browser.post("/admin/login/?next=/admin/", data, step="admin sign in"), 302)

    def approve_from_list(self, browser, username, story, list_fields):
        """The queue's "Approve the selected stories" action, one story ticked."""
        data = [
            *[(n, v) for n, v in list_fields if n == "csrfmiddlewaretoken"],
            ("action", "approve_selected"),
            ("index", "0"),
            ("_selected_action", str(story)),
        ]
        answer = browser.post(QUEUE, data, step="approve")
        self.read_outcome(browser, answer, story, Action.APPROVED, username)

    def reject_from_list(self, browser, username, story, list_fields):
        """The queue's "Reject the selected stories…": its page asking why, then the decision."""
        data = [
            *[(n, v) for n, v in list_fields if n == "csrfmiddlewaretoken"],
            ("action", "reject_selected"),
            ("index", "0"),
            ("_selected_action", str(story)),
        ]
        page = browser.post(QUEUE, data, step="reject form (list)", expect=200)
        self.reject_on(browser, page, QUEUE, story, username)

    def reject_from_page(self, browser, username, story, _list_fields):
        """The story page's "Reject…": the version it was read at travels with the form."""
        path = f"{QUEUE}{story}/reject/"
        page = browser.get(path, step="reject form (story)")
        self.reject_on(browser, page, path, story, username)

    def reject_on(self, browser, page, path, story, username):
        if not ok(page):
            return
        fields = hidden_fields(page.text, 'name="reason"')
        if fields is None:
            page.call.unexpected = "no reject form"
            return
        reason = random.choice(["duplicate", "unsourced", "not_bts"])
        data = [*fields, ("reason", reason), ("message", "Closed by the soak.")]
        answer = browser.post(path, data, step="reject")
        self.read_outcome(browser, answer, story, Action.REJECTED, username)

    def read_outcome(self, browser, answer, story, action, username):
        """Follow the redirect to the page carrying the admin's message and read it: "1 story
        approved." is the acknowledgement; "Not approved: … it is rejected (…)" is a story
        someone else decided first, which the moderator must be told and not shown an error.
        A rejection lost that way answers with its own page again, the message on it and the
        reason and message as typed, rather than a redirect."""
        if ok(answer) and action == Action.REJECTED:
            page = answer
        elif ok(answer, 302):
            page = browser.get(answer.location, step="decision outcome")
            if not ok(page):
                with self.lock:
                    self.unconfirmed += 1
                return
        else:
            return
        said = messages_of(page.text)
        if f"1 story {action}." in [text for level, text in said if level in ("info", "success")]:
            with self.lock:
                self.decisions.append(DecisionAck(story, action, username))
            return
        # A warning is a refusal too: bulk approval holding back a possible repeat.
        refusals = [text for level, text in said if level in ("error", "warning")]
        if not refusals:
            page.call.unexpected = f"no message after a decision: {said}"
        elif any(marker in refusals[0] for marker in STALE_MARKERS):
            answer.call.unexpected = ""  # the lost rejection's page again is the right answer
            with self.lock:
                self.refused_stale += 1
        else:
            with self.lock:
                self.refused_other.append(refusals[0])
