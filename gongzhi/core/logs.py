"""Log records as one JSON object per line (config/settings.py LOGGING): what journald, Loki or an
ELK pipeline reads without a parser of its own.

A record about a request (Django's ``django.request`` and ``django.security`` loggers, and ours,
pass ``request=`` and ``status_code=``) names the method, the path, the status and the user's id —
never the query string, the body, a name or a phone number: the platform holds personal data
under PIPL, and operators who read logs may not see it.  An exception gives its type, the first
line of its message and the frames it passed through; the further lines of a database error
(PostgreSQL's DETAIL quotes the row's values) and the frames' local variables are left out.
That first line can still carry what was typed: it is masked like public text is (mobile and ID
numbers, domain.privacy.redact_text), and for the errors that exist to quote a bad value
(``invalid input syntax for type integer: "13800138000"``, ``int('王伟')``, a missing key) every
quoted part is dropped — their type and wording say what went wrong, the value is the resident's.
"""
from __future__ import annotations

import json
import logging
import re
import traceback
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import DataError
from django.utils.functional import SimpleLazyObject, empty

from gongzhi.domain.privacy import redact_text

MAX_MESSAGE = 300
MAX_FRAMES = 30
# Errors whose message quotes the offending value (the database's DataError: invalid input
# syntax, value too long, out of range; Python's int('…'), a KeyError's key; a form's "“…” 不是有效的…").
# Not IntegrityError or ProgrammingError: the quoted parts of theirs are constraint, column and
# table names, which a reader of the log needs (the values are in DETAIL, already left out).
VALUE_ERRORS = (ValueError, TypeError, LookupError, DataError, ValidationError)
_QUOTED = re.compile(r"""'[^'\n]*'|"[^"\n]*"|“[^”]*”|‘[^’]*’|「[^」]*」|『[^』]*』""")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": redact_text(record.getMessage())}
        status = getattr(record, "status_code", None)
        if status is not None:
            out["status"] = status
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            out["method"] = request.method
            out["path"] = request.path
            out["user"] = user_id(request)
        if record.exc_info and record.exc_info[1] is not None:
            out["error"] = describe(record.exc_info[1])
        return json.dumps(out, ensure_ascii=False, default=str)


def user_id(request) -> int | None:
    """The id of whoever the request was already known to be — without looking it up: a lazy
    user not yet evaluated stays unevaluated (that would be a database query, perhaps to the
    database whose failure is being logged)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    return getattr(user, "pk", None)


def describe(exc: BaseException) -> dict:
    lines = str(exc).strip().splitlines()
    first = message_of(exc, lines[0]) if lines else ""
    frames = traceback.extract_tb(exc.__traceback__)[-MAX_FRAMES:]
    out = {"type": f"{type(exc).__module__}.{type(exc).__qualname__}", "message": first,
           "frames": [f"{_short(f.filename)}:{f.lineno} {f.name}" for f in frames]}
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        out["cause"] = f"{type(cause).__module__}.{type(cause).__qualname__}"
    return out


def message_of(exc: BaseException, first_line: str) -> str:
    """An exception's first line as the log may keep it (see the module's docstring): quoted values
    dropped for VALUE_ERRORS, phones and ID numbers masked, then cut (after masking: a cut number
    would no longer look like one)."""
    if isinstance(exc, VALUE_ERRORS):
        first_line = _QUOTED.sub(lambda m: m.group(0)[0] + "…" + m.group(0)[-1], first_line)
    return redact_text(first_line)[:MAX_MESSAGE]


def _short(path: str) -> str:
    """site-packages/django/… and gongzhi/…, not the machine's directory layout."""
    for marker in ("site-packages/", "/gongzhi/", "/config/"):
        at = path.rfind(marker)
        if at >= 0:
            return path[at + len(marker):] if marker == "site-packages/" else path[at + 1:]
    return path
