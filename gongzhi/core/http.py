"""What a failed request answers (config/urls.py's handler400/403/404/500, the lean path's too).

It sits in core because both surfaces answer through it: the API (gongzhi.api.lean, the lean
token path's handlers) and the pages (gongzhi.web.guards, web.errorpages.csrf_failure) — and
neither may import the other's error handling (tests/test_layers.py).

One answer per status, in the shape its caller reads:
  /api/…      the API's {code, message, fields} (error_response)
  /open311/…  GeoReport v2's error list [{code, description}]
  any page    a Chinese page (English when chosen) naming no URL pattern, setting or traceback.
An oversized body (Django's RequestDataTooBig, a SuspiciousOperation it answers through
handler400) is a 413, not a 400: the request was well formed, only too big.

The 400/413/500/503 pages stand alone (web/error_base.html): they render without the request's
context processors, so they need neither the session nor the database — the very things that
may be failing.  403 and 404 are ordinary pages of the site, with its menu.
"""
from __future__ import annotations

import sys
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext

from .wording import translated


class Surface(StrEnum):
    API = "api"
    OPEN311 = "open311"
    PAGE = "page"


def surface(path: str) -> Surface:
    if path.startswith("/api/"):
        return Surface.API
    if path.startswith("/open311/"):
        return Surface.OPEN311
    return Surface.PAGE


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


# status → (the API's code, the message read by people: the API speaks Chinese, ADR 0005)
MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "资源不存在"),
    413: ("too_large", "提交的内容太大（上限 {limit}），请减小后重试；附件请逐个上传"),
    500: ("server_error", "系统暂时出错，请稍后重试"),
    503: ("unavailable", "系统暂时无法访问数据库，请稍后重试"),
}
STANDALONE = {400, 413, 500, 503}


# The lean path resolves against the API's URL table alone, so its errors answer in the API's
# shape ({code, message, fields}), not with the site's HTML pages (which link to the site's URLs).
def error_response(status: int, code: str, message: str):
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def message(status: int) -> str:
    return gettext(MESSAGES[status][1]).format(limit=_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


def answer(request, status: int, *, where: Surface | None = None, text: str = "") -> HttpResponse:
    """``text``: a more precise message than the status's (a file over its own upload limit, the
    control character a request was refused for); the standalone pages show it too."""
    where = where or surface(request.path_info)     # the path within the site, whatever it is mounted under
    text = translated(text)                          # in the reader's language (core.wording)
    if where is Surface.API:
        return error_response(status, MESSAGES[status][0], text or message(status))
    if where is Surface.OPEN311:
        return JsonResponse([{"code": status, "description": text or message(status)}], status=status, safe=False,
                            json_dumps_params={"ensure_ascii": False})
    if status in STANDALONE:
        return HttpResponse(loader.render_to_string(f"{status}.html", {"message": text}), status=status)
    return render(request, f"{status}.html", status=status)


def bad_request(request, exception=None, where: Surface | None = None):
    return answer(request, 413 if isinstance(exception, RequestDataTooBig) else 400, where=where,
                  text=getattr(exception, "user_message", ""))


def permission_denied(request, exception=None, where: Surface | None = None):
    return answer(request, 403, where=where)


def page_not_found(request, exception=None, where: Surface | None = None):
    return answer(request, 404, where=where)


def server_error(request, where: Surface | None = None):
    # Django calls handler500 while it handles the exception: a database that is away is a 503
    # (gongzhi.core.resilience), also when it failed in a middleware before any view ran.
    from gongzhi.core import resilience
    exc = sys.exc_info()[1]
    if exc is not None and resilience.database_away(exc):
        return resilience.unavailable(request, exc, where=where)
    return answer(request, 500, where=where)
