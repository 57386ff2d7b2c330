"""Settings from the environment; anything wrong fails loudly at start-up.

GONGZHI_DATABASE_URL  sqlite:///path.sqlite3 (default: var/gongzhi.sqlite3) or
                      postgres://user:password@host:port/dbname
GONGZHI_SECRET_KEY    required when GONGZHI_DEBUG is off
GONGZHI_DEBUG         1/0 (default 1 for the embedded demo)
GONGZHI_ALLOWED_HOSTS comma-separated
GONGZHI_MEDIA_ROOT    where attachments live (default var/media)
GONGZHI_PG_PREPARE    1/0 (default 1): server-side prepared statements for the intake insert;
                      0 behind a pooler that cannot keep them (PgBouncer < 1.21 in transaction mode)
"""
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite file and media live here


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0/true/false, got {raw!r}")


def database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("//") else parsed.path) or ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path,
                # WAL lets the worker sweep while the web process writes.
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                            "transaction_mode": "IMMEDIATE", "timeout": 20}}
    if parsed.scheme in {"postgres", "postgresql"}:
        return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(parsed.path.lstrip("/")),
                "USER": unquote(parsed.username or ""), "PASSWORD": unquote(parsed.password or ""),
                "HOST": parsed.hostname or "", "PORT": str(parsed.port or ""),
                "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True,
                # Server-side prepared statements for the few queries that ask for them with a
                # server-binding cursor (the intake insert, ADR 0005); Django's own cursors bind on
                # the client and never prepare.  Behind PgBouncer in transaction mode this needs
                # max_prepared_statements (1.21+) or GONGZHI_PG_PREPARE=0.
                "OPTIONS": {"prepare_threshold": 5 if _bool("GONGZHI_PG_PREPARE", True) else None}}
    raise ImproperlyConfigured(f"GONGZHI_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


DEBUG = _bool("GONGZHI_DEBUG", True)
SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY") or ("insecure-demo-key-only-for-debug" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("GONGZHI_SECRET_KEY is required when GONGZHI_DEBUG is off")
ALLOWED_HOSTS = [h for h in os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "gongzhi.areas",
    "gongzhi.accounts",
    "gongzhi.events",
    "gongzhi.casework",
    "gongzhi.mediation",
    "gongzhi.legalaid",
    "gongzhi.stats",
    "gongzhi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.web.guards.refuse_nul",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "django.template.context_processors.i18n",
        "gongzhi.web.context.nav",
    ]},
}]

DATABASES = {"default": database_from_url(
    os.environ.get("GONGZHI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:index"
LOGOUT_REDIRECT_URL = "web:login"
# An intranet XYZ tile server for the maps (e.g. a 天地图 mirror), "{z}/{x}/{y}" in the URL; empty = none:
# grid polygons are drawn without any tiles.
GONGZHI_TILE_URL = os.environ.get("GONGZHI_TILE_URL", "")
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("GONGZHI_MEDIA_ROOT", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"gongzhi": {"handlers": ["console"], "level": os.environ.get("GONGZHI_LOG_LEVEL", "INFO")}},
}

# Deadline counting (DESIGN: all configurable): a limit of N working days ends at this local
# time on the N-th working day after the day of receipt (unless the receipt day counts).
GONGZHI_DEADLINE_END_OF_DAY = os.environ.get("GONGZHI_DEADLINE_END_OF_DAY", "23:59:59")
GONGZHI_RECEIPT_DAY_COUNTS = _bool("GONGZHI_RECEIPT_DAY_COUNTS", False)
# The highest level the SLA worker escalates to by itself.
GONGZHI_TOP_LEVEL = int(os.environ.get("GONGZHI_TOP_LEVEL", "2"))
# Upload limits by kind, bytes.
# Where `gongzhi train-classifier` writes the text classifier (kind, category, urgency suggestions).
GONGZHI_CLASSIFIER_PATH = os.environ.get("GONGZHI_CLASSIFIER_PATH", str(VAR_DIR / "classifier.joblib"))
# 倒逼: the top-level categories of matters a grid is expected to find before residents call 12345.
GONGZHI_CROSSCHECK_TOPICS = [t for t in os.environ.get(
    "GONGZHI_CROSSCHECK_TOPICS", "urban,safety,livelihood,dispute").split(",") if t]
# Legal aid: income line = multiple × the local 低保 standard; days to decide on an application.
GONGZHI_LEGALAID_INCOME_MULTIPLE = os.environ.get("GONGZHI_LEGALAID_INCOME_MULTIPLE", "2")
GONGZHI_LEGALAID_DECISION_WORKDAYS = int(os.environ.get("GONGZHI_LEGALAID_DECISION_WORKDAYS", "2"))
GONGZHI_UPLOAD_LIMITS = {"image": 10 * 1024 * 1024, "audio": 20 * 1024 * 1024, "video": 100 * 1024 * 1024}
