"""Settings from the environment; anything wrong fails loudly at start-up.

GONGZHI_DATABASE_URL  sqlite:///path.sqlite3 (default: var/gongzhi.sqlite3) or
                      postgres://user:password@host:port/dbname
GONGZHI_SECRET_KEY    set it in production (the same on every node); unset, a key is made once
                      and kept in $GONGZHI_VAR_DIR/secret_key (mode 0600)
GONGZHI_SECRET_KEY_FALLBACKS  earlier keys, separated by spaces, still accepted while a new key
                      rolls out (sessions and signed links made with them stay valid)
GONGZHI_DEBUG         1/0 (default 0: Django's technical pages only when asked for)
GONGZHI_ALLOWED_HOSTS comma-separated (default 127.0.0.1,localhost,[::1])
GONGZHI_HTTPS         1 behind a proxy that terminates TLS and sets X-Forwarded-Proto: Secure
                      cookies, HSTS (GONGZHI_HSTS_SECONDS, default 1 year), HTTP → HTTPS redirect
GONGZHI_DB_CONNECT_TIMEOUT          seconds to connect to PostgreSQL (default 5; psycopg waits ≥ 2)
GONGZHI_DB_STATEMENT_TIMEOUT_MS     a web request's statement is cancelled after this (default 30000)
GONGZHI_DB_COMMAND_STATEMENT_TIMEOUT_MS  the same for commands (migrate, simulate…; default 0: none)
GONGZHI_RETRY_AFTER_SECONDS         Retry-After of the 503 a database outage answers (default 15)
GONGZHI_LOG_LEVEL     the gongzhi loggers' level (default INFO); every record is one JSON line on stderr
GONGZHI_LOG_FILE      also write them to this file, rotated (GONGZHI_LOG_FILE_MB, default 50 × 10);
                      "{pid}" in the name gives each worker process its own file
GONGZHI_MEDIA_ROOT    where attachments live (default var/media)
GONGZHI_PG_PREPARE    1/0 (default 1): server-side prepared statements for the intake insert;
                      0 behind a pooler that cannot keep them (PgBouncer < 1.21 in transaction mode)
GONGZHI_REPLICA_URL   optional, postgres://…: a hot standby that serves the statistics pages' reads
                      (gongzhi.core.replica); unset, everything reads and writes GONGZHI_DATABASE_URL
GONGZHI_SWEEP_FULL_EVERY  seconds between the sweep's full rounds (default 3600; core.sweep, ADR 0014)
GONGZHI_LOGIN_FAILURES / GONGZHI_LOGIN_LOCKOUT_MINUTES  wrong passwords (default 5) that lock one
                      username from one address, and for how long (default 15); GONGZHI_LOGIN_LOCKOUT=0 off
GONGZHI_LOGIN_FAILURES_PER_ACCOUNT  wrong passwords for one username from all addresses together
                      that lock it from every address (default 20; 0 off)
GONGZHI_SESSION_IDLE_MINUTES  a signed-in browser is signed out after this long without a request
                      (default 120); the session cookie also ends with the browser
GONGZHI_PROXY_COUNT   reverse proxies appending to X-Forwarded-For (default 0: REMOTE_ADDR is the client)
GONGZHI_PASSWORD_MIN_LENGTH  default 8 (with Django's similarity, common and all-digits checks)
GONGZHI_TOKEN_DAYS    lifetime of a new API token (default 365); GONGZHI_TOKEN_TOUCH_SECONDS (60)
                      how often its last use is written; GONGZHI_TOKEN_USER_CACHE_SECONDS (10) how
                      long a checked token's user and roles are reused per process
GONGZHI_CORRECTIONS   JSON object overriding 社区矫正's limits (domain.corrections.Limits), e.g.
                      {"leave_year_days": 45, "suggestion_answer_days": 60}
"""
import json as _json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite file and media live here
# config/wsgi.py marks the processes that serve requests; commands (migrate, simulate, the sweep
# workers) are the rest and may run statements a web request must not (database timeouts below).
WEB_PROCESS = os.environ.get("GONGZHI_WEB_PROCESS") == "1"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0/true/false, got {raw!r}")


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def _pg_timeouts() -> dict:
    """libpq options that keep a database that does not answer from holding a worker forever.

    connect_timeout bounds the whole connection (TCP, TLS, the server's first reply): a server
    that accepts and never answers costs a request this long, then a 503 (psycopg rounds values
    below 2 up to 2).  statement_timeout makes the server cancel a web request's statement (a
    503 too); commands get their own, none by default — a migration or `stats-refresh --full`
    may rightly run for minutes.  Keepalives and tcp_user_timeout notice, within about a minute,
    a kept connection whose host vanished (power, network cut) instead of waiting on it for the
    kernel's two hours.  A server that is up but stuck answering *nothing* on an established
    connection is beyond libpq's reach: PgBouncer's query_timeout covers it (docs/deployment.md).
    """
    statement_ms = (_int("GONGZHI_DB_STATEMENT_TIMEOUT_MS", 30_000) if WEB_PROCESS
                    else _int("GONGZHI_DB_COMMAND_STATEMENT_TIMEOUT_MS", 0))
    options = {"connect_timeout": _int("GONGZHI_DB_CONNECT_TIMEOUT", 5, minimum=1),
               "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
               "tcp_user_timeout": _int("GONGZHI_DB_TCP_USER_TIMEOUT_MS", 30_000)}
    if statement_ms:
        # A startup parameter: one round trip fewer than a SET per connection.  PgBouncer does not
        # pass it on; behind it set GONGZHI_DB_STATEMENT_TIMEOUT_MS=0 and put statement_timeout
        # on the web role instead (docs/deployment.md).
        options["options"] = f"-c statement_timeout={statement_ms}"
    return options


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
                "OPTIONS": {"prepare_threshold": 5 if _bool("GONGZHI_PG_PREPARE", True) else None,
                            **_pg_timeouts()}}
    raise ImproperlyConfigured(f"GONGZHI_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


def _machine_secret_key(path: Path) -> str:
    """A key made once for this machine and kept beside its data, readable by its owner only, so
    that a fresh checkout (the demo) starts without configuration and its sessions survive a
    restart.  Written under a temporary name and linked into place, so workers starting at once
    all read the one complete key.  Several nodes must share GONGZHI_SECRET_KEY instead."""
    if not path.exists():
        import secrets
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it to have one made, "
                                   "or set GONGZHI_SECRET_KEY")
    return key


# Off unless asked for: Django's technical pages (settings, URL lists, tracebacks) are for a
# developer's own machine, never for the demo or a server (issue 13).
DEBUG = _bool("GONGZHI_DEBUG", False)
SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY") or _machine_secret_key(VAR_DIR / "secret_key")
# Rotating the key: the old ones here (separated by spaces) keep sessions and signed links made
# with them valid until they expire, so a rotation signs nobody out; drop them after the 2 h idle
# session limit (and the longest-lived signed link) has passed.
SECRET_KEY_FALLBACKS = os.environ.get("GONGZHI_SECRET_KEY_FALLBACKS", "").split()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
                 if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "gongzhi.accounts.axes_config.AxesConfig",   # django-axes (login lockout), with a Chinese name in admin
    "csp",
    "django_htmx",
    "ninja",
    "gongzhi.areas",
    "gongzhi.accounts",
    "gongzhi.core",   # the engine; as an app it holds the one access log
    "gongzhi.events",
    "gongzhi.hotline",   # issue 14: the 12345 hotline and 倒逼 (应报未报), out of events
    "gongzhi.casework",
    "gongzhi.mediation",
    "gongzhi.legalaid",
    "gongzhi.corrections",   # issue 15: 社区矫正 with the prosecutors' oversight
    "gongzhi.court",         # issue 16: 民事速裁, 繁简分流 (诉调对接 from mediation)
    "gongzhi.funds",         # issue 16: the 三金 ledger
    "gongzhi.notify",        # issue 17: notifications (in-app, SMS, WeChat, email) through the task queue
    "gongzhi.registry",      # issues 19/20: the one base registry (人房物事情组织)
    "gongzhi.points",        # issue 19: 积分超市 (points ledger, shop)
    "gongzhi.votes",         # issue 19: 出卷 and 电子票决
    "gongzhi.credit",        # issue 19: 信用档案
    "gongzhi.gridwork",      # issue 20: duty lists (清单化), 对账销号, 量化考核
    "gongzhi.patrols",       # issue 20: patrols and the offline field app
    "gongzhi.stats",
    "gongzhi.web",
    "gongzhi.ops",   # core (issue 14): the platform-wide commands (demo, sla-sweep, crosscheck, …)
]

MIDDLEWARE = [
    "gongzhi.core.resilience.DatabaseGuard",   # first: a database that is away is a 503, whoever hit it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",   # static files, DEBUG on or off (see STATIC_ROOT)
    "gongzhi.web.nostore.no_store",   # ops2 (issue 13): every dynamic answer Cache-Control: private, no-store
    "csp.middleware.CSPMiddleware",
    "gongzhi.web.guards.refuse_nul",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongzhi.core.idle.idle_timeout",   # ops2 (issue 13): signed out after GONGZHI_SESSION_IDLE_MINUTES
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",   # turns a locked-out login into the Chinese lockout answer
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
        "gongzhi.web.context.enums",
    ]},
}]

DATABASES = {"default": database_from_url(
    os.environ.get("GONGZHI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}"))}
# A streaming replica (hot standby) for the statistics pages' reads, and only theirs
# (gongzhi.core.replica; docs/deployment.md).  Unset: every query goes to default.  Under test it
# mirrors default (no second test database is made).
if os.environ.get("GONGZHI_REPLICA_URL"):
    DATABASES["replica"] = {**database_from_url(os.environ["GONGZHI_REPLICA_URL"]), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["gongzhi.core.replica.ReplicaRouter"]
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
# `collectstatic` gathers the files here (the demo command does it before serving, a deployment
# once per release) and WhiteNoise serves what it found there at start-up, behind the security
# middleware's headers, with or without DEBUG.  Collected rather than found in the apps
# (WHITENOISE_USE_FINDERS, which WhiteNoise turns on only with DEBUG): one directory, the same in
# the demo and in production, that nginx may serve as well.  It exists even before the first
# collectstatic (tests never run it), so WhiteNoise has nothing to warn about.
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_ALLOW_ALL_ORIGINS = False     # our CSS and scripts are for our own pages
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("GONGZHI_MEDIA_ROOT", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# FILE_UPLOAD_MAX_MEMORY_SIZE: see "Stored files and uploads" below.

# One JSON object per line on stderr (gongzhi.core.logs): every 5xx (django.request), every refused
# suspicious request (django.security: bad Host, oversized body) and our own records, with method,
# path, status and user id — never bodies, query strings or personal data.  Django's 4xx warnings
# ("Not Found: …") stay out: the "django" logger passes ERROR and up.
_LOG_HANDLERS = {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}}
if os.environ.get("GONGZHI_LOG_FILE"):
    # Rotation renames the file: two processes must not share one, hence "{pid}" for several workers.
    _LOG_HANDLERS["file"] = {"class": "logging.handlers.RotatingFileHandler", "formatter": "json",
                             "filename": os.environ["GONGZHI_LOG_FILE"].replace("{pid}", str(os.getpid())),
                             "maxBytes": _int("GONGZHI_LOG_FILE_MB", 50, minimum=1) * 1024 * 1024,
                             "backupCount": 10, "encoding": "utf-8", "delay": True}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "gongzhi.core.logs.JsonLines"}},
    "handlers": _LOG_HANDLERS,
    "loggers": {
        "django": {"handlers": list(_LOG_HANDLERS), "level": "ERROR"},
        "gongzhi": {"handlers": list(_LOG_HANDLERS), "level": os.environ.get("GONGZHI_LOG_LEVEL", "INFO")},
    },
}

# ---- Safe defaults: HTTPS, cookies, headers, failures (issue 13) ------------------------------------
# Always: the session cookie out of scripts' reach, cookies same-site Lax, no framing, no MIME
# sniffing, the referrer kept to our own origin.  (The CSRF cookie stays as Django has it: its
# value is in every page's forms anyway.)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# ops2 (issue 13): a session ends GONGZHI_SESSION_IDLE_MINUTES after its browser's last request
# (gongzhi.core.idle keeps an active one alive, saving it at most once a minute), and its
# cookie with the browser — not two weeks after the login, on a shared desk PC.
SESSION_COOKIE_AGE = _int("GONGZHI_SESSION_IDLE_MINUTES", 120, minimum=5) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# GONGZHI_HTTPS=1: served over HTTPS by a proxy that terminates TLS (nginx, docs/deployment.md) and
# says so in X-Forwarded-Proto — which it must then set itself on every request, never pass on.
HTTPS = _bool("GONGZHI_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _bool("GONGZHI_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    # A year, every subdomain (a shorter GONGZHI_HSTS_SECONDS only while trying HTTPS out).
    # "preload" only takes effect once the registrable domain itself is submitted to the
    # browsers' list; GONGZHI_HSTS_PRELOAD=0 leaves the word out.
    SECURE_HSTS_SECONDS = _int("GONGZHI_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _bool("GONGZHI_HSTS_PRELOAD", True)
# A refused CSRF check is our Chinese page (Django's own is English and suggests DEBUG).
CSRF_FAILURE_VIEW = "gongzhi.web.errorpages.csrf_failure"
# How long a caller is asked to wait when the database is away (503, gongzhi.core.resilience).
GONGZHI_RETRY_AFTER_SECONDS = _int("GONGZHI_RETRY_AFTER_SECONDS", 15, minimum=1)
# ---- end of safe defaults ----------------------------------------------------------------------------

# Deadline counting (DESIGN: all configurable): a limit of N working days ends at this local
# time on the N-th working day after the day of receipt (unless the receipt day counts).
GONGZHI_DEADLINE_END_OF_DAY = os.environ.get("GONGZHI_DEADLINE_END_OF_DAY", "23:59:59")
GONGZHI_RECEIPT_DAY_COUNTS = _bool("GONGZHI_RECEIPT_DAY_COUNTS", False)
# The highest level the SLA worker escalates to by itself.
GONGZHI_TOP_LEVEL = int(os.environ.get("GONGZHI_TOP_LEVEL", "2"))
# `gongzhi sla-sweep --loop`: a full round (every passed threshold, not only those since the last
# round: core.sweep) at start and then this often, seconds.
GONGZHI_SWEEP_FULL_EVERY = float(os.environ.get("GONGZHI_SWEEP_FULL_EVERY", "3600"))
# Upload limits by kind, bytes.
# Where `gongzhi train-classifier` writes the text classifier (kind, category, urgency suggestions).
GONGZHI_CLASSIFIER_PATH = os.environ.get("GONGZHI_CLASSIFIER_PATH", str(VAR_DIR / "classifier.joblib"))
# 倒逼: the top-level categories of matters a grid is expected to find before residents call 12345.
GONGZHI_CROSSCHECK_TOPICS = [t for t in os.environ.get(
    "GONGZHI_CROSSCHECK_TOPICS", "urban,safety,livelihood,dispute").split(",") if t]
# Legal aid: income line = multiple × the local 低保 standard; days to decide on an application.
GONGZHI_LEGALAID_INCOME_MULTIPLE = os.environ.get("GONGZHI_LEGALAID_INCOME_MULTIPLE", "2")
GONGZHI_LEGALAID_DECISION_WORKDAYS = int(os.environ.get("GONGZHI_LEGALAID_DECISION_WORKDAYS", "2"))
# --- helper "clocks" (issue 14): legal aid's assignment clock, 准予援助 → 指派律师 (3 working days).
GONGZHI_LEGALAID_ASSIGN_WORKDAYS = int(os.environ.get("GONGZHI_LEGALAID_ASSIGN_WORKDAYS", "3"))
# 社区矫正's numbers (domain.corrections.Limits: report 10 days, positioning ≤ 3 months, leave
# authority 7 days …), overridden by a JSON object, e.g. {"leave_year_days": 45}; unlawful values
# are refused at start-up (corrections.checks).
GONGZHI_CORRECTIONS = _json.loads(os.environ.get("GONGZHI_CORRECTIONS", "{}"))
# Public feeds (Open311) show a report's place snapped to a grid of this many metres (0 = exact).
GONGZHI_PUBLIC_LOCATION_METRES = float(os.environ.get("GONGZHI_PUBLIC_LOCATION_METRES", "100"))
GONGZHI_UPLOAD_LIMITS = {"image": 10 * 1024 * 1024, "audio": 20 * 1024 * 1024, "video": 100 * 1024 * 1024}

# ---- Stored files and uploads (issue 13: files only through checked views) ---------------------------
# No URL serves MEDIA_ROOT (config/urls.py): every file leaves through a view that checks scope,
# then gongzhi.core.files sends it.  GONGZHI_FILE_SENDER = django (the app streams it, default) |
# nginx (X-Accel-Redirect to GONGZHI_FILE_ACCEL_PREFIX, an `internal` location aliased to
# MEDIA_ROOT) | sendfile (X-Sendfile with the absolute path: Apache mod_xsendfile, lighttpd).
GONGZHI_FILE_SENDER = os.environ.get("GONGZHI_FILE_SENDER", "django")
if GONGZHI_FILE_SENDER not in {"django", "nginx", "sendfile"}:
    raise ImproperlyConfigured(f"GONGZHI_FILE_SENDER must be django, nginx or sendfile, got {GONGZHI_FILE_SENDER!r}")
GONGZHI_FILE_ACCEL_PREFIX = os.environ.get("GONGZHI_FILE_ACCEL_PREFIX", "/protected/")
# Uploads past 64 KB stream to a temporary file (hashed and checked in chunks, never whole in
# memory); CappedUploadHandler stops any file past the largest GONGZHI_UPLOAD_LIMITS while it arrives.
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
# CappedUploadHandler also skips, unwritten, the files of a request nobody is signed in to.
FILE_UPLOAD_HANDLERS = ["gongzhi.events.uploads.CappedUploadHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
# Files per request (Django's default is 100): a report takes a few photos; past it a 400.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# An image whose header claims more pixels than this is refused before anything decodes it (what
# passes is decoded once, to be stored without its EXIF/XMP: gongzhi.core.files.without_metadata).
GONGZHI_IMAGE_MAX_PIXELS = int(os.environ.get("GONGZHI_IMAGE_MAX_PIXELS", str(40_000_000)))
# Per user: at most GONGZHI_UPLOAD_RATE_COUNT files sent in any GONGZHI_UPLOAD_RATE_WINDOW seconds
# (every file counted as it arrives, refused ones too: events.UploadAttempt; 0 turns the limit
# off).  Past it: 429 with Retry-After.
GONGZHI_UPLOAD_RATE_COUNT = int(os.environ.get("GONGZHI_UPLOAD_RATE_COUNT", "60"))
GONGZHI_UPLOAD_RATE_WINDOW = int(os.environ.get("GONGZHI_UPLOAD_RATE_WINDOW", "3600"))
# 重办 by an unsatisfied reporter (events.services.event_reopen): at most GONGZHI_REOPEN_MAX times per
# event and within GONGZHI_REOPEN_DAYS days of the answer (0 turns that bound off); staff too.
GONGZHI_REOPEN_MAX = int(os.environ.get("GONGZHI_REOPEN_MAX", "2"))
GONGZHI_REOPEN_DAYS = int(os.environ.get("GONGZHI_REOPEN_DAYS", "15"))
# The public tracking lookup (/track/, web.residents): GONGZHI_TRACK_TRIES attempts per client address
# and per number in any GONGZHI_TRACK_WINDOW seconds, right or wrong (enumeration costs time).
GONGZHI_TRACK_TRIES = int(os.environ.get("GONGZHI_TRACK_TRIES", "10"))
GONGZHI_TRACK_WINDOW = int(os.environ.get("GONGZHI_TRACK_WINDOW", "3600"))
# The desk's 台账 export (events.exports): up to GONGZHI_EXPORT_AT_ONCE rows come back at once, a
# longer list is written by `gongzhi worker` (progress saved every GONGZHI_EXPORT_PROGRESS_EVERY
# rows) and its file is kept GONGZHI_EXPORT_KEEP_HOURS hours for its owner, then deleted.
GONGZHI_EXPORT_AT_ONCE = _int("GONGZHI_EXPORT_AT_ONCE", 5000, minimum=0)
GONGZHI_EXPORT_PROGRESS_EVERY = _int("GONGZHI_EXPORT_PROGRESS_EVERY", 500, minimum=1)
GONGZHI_EXPORT_KEEP_HOURS = _int("GONGZHI_EXPORT_KEEP_HOURS", 24, minimum=1)
# Patrols (gongzhi.domain.patrols): a walker sees GONGZHI_PATROL_SIGHT_METRES either side of the
# track; fixes further apart than GONGZHI_PATROL_MAX_STEP_METRES were not walked between; a fix
# vaguer than GONGZHI_PATROL_MAX_ACCURACY_METRES is dropped; a patrol still running after
# GONGZHI_PATROL_MAX_HOURS is ended by the sweep.
GONGZHI_PATROL_SIGHT_METRES = _int("GONGZHI_PATROL_SIGHT_METRES", 30, minimum=1)
GONGZHI_PATROL_MAX_STEP_METRES = _int("GONGZHI_PATROL_MAX_STEP_METRES", 300, minimum=1)
GONGZHI_PATROL_MAX_ACCURACY_METRES = _int("GONGZHI_PATROL_MAX_ACCURACY_METRES", 100, minimum=1)
GONGZHI_PATROL_MAX_HOURS = _int("GONGZHI_PATROL_MAX_HOURS", 8, minimum=1)

# ---- Accounts: login lockout, password policy, content security policy, API tokens ----------------
from datetime import timedelta  # noqa: E402
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

from csp.constants import NONCE, NONE, SELF  # noqa: E402

# django-axes: GONGZHI_LOGIN_FAILURES wrong passwords for one username from one address lock that
# pair for GONGZHI_LOGIN_LOCKOUT_MINUTES (every try while locked restarts the clock); a success
# before the limit clears the count.  By username *and* address, so a few wrong guesses at one
# account do not lock its owner out everywhere, and one address cannot lock out a whole office;
# many addresses at one account meet the higher per-account ceiling (gongzhi.accounts.lockout).
AXES_ENABLED = _bool("GONGZHI_LOGIN_LOCKOUT", True)
GONGZHI_LOGIN_FAILURES = _int("GONGZHI_LOGIN_FAILURES", 5, minimum=1)
# ops2 (issue 13): and GONGZHI_LOGIN_FAILURES_PER_ACCOUNT failures of one username from all addresses
# together lock that username from every address, for the same cool-off (0 = no such ceiling).
GONGZHI_LOGIN_FAILURES_PER_ACCOUNT = _int("GONGZHI_LOGIN_FAILURES_PER_ACCOUNT", 20)
AXES_FAILURE_LIMIT = "gongzhi.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GONGZHI_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gongzhi.accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "gongzhi.accounts.lockout.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
# Behind N reverse proxies that each append to X-Forwarded-For, the client is the N-th address
# from the right (0 = take REMOTE_ADDR: no proxy, or one that overwrites the header itself).
GONGZHI_PROXY_COUNT = int(os.environ.get("GONGZHI_PROXY_COUNT", "0"))
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Wherever a password is set (admin, createsuperuser, changepassword); Django's own messages are
# translated into Chinese.  The demo's shared password is written directly and not checked.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("GONGZHI_PASSWORD_MIN_LENGTH", "8"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files (htmx's
# indicator style is in app.css, turned off in htmx by the meta tag in base.html); a nonce exists
# for the rare tag that must stay inline ({{ request.csp_nonce }}) and is left out of the header
# when no page asks for one.  Images may be data: URIs (admin icons) and intranet map tiles.
_tiles = _urlsplit(GONGZHI_TILE_URL)
GONGZHI_TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc}" if _tiles.scheme and _tiles.netloc else ""
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE],
    "img-src": [SELF, "data:"] + ([GONGZHI_TILE_ORIGIN] if GONGZHI_TILE_ORIGIN else []),
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}}

# API tokens: a new token lives this many days (the admin may set another date per token); its
# last use is written at most once per GONGZHI_TOKEN_TOUCH_SECONDS so intake does not write twice.
GONGZHI_TOKEN_DAYS = int(os.environ.get("GONGZHI_TOKEN_DAYS", "365"))
GONGZHI_TOKEN_TOUCH_SECONDS = int(os.environ.get("GONGZHI_TOKEN_TOUCH_SECONDS", "60"))
# Whether a token holds is checked on every call; the user it stands for (profile, roles, scope)
# is kept per process this long, so a role change reaches token calls within it (0 = read each call).
GONGZHI_TOKEN_USER_CACHE_SECONDS = float(os.environ.get("GONGZHI_TOKEN_USER_CACHE_SECONDS", "10"))
# ---- end of accounts ---------------------------------------------------------------------------------
