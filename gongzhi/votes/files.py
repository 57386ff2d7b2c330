"""A proposal's documents: judged by their bytes (PDF or an image), never by the name; images
re-saved without their metadata (core.files.without_metadata), as every photo in the system."""
from __future__ import annotations

import filetype
from django.conf import settings
from django.core.files.base import ContentFile

from gongzhi.core import files
from gongzhi.core.errors import Invalid

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_BYTES = 20 * 1024 * 1024


def check_document(content, filename: str = "") -> tuple[str, str, object]:
    """(mime, extension, the file to store) or Invalid."""
    f = ContentFile(content) if isinstance(content, (bytes, bytearray)) else content
    name = filename or "附件"
    start = files.head(f)
    guess = filetype.guess(start) if start else None
    if guess is None or guess.mime not in ALLOWED:
        raise Invalid(f"文件「{name}」的内容不是 PDF 或图片（检测为 {guess.mime if guess else '未知格式'}）",
                      fields={"file": "文件类型不允许"})
    if files.file_size(f) > MAX_BYTES:
        raise Invalid(f"文件「{name}」过大，上限 20 MB", fields={"file": "文件过大"})
    if guess.mime.startswith("image/"):
        try:
            f = files.without_metadata(f, guess.mime, settings.GONGZHI_IMAGE_MAX_PIXELS)
        except (files.ImageTooLarge, files.UnreadableImage, files.MetadataKept) as exc:
            raise Invalid(f"图片「{name}」无法读取或像素过多", fields={"file": "图片无法识别"}) from exc
    return guess.mime, ALLOWED[guess.mime], f
