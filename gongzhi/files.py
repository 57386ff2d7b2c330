"""Stored files: event attachments and case documents.

Nothing here decides who may read a file: the views do (``intake.attachment_for`` for an event's
attachments, ``casework.acts.document_for`` for a case's documents), then hand the row to
``serve_attachment`` / ``serve_document``.  There is no public media URL in any configuration
(config/urls.py serves none), and names on disk are random, so a leaked or guessed path gives
nothing either.

How the bytes leave (``GONGZHI_FILE_SENDER``):

- ``django`` (default): the application streams the file (FileResponse).
- ``nginx``: an empty answer with ``X-Accel-Redirect: <GONGZHI_FILE_ACCEL_PREFIX><name>``; nginx
  serves the file from an internal location that clients cannot request themselves::

      location /protected/ { internal; alias /var/lib/gongzhi/media/; }   # = MEDIA_ROOT

- ``sendfile``: an empty answer with ``X-Sendfile: <absolute path>`` for Apache (mod_xsendfile,
  ``XSendFile On``, ``XSendFilePath <MEDIA_ROOT>``) or lighttpd (``allow-x-send-file``).

Every answer carries the checked Content-Type, ``X-Content-Type-Options: nosniff`` and
``Cache-Control: private, no-store`` (a shared cache must never keep a resident's photo).
"""
from __future__ import annotations

import hashlib
import re
import uuid
import warnings
from enum import StrEnum
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHUNK = 64 * 1024

# What a stored name looks like: a prefix (a = attachment, d = document), the month it was
# stored, 128 random bits and the extension.  No event number, case id, document kind or hash.
RANDOM_NAME = re.compile(r"^[ad]/\d{4}/\d{2}/[0-9a-f]{32}\.[a-z0-9]{1,8}$")


class FileSender(StrEnum):
    DJANGO = "django"
    NGINX = "nginx"
    SENDFILE = "sendfile"


# ---- names -------------------------------------------------------------------------------------

def storage_name(prefix: str, ext: str, at=None) -> str:
    """``a/2026/12/<uuid4 hex>.<ext>``: nothing in it can be guessed from the case or the event."""
    ext = ext.lower() if re.fullmatch(r"[A-Za-z0-9]{1,8}", ext or "") else "bin"
    return f"{prefix}/{timezone.localtime(at or timezone.now()):%Y/%m}/{uuid.uuid4().hex}.{ext}"


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1] if "." in filename else ""


# ---- reading uploads without holding them -----------------------------------------------------

def head(f, size: int = 8192) -> bytes:
    f.seek(0)
    data = f.read(size)
    f.seek(0)
    return data


def sha256_of(f) -> tuple[str, int]:
    """(hex digest, size) of a file, read in chunks (an upload is on disk, never whole in memory)."""
    h, size = hashlib.sha256(), 0
    f.seek(0)
    while chunk := f.read(CHUNK):
        h.update(chunk)
        size += len(chunk)
    f.seek(0)
    return h.hexdigest(), size


def file_size(f) -> int:
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
        f.seek(0)
    return size


_PILLOW_FORMATS = {"image/jpeg": ["JPEG", "MPO"], "image/png": ["PNG"], "image/gif": ["GIF"]}


class UnreadableImage(Exception):
    """No size could be read from the header."""


class ImageTooLarge(Exception):
    """The header claims more pixels than Pillow itself would open."""


def image_dimensions(f, mime: str) -> tuple[int, int]:
    """(width, height) as the image's header states them, without decoding a pixel.

    Pillow reads only the header on open; it refuses a header past twice its own limit by itself
    (DecompressionBombError), which here means "too large" like any other oversized claim.
    HEIC (which Pillow cannot read) states its size in the mandatory ``ispe`` property boxes.
    UnreadableImage when no size can be read: an image we cannot measure is not accepted;
    ImageTooLarge past Pillow's own limit."""
    if mime == "image/heic":
        return _heic_dimensions(head(f, 256 * 1024))
    if mime == "image/webp":           # Pillow would read the whole file to open a WebP
        return _webp_dimensions(head(f, 64))
    from PIL import Image, UnidentifiedImageError
    f.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(f, formats=_PILLOW_FORMATS.get(mime)) as im:
                return im.size
    except Image.DecompressionBombError as exc:
        # Pillow saw more than 2 × MAX_IMAGE_PIXELS (~179 M); never a 500, always "too large".
        raise ImageTooLarge(str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImage(str(exc)) from exc
    finally:
        f.seek(0)


def _heic_dimensions(data: bytes) -> tuple[int, int]:
    best = None
    for m in re.finditer(rb"ispe", data):
        at = m.end() + 4                  # after the box's version and flags
        if at + 8 > len(data):
            break
        w, h = int.from_bytes(data[at:at + 4], "big"), int.from_bytes(data[at + 4:at + 8], "big")
        if best is None or w * h > best[0] * best[1]:
            best = (w, h)
    if best is None:
        raise UnreadableImage("no ispe box")
    return best


def _webp_dimensions(data: bytes) -> tuple[int, int]:
    """The canvas size from a WebP's first chunk (RIFF container, then VP8X, VP8 or VP8L)."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise UnreadableImage("no WebP size")


class UploadTooBig(RequestDataTooBig):
    """A file past the largest upload limit, stopped while it streams in (answered 413/400).
    ``user_message`` says which file and which limit: the error pages answer with it."""

    @property
    def user_message(self) -> str:
        return str(self.args[0]) if self.args else ""


def max_upload_bytes() -> int:
    return max(settings.GONGZHI_UPLOAD_LIMITS.values())


class CappedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive and stops the request
    once one file passes the largest limit of any kind, so a 5 GB "photo" is not written to disk
    in full before intake refuses it.  The chunks go on to Django's handlers (small files in
    memory, others to a temporary file)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        limit = max_upload_bytes()
        if self.received > limit:
            raise UploadTooBig(f"文件过大：「{self.file_name or '附件'}」超过上传上限 {limit / (1024 * 1024):g} MB")
        return raw_data

    def file_complete(self, file_size):
        return None


# ---- serving, after the caller's check ---------------------------------------------------------

def serve(stored, *, content_type: str, filename: str, as_attachment: bool) -> HttpResponse:
    """The answer for a stored file (a FieldFile) the caller has already decided may be read."""
    sender = FileSender(settings.GONGZHI_FILE_SENDER)
    if sender is FileSender.NGINX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(settings.GONGZHI_FILE_ACCEL_PREFIX.rstrip("/") + "/" + stored.name)
    elif sender is FileSender.SENDFILE:
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = stored.path
    else:
        try:
            handle = stored.open("rb")
        except FileNotFoundError as exc:   # the row outlived its file (a restore without media)
            raise Http404("文件不存在") from exc
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even a file that somehow passed the content check runs nothing when opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def serve_attachment(att) -> HttpResponse:
    return serve(att.file, content_type=att.mime, filename=f"附件{att.id}.{att.ext}", as_attachment=False)


def serve_document(doc) -> HttpResponse:
    return serve(doc.file, content_type=DOCX, filename=f"{doc.title}.docx", as_attachment=True)


# ---- the URLs the API hands out (checked views, never the storage) -----------------------------

def _api(name: str, **kwargs) -> str:
    from gongzhi.api.api import api
    return reverse(f"{api.urls_namespace}:{name}", kwargs=kwargs)


def attachment_url(event_id: int, attachment_id: int) -> str:
    return _api("event_attachment_file", event_id=event_id, attachment_id=attachment_id)


# The download operations in gongzhi/api/cases.py, by case kind (ninja names a URL after its view).
_DOCUMENT_VIEWS = {"mediation": "mediation_document", "legalaid": "aid_document"}


def document_url(kind: str, case_id: int, doc_id: int) -> str:
    return _api(_DOCUMENT_VIEWS[kind], case_id=case_id, doc_id=doc_id)


# ---- existing rows (data migrations) -----------------------------------------------------------

def move_to_random_names(model, prefix: str, at_field: str, ext_of) -> int:
    """Give every stored file of ``model`` (a historical model in a migration) a random name:
    copy it, point the row at the copy, and delete the old file only once the migration's
    transaction commits (a rolled-back migration leaves the rows and the old files as they were).
    A row whose file is missing keeps its name.  Returns how many files moved."""
    from django.core.files.storage import default_storage
    from django.db import transaction
    moved, old_names = 0, []
    for row in model.objects.exclude(file="").iterator():
        old = row.file.name
        if RANDOM_NAME.match(old) or not default_storage.exists(old):
            continue
        with default_storage.open(old, "rb") as f:
            new = default_storage.save(storage_name(prefix, ext_of(row), getattr(row, at_field)), f)
        model.objects.filter(pk=row.pk).update(file=new)
        old_names.append(old)
        moved += 1
    transaction.on_commit(lambda: [default_storage.delete(name) for name in old_names])
    return moved
