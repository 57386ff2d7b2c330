"""Stored files: event attachments and case documents.

Nothing here decides who may read a file: the views do (``intake.attachment_for`` for an event's
attachments, ``casework.acts.document_for`` for a case's documents), then hand the row to
``serve_attachment`` / ``serve_document``.  There is no public media URL in any configuration
(config/urls.py serves none), and names on disk are random, so a leaked or guessed path gives
nothing either.

How they come in: the upload handler (CappedUploadHandler) writes nothing for a caller nobody is
signed in as and counts every file of a signed-in one against their quota; images are stored
re-saved without EXIF/XMP (``without_metadata``), never byte for byte.

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
import os
import re
import tempfile
import uuid
import warnings
from enum import StrEnum
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.base import File
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from gongzhi.domain.uploads import too_many_pixels

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


# One Pillow plugin per accepted type.  Not "MPO": Pillow 13 reads a multi-picture JPEG through
# its JPEG plugin and has no "MPO" opener of its own (OPEN["MPO"] is a KeyError).
_PILLOW_FORMATS = {"image/jpeg": ["JPEG"], "image/png": ["PNG"], "image/gif": ["GIF"]}


class UnreadableImage(Exception):
    """No size could be read from the header."""


class ImageTooLarge(Exception):
    """The header claims more pixels than Pillow itself would open (or, for an animation, its
    frames together hold more than the limit)."""


class MetadataKept(Exception):
    """The image carries metadata we cannot take out of it (an HEIC with Exif or XMP)."""


def image_dimensions(f, mime: str) -> tuple[int, int]:
    """(width, height) as the image's header states them, without decoding a pixel.

    Pillow reads only the header on open; it refuses a header past twice its own limit by itself
    (DecompressionBombError), which here means "too large" like any other oversized claim.
    HEIC (which Pillow cannot read) states its size in the mandatory ``ispe`` property boxes.
    UnreadableImage when no size can be read: an image we cannot measure is not accepted;
    ImageTooLarge past Pillow's own limit.  Whatever else goes wrong reading a header — a file cut
    short, a plugin's own bug — is UnreadableImage too: a broken upload is a 422, never a 500."""
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
    except Exception as exc:           # noqa: BLE001 — KeyError, struct.error, IndexError …: unreadable
        raise UnreadableImage(f"{type(exc).__name__}: {exc}") from exc
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


# ---- images without what identifies the reporter --------------------------------------------------
#
# A phone photo carries EXIF and XMP: GPS position (often the reporter's home), the phone's make
# and serial, the owner's name, the time, a thumbnail of the uncropped picture.  For a 举报 that
# names the reporter; for anyone it is personal data the platform has no use for.  So every image
# is stored re-saved from its pixels alone, whoever sent it and whatever the event: only what
# decides how it looks is kept (the orientation, applied to the pixels; the colour profile; a
# palette's transparency; JPEG's own quantisation tables, so quality does not drop).

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}


def without_metadata(f, mime: str, max_pixels: int) -> File:
    """The image in ``f`` re-saved in its own format with no metadata, as a new file (an HEIC
    without metadata: ``f`` itself).

    Decoding every pixel also proves the file whole: a JPEG cut short, or any file Pillow cannot
    decode, is UnreadableImage.  An animation (GIF, APNG, WebP) keeps its frames and timing; its
    frames together may hold at most ``max_pixels`` (ImageTooLarge: the same rule as a still's
    header, as every frame is held decoded).  HEIC, which Pillow can neither read nor write, is
    kept as sent only when it declares no Exif or XMP item (MetadataKept otherwise)."""
    if mime == "image/heic":
        found = heic_metadata(head(f, HEIC_SCAN_BYTES))
        if found:
            raise MetadataKept(", ".join(found))
        return f
    from PIL import Image
    fmt = _FORMATS[mime]
    lossless = _webp_lossless(f, fmt)
    out = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    f.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(f, formats=[fmt]) as im:
                # A multi-picture JPEG (MPO: a depth map, a second view) keeps its first picture,
                # the one every viewer shows; the others go with the metadata.
                frames = 1 if fmt == "JPEG" else getattr(im, "n_frames", 1)
                if too_many_pixels(im.width, im.height, max_pixels, frames=frames):
                    raise ImageTooLarge(f"{frames} × {im.width}×{im.height}")
                if frames > 1:
                    _save_animation(im, out, fmt, lossless=lossless)
                else:
                    _save_still(im, out, fmt, lossless=lossless)
    except (ImageTooLarge, UnreadableImage):
        out.close()
        raise
    except Image.DecompressionBombError as exc:
        out.close()
        raise ImageTooLarge(str(exc)) from exc
    except Exception as exc:           # noqa: BLE001 — truncated data, a broken chunk: unreadable
        out.close()
        raise UnreadableImage(f"{type(exc).__name__}: {exc}") from exc
    finally:
        f.seek(0)
    out.seek(0)
    return File(out, name=f"clean.{fmt.lower()}")


def _kept(im, fmt: str, *, lossless: bool) -> dict:
    """What the saved file needs from the original to look the same — nothing that describes it."""
    kept = {}
    if im.info.get("icc_profile"):
        kept["icc_profile"] = im.info["icc_profile"]
    if fmt == "JPEG":
        from PIL import JpegImagePlugin
        if getattr(im, "quantization", None):
            kept["qtables"] = im.quantization
        sampling = JpegImagePlugin.get_sampling(im) if im.mode == "RGB" else -1
        if sampling != -1:
            kept["subsampling"] = sampling
    elif fmt == "WEBP":
        kept.update({"lossless": True} if lossless else {"quality": 90})
    elif "transparency" in im.info and fmt in ("PNG", "GIF"):
        kept["transparency"] = im.info["transparency"]
    return kept


def _save_still(im, out, fmt: str, *, lossless: bool) -> None:
    from PIL import ImageOps
    im.load()                                  # every pixel decoded: a file cut short fails here
    kept = _kept(im, fmt, lossless=lossless)
    clean = ImageOps.exif_transpose(im)        # a copy, turned the way the camera meant it
    clean.info = {}                            # EXIF, XMP, comments, text chunks: none of it goes on
    clean.save(out, fmt, **kept)


def _save_animation(im, out, fmt: str, *, lossless: bool) -> None:
    from PIL import ImageOps, ImageSequence
    kept = _kept(im, fmt, lossless=lossless)
    kept.pop("transparency", None)             # frames come out composited, their alpha is in the pixels
    frames, durations = [], []
    for frame in ImageSequence.Iterator(im):
        durations.append(frame.info.get("duration", 100))
        one = ImageOps.exif_transpose(frame)
        one.info = {}
        frames.append(one)
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=durations,
                   loop=im.info.get("loop", 0), **kept)


def _webp_lossless(f, fmt: str) -> bool:
    """A lossless WebP (a screenshot, a drawing) stays lossless; a lossy one is saved at quality 90."""
    return fmt == "WEBP" and b"VP8L" in head(f, 4096)[12:]


# An HEIF file's item table sits in its ``meta`` box near the start; past this much, we cannot
# tell what it holds and refuse it as if it held metadata.
HEIC_SCAN_BYTES = 1024 * 1024
# Item types that are metadata, not pictures: Exif, and MIME items (XMP is application/rdf+xml).
_HEIC_METADATA = {b"Exif": "Exif", b"mime": "XMP/MIME", b"uri ": "URI"}


def _boxes(data: bytes, start: int, end: int):
    """(type, content start, box end) of the ISO-BMFF boxes between ``start`` and ``end``;
    UnreadableImage when a box runs past ``end`` (a file cut short, or past what was read)."""
    at = start
    while at + 8 <= end:
        size, kind, header = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8], 8
        if size == 1 and at + 16 <= end:
            size, header = int.from_bytes(data[at + 8:at + 16], "big"), 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise UnreadableImage(f"box {kind!r} runs past the data")
        yield kind, at + header, at + size
        at += size


def heic_metadata(data: bytes) -> list[str]:
    """The metadata items (Exif, XMP …) an HEIF file's item table (meta → iinf → infe) declares."""
    meta = next(((s, e) for kind, s, e in _boxes_until_short(data) if kind == b"meta"), None)
    if meta is None:
        raise MetadataKept("no item table within the first bytes")
    found = []
    start, end = meta
    for kind, s, e in _boxes(data, start + 4, end):          # meta is a full box: version, flags
        if kind != b"iinf":
            continue
        count_bytes = 2 if data[s] == 0 else 4
        for entry, cs, _ in _boxes(data, s + 4 + count_bytes, e):
            if entry != b"infe":
                continue
            version = data[cs]
            if version < 2:                 # an old-style entry names no type: cannot tell, refuse
                found.append("item")
                continue
            at = cs + 4 + (2 if version == 2 else 4) + 2         # item ID, protection index
            item_type = data[at:at + 4]
            if item_type in _HEIC_METADATA:
                found.append(_HEIC_METADATA[item_type])
    return found


def _boxes_until_short(data: bytes):
    """The top-level boxes that fit entirely in ``data``: the file goes on past what was read (its
    ``mdat`` with the pictures), and the ``meta`` box comes before it in every HEIC we know of."""
    at = 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        if size < 8 or at + size > len(data):
            return
        yield data[at + 4:at + 8], at + 8, at + size
        at += size


class UploadTooBig(RequestDataTooBig):
    """A file past the largest upload limit, stopped while it streams in (answered 413/400).
    ``user_message`` says which file and which limit: the error pages answer with it."""

    @property
    def user_message(self) -> str:
        return str(self.args[0]) if self.args else ""


def max_upload_bytes() -> int:
    return max(settings.GONGZHI_UPLOAD_LIMITS.values())


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

# The API's URL namespace: gongzhi.api.api names its NinjaAPI with it, so this module reverses the
# download operations without importing the API (core sits below it).
API_NAMESPACE = "api-1"


def _api(name: str, **kwargs) -> str:
    return reverse(f"{API_NAMESPACE}:{name}", kwargs=kwargs)


def attachment_url(event_id: int, attachment_id: int) -> str:
    return _api("event_attachment_file", event_id=event_id, attachment_id=attachment_id)


# The download operations in gongzhi/api/cases.py, by case kind (ninja names a URL after its view).
_DOCUMENT_VIEWS = {"mediation": "mediation_document", "legalaid": "aid_document",
                   "correction": "corr_document", "civil": "court_document"}


def document_url(kind: str, case_id: int, doc_id: int) -> str:
    return _api(_DOCUMENT_VIEWS[kind], case_id=case_id, doc_id=doc_id)


# ---- existing rows (data migrations) -----------------------------------------------------------

# Rows renamed per transaction: a city's worth of files is moved in many short transactions, each
# committed before the next batch starts, so a failure loses at most the batch it happened in.
MOVE_BATCH = 500


def move_to_random_names(model, prefix: str, at_field: str, ext_of) -> int:
    """Give every stored file of ``model`` (a historical model in a migration) a random name.

    The file is not copied: it gets its new name on the same volume (a hard link, or a rename
    where the file system has no hard links), and the old name goes only once the rows of its
    batch point at the new one and are committed.  So the run takes seconds, not hours, needs no
    second copy of the media, and a failure at any point leaves every row naming a file that
    exists: a failed batch takes its new names back, earlier batches stay done, and running the
    migration again carries on (names already random are skipped).  The migration must not be
    atomic itself (``atomic = False``): each batch is its own transaction.  A row whose file is
    missing keeps its name.  Returns how many files moved."""
    from django.core.files.storage import default_storage
    moved, last = 0, None
    while True:
        rows = model.objects.exclude(file="").order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows[:MOVE_BATCH])
        if not batch:
            return moved
        last = batch[-1].pk
        moved += _move_batch(model, batch, default_storage, prefix, at_field, ext_of)


def _move_batch(model, rows, storage, prefix: str, at_field: str, ext_of) -> int:
    from django.db import transaction
    done = []                              # (pk, old path, new path, new name, old name kept?)
    try:
        for row in rows:
            old = row.file.name
            if RANDOM_NAME.match(old) or not storage.exists(old):
                continue
            name = storage_name(prefix, ext_of(row), getattr(row, at_field))
            old_path, new_path = storage.path(old), storage.path(name)
            os.makedirs(os.path.dirname(new_path), exist_ok=True)
            done.append((row.pk, old_path, new_path, name, _second_name(old_path, new_path)))
        with transaction.atomic():
            for pk, *_, name, _linked in done:
                model.objects.filter(pk=pk).update(file=name)
    except BaseException:
        # Nothing of this batch was committed: every row still names its old file; put it back.
        for _pk, old_path, new_path, _name, linked in reversed(done):
            if linked:
                _remove(new_path)
            else:
                os.replace(new_path, old_path)
        raise
    # The guessable names go once the rows naming the new ones are committed: at once when the
    # migration runs as it should (not atomic), or at the end of an enclosing transaction — and
    # never if that one rolls back.
    olds = [old_path for _pk, old_path, _new, _name, linked in done if linked]

    def remove_olds() -> None:
        for path in olds:
            _remove(path)
    transaction.on_commit(remove_olds)
    return len(done)


def _second_name(old_path: str, new_path: str) -> bool:
    """Give the file its new name too: a hard link (True: both names work until the rows are
    committed), else a rename on the same volume (False: only the new one does, and a failure
    of the batch renames it back)."""
    from django.db import connection
    try:
        os.link(old_path, new_path)
        return True
    except OSError:
        if connection.in_atomic_block:
            # An enclosing transaction could still roll the rows back after the rename.
            raise RuntimeError("移动附件需要在事务之外运行（Migration.atomic = False）") from None
        os.replace(old_path, new_path)
        return False


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
