"""Backlot's settings, read from the environment.

With no variable set at all the site runs in development mode on a local SQLite file, so that
`make run` needs nothing. Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and, for the scale path, DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import os
import re
import tempfile
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from trivia.caching.release import release_digest

BASE_DIR = Path(__file__).resolve().parent.parent


# --- Reading the environment ----------------------------------------------------------------
# An operator's typo must stop start-up with a message naming the variable, never be read as
# some default: "DJANGO_HTTPS=ture" used to turn HTTPS, HSTS and secure cookies off in silence.
# manage.py prints the message alone (no traceback); under gunicorn it ends the traceback.
yes_words = ("1", "true", "yes", "on")
no_words = ("0", "false", "no", "off")


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in yes_words:
        return True
    if word in no_words:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value. Use one of {', '.join(yes_words)} for yes "
        f"or {', '.join(no_words)} for no, or leave {name} unset "
        f"(default: {'yes' if default else 'no'})."
    )


def env_int(name, default, *, minimum=0, maximum=None):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        span = f"from {minimum} to {maximum}" if maximum is not None else f"of {minimum} or more"
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a whole number {span}. "
            f"Give one, or leave {name} unset (default: {default})."
        )
    return number


def env_choice(name, default, choices):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().upper() not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not one of {', '.join(choices)}. "
            f"Give one, or leave {name} unset (default: {default})."
        )
    return value.strip().upper()


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_addresses(name):
    """``"Ann <ann@example.org>, bob@example.org"`` → ``[("Ann", "ann@example.org"), …]``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return []
    people = []
    for display_name, address in getaddresses([value]):
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
            raise ImproperlyConfigured(
                f"{name}={value!r} is not a list of email addresses. Separate them with commas, "
                f'e.g. {name}="Ann Admin <ann@example.org>, ops@example.org".'
            )
        people.append((display_name or address, address))
    return people


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# How many reverse proxies (each adding to X-Forwarded-For) stand in front of the site: client
# addresses for rate limits are read through exactly that many.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "accounts",
    "trivia",
    "trivia.apps.BacklotAdminConfig",  # django.contrib.admin, ordered for moderators
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    # Background tasks (trivia/tasks.py), Django 6's API on Django 5.2, kept in the database
    # and run by `manage.py db_worker`. Before the last app: the moderators' permissions are
    # set after each app's migrate, and one of them is on these tasks' results.
    "django_tasks",
    "django_tasks_db",
    "taggit",
    "allauth",
    "allauth.account",
    "ninja",  # the read API's documentation page and its bundled Swagger UI (trivia/api/)
]
# Load and fault tooling (tests/loadtools: seed_bench, bench, explain_hot_pages, soak, which
# kill workers and restart PostgreSQL) is for development only. Production (DJANGO_DEBUG=0)
# does not have those commands unless BACKLOT_DEVTOOLS=1 asks for them, as `make bench`,
# `make soak` and `make test` do; in development it is there unless BACKLOT_DEVTOOLS=0.
DEVTOOLS = env_bool("BACKLOT_DEVTOOLS", DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("tests.loadtools")

# Every form on the site draws its fields one way: templates/includes/form_field.html.
FORM_RENDERER = "trivia.forms.rendering.SiteFormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Production serves static files itself; in development runserver does.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    # /api/: rate limit, CORS, ETags and JSON errors, around the page cache's hits too.
    "trivia.api.caching.ApiEdgeMiddleware",
    # Stored public pages, answered before the session, auth, CSRF and CSP middleware.
    "trivia.caching.pages.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL byte anywhere in an admin request: 400, before PostgreSQL refuses it with a 500.
    "trivia.client_errors.RefuseNulInAdminMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trivia.caching.headers.PrivatePageMiddleware",  # Cache-Control: private for signed-in pages
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "trivia.urls"
WSGI_APPLICATION = "trivia.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite by default. WAL lets readers go on while one writer writes; IMMEDIATE takes the write
# lock when a transaction starts, so two writers queue up (for up to `timeout` seconds) instead
# of failing with "database is locked" half-way through.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    # A runaway query is stopped by the server rather than holding a worker and a connection.
    # Commands that need longer (a migration on a big table) can raise it for their run.
    STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 15000)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Kept open between requests, as PostgreSQL's are: opening the file and running the
            # pragmas cost a cached page 1.1 ms, half of what serving it costs.
            "CONN_MAX_AGE": 60,
            # A file, not memory, so that the concurrency tests' threads share one database;
            # one per test process, so that two runs side by side do not collide.
            "TEST": {"NAME": Path(tempfile.gettempdir()) / f"backlot-test-{os.getpid()}.sqlite3"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
# "content": whole pages, story cards and kept results, each entry checked against the
# database before it is served (trivia/caching/pages.py), so that any cache may hold them, and
# keyed by the code's release. "default": rate-limit counts and allauth's.
# - REDIS_URL set: both in Redis, shared by every process and machine;
# - production without Redis: both on disk (CACHE_DIR), shared by every worker of the machine;
# - development and tests: this process's memory.
# Redis (and the disk) fail open: when the server is down or slow, pages are computed and
# counts start again, never a 500 (trivia/caching/failopen.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
CACHE_SIZE_MB = env_int("CACHE_SIZE_MB", 1024, minimum=1)
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "backlot")
CONTENT_KEY_PREFIX = f"{CACHE_KEY_PREFIX}:{release_digest(BASE_DIR)}"


def fail_open(cache, name):
    return {
        "BACKEND": "trivia.caching.failopen.FailOpenCache",
        "LOCATION": name,
        "OPTIONS": {"CACHE": cache},
    }


if REDIS_URL:
    # A short timeout: a Redis that stalls costs a request a quarter of a second, once per
    # worker per RETRY_AFTER, not a worker.
    REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    CACHES = {
        alias: fail_open(
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
                "OPTIONS": REDIS_OPTIONS,
            },
            alias,
        )
        for alias, prefix in (("default", CACHE_KEY_PREFIX), ("content", CONTENT_KEY_PREFIX))
    }
elif not DEBUG:
    # A page not read at once is computed instead (0.05 s); a count not read would start again
    # at zero and let a guesser through, so counts wait for the lock up to a second.
    CACHES = {
        alias: fail_open(
            {
                "BACKEND": "diskcache.DjangoCache",
                "LOCATION": str(CACHE_DIR / alias),
                "KEY_PREFIX": prefix,
                "SHARDS": 4,
                "DATABASE_TIMEOUT": lock_wait,
                "OPTIONS": {"size_limit": CACHE_SIZE_MB * 2**20 // 2},
            },
            alias,
        )
        for alias, prefix, lock_wait in (
            ("default", CACHE_KEY_PREFIX, 1.0),
            ("content", CONTENT_KEY_PREFIX, 0.05),
        )
    }
else:
    # Pages and rate-limit counts apart, so that many pages never push out the counts.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "backlot",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
        "content": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "backlot-content",
            "KEY_PREFIX": CONTENT_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# --- Passwords, language, files -------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Accounts (django-allauth) ---------------------------------------------------------------
# Sign-up with a verified email address; sign in with the username or the address. Passwords are
# checked by Django's backend too, so the admin's own login page keeps working for staff.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "add_email": "accounts.forms.AddEmailForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account; a new one replaces it once confirmed
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password was changed", so a stolen account is noticed
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Backlot] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Names that would pass for the site speaking; the demo's "admin" and "moderator" are created by
# load_demo, never through the sign-up form.
ACCOUNT_USERNAME_BLACKLIST = ["admin", "administrator", "backlot", "moderator", "staff", "support"]
# A bot fills every field; people never see this one. A filled one creates no account.
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
# Counted in the cache, so with Redis every worker process shares the counts. "login_failed":
# after 5 wrong passwords for one account in 5 minutes even the right one is refused, on
# /accounts/login/ and on /admin/login/ alike (accounts/forms.py). Sign-ups are also limited to
# RATE_LIMITS["signup"] accounts an hour per address (accounts/views.py).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# The same proxy count as trivia/ratelimit.py, so both see the client's real address.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Mail -----------------------------------------------------------------------------------
# Development prints mail to the console; production sends it through the SMTP server named in
# the environment. DJANGO_EMAIL_BACKEND overrides either.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may wait on the server. Mail is sent by the task worker, never in a
# request (trivia/tasks.py): a stalled server holds the worker, which retries later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Backlot <noreply@backlot.test>")

# Absolute links in emails, which the task worker writes with no request to take an address
# from: production sets the public address; `make run PORT=…` sets the one it serves on.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Who hears about production errors (a page answering 500, a task that failed for good), by
# email through the server above: DJANGO_ADMINS="Ann Admin <ann@example.org>, ops@example.org".
ADMINS = env_addresses("DJANGO_ADMINS")
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Backlot] "

# --- Background tasks -----------------------------------------------------------------------
# Emails, image copies and the moderators' digest run outside the request (trivia/tasks.py),
# queued in the database and run by `manage.py db_worker` (`make run` and `make serve` start
# one). Django 6's task API, from the django-tasks backport; the tests run them immediately.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Security ---------------------------------------------------------------------------------
# DJANGO_HTTPS: the site is reached over HTTPS (itself or through a TLS proxy). On by default in
# production; DJANGO_HTTPS=0 only to try production mode on plain http://127.0.0.1.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # __Host- cookies are Secure, host-only and path=/: no subdomain can plant or read them.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if TRUSTED_PROXY_COUNT:
    # The proxy terminates TLS and says so; trivia.ratelimit reads the client address it saw.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from our own files: no inline script can run and no injected style
# can restyle a page, whatever a story contains. One inline style is allowed, by its hash:
# templates/500.html's, a page that relies on nothing (tests/test_production.py checks it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'sha256-Qh9HRPk0JYUn33qDKr2Rh7DzaadUyipJBmmMufeFLwU='"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The article importer fetches the addresses moderators give it from the server: never one on
# loopback, a private network or the cloud metadata address (trivia/importer/fetching.py),
# unless IMPORT_ALLOW_PRIVATE_HOSTS=1, for tests and local tools that serve pages themselves.
IMPORT_ALLOW_PRIVATE_HOSTS = env_bool("IMPORT_ALLOW_PRIVATE_HOSTS", False)

# --- Tags -----------------------------------------------------------------------------------
# "Stunts" and "stunts" are one tag.
TAGGIT_CASE_INSENSITIVE = True

# --- Logging: everything to stdout, where an operator's process manager collects it ----------
# Errors also go by email to ADMINS in production (none are sent while ADMINS is empty).
LOG_LEVEL = env_choice("DJANGO_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "one_line_for_client_errors": {"()": "trivia.client_errors.OneLineForClientErrors"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default handlers would print and mail its errors a second time: its records
        # go through the root's handlers like every other.
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.db.backends": {"level": "WARNING"},
        # A 403 or 400 is the client's doing: one warning line, no traceback (500s keep theirs).
        "django.request": {"filters": ["one_line_for_client_errors"]},
        # Forged Host headers come from scanners by the thousand: printed, never mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
    },
}

# --- Site -----------------------------------------------------------------------------------
STORIES_PER_PAGE = 20
# Requests allowed per user and per client address: (count, seconds). See trivia/ratelimit.py.
RATE_LIMITS = {
    "submit": (10, 3600),
    "report": (10, 3600),
    "correct": (10, 3600),
    "signup": (5, 3600),
    # The read API (trivia/api/limits.py), per client address: API_RATE_LIMIT a minute; in
    # development high enough that a test tool run against `make run` (schemathesis, make
    # api-check) is not throttled.
    "api": (env_int("API_RATE_LIMIT", 10_000 if DEBUG else 120, minimum=1), 60),
}
# Until its first approved story, an account may submit this many stories a day.
NEW_ACCOUNT_DAILY_STORIES = 3
TITLES_PER_PAGE = 60
