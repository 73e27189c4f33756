"""Hostile input everywhere (issue 7): every form field, query parameter, path segment, upload
and the article importer receive the catalogue of tests/hostile/catalogue.py, and every admin
list its own parameters forged (issue 16).

Three promises are checked on every answer (tests/hostile/checks.py): nothing answers 500 or
more; every markup payload is shown escaped, to readers, to its author and to moderators in the
admin; and nothing that should be refused is stored: no control character in what a contributor
typed, nothing over a field's limit, no file but re-encoded pixels under a random name.
Hypothesis fuzzes the submission form, search and the importer beyond the catalogue.
"""

import re
import uuid
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from taggit.models import Tag

from tests.admin_forms import change_form_data, management_form
from tests.caching import clear_caches
from tests.factories import edit_form_data, make_anecdote, make_source, make_title, make_user
from tests.hostile import catalogue
from tests.hostile.catalogue import MARKUP, SHORT, STRINGS
from tests.hostile.checks import control_characters, problems_in
from tests.hostile.figures import FIGURES
from tests.hostile.world import build_world
from tests.permissions import ROWS
from tests.submit_form import form_data
from trivia import services
from trivia.forms import normalise_tags
from trivia.importer.reading import ArticleError, decode_article
from trivia.importer.splitting import split_article
from trivia.importer.writing import import_article
from trivia.models import Anecdote, Citation, Correction, Person, PersonAlias, Report, Source, Title

pytestmark = pytest.mark.django_db

State = Anecdote.State
STORY_MAX = 1_500
SUBMIT = "/submit/"
IMPORT = "/admin/trivia/pendinganecdote/import/"


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """One account sends the catalogue hundreds of times: the limits (tests/test_ratelimit.py)
    would answer 429 long before the end."""
    settings.RATE_LIMITS = {
        scope: (10**9, period) for scope, (_n, period) in settings.RATE_LIMITS.items()
    }
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture
def world(db):
    return build_world()


def assert_no_problems(problems):
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def normalised_text(value):
    """A multi-line field's value as the form cleans it: stripped, one kind of line break."""
    return value.strip().replace("\r\n", "\n").replace("\r", "\n").strip()


def plain_text_refused(value, limit):
    """Whether a story's text must be refused: empty, too long (once cleaned as its form does),
    or holding a control character (which breaks feeds and some databases)."""
    text = normalised_text(value)
    return not text or len(text) > limit or bool(control_characters(text))


def stored_problems(label, *, since_story, since_source, story_limit=STORY_MAX):
    """What was stored by the attempt ``label`` that should have been refused. An imported
    story has no length limit (``story_limit=None``): a moderator reads each before it goes
    anywhere."""
    found = []
    stories = Anecdote.objects.filter(pk__gt=since_story).prefetch_related("tags")
    for story in stories:
        for what, value in [("text", story.text), ("proposed title", story.proposed_title)]:
            if control_characters(value):
                found.append(f"{label}: a control character stored in the story's {what}")
        if story_limit and len(story.text) > story_limit:
            found.append(f"{label}: a story of {len(story.text)} characters stored")
        for tag in story.tags.all():
            if control_characters(tag.name) or len(tag.name) > 50:
                found.append(f"{label}: tag {tag.name[:40]!r} stored")
    for citation in Citation.objects.filter(anecdote__pk__gt=since_story):
        if control_characters(citation.locator):
            found.append(f"{label}: a control character stored in a citation's page")
    for source in Source.objects.filter(pk__gt=since_source):
        if source.url and not source.url.startswith(("http://", "https://")):
            found.append(f"{label}: source address {source.url[:40]!r} stored")
        for name in ("title", "publisher", "author", "url"):
            if control_characters(getattr(source, name)):
                found.append(f"{label}: a control character stored in a source's {name}")
    return found


def last_pk(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- The submit form ----------------------------------------------------------------------------


def submit_data(world, **fields):
    """The submit form with every field of the first source filled, for payloads to replace."""
    return form_data(
        **{
            "title": world.title,
            "action": "submit",
            "text": "The crew shot the rain scene at night, with fire hoses.",
            "tags": "rain, night shoots",
            "is_spoiler": "",
            "source-0-url": f"https://example.org/rain-{uuid.uuid4().hex[:8]}",
            "source-0-title": "The making of Matrix Film",
            "source-0-publisher": "Example",
            "source-0-author": "A. Writer",
            "source-0-date": "2001-05-04",
            "source-0-locator": "p. 12",
            **fields,
        }
    )


# Fields a person types (every payload) and fields a form fills (the short list is enough).
SUBMIT_TYPED = [
    "text",
    "tags",
    "new_title_name",
    "title_q",
    "source-0-url",
    "source-0-title",
    "source-0-publisher",
    "source-0-author",
    "source-0-locator",
]
SUBMIT_FILLED = [
    "title",
    "new_title_kind",
    "new_title_year",
    "is_spoiler",
    "submission_key",
    "action",
    "image_token",
    "website",
    "source-0-kind",
    "source-0-date",
    "source-TOTAL_FORMS",
    "source-INITIAL_FORMS",
]
# A new title's fields are only read when the form proposes a new title.
NEW_TITLE = {"title": "new", "new_title_name": "A Film Nobody Has Heard Of", "new_title_year": ""}


def spread(fields, payloads):
    """Requests giving every field a different payload, shifted by one each time: as many
    requests as payloads give every field every payload. Each yields {field: (name, value)}."""
    names = list(payloads)
    for k in range(len(names)):
        yield {
            field: (names[(k + i) % len(names)], payloads[names[(k + i) % len(names)]])
            for i, field in enumerate(fields)
        }


def described(chosen):
    return ", ".join(f"{field}={name!r}" for field, (name, _value) in chosen.items())


def test_the_story_text_of_the_submit_form_is_stored_exactly_when_it_is_valid(world):
    """Markup is plain text like any other and is kept as typed; empty, too long or holding a
    control character, the story is refused and nothing is created."""
    author = world.browser("contributor")
    problems = []
    for name, value in STRINGS.items():
        label = f"submit text={name!r}"
        before, sources = last_pk(Anecdote), last_pk(Source)
        response = author.post(SUBMIT, submit_data(world, text=value))
        problems += problems_in(response, label)
        problems += stored_problems(label, since_story=before, since_source=sources)
        created = [story.text for story in Anecdote.objects.filter(pk__gt=before)]
        if plain_text_refused(value, STORY_MAX):
            if created:
                problems.append(f"{label}: stored although it must be refused")
        elif created != [normalised_text(value)]:
            problems.append(f"{label}: not stored as typed ({len(created)} stories)")
    assert_no_problems(problems)


def test_every_other_field_of_the_submit_form_survives_the_catalogue(world):
    """Every typed field gets every payload, the fields a form fills the short list; then the
    one-line fields get the payloads that must be refused, one at a time."""
    author = world.browser("contributor")
    requests = [
        *spread(SUBMIT_TYPED[1:], STRINGS),
        *spread(SUBMIT_FILLED, SHORT),
        *(
            {field: (name, STRINGS[name])}
            for field in SUBMIT_TYPED[1:]
            for name in ("nul in the middle", "bell", "header injection", "100,000 characters")
        ),
    ]
    problems = []
    for chosen in requests:
        label = f"submit {described(chosen)}"
        fields = {field: value for field, (_name, value) in chosen.items()}
        # The typed fields are read with a new title proposed, so that its name is too.
        base = NEW_TITLE if "new_title_name" in fields else {}
        before, sources = last_pk(Anecdote), last_pk(Source)
        response = author.post(SUBMIT, submit_data(world, **{**base, **fields}))
        problems += problems_in(response, label)
        problems += stored_problems(label, since_story=before, since_source=sources)
    assert_no_problems(problems)


def test_the_title_search_of_the_submit_form_survives_the_catalogue(world):
    author = world.browser("contributor")
    problems = []
    for name, value in STRINGS.items():
        response = author.get("/submit/titles/", {"q": value})
        problems += problems_in(response, f"title search q={name!r}")
        if response.status_code == 200 and not isinstance(response.json()["results"], list):
            problems.append(f"title search q={name!r}: no result list")
    assert_no_problems(problems)


def test_a_title_typed_in_another_unicode_form_is_the_same_title(world):
    """ "Amélie" typed with a combining accent (NFD) is the "Amélie" Backlot has (NFC): the
    title search finds it, proposing it again is refused as a duplicate, and search finds its
    stories. A Cyrillic look-alike is another name, and is found as nothing."""
    amelie = make_title("Am\u00e9lie", year=2001)
    make_anecdote(title=amelie, text="Audrey Tautou fed the fish herself.", state=State.PUBLISHED)
    author = world.browser("contributor")
    nfd, cyrillic = STRINGS["NFD é"], STRINGS["Cyrillic look-alike"]

    found = author.get("/submit/titles/", {"q": nfd}).json()["results"]
    assert [result["id"] for result in found] == [amelie.pk]
    assert author.get("/submit/titles/", {"q": cyrillic}).json()["results"] == []

    before = last_pk(Anecdote)
    proposal = author.post(SUBMIT, submit_data(world, title="new", new_title_name=nfd))
    assert "Backlot already has “Amélie (2001)”" in proposal.content.decode()
    assert last_pk(Anecdote) == before

    reader = world.browser("anonymous")
    assert "Audrey Tautou fed the fish" in reader.get("/search/", {"q": nfd}).content.decode()
    assert "Audrey Tautou" not in reader.get("/search/", {"q": cyrillic}).content.decode()


# --- Readers' and contributors' other forms ------------------------------------------------------


def test_the_report_form_survives_the_catalogue(world):
    """Anyone may report: the note gets every payload, its reason and honeypot the short
    list; a note that must be refused leaves no report behind."""
    reader = world.browser("anonymous")
    url = f"/anecdotes/{world.published.pk}/report/"
    problems = []
    requests = [
        *({"note": (name, value)} for name, value in STRINGS.items()),
        *spread(["reason", "website"], SHORT),
    ]
    for chosen in requests:
        label = f"report {described(chosen)}"
        clear_caches()  # the page cache and the report limit
        data = {"reason": "inaccurate", "note": "", "website": ""}
        data.update({field: value for field, (_name, value) in chosen.items()})
        before = last_pk(Report)
        problems += problems_in(reader.post(url, data), label)
        note = normalised_text(data["note"])
        for report in Report.objects.filter(pk__gt=before):
            if len(note) > 1_000 or control_characters(note) or data["website"]:
                problems.append(f"{label}: a report stored although it must be refused")
            elif report.note != note:
                problems.append(f"{label}: the note not stored as typed")
    assert_no_problems(problems)


def corrections_problems(label, data, *, since):
    """A proposed correction stored from ``data`` must be one that was valid."""
    found = []
    for correction in Correction.objects.filter(pk__gt=since):
        if plain_text_refused(data["text"], STORY_MAX) or control_characters(correction.note):
            found.append(f"{label}: a correction stored although it must be refused")
        elif correction.text != normalised_text(data["text"]):
            found.append(f"{label}: the correction not stored as typed")
    return found


@pytest.mark.parametrize(
    "path",
    ["/anecdotes/{pk}/correct/", "/accounts/submissions/{pk}/correct/"],
    ids=["reader's correction", "author's correction"],
)
def test_the_correction_forms_survive_the_catalogue(world, path):
    author = world.browser("contributor")
    url = path.format(pk=world.published.pk)
    problems = []
    for chosen in spread(["text", "note"], STRINGS):
        label = f"{url} {described(chosen)}"
        data = {field: value for field, (_name, value) in chosen.items()}
        before = last_pk(Correction)
        problems += problems_in(author.post(url, data), label)
        problems += corrections_problems(label, data, since=before)
    assert_no_problems(problems)


def test_editing_a_submission_survives_the_catalogue(world):
    """The rejected story has no title, so its form proposes one. Whatever is posted, the
    stored story never holds what the form must refuse."""
    author = world.browser("contributor")
    story = world.rejected
    url = f"/accounts/submissions/{story.pk}/edit/"
    problems = []
    requests = [
        *spread(["text", "tags", "new_title_name", "source-0-title"], STRINGS),
        *spread(["is_spoiler", "loaded_version"], SHORT),
    ]
    for chosen in requests:
        label = f"edit {described(chosen)}"
        data = edit_form_data(
            Anecdote.objects.get(pk=story.pk),
            title="new",
            text="Edited: the rain was real.",
            tags="rain",
            new_title_name="Heat",
        )
        data.update({field: value for field, (_name, value) in chosen.items()})
        before = Anecdote.objects.get(pk=story.pk).text
        problems += problems_in(author.post(url, data), label)
        after = Anecdote.objects.prefetch_related("tags").get(pk=story.pk)
        if after.text != before and plain_text_refused(data["text"], STORY_MAX):
            problems.append(f"{label}: the text changed to one that must be refused")
        for what, value in [
            ("text", after.text),
            ("proposed title", after.proposed_title),
            *(("tag", tag.name) for tag in after.tags.all()),
        ]:
            if control_characters(value):
                problems.append(f"{label}: a control character stored in the {what}")
    assert_no_problems(problems)


USERNAME = r"^[\w.@+-]+\Z"


def test_the_account_forms_survive_the_catalogue(world):
    """Sign-in (the site's and the admin's), sign-up and password reset; no account is created
    under a name Django's own rules refuse, and no address is stored that is not one."""
    visitor = world.browser("anonymous")
    problems = []
    forms = [
        ("/accounts/login/", ["login", "password", "remember"]),
        ("/accounts/signup/", ["username", "email", "password1", "password2"]),
        ("/accounts/password/reset/", ["email"]),
        ("/admin/login/", ["username", "password"]),
    ]
    for url, fields in forms:
        for chosen in spread(fields, SHORT):
            clear_caches()
            label = f"{url} {described(chosen)}"
            data = {field: value for field, (_name, value) in chosen.items()}
            problems += problems_in(visitor.post(url, data), label)
    for user in get_user_model().objects.all():
        if not re.match(USERNAME, user.username):
            problems.append(f"an account named {user.username[:40]!r} was created")
    for address in EmailAddress.objects.all():
        if control_characters(address.email) or "@" not in address.email:
            problems.append(f"the address {address.email[:40]!r} was stored")
    assert_no_problems(problems)


# --- The moderators' forms ---------------------------------------------------------------------


def test_the_admin_change_page_of_a_story_survives_the_catalogue(world):
    """A moderator's edit goes through the same rule as a contributor's: no control character
    is stored in a story (it would break the feeds once published)."""
    moderator = world.browser("moderator")
    story = world.pending
    url = f"/admin/trivia/pendinganecdote/{story.pk}/change/"
    problems = []
    payloads = {**SHORT, **catalogue.CONTROL, **catalogue.MARKUP}
    for chosen in spread(["text", "accuracy_note", "tags", "citations-0-locator"], payloads):
        label = f"admin change {described(chosen)}"
        fields = {field: value for field, (_name, value) in chosen.items()}
        problems += problems_in(moderator.post(url, change_form_data(story, **fields)), label)
        after = Anecdote.objects.get(pk=story.pk)
        for what in ("text", "accuracy_note"):
            if control_characters(getattr(after, what)):
                problems.append(f"{label}: a control character stored in the {what}")
    assert_no_problems(problems)


def test_the_moderators_decision_forms_survive_the_catalogue(world):
    """Reject and unpublish messages, and the messages of a correction's and a report's
    review, each get the short list (a decision closes the item: later posts are refused)."""
    moderator = world.browser("moderator")
    problems = []
    for chosen in spread(["message", "reason", "version"], SHORT):
        label = f"reject {described(chosen)}"
        story = services.submit_story(
            contributor=world.users["contributor"],
            title=world.title,
            text="A story to refuse.",
            citations=[Citation(source=make_source())],
        )
        data = {"reason": "unsourced", "version": story.version}
        data.update({field: value for field, (_name, value) in chosen.items()})
        url = f"/admin/trivia/pendinganecdote/{story.pk}/reject/"
        problems += problems_in(moderator.post(url, data), label)
    for chosen in spread(["message", "to_state"], SHORT):
        label = f"unpublish {described(chosen)}"
        story = make_anecdote(title=world.title, state=State.PUBLISHED)
        data = {"reason": "duplicate", "to_state": "pending", "version": story.version}
        data.update({field: value for field, (_name, value) in chosen.items()})
        url = f"/admin/trivia/anecdote/{story.pk}/unpublish/"
        problems += problems_in(moderator.post(url, data), label)
    # A fresh correction and report for each message: a decided one is not decided again. Each
    # correction has its own proposer: one refused message leaves it pending, and a person has
    # one pending correction of a story at a time.
    other = world.users["other"]
    for name, value in SHORT.items():
        correction = services.propose_correction(
            story=world.published, proposer=make_user(), text=f"Corrected: {name}."
        )
        report = services.report_story(story=world.published, reporter=other, reason="inaccurate")
        for url, button in [
            (f"/admin/trivia/correction/{correction.pk}/change/", "_reject"),
            (f"/admin/trivia/report/{report.pk}/change/", "_dismiss"),
        ]:
            response = moderator.post(url, {"message": value, button: "1"})
            problems += problems_in(response, f"{url} message={name!r}")
    assert_no_problems(problems)


def test_a_correction_decided_with_a_message_can_be_opened_again(world):
    """Its review page once read a report's field on the correction: a 500 for every decided
    correction with a message."""
    moderator = world.browser("moderator")
    url = f"/admin/trivia/correction/{world.values['correction']}/change/"
    moderator.post(url, {"message": "Not in the commentary.", "_reject": "1"})
    response = moderator.get(url)
    assert_no_problems(problems_in(response, "a decided correction"))
    assert "Not in the commentary." in response.content.decode()


def test_the_import_form_survives_the_catalogue(world):
    """Every payload in every field of the preview, the short list confirmed; what is imported
    holds no control character."""
    moderator = world.browser("moderator")
    problems = []
    fields = ["text", "source_title", "source_url", "publisher"]
    requests = [
        *((chosen, False) for chosen in spread(fields, STRINGS)),
        *((chosen, True) for chosen in spread(fields, SHORT)),
    ]
    for chosen, confirm in requests:
        label = f"import {described(chosen)}{' confirmed' if confirm else ''}"
        data = {field: value for field, (_name, value) in chosen.items()}
        # The article around the payload, so that it is a heading, a story and the title.
        data["text"] = f"{data['text']}\n\n1. Matrix Film\n\n{data['text']} on the set."
        if confirm:
            data["confirm"] = "yes"
        before, sources = last_pk(Anecdote), last_pk(Source)
        problems += problems_in(moderator.post(IMPORT, data), label)
        problems += stored_problems(
            label, since_story=before, since_source=sources, story_limit=None
        )
    assert_no_problems(problems)


def test_the_title_and_person_forms_survive_the_catalogue(world):
    """A title and a person with their aliases, each field given the short list. Names that
    reach feeds and pages hold no control character once stored."""
    moderator = world.browser("moderator")
    problems = []
    title_fields = ["name", "slug", "original_title", "synopsis", "year", "aliases-0-name"]
    for chosen in spread(title_fields, SHORT):
        label = f"add title {described(chosen)}"
        data = {"kind": "film", **management_form("aliases", 1)}
        data.update({field: value for field, (_name, value) in chosen.items()})
        problems += problems_in(moderator.post("/admin/trivia/title/add/", data), label)
    for chosen in spread(["name", "slug", "aliases-0-name"], SHORT):
        label = f"add person {described(chosen)}"
        data = management_form("aliases", 1)
        data.update({field: value for field, (_name, value) in chosen.items()})
        problems += problems_in(moderator.post("/admin/trivia/person/add/", data), label)
    names = [
        *Title.objects.values_list("name", flat=True),
        *Person.objects.values_list("name", flat=True),
        *PersonAlias.objects.values_list("name", flat=True),
    ]
    problems += [
        f"a control character stored in {name[:40]!r}" for name in names if control_characters(name)
    ]
    assert_no_problems(problems)


def test_a_control_character_pasted_into_a_title_name_never_breaks_the_feeds(world):
    """Django's XML writer refuses control characters: one in a title's name would make every
    feed listing its stories a 500."""
    moderator = world.browser("moderator")
    form = {
        "slug": "heat",
        "kind": "film",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    moderator.post("/admin/trivia/title/add/", {"name": "Heat\x07", **form})
    for title in Title.objects.filter(slug="heat"):
        make_anecdote(title=title, state=State.PUBLISHED)
    response = world.browser("anonymous").get("/feeds/latest/")
    assert_no_problems(problems_in(response, "the feed of a title with a bell in its name"))


# --- Query parameters and path segments ---------------------------------------------------------

# (role, address, the parameters it reads, payloads): every parameter of a request gets the same
# payload; "page" is sent on its own, as a bad page stops the rest from being read.
QUERIES = [
    ("anonymous", "/", ["page"], SHORT),
    ("anonymous", "/titles/", ["kind", "letter"], SHORT),
    ("anonymous", "/titles/{title}/", ["sort", "accuracy"], SHORT),
    ("anonymous", "/tags/{tag}/", ["sort", "accuracy"], SHORT),
    ("anonymous", "/stories/", ["sort", "accuracy"], SHORT),
    ("anonymous", "/people/{person}/", ["sort", "accuracy"], SHORT),
    ("anonymous", "/people/", ["letter"], SHORT),
    ("anonymous", "/search/", ["q"], STRINGS),
    (
        "anonymous",
        "/api/v1/stories/",
        ["title", "tag", "person", "accuracy", "sort", "page_size"],
        SHORT,
    ),
    ("anonymous", "/api/v1/titles/", ["kind", "letter", "page_size"], SHORT),
    ("anonymous", "/api/v1/search/", ["q"], STRINGS),
    ("anonymous", "/sitemap-stories.xml", ["p"], SHORT),
    ("anonymous", "/accounts/login/", ["next"], SHORT),
    ("anonymous", "/random/", ["next"], SHORT),
    ("contributor", "/submit/", ["title", "title_q"], SHORT),
    (
        "moderator",
        "/admin/trivia/pendinganecdote/",
        ["q", "o", "has_title", "kind"],
        STRINGS,
    ),
    ("moderator", "/admin/trivia/anecdote/", ["state", "accuracy", "tags__id__exact"], SHORT),
    ("moderator", "/admin/trivia/title/", ["q"], STRINGS),
    (
        "moderator",
        "/admin/autocomplete/",
        ["term", "app_label", "model_name", "field_name"],
        SHORT,
    ),
]
# What a page number may be instead of one.
PAGES = {
    name: STRINGS[name]
    for name in [
        "script",
        "nul",
        "100,000 characters",
        "superscript digits",
        "huge number",
        "minus one",
        "float overflow",
        "empty",
    ]
}
PAGED = [
    "/titles/",
    "/titles/{title}/",
    "/tags/",
    "/tags/{tag}/",
    "/stories/",
    "/myths/",
    "/disputed/",
    "/people/",
    "/search/?q=matrix",
    "/users/{username}/",
    "/accounts/submissions/",
    "/api/v1/stories/",
    "/api/v1/stories/?title={title}",
    "/api/v1/titles/",
    "/api/v1/tags/",
    "/api/v1/people/",
    "/api/v1/search/?q=matrix",
]


def test_every_query_parameter_survives_the_catalogue(world):
    problems = []
    for role, path, names, payloads in QUERIES:
        browser = world.browser(role)
        url = path.format(**world.values)
        for name, value in payloads.items():
            response = browser.get(url, {parameter: value for parameter in names})
            problems += problems_in(response, f"{url} {'&'.join(names)}={name!r}")
    author = world.browser("contributor")
    for path in PAGED:
        url = path.format(**world.values)
        for name, value in PAGES.items():
            separator = "&" if "?" in url else "?"
            response = author.get(f"{url}{separator}page={quote(value)}")
            problems += problems_in(response, f"{url} page={name!r}")
    assert_no_problems(problems)


def test_invalid_utf8_in_query_strings_and_paths_is_answered_below_500(world):
    problems = []
    encoded = {name: quote(raw) for name, raw in catalogue.INVALID_UTF8.items()}
    browsers = {role: world.browser(role) for role in ("anonymous", "moderator")}
    for name, value in encoded.items():
        for role, url in [
            ("anonymous", f"/search/?q={value}"),
            ("anonymous", f"/titles/?kind={value}&letter={value}"),
            ("anonymous", f"/api/v1/search/?q={value}"),
            ("anonymous", f"/api/v1/stories/?tag={value}&title={value}"),
            ("anonymous", f"/api/v1/tags/{value}/"),
            ("anonymous", f"/tags/{value}/"),
            ("anonymous", f"/users/{value}/"),
            ("anonymous", f"/media/anecdotes/{value}.png"),
            ("anonymous", f"/accounts/password/reset/key/1-{value}/"),
            ("moderator", f"/admin/trivia/anecdote/?q={value}"),
            ("moderator", f"/admin/trivia/title/{value}/change/"),
        ]:
            problems += problems_in(browsers[role].get(url), f"{url} ({name})")
    assert_no_problems(problems)


# Each route's segment, filled with a payload: (role, address with "{}" for the segment,
# payloads). Segments the resolver reads as text get every payload; numbers and keys the short
# list, as the resolver refuses anything else before a view runs.
SEGMENTS = [
    ("anonymous", "/titles/{}/", SHORT),
    ("anonymous", "/titles/{}/feed/", SHORT),
    ("anonymous", "/tags/{}/", STRINGS),
    ("anonymous", "/tags/{}/feed/", SHORT),
    ("anonymous", "/people/{}/", SHORT),
    ("anonymous", "/people/{}/feed/", SHORT),
    ("anonymous", "/anecdotes/{}/", SHORT),
    ("anonymous", "/sitemap-{}.xml", SHORT),
    ("anonymous", "/media/anecdotes/{}", SHORT),
    ("anonymous", "/media/posters/{}", SHORT),
    ("anonymous", "/users/{}/", STRINGS),
    ("anonymous", "/api/v1/stories/{}/", SHORT),
    ("anonymous", "/api/v1/titles/{}/", STRINGS),
    ("anonymous", "/api/v1/tags/{}/", STRINGS),
    ("anonymous", "/api/v1/people/{}/", SHORT),
    ("anonymous", "/accounts/confirm-email/{}/", SHORT),
    ("anonymous", "/accounts/password/reset/key/{uidb36}-{}/", SHORT),
    ("contributor", "/submit/image/{}/", SHORT),
    ("contributor", "/submit/sent/{}/", SHORT),
    ("contributor", "/accounts/submissions/{}/edit/", SHORT),
    ("moderator", "/admin/trivia/pendinganecdote/{}/change/", STRINGS),
    ("moderator", "/admin/trivia/anecdote/{}/unpublish/", SHORT),
    ("moderator", "/admin/trivia/correction/{}/change/", SHORT),
    ("moderator", "/admin/r/{}/{}/", SHORT),
]


def test_every_path_segment_survives_the_catalogue(world):
    problems = []
    for role, template, payloads in SEGMENTS:
        browser = world.browser(role)
        for name, value in payloads.items():
            segment = quote(value, safe="")
            url = template.replace("{uidb36}", world.values["uidb36"]).replace("{}", segment)
            problems += problems_in(browser.get(url), f"{template} with {name!r}")
    assert_no_problems(problems)


# The read API's parameters, each alone: (address, parameter). Its answers are JSON whatever
# is sent: the data, or a 4xx whose "detail" says what was wrong (trivia/api/).
API_PARAMETERS = [
    *(
        ("/api/v1/stories/", name)
        for name in ("title", "tag", "person", "accuracy", "sort", "page", "page_size")
    ),
    *(("/api/v1/titles/", name) for name in ("kind", "letter", "page")),
    ("/api/v1/tags/", "page"),
    ("/api/v1/people/", "page_size"),
    ("/api/v1/search/", "q"),
    ("/api/v1/search/?q=matrix", "page"),
]


def test_the_api_answers_every_payload_with_data_or_a_json_error(world):
    reader = world.browser("anonymous")
    problems = []
    for path, parameter in API_PARAMETERS:
        for name, value in STRINGS.items():
            separator = "&" if "?" in path else "?"
            url = f"{path}{separator}{parameter}={quote(value)}"
            label = f"{path} {parameter}={name!r}"
            response = reader.get(url)
            problems += problems_in(response, label)
            if response.status_code not in (200, 400, 404):
                problems.append(f"{label}: answered {response.status_code}")
            elif not response["Content-Type"].startswith("application/json"):
                problems.append(f"{label}: answered {response['Content-Type']}")
            elif response.status_code != 200 and not response.json().get("detail"):
                problems.append(f"{label}: a {response.status_code} without a detail")
    assert_no_problems(problems)


def test_unexpected_methods_are_answered_below_500(world):
    """Every address of the permission matrix asked with the methods no page of the site
    offers: by a reader, and by a moderator (who gets past the admin's sign-in)."""
    problems = []
    methods = {"anonymous": ("PUT", "PATCH", "DELETE", "OPTIONS"), "moderator": ("PUT", "DELETE")}
    urls = sorted({row.url.format(**world.values) for row in ROWS})
    for url in urls:
        for role, role_methods in methods.items():
            browser = world.browser(role)
            for method in role_methods:
                with transaction.atomic():
                    response = browser.generic(method, url, b"text=x")
                    transaction.set_rollback(True)
                problems += problems_in(response, f"{method} {url} as {role}")
    assert_no_problems(problems)


# --- Forged admin parameters (issue 16) -----------------------------------------------------------
# Every list of admin.site, a new one included: what its filters, its search, its bulk actions and
# its date drill-down read, as a forged request sends it. PostgreSQL refuses a NUL byte inside the
# query (a 500), SQLite does not: the NUL sweep asks for the 400 that both must give.

NULS = {name: STRINGS[name] for name in ("nul", "nul in the middle")}


def admin_lists(world):
    """Every registered ModelAdmin's list, opened by the moderator where they may, else by the
    superuser: (label, browser, address, the list's page)."""
    lists = []
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for role in ("moderator", "admin"):
            browser = world.browser(role)
            page = browser.get(url)
            if page.status_code == 200:
                lists.append((f"{url} as {role}", browser, url, page))
                break
        else:
            raise AssertionError(f"{url}: no role of the world can open it")
    return lists


def list_parameters(page):
    """What a list reads from its query string besides the page and the order: every filter's
    parameters (``state__exact``, ``tags__id__exact``…) and the search."""
    changelist = page.context["cl"]
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    return names + (["q"] if changelist.search_fields else [])


def test_a_nul_byte_anywhere_in_an_admin_list_is_answered_400(world):
    """In each filter's parameters and the search, in a bulk action's form and in an object's
    address, on every list."""
    problems = []
    for label, browser, url, page in admin_lists(world):
        for name, value in NULS.items():
            answers = [
                *(
                    (f"{parameter}={name!r}", browser.get(url, {parameter: value}))
                    for parameter in list_parameters(page)
                ),
                (f"action={name!r}", browser.post(url, {"action": value, "index": "0"})),
                (f"object {name!r}", browser.get(f"{url}{quote(value)}/change/")),
            ]
            for what, response in answers:
                problems += problems_in(response, f"{label} {what}")
                if response.status_code != 400:
                    problems.append(f"{label} {what}: answered {response.status_code}, not 400")
    assert_no_problems(problems)


def test_every_list_filter_of_every_admin_list_survives_the_catalogue(world):
    problems = []
    for label, browser, url, page in admin_lists(world):
        for parameter in list_parameters(page):
            for name, value in SHORT.items():
                response = browser.get(url, {parameter: value})
                problems += problems_in(response, f"{label} {parameter}={name!r}")
    assert_no_problems(problems)


def test_every_bulk_action_of_every_admin_list_refuses_forged_rows(world):
    """Each action a list offers, given each payload as the ticked row's id: the site's 400 page
    or the list again, and nothing decided or deleted."""
    problems = []
    for label, browser, url, page in admin_lists(world):
        form = page.context["action_form"]
        actions = [name for name, _ in form.fields["action"].choices if name] if form else []
        for action in actions:
            for name, value in SHORT.items():
                before = LogEntry.objects.count()
                data = {"action": action, "index": "0", "_selected_action": value}
                response = browser.post(url, data)
                what = f"{label} {action} _selected_action={name!r}"
                problems += problems_in(response, what)
                if LogEntry.objects.count() != before:
                    problems.append(f"{what}: something was decided or deleted")
    assert_no_problems(problems)


def test_a_date_drilldown_past_the_calendar_is_the_invalid_filter_page(world):
    """Every list with a date drill-down, asked for a year, month or day no date has."""
    problems, drilled = [], 0
    for label, browser, url, page in admin_lists(world):
        field = page.context["cl"].date_hierarchy
        if not field:
            continue
        drilled += 1
        for name, parts in catalogue.DRILLDOWNS.items():
            query = {f"{field}__{part}": value for part, value in parts.items()}
            response = browser.get(url, query)
            problems += problems_in(response, f"{label} {name}")
            invalid_filter = response.status_code == 302 and response["Location"].endswith("?e=1")
            if response.status_code != 400 and not invalid_filter:
                problems.append(f"{label} {name}: answered {response.status_code}")
    assert drilled, "no admin list has a date drill-down: nothing was tried"
    assert_no_problems(problems)


# --- Single cases the sweeps found -------------------------------------------------------------


def test_a_control_character_pasted_into_a_tag_name_is_refused_and_its_feed_still_works(world):
    moderator = world.browser("moderator")
    url = f"/admin/taggit/tag/{world.values['tag_id']}/change/"
    response = moderator.post(url, {"name": "permtag\x07", "slug": "permtag"})
    assert response.status_code == 200 and "control character" in response.text
    assert not Tag.objects.filter(name__contains="\x07").exists()
    response = world.browser("anonymous").get("/tags/permtag/feed/")
    assert_no_problems(problems_in(response, "the feed of a tag with a bell in its name"))


def test_a_search_of_100000_characters_in_the_admin_is_answered(world):
    """SQLite refuses a LIKE pattern over 50,000 bytes, which the admin's search would send."""
    response = world.browser("moderator").get(
        "/admin/trivia/title/", {"q": STRINGS["100,000 characters"]}
    )
    assert_no_problems(problems_in(response, "an admin search of 100,000 characters"))


def test_a_story_address_with_superscript_digits_in_the_admin_is_not_found(world):
    """ "²³" is a digit to ``str.isdigit()`` but not to ``int()``."""
    moderator = world.browser("moderator")
    for digits in ("²³", "١٢٣"):
        response = moderator.get(f"/admin/trivia/pendinganecdote/{quote(digits)}/change/")
        assert_no_problems(problems_in(response, f"the queue's story {digits}"))


def test_an_unknown_correction_or_report_in_the_admin_is_not_found(world):
    """Sent back to the admin's index with a message, as for any other unknown object."""
    moderator = world.browser("moderator")
    for url in ["/admin/trivia/correction/987654/change/", "/admin/trivia/report/987654/change/"]:
        assert_no_problems(problems_in(moderator.get(url), url))


def test_a_username_of_100000_characters_on_the_admin_sign_in_is_refused_by_its_form(world):
    """SQLite refuses a LIKE pattern over 50,000 bytes, which looking the name up would send;
    the admin's sign-in caps the name as the site's own does."""
    response = world.browser("anonymous").post(
        "/admin/login/", {"username": STRINGS["100,000 characters"], "password": "x"}
    )
    assert_no_problems(problems_in(response, "an admin sign-in of 100,000 characters"))
    assert response.status_code == 200
    assert "at most 254 characters" in response.text


# --- Uploads --------------------------------------------------------------------------------------


def stored_files():
    """Every file under MEDIA_ROOT, by name."""
    names = []
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        folders += [f"{folder}/{sub}".lstrip("/") for sub in subfolders]
        names += [f"{folder}/{name}".lstrip("/") for name in files]
    return set(names)


def file_problems(label, names):
    """A stored upload must be re-encoded pixels under a random name of the site's own."""
    found = []
    for name in names:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        if b"<script" in content or b"<html" in content or b"<svg" in content:
            found.append(f"{label}: {name} keeps markup")
        try:
            Image.open(default_storage.open(name, "rb")).verify()
        except Exception:
            found.append(f"{label}: {name} is not an image")
        stem = name.rsplit("/", 1)[-1].split(".")[0].split("-")[0]
        if len(stem) != 32 or not all(char in "0123456789abcdef" for char in stem):
            found.append(f"{label}: stored as {name!r}, not under a random name")
    return found


def test_hostile_images_are_refused_or_kept_as_pixels_only(world, settings):
    """Each file as a story's image (the preview keeps it) and as a title's poster."""
    author = world.browser("contributor")
    moderator = world.browser("moderator")
    problems = []
    for name, (content, filename, is_image) in catalogue.IMAGES.items():
        before = stored_files()
        upload = SimpleUploadedFile(filename, content, content_type="image/png")
        response = author.post(SUBMIT, {**submit_data(world, action="preview"), "image": upload})
        problems += problems_in(response, f"story image {name!r}")
        new = stored_files() - before
        problems += file_problems(f"story image {name!r}", new)
        if bool(new) != is_image:
            problems.append(f"story image {name!r}: {'kept' if new else 'refused'}")
        before = stored_files()
        poster = SimpleUploadedFile(filename, content, content_type="image/png")
        form = {"kind": "film", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"}
        slug = f"poster-{uuid.uuid4().hex[:8]}"
        response = moderator.post(
            "/admin/trivia/title/add/", {"name": slug, "slug": slug, "poster": poster, **form}
        )
        problems += problems_in(response, f"poster {name!r}")
        problems += file_problems(f"poster {name!r}", stored_files() - before)
    assert_no_problems(problems)


def with_file(data, field, filename, content, boundary="hxfile"):
    """A multipart body as a browser sends it, with a file name no test helper would accept
    (empty, dots only, a NUL): quotes percent-encoded, the rest as is."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in data.items()
    ]
    quoted = filename.replace('"', "%22")
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{quoted}"'
        "\r\nContent-Type: image/png\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_hostile_file_names_never_reach_a_stored_name(world):
    author = world.browser("contributor")
    problems = []
    for name, filename in catalogue.FILE_NAMES.items():
        before = stored_files()
        body, content_type = with_file(
            submit_data(world, action="preview"), "image", filename, catalogue.png()
        )
        response = author.generic("POST", SUBMIT, body, content_type=content_type)
        problems += problems_in(response, f"file name {name!r}")
        problems += file_problems(f"file name {name!r}", stored_files() - before)
    assert_no_problems(problems)


def test_a_file_name_past_djangos_header_limit_gets_the_sites_400_page(world):
    """Django refuses the whole body before any view runs (a part's headers over 1,024 bytes);
    the answer is still the site's page, with the visitor signed in."""
    author = world.browser("contributor")
    body, content_type = with_file(
        submit_data(world, action="preview"),
        "image",
        catalogue.FILE_NAMES["5,000 characters"],
        catalogue.png(),
    )
    response = author.generic("POST", SUBMIT, body, content_type=content_type)
    assert_no_problems(problems_in(response, "a file name of 5,000 characters"))
    assert response.status_code == 400
    assert "Request not understood · Backlot</title>" in response.text
    assert world.users["contributor"].username in response.text


def test_hostile_articles_are_refused_with_a_message_or_imported_clean(world):
    moderator = world.browser("moderator")
    problems = []
    for name, (content, filename, refused) in catalogue.ARTICLES.items():
        label = f"article {name!r}"
        before = last_pk(Anecdote)
        upload = SimpleUploadedFile(filename, content, content_type="text/plain")
        response = moderator.post(IMPORT, {"upload": upload, "confirm": "yes"})
        problems += problems_in(response, label)
        created = list(Anecdote.objects.filter(pk__gt=before))
        if refused and (created or response.status_code != 200):
            problems.append(f"{label}: not refused with a message ({response.status_code})")
        if not refused and not created:
            problems.append(f"{label}: nothing imported")
        problems += stored_problems(
            label, since_story=before, since_source=last_pk(Source), story_limit=None
        )
    assert_no_problems(problems)


def test_every_catalogue_string_in_an_article_is_imported_clean_or_refused(world):
    """The importer itself, given each payload as an article's heading and as its story."""
    problems = []
    user = world.users["moderator"]
    for name, value in STRINGS.items():
        text = f"Ten stories\n\n1. {value[:200]}\n\n{value} happened on the set.\n"
        before = last_pk(Anecdote)
        try:
            with transaction.atomic():
                import_article(text, user=user, source_title=f"Article {name}")
        except ArticleError:
            pass
        problems += stored_problems(
            f"import {name!r}", since_story=before, since_source=0, story_limit=None
        )
    assert_no_problems(problems)


def test_malformed_request_bodies_are_answered_below_500(world):
    """Each broken body, posted where the site reads forms: as a contributor to /submit/ and
    to a story's correction, as a moderator to the import and title forms, anonymously to the
    sign-in and report forms."""
    targets = [
        ("contributor", SUBMIT),
        ("contributor", f"/anecdotes/{world.published.pk}/correct/"),
        ("moderator", IMPORT),
        ("moderator", "/admin/trivia/title/add/"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", f"/anecdotes/{world.published.pk}/report/"),
    ]
    problems = []
    for name, body, content_type, extra in catalogue.multipart_bodies():
        for role, url in targets:
            clear_caches()
            browser = world.browser(role)
            response = browser.generic(
                "POST",
                url,
                body,
                content_type=content_type or "application/x-www-form-urlencoded",
                **extra,
            )
            problems += problems_in(response, f"{name} to {url} as {role}")
    assert_no_problems(problems)


# --- Every payload shown escaped ------------------------------------------------------------------


def groups(payloads, size=3):
    """The payloads three at a time: three fit in a name of 200 characters."""
    items = list(payloads.values())
    return [items[start : start + size] for start in range(0, len(items), size)]


def hostile_site(world):
    """Markup in every field a page shows: titles (name, original title, synopsis, alias),
    people and their aliases, tags, stories (text, accuracy note), sources and citations,
    proposed titles, moderators' messages, proposed corrections and readers' reports.

    Returns the addresses where readers, the author and the moderators see them."""
    moderator, author = world.users["moderator"], world.users["contributor"]
    readers, authors, moderators = [], [], []
    for index, group in enumerate(groups(MARKUP)):
        joined = " ".join(group)
        title = make_title(
            f"{joined} {index}"[:200],
            original_title=joined[:200],
            synopsis=joined,
            aliases=[f"{group[0]} alias {index}"],
        )
        person = Person.objects.create(name=f"{joined} {index}"[:200])
        PersonAlias.objects.create(person=person, name=f"{group[-1]} nick {index}")
        source = make_source(title=joined, publisher=joined[:200], author=joined[:200])
        citation = Citation(source=source, locator=group[0][:100], quote=joined)
        story = services.submit_story(
            contributor=author,
            title=title,
            text=f"Hostile story {index}: {joined}",
            tags=[f"{payload} {index}"[:100] for payload in group],
            people=[person],
            citations=[citation],
        )
        services.edit_story(
            story=story,
            editor=moderator,
            changes={"accuracy": "disputed", "accuracy_note": joined},
        )
        services.approve_story(story=story, moderator=moderator)
        pending = services.submit_story(
            contributor=author,
            proposed_title=joined[:200],
            text=f"Pending hostile story {index}: {joined}",
            citations=[Citation(source=source)],
        )
        rejected = services.submit_story(
            contributor=author,
            title=title,
            text=f"Rejected hostile story {index}: {joined}",
            citations=[Citation(source=source)],
        )
        services.reject_story(story=rejected, moderator=moderator, reason="other", message=joined)
        correction = services.propose_correction(
            story=story, proposer=author, text=f"Corrected: {joined}", note=joined
        )
        report = services.report_story(story=story, reporter=None, reason="other", note=joined)
        readers += [
            title.get_absolute_url(),
            f"{title.get_absolute_url()}feed/",
            person.get_absolute_url(),
            story.get_absolute_url(),
            f"/search/?q=hostile+story+{index}",
            f"/search/?q={quote(group[0])}",
            *(f"/tags/{tag.slug}/" for tag in story.tags.all()),
            *(f"/tags/{tag.slug}/feed/" for tag in story.tags.all()),
        ]
        authors += [
            f"/accounts/submissions/{pending.pk}/edit/",
            f"/accounts/submissions/{rejected.pk}/edit/",
            f"/accounts/submissions/{story.pk}/correct/",
            f"/anecdotes/{pending.pk}/",
        ]
        moderators += [
            f"/admin/trivia/pendinganecdote/{pending.pk}/change/",
            f"/admin/trivia/pendinganecdote/{pending.pk}/reject/",
            f"/admin/trivia/anecdote/{story.pk}/change/",
            f"/admin/trivia/anecdote/{story.pk}/unpublish/",
            f"/admin/trivia/anecdote/{rejected.pk}/change/",
            f"/admin/trivia/correction/{correction.pk}/change/",
            f"/admin/trivia/report/{report.pk}/change/",
            f"/admin/trivia/title/{title.pk}/change/",
            f"/admin/trivia/person/{person.pk}/change/",
            f"/admin/trivia/source/{source.pk}/change/",
        ]
    readers += ["/", "/titles/", "/tags/", "/people/", "/feeds/latest/", "/users/owner/"]
    readers += ["/sitemap.xml", "/sitemap-titles.xml", "/sitemap-tags.xml"]
    readers += ["/stories/", "/myths/", "/disputed/", "/myths/feed/", "/disputed/feed/"]
    authors += ["/accounts/submissions/", "/accounts/submissions/?page=2", "/users/owner/"]
    moderators += [
        "/admin/trivia/pendinganecdote/",
        "/admin/trivia/anecdote/",
        "/admin/trivia/anecdote/?q=hostile",
        "/admin/trivia/correction/",
        "/admin/trivia/report/",
        "/admin/trivia/title/",
        "/admin/trivia/person/",
        "/admin/trivia/source/",
        "/admin/trivia/moderationevent/",
        "/admin/taggit/tag/",
    ]
    return {"anonymous": readers, "contributor": authors, "moderator": moderators}


def test_every_payload_is_shown_escaped_to_readers_the_author_and_moderators(world):
    pages = hostile_site(world)
    problems = []
    for role, urls in pages.items():
        browser = world.browser(role)
        for url in urls:
            response = browser.get(url)
            problems += problems_in(response, f"{url} as {role}", hostile=False)
            if response.status_code != 200:
                problems.append(f"{url} as {role}: answered {response.status_code}")
    assert_no_problems(problems)


def test_a_payload_is_shown_as_written_not_dropped(world):
    """Escaped is not stripped: on a story's page and on its admin page, the text reads as
    the contributor wrote it, markup and all."""
    payloads = [p for p in MARKUP.values() if "http" not in p]
    story = make_anecdote(title=world.title, text=" ".join(payloads), state=State.PUBLISHED)
    pages = [
        world.browser("anonymous").get(story.get_absolute_url()),
        world.browser("moderator").get(f"/admin/trivia/anecdote/{story.pk}/change/"),
    ]
    for page in pages:
        html = page.content.decode()
        missing = [p for p in payloads if escape(p) not in html]
        assert not missing, missing


def test_the_leak_check_notices_a_payload_shown_unescaped():
    """The check above is only worth its passes if it fires: a raw payload in HTML, a "<" in
    JSON-LD or a script address in a link is a leak; the same escaped is not."""
    leaks = FIGURES.leaks
    payload = MARKUP["img onerror"]

    def page(body, content_type="text/html"):
        return HttpResponse(body, content_type=content_type)

    assert problems_in(page(f"<p>{payload}</p>"), "raw", hostile=False)
    assert problems_in(page(f'<a href="{MARKUP["javascript url"]}">x</a>'), "link", hostile=False)
    assert problems_in(
        page('<script type="application/ld+json">{"name": "<b>"}</script>'),
        "json-ld",
        hostile=False,
    )
    assert not problems_in(page(f"<p>{escape(payload)}</p>"), "escaped", hostile=False)
    feed = f"<title>{escape(MARKUP['iframe']).replace('&quot;', chr(34))}</title>"
    assert not problems_in(page(feed, "application/atom+xml"), "xml text", hostile=False)
    FIGURES.leaks = leaks  # these were the check's own, not the site's


# --- Hypothesis: fuzzing search, submission and import ----------------------------------------

# No example database: it would be a folder in the project; a failure prints its example.
FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any text a browser can send: every code point but lone surrogates, which UTF-8 cannot carry
# (those are sent as raw bytes in test_invalid_utf8_in_query_strings_and_paths_...).
TYPED = st.characters(exclude_categories=("Cs",))
SHORT_STRINGS = [value for value in STRINGS.values() if len(value) < 1_000]


def rolled_back(check):
    """Run ``check`` in a transaction rolled back afterwards, with an empty cache: Hypothesis
    runs many examples in one test, and each must start from the same site."""
    clear_caches()
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@FUZZ
@given(query=st.text(TYPED, max_size=300) | st.sampled_from(SHORT_STRINGS))
def test_fuzzed_searches_are_answered_and_show_published_stories_only(world, query):
    def check():
        response = world.browser("anonymous").get("/search/", {"q": query})
        assert_no_problems(problems_in(response, f"search {query!r}"))
        assert response.status_code == 200
        page = response.content.decode()
        for hidden in (world.pending.text, world.rejected.text):
            if hidden in page:
                FIGURES.leaks += 1
            assert hidden not in page

    rolled_back(check)


@FUZZ
@given(
    text=st.text(TYPED, max_size=1_600) | st.sampled_from(SHORT_STRINGS),
    tags=st.text(TYPED, max_size=120) | st.sampled_from(SHORT_STRINGS),
)
def test_fuzzed_submissions_are_stored_exactly_when_valid(world, text, tags):
    """The story and its tags, fuzzed: stored as cleaned when both are valid, else not at all."""
    raw_tags = tags.strip()
    wanted_tags = normalise_tags(raw_tags)
    valid = (
        not plain_text_refused(text, STORY_MAX)
        and len(raw_tags) <= 600
        and not control_characters(raw_tags)
        and "\r" not in raw_tags  # a one-line box's value: a line break is refused there
        and len(wanted_tags) <= 8
        and all(len(tag) <= 50 for tag in wanted_tags)
    )

    def check():
        before = last_pk(Anecdote)
        response = world.browser("contributor").post(
            SUBMIT, submit_data(world, text=text, tags=tags)
        )
        assert_no_problems(problems_in(response, f"submit {text[:40]!r} / {tags[:40]!r}"))
        created = list(Anecdote.objects.filter(pk__gt=before).prefetch_related("tags"))
        if not valid:
            assert created == []
        else:
            (story,) = created
            assert story.text == normalised_text(text)
            assert sorted(tag.name for tag in story.tags.all()) == sorted(wanted_tags)

    rolled_back(check)


ARTICLE_LINES = st.one_of(
    st.text(TYPED, max_size=120),
    st.sampled_from(SHORT_STRINGS),
    st.from_regex(r"\A(#\d{1,2}|\d{1,2}[.)]|No\. \d) [A-Z][a-z]{2,12}( [A-Z][a-z]{2,8})?\Z"),
    st.just("Share this article"),
)


@FUZZ
@given(
    article=st.lists(ARTICLE_LINES, max_size=14).map("\n\n".join)
    | st.binary(max_size=600).map(lambda data: data.decode("utf-8", "replace"))
)
def test_fuzzed_articles_are_imported_clean_or_refused_with_a_message(world, article):
    """Through the admin's page (preview and confirmation) and the importer itself: an
    ``ArticleError`` with its message, or pending stories holding nothing that is refused."""

    def check():
        moderator = world.browser("moderator")
        before, sources = last_pk(Anecdote), last_pk(Source)
        for data in ({"text": article}, {"text": article, "confirm": "yes"}):
            assert_no_problems(problems_in(moderator.post(IMPORT, data), f"import {article!r}"))
        stored = stored_problems(
            "import", since_story=before, since_source=sources, story_limit=None
        )
        assert_no_problems(stored)
        try:
            split_article(article)
        except ArticleError:
            pass

    rolled_back(check)


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzzed_files_are_read_as_articles_or_refused_with_a_message(data):
    try:
        text = decode_article(data, name="upload.txt")
    except ArticleError as error:
        assert str(error)
    else:
        assert text.strip() and "\x00" not in text
