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
  unprintable characters from their names itself) — without writing a file part anywhere before
  the caller is known.  The text is checked where Django parses the body, whoever asks for it
  first (this guard installs the check on the request): for a page or Open311, in this guard's
  ``process_view``, after the session middleware and before CSRF's check reads the form; for the
  API, when the operation reads its form, after ninja has checked the token or session.  There
  the upload handler (gongzhi.events.uploads.CappedUploadHandler) skips the files of a caller nobody is
  signed in as, unwritten, and counts a signed-in user's against their quota.  An API body small
  enough to be read into memory (DATA_UPLOAD_MAX_MEMORY_SIZE, as for JSON) is also checked at
  once, its files discarded, since an operation that takes JSON never parses it as a form.
  At most DATA_UPLOAD_MAX_NUMBER_FILES files per request (a 400 past it).

Other control characters in bodies are refused by the input models and forms themselves
(gongzhi.core.inputs), with a field error and the form kept: this guard only answers what
would otherwise reach the database unread.
"""
from __future__ import annotations

import re
from io import BytesIO
from itertools import chain
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

from gongzhi.core import http
from gongzhi.core.errors import ServiceError
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
        _check_when_parsed(request)
        if request.path_info.startswith("/api/"):
            return MESSAGE if _small_body_has_nul(request) else None
        return None                       # a page's form: parsed and checked in process_view
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


class RefusedForm(ServiceError, SuspiciousOperation):
    """A multipart form refused where it was parsed.  A ServiceError, so the API's handler answers
    it as JSON; a SuspiciousOperation with a ``user_message``, so Django's handler400 answers it in
    the caller's shape should anything else parse the body first (gongzhi.core.http)."""

    status, code = 400, "bad_request"

    @property
    def user_message(self) -> str:
        return self.message


def _has_nul(post: QueryDict) -> bool:
    return any("\x00" in name or any("\x00" in v for v in values) for name, values in post.lists())


def _too_many_files() -> RefusedForm:
    return RefusedForm(f"一次最多上传 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个文件，请分批上传")


def _check_when_parsed(request) -> None:
    """Make Django's own parse of this request's multipart body — the only one, whoever triggers
    it — refuse text parts with U+0000 and too many files, with a Chinese message."""
    load = request._load_post_and_files

    def checked():
        try:
            load()
        except TooManyFilesSent as exc:
            raise _too_many_files() from exc
        if _has_nul(request._post):
            for f in chain.from_iterable(files for _, files in request._files.lists()):
                f.close()                  # the temporary files go now, not at the end of the request
            request._post, request._files = QueryDict(), MultiValueDict()
            raise RefusedForm(MESSAGE)
    request._load_post_and_files = checked


class _DiscardFiles(FileUploadHandler):
    """Every file part skipped unread: only the text parts are wanted."""

    def new_file(self, *args, **kwargs):
        raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


def _small_body_has_nul(request) -> bool:
    """An API body no larger than a JSON body may be (DATA_UPLOAD_MAX_MEMORY_SIZE) is read into
    memory — before ninja knows the caller, as any body is — and its text parts parsed from
    there, every file part discarded: nothing reaches the disk.  The operation's own parse later
    reads the same bytes.  A larger body is checked at that parse (_check_when_parsed)."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return False
    parser = MultiPartParser(request.META, BytesIO(request.body), [_DiscardFiles(request)], request.encoding)
    try:
        post, _ = parser.parse()
    except TooManyFilesSent as exc:
        raise _too_many_files() from exc
    return _has_nul(post)


class RefuseNul:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            message = refusal(request)
        except MultiPartParserError as exc:
            # A broken multipart body: Django would answer its generic 400 page.
            return http.answer(request, 400, text=f"上传格式不正确：{exc}")
        except RefusedForm as exc:
            return http.answer(request, exc.status, text=exc.message)
        if message:
            # In the caller's shape (the API's JSON, Open311's list, the Chinese 400 page), with the message.
            return http.answer(request, 400, text=message)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        """A page's (or Open311's) multipart form is parsed here: the session is known by now, so
        the upload handler can tell a signed-in user's files from a stranger's, and this comes
        before CSRF's check (next in MIDDLEWARE), which would parse it otherwise.  The API's
        operations parse their own, after ninja's sign-in check."""
        if request.content_type != _MULTIPART or request.path_info.startswith("/api/"):
            return None
        try:
            _ = request.POST        # reading the property parses the form (through the upload handler)
        except MultiPartParserError as exc:
            return http.answer(request, 400, text=f"上传格式不正确：{exc}")
        except RefusedForm as exc:
            return http.answer(request, exc.status, text=exc.message)
        return None


refuse_nul = RefuseNul        # the name MIDDLEWARE and the lean path's list use
