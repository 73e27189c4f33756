"""THE permission matrix: what every URL answers to every role, for GET and for POST.

One row per route of the urlconf, spelled as the urlconf spells it (``pattern``), with the
address to open on the small site of ``tests/hostile/world.py`` (``url``; ``{name}`` is filled
from ``World.values``) and the answer expected from each role, in the order of ``ROLES``:

    anonymous · contributor (the author of the world's stories) · other (another contributor)
    · staff (a staff account without any permission) · moderator · admin (a superuser)

An answer is a status code, ``LOGIN`` (302 to the site's sign-in, coming back afterwards),
``ADMIN`` (302 to the admin's sign-in) or ``Go("/path/")`` (302 to exactly that address).
``post`` is what the POST sends: the body a permitted role would send to do the thing, so a
200 or 302 there means it was done (every cell runs in a transaction rolled back afterwards).

tests/test_permission_matrix.py fails for any route of the urlconf without a row, for any row
whose route no longer exists, and for any cell that answers otherwise. A new URL gets its row
here, with the answers it should give, before it can pass. Third-party admin pages (auth's
groups, taggit's tags, allauth's addresses) are covered by ``PREFIX_RULES`` and a few rows.
"""

from dataclasses import dataclass, field

from tests.hostile.world import ROLES


@dataclass(frozen=True)
class Go:
    """A 302 to exactly ``to`` (filled from ``World.values`` like the row's URL); with
    ``prefix``, to any address starting with it (a sign-in page and its ``?next=``)."""

    to: str
    prefix: bool = False

    def __str__(self):
        return f"302 to {self.to}{'…' if self.prefix else ''}"


LOGIN = Go("/accounts/login/?next=", prefix=True)
ADMIN = Go("/admin/login/?next=", prefix=True)


@dataclass(frozen=True)
class Row:
    pattern: str
    url: str
    get: tuple
    post: tuple
    data: dict = field(default_factory=dict)

    def __post_init__(self):
        assert len(self.get) == len(ROLES) and len(self.post) == len(ROLES), self.pattern


def everyone(answer):
    return (answer,) * len(ROLES)


def signed_in(answer):
    return (LOGIN, *(answer,) * (len(ROLES) - 1))


def author_only(answer, others=404):
    """The contributor's own story: anyone else signed in is told it does not exist."""
    return (LOGIN, answer, others, others, others, others)


def admin_page(staff, moderator, admin):
    """An admin page: whoever is not staff is sent to the admin's sign-in."""
    return (ADMIN, ADMIN, ADMIN, staff, moderator, admin)


STAFF_ONLY = admin_page(200, 200, 200)
MODERATORS = admin_page(403, 200, 200)
SUPERUSER = admin_page(403, 403, 200)
NOBODY = admin_page(403, 403, 403)
NOT_FOUND = admin_page(404, 404, 404)

# The world's published story's permalink, where its forms come back to.
STORY = "/anecdotes/{published}/"

ROWS = [
    # --- Reader pages: the same for everyone; POST is refused, or harmless (feeds, sitemaps,
    # robots and the health check answer any method with the same document).
    Row("", "/", everyone(200), everyone(405)),
    Row("titles/", "/titles/", everyone(200), everyone(405)),
    Row("titles/<slug:slug>/", "/titles/{title}/", everyone(200), everyone(405)),
    Row("titles/<slug:slug>/feed/", "/titles/{title}/feed/", everyone(200), everyone(200)),
    Row(
        "titles/<slug:slug>/poster.svg", "/titles/{title}/poster.svg", everyone(200), everyone(405)
    ),
    Row("tags/", "/tags/", everyone(200), everyone(405)),
    Row("tags/<tagslug:slug>/", "/tags/{tag}/", everyone(200), everyone(405)),
    Row("tags/<tagslug:slug>/feed/", "/tags/{tag}/feed/", everyone(200), everyone(200)),
    Row("people/", "/people/", everyone(200), everyone(405)),
    Row("people/<slug:slug>/", "/people/{person}/", everyone(200), everyone(405)),
    Row("people/<slug:slug>/feed/", "/people/{person}/feed/", everyone(200), everyone(200)),
    Row("search/", "/search/?q=matrix", everyone(200), everyone(405)),
    Row("anecdotes/<int:pk>/", STORY, everyone(200), everyone(405)),
    # An unpublished story: its contributor and the moderators only.
    Row(
        "anecdotes/<int:pk>/",
        "/anecdotes/{pending}/",
        (404, 200, 404, 404, 200, 200),
        everyone(405),
    ),
    Row(
        "anecdotes/<int:pk>/interesting/",
        "/anecdotes/{published}/interesting/",
        everyone(405),
        (LOGIN, *(Go(STORY),) * 5),
        data={"action": "add"},
    ),
    Row(
        "anecdotes/<int:pk>/interesting/",
        "/anecdotes/{pending}/interesting/",
        everyone(405),
        everyone(404),
        data={"action": "add"},
    ),
    Row("random/", "/random/", everyone(Go(STORY)), everyone(Go(STORY))),
    Row("feeds/latest/", "/feeds/latest/", everyone(200), everyone(200)),
    Row("stories/", "/stories/", everyone(200), everyone(405)),
    Row("myths/", "/myths/", everyone(200), everyone(405)),
    Row("myths/feed/", "/myths/feed/", everyone(200), everyone(200)),
    Row("disputed/", "/disputed/", everyone(200), everyone(405)),
    Row("disputed/feed/", "/disputed/feed/", everyone(200), everyone(200)),
    Row("sitemap.xml", "/sitemap.xml", everyone(200), everyone(200)),
    Row("sitemap-<section>.xml", "/sitemap-stories.xml", everyone(200), everyone(200)),
    Row("robots.txt", "/robots.txt", everyone(200), everyone(200)),
    Row("healthz", "/healthz", everyone(200), everyone(200)),
    # --- Readers' feedback on a published story.
    Row(
        "anecdotes/<int:pk>/report/",
        "/anecdotes/{published}/report/",
        everyone(200),
        everyone(Go(STORY)),
        data={"reason": "inaccurate", "note": "The rain was real."},
    ),
    Row(
        "anecdotes/<int:pk>/report/",
        "/anecdotes/{pending}/report/",
        everyone(404),
        everyone(404),
        data={"reason": "inaccurate"},
    ),
    Row(
        "anecdotes/<int:pk>/correct/",
        "/anecdotes/{published}/correct/",
        signed_in(200),
        signed_in(Go(STORY)),
        data={"text": "The crew shot the rain scene at dawn.", "note": "The DVD commentary."},
    ),
    Row(
        "anecdotes/<int:pk>/correct/",
        "/anecdotes/{pending}/correct/",
        signed_in(404),
        signed_in(404),
        data={"text": "Another text."},
    ),
    # --- Submitting (an empty POST is the form again, with its errors).
    Row("submit/", "/submit/", signed_in(200), signed_in(200)),
    Row("submit/titles/", "/submit/titles/?q=matrix", signed_in(200), signed_in(200)),
    Row(
        "submit/image/<uuid:key>/",
        "/submit/image/{image_key}/",
        author_only(200),
        author_only(200),
    ),
    Row("submit/sent/<int:pk>/", "/submit/sent/{pending}/", author_only(200), author_only(200)),
    # --- Images: a published story's and posters for everyone; a pending story's for its
    # contributor and the moderators; never anything but GET and HEAD.
    Row(
        "media/anecdotes/<str:name>",
        "/media/anecdotes/{published_image}",
        everyone(200),
        everyone(405),
    ),
    Row(
        "media/anecdotes/<str:name>",
        "/media/anecdotes/{pending_image}",
        (404, 200, 404, 404, 200, 200),
        everyone(405),
    ),
    Row("media/posters/<str:name>", "/media/posters/{poster}", everyone(200), everyone(405)),
    # --- A contributor's own pages (accounts/urls.py). Another's story is a 404, never a 403.
    Row(
        "accounts/signup/",
        "/accounts/signup/",
        (200, *(Go("/"),) * 5),
        (200, *(Go("/"),) * 5),
    ),
    Row(
        "accounts/submissions/",
        "/accounts/submissions/",
        signed_in(200),
        signed_in(405),
    ),
    Row(
        "accounts/submissions/<int:pk>/edit/",
        "/accounts/submissions/{pending}/edit/",
        author_only(200),
        author_only(Go("/accounts/submissions/")),
        data={
            "title": "{title_id}",
            "text": "The pending story of the matrix, edited by its author.",
            "tags": "rain",
            "source-TOTAL_FORMS": "1",
            "source-INITIAL_FORMS": "0",
            "source-0-url": "https://example.org/matrix-rain",
            "source-0-kind": "article",
        },
    ),
    Row(
        "accounts/submissions/<int:pk>/edit/",
        "/accounts/submissions/{published}/edit/",
        author_only(Go("/accounts/submissions/{published}/correct/")),
        author_only(Go("/accounts/submissions/{published}/correct/")),
    ),
    Row(
        "accounts/submissions/<int:pk>/withdraw/",
        "/accounts/submissions/{pending}/withdraw/",
        author_only(200),
        author_only(Go("/accounts/submissions/")),
    ),
    Row(
        "accounts/submissions/<int:pk>/correct/",
        "/accounts/submissions/{published}/correct/",
        author_only(200),
        author_only(Go("/accounts/submissions/")),
        data={"text": "The crew shot the rain scene at dawn, in fact."},
    ),
    Row(
        "accounts/submissions/<int:pk>/correct/",
        "/accounts/submissions/{pending}/correct/",
        author_only(Go("/accounts/submissions/{pending}/edit/")),
        author_only(Go("/accounts/submissions/{pending}/edit/")),
    ),
    Row("users/<username:username>/", "/users/{username}/", everyone(200), everyone(405)),
    # --- The public read API (trivia/api/): published content, the same for everyone; reads
    # only. "api/v1/" is both the API's index and ninja's own root route, behind it.
    Row("api/v1/", "/api/v1/", everyone(200), everyone(405)),
    Row("api/v1/openapi.json", "/api/v1/openapi.json", everyone(200), everyone(405)),
    Row("api/v1/docs", "/api/v1/docs", everyone(200), everyone(405)),
    Row("api/v1/stories/", "/api/v1/stories/", everyone(200), everyone(405)),
    Row("api/v1/stories/<pk>/", "/api/v1/stories/{published}/", everyone(200), everyone(405)),
    # An unpublished story is not in the API, even for its author or a moderator.
    Row("api/v1/stories/<pk>/", "/api/v1/stories/{pending}/", everyone(404), everyone(405)),
    Row("api/v1/titles/", "/api/v1/titles/", everyone(200), everyone(405)),
    Row("api/v1/titles/<slug>/", "/api/v1/titles/{title}/", everyone(200), everyone(405)),
    Row("api/v1/tags/", "/api/v1/tags/", everyone(200), everyone(405)),
    Row("api/v1/tags/<slug>/", "/api/v1/tags/{tag}/", everyone(200), everyone(405)),
    Row("api/v1/people/", "/api/v1/people/", everyone(200), everyone(405)),
    Row("api/v1/people/<slug>/", "/api/v1/people/{person}/", everyone(200), everyone(405)),
    Row("api/v1/search/", "/api/v1/search/?q=matrix", everyone(200), everyone(405)),
    # --- allauth's pages (the site's sign-up is above).
    Row(
        "accounts/login/",
        "/accounts/login/",
        (200, *(Go("/"),) * 5),
        (200, *(Go("/"),) * 5),
    ),
    Row(
        "accounts/logout/",
        "/accounts/logout/",
        (Go("/"), *(200,) * 5),
        everyone(Go("/")),
    ),
    Row("accounts/inactive/", "/accounts/inactive/", everyone(200), everyone(405)),
    Row(
        "accounts/reauthenticate/",
        "/accounts/reauthenticate/",
        signed_in(200),
        signed_in(200),
    ),
    Row(
        "accounts/email/",
        "/accounts/email/",
        signed_in(200),
        signed_in(Go("/accounts/email/")),
    ),
    Row("accounts/confirm-email/", "/accounts/confirm-email/", everyone(200), everyone(405)),
    Row(
        r"accounts/^confirm-email/(?P<key>[-:\w]+)/$",
        "/accounts/confirm-email/not-a-key/",
        everyone(200),
        everyone(404),
    ),
    Row(
        "accounts/password/change/",
        "/accounts/password/change/",
        signed_in(200),
        signed_in(200),
    ),
    Row(
        "accounts/password/set/",
        "/accounts/password/set/",
        signed_in(Go("/accounts/password/change/")),
        signed_in(Go("/accounts/password/change/")),
    ),
    Row("accounts/password/reset/", "/accounts/password/reset/", everyone(200), everyone(200)),
    Row(
        "accounts/password/reset/done/",
        "/accounts/password/reset/done/",
        everyone(200),
        everyone(405),
    ),
    Row(
        r"accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        "/accounts/password/reset/key/{uidb36}-not-a-key/",
        everyone(200),
        everyone(200),
    ),
    Row(
        "accounts/password/reset/key/done/",
        "/accounts/password/reset/key/done/",
        everyone(200),
        everyone(405),
    ),
    Row(
        "accounts/login/code/confirm/",
        "/accounts/login/code/confirm/",
        (Go("/accounts/login/"), *(Go("/"),) * 5),
        (Go("/accounts/login/"), *(Go("/"),) * 5),
    ),
]

# --- The admin ---------------------------------------------------------------------------------
# Staff without a permission see the admin's index and nothing of the moderation; moderators
# work the queue, reports, corrections, titles, people and sources but delete nothing and see
# no accounts; only a superuser deletes and manages accounts.

QUEUE = "/admin/trivia/pendinganecdote/"
ALL_STORIES = "/admin/trivia/anecdote/"
TITLE_FORM = {
    "name": "Matrix Film",
    "slug": "{title}",
    "kind": "film",
    "year": "1999",
    "aliases-TOTAL_FORMS": "0",
    "aliases-INITIAL_FORMS": "0",
}
PERSON_FORM = {
    "name": "Perm Person",
    "slug": "{person}",
    "aliases-TOTAL_FORMS": "0",
    "aliases-INITIAL_FORMS": "0",
}
DELETE = {"post": "yes"}

ROWS += [
    Row("admin/", "/admin/", STAFF_ONLY, STAFF_ONLY),
    Row(
        "admin/login/",
        "/admin/login/",
        (200, 200, 200, *(Go("/admin/"),) * 3),
        everyone(200),
    ),
    Row(
        "admin/logout/",
        "/admin/logout/",
        (*(Go("/admin/"),) * 3, 405, 405, 405),
        (*(Go("/admin/"),) * 3, Go("/"), Go("/"), Go("/")),
    ),
    Row("admin/password_change/", "/admin/password_change/", STAFF_ONLY, STAFF_ONLY),
    Row(
        "admin/password_change/done/",
        "/admin/password_change/done/",
        STAFF_ONLY,
        admin_page(405, 405, 405),
    ),
    Row(
        "admin/autocomplete/",
        "/admin/autocomplete/?app_label=trivia&model_name=anecdote&field_name=title&term=mat",
        MODERATORS,
        admin_page(405, 405, 405),
    ),
    Row("admin/jsi18n/", "/admin/jsi18n/", STAFF_ONLY, admin_page(405, 405, 405)),
    # The moderation figures: read only, for moderators.
    Row("admin/figures/", "/admin/figures/", MODERATORS, MODERATORS),
    # "View on site" only redirects: the story's own page then decides who may read it.
    Row(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        "/admin/r/{story_type}/{pending}/",
        admin_page(*(Go("http://testserver/anecdotes/{pending}/"),) * 3),
        admin_page(*(Go("http://testserver/anecdotes/{pending}/"),) * 3),
    ),
    Row(
        r"admin/^(?P<app_label>trivia|taggit|django_tasks_database|accounts|auth|account)/$",
        "/admin/trivia/",
        admin_page(404, 200, 200),
        admin_page(404, 200, 200),
    ),
    Row("admin/(?P<url>.*)$", "/admin/nowhere/", NOT_FOUND, NOT_FOUND),
    # The moderation queue.
    Row(
        "admin/trivia/pendinganecdote/",
        QUEUE,
        MODERATORS,
        admin_page(403, Go(QUEUE), Go(QUEUE)),
        data={"action": "approve_selected", "_selected_action": "{pending}"},
    ),
    Row(
        "admin/trivia/pendinganecdote/import/",
        QUEUE + "import/",
        MODERATORS,
        MODERATORS,
        data={"text": "Ten stories from the set\n\n1. Matrix Film\n\nThe rain was real."},
    ),
    Row("admin/trivia/pendinganecdote/add/", QUEUE + "add/", NOBODY, NOBODY),
    Row(
        "admin/trivia/pendinganecdote/<path:object_id>/change/",
        QUEUE + "{pending}/change/",
        MODERATORS,
        MODERATORS,
    ),
    Row(
        "admin/trivia/pendinganecdote/<path:object_id>/",
        QUEUE + "{pending}/",
        admin_page(*(Go(QUEUE + "{pending}/change/"),) * 3),
        admin_page(*(Go(QUEUE + "{pending}/change/"),) * 3),
    ),
    Row(
        "admin/trivia/pendinganecdote/<path:object_id>/history/",
        QUEUE + "{pending}/history/",
        MODERATORS,
        MODERATORS,
    ),
    Row(
        "admin/trivia/pendinganecdote/<path:object_id>/delete/",
        QUEUE + "{pending}/delete/",
        NOBODY,
        NOBODY,
        data=DELETE,
    ),
    Row(
        "admin/trivia/pendinganecdote/<path:object_id>/reject/",
        QUEUE + "{pending}/reject/",
        MODERATORS,
        admin_page(403, Go(QUEUE), Go(QUEUE)),
        data={"reason": "unsourced", "message": "A source?", "version": "{pending_version}"},
    ),
    Row(
        "admin/trivia/pendinganecdote/<path:object_id>/unpublish/",
        QUEUE + "{pending}/unpublish/",
        MODERATORS,
        MODERATORS,
    ),
    # The review desk (trivia/admin/desk): moderators only; a decision redirects to the desk.
    Row(
        "admin/desk/",
        "/admin/desk/",
        MODERATORS,
        admin_page(403, Go("/admin/desk/"), Go("/admin/desk/")),
        data={"item": "story-{pending}", "action": "approve", "version": "{pending_version}"},
    ),
    # Every story.
    Row(
        "admin/trivia/anecdote/",
        ALL_STORIES,
        MODERATORS,
        admin_page(403, Go(ALL_STORIES), Go(ALL_STORIES)),
        data={"action": "approve_selected", "_selected_action": "{pending}"},
    ),
    Row("admin/trivia/anecdote/add/", ALL_STORIES + "add/", NOBODY, NOBODY),
    Row(
        "admin/trivia/anecdote/<path:object_id>/change/",
        ALL_STORIES + "{published}/change/",
        MODERATORS,
        MODERATORS,
    ),
    Row(
        "admin/trivia/anecdote/<path:object_id>/",
        ALL_STORIES + "{published}/",
        admin_page(*(Go(ALL_STORIES + "{published}/change/"),) * 3),
        admin_page(*(Go(ALL_STORIES + "{published}/change/"),) * 3),
    ),
    Row(
        "admin/trivia/anecdote/<path:object_id>/history/",
        ALL_STORIES + "{published}/history/",
        MODERATORS,
        MODERATORS,
    ),
    # Only a superuser deletes a story; its moderation events stay, with one more recording
    # the deletion (STORY_DELETION below: roles holding the "delete" permission).
    Row(
        "admin/trivia/anecdote/<path:object_id>/delete/",
        ALL_STORIES + "{published}/delete/",
        SUPERUSER,
        admin_page(403, 403, Go(ALL_STORIES)),
        data=DELETE,
    ),
    Row(
        "admin/trivia/anecdote/<path:object_id>/reject/",
        ALL_STORIES + "{pending}/reject/",
        MODERATORS,
        admin_page(403, Go(ALL_STORIES), Go(ALL_STORIES)),
        data={"reason": "unsourced", "message": "", "version": "{pending_version}"},
    ),
    Row(
        "admin/trivia/anecdote/<path:object_id>/unpublish/",
        ALL_STORIES + "{published}/unpublish/",
        MODERATORS,
        admin_page(403, Go(ALL_STORIES), Go(ALL_STORIES)),
        data={
            "reason": "duplicate",
            "message": "",
            "to_state": "pending",
            "version": "{published_version}",
        },
    ),
]


# Deleting a story, for accounts the matrix's columns do not have: the "delete" permission on
# stories given to a staff account outside the Moderators group, or to a moderator, is not
# enough. Each role: the permissions it is given, then what GET and POST of the published
# story's delete page answer (the list's "delete" action deletes nothing for them either).
# A superuser's deletion leaves the story's events, plus one recording it
# (tests/test_permission_matrix.py).
STORY_DELETE = ALL_STORIES + "{published}/delete/"
STORY_DELETE_PERMISSIONS = ["view_anecdote", "delete_anecdote"]
STORY_DELETION = {
    "staff": (STORY_DELETE_PERMISSIONS, 403, 403),
    "moderator": (STORY_DELETE_PERMISSIONS, 403, 403),
    "admin": ([], 200, Go(ALL_STORIES)),
}


def model_rows(
    model,
    obj,
    *,
    view,
    add=NOBODY,
    delete=NOBODY,
    change_post=None,
    delete_post=None,
    change_data=None,
):
    """The six routes Django gives a model admin, for object ``obj`` (a ``World.values``
    name): the list, add, history, delete, change and the bare object address, which
    redirects to change. GET answers ``view`` on the list, history and change pages, ``add``
    and ``delete`` on theirs; POST the same, unless ``change_post`` or ``delete_post`` say
    otherwise. ``change_data`` is what the change page's POST sends."""
    base = f"/admin/{model}/"
    page = base + "{" + obj + "}/"
    bare = Go(page + "change/")
    return [
        Row(f"admin/{model}/", base, view, view),
        Row(f"admin/{model}/add/", base + "add/", add, add),
        Row(f"admin/{model}/<path:object_id>/history/", page + "history/", view, view),
        Row(
            f"admin/{model}/<path:object_id>/delete/",
            page + "delete/",
            delete,
            delete_post or delete,
            data=DELETE,
        ),
        Row(
            f"admin/{model}/<path:object_id>/change/",
            page + "change/",
            view,
            change_post or view,
            data=change_data or {},
        ),
        Row(
            f"admin/{model}/<path:object_id>/",
            page,
            admin_page(bare, bare, bare),
            admin_page(bare, bare, bare),
        ),
    ]


ROWS += [
    # Proposed corrections and reports: moderators decide them with the review page's buttons.
    Row(
        "admin/trivia/correction/<int:object_id>/change/",
        "/admin/trivia/correction/{correction}/change/",
        MODERATORS,
        admin_page(403, Go("/admin/trivia/correction/"), Go("/admin/trivia/correction/")),
        data={"_accept": "Accept", "message": "Thank you."},
    ),
    *model_rows("trivia/correction", "correction", view=MODERATORS),
    Row(
        "admin/trivia/report/<int:object_id>/change/",
        "/admin/trivia/report/{report}/change/",
        MODERATORS,
        admin_page(403, Go("/admin/trivia/report/"), Go("/admin/trivia/report/")),
        data={"_dismiss": "Dismiss", "message": ""},
    ),
    *model_rows("trivia/report", "report", view=MODERATORS),
    *model_rows(
        "trivia/title",
        "title_id",
        view=MODERATORS,
        change_post=admin_page(403, Go("/admin/trivia/title/"), Go("/admin/trivia/title/")),
        add=MODERATORS,
        # A title with stories is protected: the page says so and deletes nothing.
        delete=SUPERUSER,
        change_data=TITLE_FORM,
    ),
    *model_rows(
        "trivia/person",
        "person_id",
        view=MODERATORS,
        change_post=admin_page(403, Go("/admin/trivia/person/"), Go("/admin/trivia/person/")),
        add=MODERATORS,
        delete=SUPERUSER,
        delete_post=admin_page(403, 403, Go("/admin/trivia/person/")),
        change_data=PERSON_FORM,
    ),
    *model_rows("trivia/source", "source", view=MODERATORS, add=MODERATORS, delete=SUPERUSER),
    # The audit trail: read only, even for a superuser.
    *model_rows(
        "trivia/moderationevent", "event", view=MODERATORS, change_post=admin_page(403, 403, 403)
    ),
    # The task queue's results: read only, even for a superuser (trivia/admin/task_results.py).
    *model_rows(
        "django_tasks_database/dbtaskresult",
        "task_result",
        view=MODERATORS,
        change_post=admin_page(403, 403, 403),
    ),
    # Accounts: a superuser's business only.
    *model_rows(
        "accounts/user",
        "user",
        view=SUPERUSER,
        add=SUPERUSER,
        delete=SUPERUSER,
        delete_post=admin_page(403, 403, Go("/admin/accounts/user/")),
    ),
    Row(
        "admin/accounts/user/<id>/password/",
        "/admin/accounts/user/{user}/password/",
        SUPERUSER,
        SUPERUSER,
    ),
    # Third-party admin pages, represented by their lists (PREFIX_RULES covers the rest).
    Row("admin/auth/group/", "/admin/auth/group/", SUPERUSER, SUPERUSER),
    Row("admin/taggit/tag/", "/admin/taggit/tag/", MODERATORS, MODERATORS),
    Row("admin/account/emailaddress/", "/admin/account/emailaddress/", SUPERUSER, SUPERUSER),
]

# Routes covered by a rule rather than rows of their own: the admin pages of other apps'
# models, whose permissions are Django's and the apps' own. Whoever is not staff is sent to the
# admin's sign-in; staff without the model's permission are refused, or sent on to a page that
# refuses them; moderators and the superuser get an answer below 500 (``None``). Each rule is
# checked on every route it covers, with a made-up object id.
STAFF_REFUSED = (403, Go("/admin/", prefix=True))
PREFIX_RULES = {
    prefix: (ADMIN, ADMIN, ADMIN, STAFF_REFUSED, None, None)
    for prefix in ("admin/auth/group/", "admin/taggit/tag/", "admin/account/emailaddress/")
}
