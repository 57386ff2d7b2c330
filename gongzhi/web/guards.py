"""Refuse, at the door, text no part of the system can hold: U+0000 anywhere a request carries
text, and any control character in its URL.

PostgreSQL cannot hold U+0000 in text: a query with one fails inside the database driver, which
surfaced as a 500 on whatever endpoint the text reached (a filter, a code, a note).  SQLite
stores it silently.  Refusing it here gives a clear 400 and the same answer on both, before any
parser, form or service reads the request.  What is checked:

- the path and the query string, for every character gongzhi.domain.text refuses (a URL has no
  form to send back with a field error, and its parameters reach filters that no input model sees);
- every body that is not multipart and not a binary type, whatever its declared type says and
  however it is cased (``Application/JSON``, ``text/plain``, none at all): ninja reads any body
  as JSON, so U+0000 is looked for as JSON's ``\\u0000``, as ``%00`` in form bodies, and raw in
  any body not declared as JSON (in one that is, a raw NUL is JSON that does not parse: the API's
  own 400 explains that better);
- multipart bodies' text parts (not the files: their bytes may hold anything, and Django drops
  unprintable characters from their names itself).

Other control characters in bodies are refused by the input models and forms themselves
(gongzhi.events.inputs), with a field error and the form kept: this guard only answers what
would otherwise reach the database unread.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from gongzhi.api.lean import error_response
from gongzhi.domain import text

def message_for(char: str) -> str:
    """"提交的文字中含有不允许的控制字符（U+000B），请删除后重试" (the input models say the same)."""
    return "提交的文字中" + text.message_for(char)


MESSAGE = message_for("\x00")          # 提交的文字中含有不允许的空字符（U+0000），请删除后重试
# \u0000 in JSON text, unless its backslash is itself escaped (an even run of backslashes before).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# Bodies that are bytes, not text: their NUL bytes are content.  Everything else is read as text
# by someone (ninja parses any body as JSON, whatever its Content-Type).
_BINARY_FAMILIES = ("image/", "audio/", "video/", "font/", "model/")
_BINARY_TYPES = {"application/octet-stream", "application/pdf", "application/zip", "application/gzip",
                 "application/x-tar", "application/x-7z-compressed", "application/vnd.ms-excel",
                 "application/msword"}
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


def refusal(request) -> str | None:
    """The message to refuse ``request`` with, or None when it may go on."""
    found = text.first_forbidden(request.path_info)
    if found:
        return message_for(found)
    query = request.META.get("QUERY_STRING", "")
    if query:
        found = text.first_forbidden(unquote(query, errors="replace"))
        if found:
            return message_for(found)
    # request.content_type is the declared type lowercased, parameters split off (Django's parse).
    kind = request.content_type or ""
    if kind == _MULTIPART:
        return MESSAGE if _multipart_has_nul(request) else None
    if kind in _BINARY_TYPES or kind.startswith(_BINARY_FAMILIES):
        return None
    body = request.body
    if not body:
        return None
    if kind == _FORM:
        return MESSAGE if b"%00" in body or b"\x00" in body else None
    if b"\\u0000" in body and _JSON_NUL.search(body) is not None:
        return MESSAGE
    # A raw NUL byte: in a body declared as JSON it can only be JSON that does not parse, which
    # the API explains itself ("请提交有效的 JSON"); in any other text it is refused here.
    if b"\x00" in body and not _is_json(kind):
        return MESSAGE
    return None


def _is_json(kind: str) -> bool:
    return kind == "application/json" or kind.endswith("+json")


def _multipart_has_nul(request) -> bool:
    # Parsing here is the parse the view would do (Django keeps the result on the request; the
    # files go through the configured upload handlers, to disk past their memory limit).
    return any("\x00" in name or any("\x00" in v for v in values) for name, values in request.POST.lists())


def _answer(request, status: int, code: str, message: str):
    if request.path_info.startswith("/api/"):
        return error_response(status, code, message)
    if request.path_info.startswith("/open311/"):    # GeoReport v2's error list
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def refuse_nul(get_response):
    def middleware(request):
        try:
            message = refusal(request)
        except MultiPartParserError as exc:
            # A broken multipart body: Django would answer its generic 400 page.
            return _answer(request, 400, "bad_request", f"上传格式不正确：{exc}")
        if message:
            return _answer(request, 400, "bad_request", message)
        return get_response(request)
    return middleware
