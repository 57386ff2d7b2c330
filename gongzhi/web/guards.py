"""Refuse the NUL character (U+0000) in any text a request carries, before anything reads it.

PostgreSQL cannot hold U+0000 in text: a query with one fails inside the database driver, which
surfaced as a 500 on whatever endpoint the text reached (a filter, a code, a note).  SQLite
stores it silently.  Refusing it at the door gives a clear 400 and the same answer on both.
Checked: the path, the query string, JSON and form bodies.  Multipart bodies are not read here
(their files may hold any byte); their text fields go through the same forms and models.
"""
from __future__ import annotations

import re

from django.http import HttpResponse, JsonResponse

from gongzhi.api.lean import error_response

MESSAGE = "提交的文字中含有不允许的空字符（U+0000），请删除后重试"
# \u0000 in JSON text, unless its backslash is itself escaped (an even run of backslashes before).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def carries_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    kind = request.META.get("CONTENT_TYPE", "")
    if kind.startswith("application/json"):
        return b"\\u0000" in request.body and _JSON_NUL.search(request.body) is not None
    if kind.startswith("application/x-www-form-urlencoded"):
        return b"%00" in request.body or b"\x00" in request.body
    return False


def refuse_nul(get_response):
    def middleware(request):
        if carries_nul(request):
            if request.path_info.startswith("/api/"):
                return error_response(400, "bad_request", MESSAGE)
            if request.path_info.startswith("/open311/"):    # GeoReport v2's error list
                return JsonResponse([{"code": 400, "description": MESSAGE}], status=400, safe=False,
                                    json_dumps_params={"ensure_ascii": False})
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return get_response(request)
    return middleware
