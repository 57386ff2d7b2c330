"""Notify's settings: environment variables, overridable in Django settings (the tests do).

Outbound channels are off unless configured; in-app is always on.

GONGZHI_PUBLIC_URL                 the site's address, for links in messages (http://127.0.0.1:8000)
GONGZHI_NOTIFY_TRACK_PATH          the public tracking page a party's SMS links to (/track/)
GONGZHI_NOTIFY_SMS_URL             the SMS gateway's HTTP endpoint (empty: SMS off)
GONGZHI_NOTIFY_SMS_KEY / _SECRET   access key id and the secret that signs each request
GONGZHI_NOTIFY_SMS_TEMPLATE        the template code registered with the provider (GZ_NOTICE)
GONGZHI_NOTIFY_WECHAT_URL          official-account template / 企业微信 message endpoint (empty: off)
GONGZHI_NOTIFY_WECHAT_TOKEN        its access token; GONGZHI_NOTIFY_WECHAT_TEMPLATE its template id
GONGZHI_NOTIFY_SMTP                host:port of the mail relay (empty: email off)
GONGZHI_NOTIFY_EMAIL_FROM          the sender (gongzhi@localhost)
GONGZHI_NOTIFY_RETRY_BASE / _CAP   seconds: the first retry's wait (30) and the longest (3600)
GONGZHI_NOTIFY_MAX_ATTEMPTS        failed sends before the dead-letter list (6)
GONGZHI_NOTIFY_KICK                1: a committed timeline row wakes the worker at once (default)
GONGZHI_QUEUE                      auto (PostgreSQL → PostgresHuey in the same database, else
                                   SqliteHuey in GONGZHI_VAR_DIR/queue.sqlite3) | sqlite | postgres
                                   | immediate (tasks run in the caller: tests, no worker)
"""
from __future__ import annotations

import os

from django.conf import settings

_DEFAULTS = {
    "GONGZHI_PUBLIC_URL": "http://127.0.0.1:8000",
    "GONGZHI_NOTIFY_TRACK_PATH": "/track/",
    "GONGZHI_NOTIFY_SMS_URL": "", "GONGZHI_NOTIFY_SMS_KEY": "gongzhi", "GONGZHI_NOTIFY_SMS_SECRET": "",
    "GONGZHI_NOTIFY_SMS_TEMPLATE": "GZ_NOTICE",
    "GONGZHI_NOTIFY_WECHAT_URL": "", "GONGZHI_NOTIFY_WECHAT_TOKEN": "", "GONGZHI_NOTIFY_WECHAT_TEMPLATE": "GZ_NOTICE",
    "GONGZHI_NOTIFY_SMTP": "", "GONGZHI_NOTIFY_EMAIL_FROM": "gongzhi@localhost",
    "GONGZHI_NOTIFY_RETRY_BASE": "30", "GONGZHI_NOTIFY_RETRY_CAP": "3600", "GONGZHI_NOTIFY_MAX_ATTEMPTS": "6",
    "GONGZHI_NOTIFY_KICK": "1",
    "GONGZHI_QUEUE": "auto",
}


def get(name: str) -> str:
    """Django settings first (tests override there), then the environment, then the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, _DEFAULTS[name])
    return str(value)


def number(name: str) -> float:
    return float(get(name))


def flag(name: str) -> bool:
    return get(name).strip().lower() in {"1", "true", "yes", "on"}


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else get("GONGZHI_PUBLIC_URL").rstrip("/") + path
