"""Settings for the paperless meeting system.

Every value comes from the environment. The defaults are the embedded set-up: SQLite,
an in-memory channel layer and one daphne process. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEFAULT_SECRET_KEY = "embedded-demo-secret-key-not-for-production"  # noqa: S105
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the embedded default. Set SECRET_KEY to a long random "
        "value (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
if env_bool("BEHIND_PROXY", False):
    # nginx terminates TLS and says so (deploy/nginx.conf).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "meetings",
    "realtime",
    "voting",
    "minutes",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "meetings.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "urls"
ASGI_APPLICATION = "asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Live commands reach the database from one thread per process (database_sync_to_async):
        # keeping its connection saves opening one per command.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Daphne serves requests from several threads; WAL and a busy timeout keep SQLite
    # from answering "database is locked" under a handful of concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django binds parameters on the client, and such statements are never prepared; only the
    # few bound on the server (meetings.services.statements: the page turn and other live
    # commands) are, once run this many times on a connection. Behind PgBouncer in transaction
    # mode that needs PgBouncer 1.21 or later with max_prepared_statements set, or
    # DB_PREPARE_THRESHOLD=off.
    prepare_threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None if prepare_threshold == "off" else int(prepare_threshold)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # Redis pub/sub is not scoped by database number: a prefix keeps sites sharing a Redis apart.
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "hop")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "meetings.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # "12345678" and "matkhau1" guard a government body's minutes no better than none.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "meetings.passwords.VietnameseNameValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Embedded set-up: daphne serves /static/ itself. Behind nginx, set SERVE_STATIC=0 and run
# `manage.py collectstatic`: the collected names carry a hash of their content (static_files.py).
SERVE_STATIC = env_bool("SERVE_STATIC", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if SERVE_STATIC else "static_files.VersionedStaticFilesStorage"
    },
}

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# For the file backend: each message a file here, to read on a machine without a mail server.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hop-khong-giay@localhost")

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)

# Upload limits for meeting documents.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 50 * 1024 * 1024)
DOCUMENT_MAX_PAGES = env_int("DOCUMENT_MAX_PAGES", 1000)
DOCUMENT_PARSE_SECONDS = env_int("DOCUMENT_PARSE_SECONDS", 15)
DOCUMENT_PARSE_MEMORY_MB = env_int("DOCUMENT_PARSE_MEMORY_MB", 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        # Every signature's stamp font logs that one table it does not need was dropped.
        "fontTools.subset": {"level": "ERROR"},
    },
}

# The live meeting room.
REALTIME_EVENT_LOG_SIZE = env_int("REALTIME_EVENT_LOG_SIZE", 500)
REALTIME_MAX_FRAME_BYTES = env_int("REALTIME_MAX_FRAME_BYTES", 64 * 1024)
REALTIME_RATE_PER_SECOND = env_int("REALTIME_RATE_PER_SECOND", 20)
REALTIME_RATE_BURST = env_int("REALTIME_RATE_BURST", 60)
# How often tablets ping; a connection silent for longer than this is treated as lost.
REALTIME_HEARTBEAT_SECONDS = env_int("REALTIME_HEARTBEAT_SECONDS", 10)
# Presence (who is connected) is gathered for this long before it is announced.
REALTIME_PRESENCE_DEBOUNCE_SECONDS = float(os.environ.get("REALTIME_PRESENCE_DEBOUNCE_SECONDS", "0.5"))
# Compiling the minutes (WeasyPrint) runs in a child process with these limits.
MINUTES_RENDER_SECONDS = env_int("MINUTES_RENDER_SECONDS", 120)
MINUTES_RENDER_MEMORY_MB = env_int("MINUTES_RENDER_MEMORY_MB", 2048)
# Signing the minutes (PAdES). Signatures are trusted when they chain to a root in this PEM bundle;
# the default is the demo's test CA (deploy/demo-pki) while DEBUG is on; its keys are public, so with
# DEBUG off nothing is trusted until SIGNING_TRUST_ROOTS names the real roots.
SIGNING_TRUST_ROOTS = os.environ.get("SIGNING_TRUST_ROOTS", str(BASE_DIR / "deploy" / "demo-pki" / "ca.pem") if DEBUG else "")
# An organisation certificate on the server, used when a signer uploads none (empty: each signer uploads theirs).
SIGNING_ORGANISATION_P12 = os.environ.get("SIGNING_ORGANISATION_P12", "")
SIGNING_ORGANISATION_PASSPHRASE = os.environ.get("SIGNING_ORGANISATION_PASSPHRASE", "")
# Ballots arriving within this long of each other make one progress announcement.
REALTIME_POLL_PROGRESS_SECONDS = float(os.environ.get("REALTIME_POLL_PROGRESS_SECONDS", "0.25"))
# What a speech is given unless the meeting sets its own (the chair may extend one speech).
SPEAKER_SECONDS = env_int("SPEAKER_SECONDS", 180)
if not (60 <= SPEAKER_SECONDS <= 3600 and SPEAKER_SECONDS % 60 == 0):
    raise ImproperlyConfigured("SPEAKER_SECONDS must be whole minutes between 60 and 3600 (a secretary sets it in minutes).")
NOTICE_MAX_CHARS = env_int("NOTICE_MAX_CHARS", 280)
# A member who checks in on their tablet this long after the chair opened the meeting is recorded late.
LATE_AFTER_MINUTES = env_int("LATE_AFTER_MINUTES", 10)
# Members check in on their tablets from this long before the start (before, they are reading at home).
CHECKIN_OPENS_MINUTES = env_int("CHECKIN_OPENS_MINUTES", 60)
RENDER_WORKERS = env_int("RENDER_WORKERS", 2)
RENDER_SECONDS = env_int("RENDER_SECONDS", 30)
# A page render that needs more memory than this is killed (a hostile or broken PDF), its page shown as a placeholder.
RENDER_MEMORY_MB = env_int("RENDER_MEMORY_MB", 1024)
# Limits on what one annotation may carry (points of a stroke, characters of a note) and on how many a reader keeps per document.
ANNOTATION_MAX_POINTS = env_int("ANNOTATION_MAX_POINTS", 2000)
ANNOTATION_MAX_TEXT = env_int("ANNOTATION_MAX_TEXT", 2000)
ANNOTATION_MAX_PER_DOCUMENT = env_int("ANNOTATION_MAX_PER_DOCUMENT", 5000)
# Render every page of a new document in the background, so readers find it ready.
RENDER_AHEAD = env_bool("RENDER_AHEAD", True)
