"""Reporting an event (every channel) and attaching files."""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NamedTuple

import filetype
import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationError

from gongzhi.areas.models import Area, Department, Place
from gongzhi.areas.selectors import grid_at
from gongzhi.core import audit, files
from gongzhi.core.errors import DOMAIN_ERRORS, Conflict, Forbidden, Invalid, NotFound, TooManyRequests, from_domain
from gongzhi.core.inputs import Input
from gongzhi.core.naming import actor_name
from gongzhi.core.operations import field_errors, summary
from gongzhi.core.rows import new_row
from gongzhi.core.scope import scope_of
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.coords import to_wgs84
from gongzhi.domain.enums import (
    Action,
    AttachmentKind,
    CaseKind,
    Channel,
    CoordSystem,
    EventKind,
    Level,
    Status,
    Urgency,
)
from gongzhi.domain.privacy import Secrecy, file_visibility, may_read, row_visibility, stays_confidential
from gongzhi.domain.routing import Facts, route
from gongzhi.domain.uploads import quota_wait, too_many_pixels

from . import rules, writes
from .models import Attachment, Category, Event, EventAction, UploadAttempt
from .scope import capacities, secrecy, viewer_of


def _not_a_flag(value):
    # pydantic's lax mode would read true/false as 1.0/0.0: a point on the equator is not a
    # location anyone meant.  Text of a number (a file's cell) still converts.
    if isinstance(value, bool):
        raise ValueError("应为数字")
    return value


def _not_a_number(value):
    # Lax pydantic would read 0 (or "0.5", as a query string brings it) as seconds since 1970: a
    # time arrives as ISO 8601 text, or as a datetime from a file's cell.
    if isinstance(value, (int, float)) or (isinstance(value, str) and _is_number(value)):
        raise ValueError("应为日期时间，如 2026-11-02T09:30:00+08:00")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def sane_moment(value: datetime) -> datetime:
    """An input time as the database can take it: aware (Shanghai when no offset is given), in
    UTC — PostgreSQL refuses offsets past ±15:59, which Python accepts up to ±23:59 — and within
    years anyone files a report in.  ValueError otherwise."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        value = None
    if value is None or not 1900 <= value.year <= 2200:
        raise ValueError("时间超出范围（1900–2200 年）")
    return value


Coordinate = Annotated[float, BeforeValidator(_not_a_flag)]
Moment = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(sane_moment)]


class ReportInput(Input):
    """The one report input.  The API takes it as its body (``api.api``), the report page is built
    from its fields (``web.forms.InputForm``: labels are the titles, help the descriptions, the
    limits, required fields and enum choices as declared here), and every other channel (Open311,
    12345, 拆单, the demo) builds one in Python: a bad value is the same ``Invalid`` with Chinese
    field messages whichever surface sent it, before anything is looked up."""
    kind: EventKind = Field(title="事件类型")
    category: str = Field(max_length=32, title="事件分类")                  # a category code
    # Stripped before it is counted: five spaces are no description.
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=5000)] = Field(
        title="问题描述", description="时间、地点、经过，越具体越好办理")
    title: str = Field("", max_length=120, title="标题")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    channel: Channel = Field(Channel.APP, title="来源渠道")
    address: str = Field("", max_length=200, title="地址", description="可在地图上点选位置，或直接填写地址")
    lon: Coordinate | None = Field(None, title="经度")
    lat: Coordinate | None = Field(None, title="纬度")
    coord_system: CoordSystem = Field(CoordSystem.WGS84, title="坐标系")
    grid: str | None = Field(None, max_length=32, title="所在网格", description="没有定位时请选择网格")
    fields: dict[str, Any] = Field(default_factory=dict, title="分类模板字段")
    reporter_name: str = Field("", max_length=64, title="报告人姓名")
    reporter_phone: str = Field("", max_length=20, title="联系电话")
    reporter_id_number: str = Field("", max_length=32, title="证件号")
    anonymous: bool = Field(False, title="匿名反映")
    client_key: str | None = Field(None, max_length=64, title="幂等键", description="重复提交返回同一事件")

    def __init__(self, /, **data):
        # Also what the API's validation calls (pydantic calls a model's own __init__): the
        # failure is the service's Invalid, so the API, the page and a Python caller (inside its
        # ServiceError handling) all read the same 422 {message, fields}.
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise Invalid(summary(exc.errors()), fields=field_errors(exc.errors())) from exc

    def digest(self) -> str:
        """The submission's fingerprint (_digest), as event_report stores it."""
        return _digest(vars(self))


def _digest(values: dict) -> str:
    """A submission's fingerprint, stored with its event: a repeat of the client key must carry
    the same submission.  SHA-256 of its values (vars(), not model_dump(): the one nested value,
    fields, is plain JSON already) as sorted-key JSON written by orjson — the stdlib's encoder
    took 4 µs, a twentieth of a report; what orjson refuses (a number past 64 bits in fields) the
    stdlib writes.  Events stored before this kept the stdlib's text: _same_submission accepts it."""
    try:
        return hashlib.sha256(orjson.dumps(values, default=str, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except orjson.JSONEncodeError:
        return _stdlib_digest(values)


def _stdlib_digest(values: dict) -> str:
    return hashlib.sha256(_DIGEST_JSON.encode(values).encode()).hexdigest()


# json.dumps(..., sort_keys=True, default=str) builds this encoder on every call; the text (and so
# every payload_hash stored with it) is the same.
_DIGEST_JSON = json.JSONEncoder(sort_keys=True, default=str)


def _check_template(category: Category, values: dict) -> dict:
    errors, clean = {}, {}
    for spec in category.template or []:
        name, label = spec["name"], spec.get("label", spec["name"])
        value = values.get(name)
        if value in (None, ""):
            if spec.get("required"):
                errors[f"fields.{name}"] = f"请填写「{label}」"
            continue
        kind = spec.get("type", "text")
        if kind == "number":
            try:
                value = float(value)
            except (TypeError, ValueError):
                errors[f"fields.{name}"] = f"「{label}」必须是数字"
                continue
        elif kind == "choice" and value not in spec.get("choices", []):
            errors[f"fields.{name}"] = f"「{label}」只能是：{'、'.join(spec.get('choices', []))}"
            continue
        elif kind == "date":
            try:
                datetime.strptime(str(value), "%Y-%m-%d")
            except ValueError:
                errors[f"fields.{name}"] = f"「{label}」日期格式应为 YYYY-MM-DD"
                continue
        elif kind == "text":
            # Stored as text whatever JSON scalar came (a plate number sent as a number, say).
            if isinstance(value, (dict, list)):
                errors[f"fields.{name}"] = f"「{label}」应填写文字"
                continue
            value = str(value).strip()
        clean[name] = value
    unknown = set(values) - {s["name"] for s in category.template or []}
    for name in unknown:
        errors[f"fields.{name}"] = f"分类「{category.name}」没有字段「{name}」"
    if errors:
        raise Invalid("模板字段填写有误", fields=errors)
    return clean


def _locate(data: ReportInput) -> tuple[Area, dict]:
    loc: dict = {}
    if data.lon is not None and data.lat is not None:
        lon, lat = to_wgs84(data.lon, data.lat, CoordSystem(data.coord_system))
        loc = {"lon": lon, "lat": lat, "orig_lon": data.lon, "orig_lat": data.lat, "orig_system": data.coord_system}
        grid = grid_at(lon, lat)
        if grid is None and not data.grid:
            raise Invalid("该位置不在本辖区任何网格内", fields={"lon": "位置不在辖区网格内"})
        if grid is not None:
            return grid, loc
    if data.grid:
        grid = Area.objects.filter(code=data.grid, level__in=(Level.GRID, Level.MICRO_GRID)).first()
        if grid is None:
            raise Invalid("网格编码不存在", fields={"grid": f"找不到网格 {data.grid}"})
        return grid, loc
    if data.address.strip():
        grid = _grid_by_address(data.address)
        if grid is not None:
            return grid, loc
        raise Invalid("未能根据地址确定所在网格，请在地图上选择位置或选择所在网格",
                      fields={"grid": "请选择所在网格", "address": "地址中没有可识别的标准地址"})
    raise Invalid("请在地图上选择位置或填写所在网格", fields={"lon": "缺少位置", "grid": "缺少网格"})


def _grid_by_address(address: str) -> Area | None:
    """A typed address with no pin and no grid chosen (no map, no JS): the longest 标准地址
    (areas.Place) named in it, when that place lies in one grid, or in an area with exactly one
    grid.  Never a guess among several grids: the resident is asked to pick one instead."""
    names = [p for p in Place.objects.select_related("area").exclude(area=None) if p.name and p.name in address]
    for place in sorted(names, key=lambda p: -len(p.name)):
        if place.area.level in (Level.GRID, Level.MICRO_GRID):
            return place.area
        grids = list(Area.objects.filter(path__startswith=place.area.path, level=Level.GRID)[:2])
        if len(grids) == 1:
            return grids[0]
    return None


def _handler(grid: Area, decision) -> tuple[Area, Department | None]:
    if decision.department_id:
        dept = Department.objects.select_related("area").get(pk=decision.department_id)
        return dept.area, dept
    area = grid.ancestor_at(decision.level) if decision.level < grid.level else grid
    if decision.department_kind:
        dept = Department.objects.filter(area=area, kind=decision.department_kind, active=True).first()
        if dept is not None:
            return area, dept
    return area, None


def _new_number(now: datetime) -> str:
    # The Shanghai date and eight random digits (strftime took a third of the time).
    day = now.astimezone(SHANGHAI)
    return f"{day.year:04d}{day.month:02d}{day.day:02d}{secrets.randbelow(10**8):08d}"


def event_report(*, actor, data: ReportInput, at: datetime | None = None) -> tuple[Event, bool]:
    """Create an event from any channel; returns (event, created).

    1. Validate category and template fields, place the point in its grid.
    2. Route by the rules and keep the reason; a 举报 hides its reporter.
    3. Insert; the same client key from the same user hits the unique constraint and returns the
       first event (idempotent); a different payload under that key is a conflict.
    """
    now = at or timezone.now()
    submitted = dict(vars(data))        # as sent: _prepare fills in the reporter's name
    digest = _digest(submitted)
    user = actor if actor is not None and actor.is_authenticated else None
    try:
        event, first = _prepare(user, data, digest, now)
    except Invalid:
        # A retry of a stored submission gets that event, even if a rule or grid changed since.
        existing = _submitted(user, data.client_key) if data.client_key and user is not None else None
        if existing is None:
            raise
        return _same_submission(existing, digest, submitted), False
    for _ in range(5):
        event.number = _new_number(now)
        if writes.insert_report(event, first):
            # The new event's related rows are known: a detail view needs no further query.
            event._prefetched_objects_cache = {"actions": [first], "co_handlers": [], "extensions": [],
                                               "attachments": []}
            return event, True
        if data.client_key and user is not None:
            existing = _submitted(user, data.client_key)
            if existing is not None:   # a repeat, or the same submission raced in from another request
                return _same_submission(existing, digest, submitted), False
        # otherwise the number collided: draw another
    raise Conflict("编号生成失败，请重试")


def _prepare(user, data: ReportInput, digest: str, now: datetime) -> tuple[Event, EventAction]:
    """Check category and template fields, locate and route a report; the unsaved event and its
    first timeline row.  The input checked its own fields (limits, control characters, the
    description's length) when it was built."""
    description = data.description
    category = rules.category(data.category)
    if category is None:
        raise Invalid("事件分类不存在或已停用", fields={"category": f"无效分类 {data.category}"})
    values = _check_template(category, data.fields or {})
    try:
        grid, loc = _locate(data)
        decision = _route((data.kind, category.path, data.urgency, grid.path, data.channel))
    except DOMAIN_ERRORS as exc:
        raise from_domain(exc) from exc
    handler_area, dept = _handler(grid, decision)
    staff = scope_of(user).is_staff_anywhere if user else False
    # The account that files a hotline order is not its caller; staff report for others, except on patrol.
    reporter = user if user is not None and data.channel != Channel.HOTLINE and (
        not staff or data.channel == Channel.GRID_PATROL) else None
    if reporter is not None and not data.reporter_name:
        profile = getattr(reporter, "profile", None)
        data.reporter_name = profile.display_name if profile else reporter.get_username()
        data.reporter_phone = data.reporter_phone or (profile.phone if profile else "")
    # new_row: Event(...) without the model's keyword path and descriptors (core.rows).
    event = new_row(
        Event, client_key=data.client_key if user else None, payload_hash=digest, created_by=user,
        kind=data.kind, category=category, urgency=data.urgency, channel=data.channel,
        title=(data.title or description[:30]).strip(), description=description, fields=values,
        address=data.address.strip(), area=grid, area_path=grid.path,
        reporter=reporter, anonymous=data.anonymous,
        reporter_name="" if data.anonymous else data.reporter_name.strip(),
        reporter_phone="" if data.anonymous else data.reporter_phone.strip(),
        reporter_id_number="" if data.anonymous else data.reporter_id_number.strip(),
        confidential=stays_confidential(data.kind, False),
        status=Status.REPORTED, handler_level=decision.level if not dept else dept.area.level,
        handler_area=handler_area, handler_department=dept,
        route_rule_id=decision.rule_id, route_reason=decision.reason, reported_at=now,
        reported_on=now.astimezone(SHANGHAI).date(), **loc)
    first = new_row(EventAction, action=Action.REPORT, actor=user, actor_name=actor_name(user), at=now,
                           visibility=row_visibility(Action.REPORT), by_subject=True,
                           to_status=Status.REPORTED, note=decision.reason, data={"channel": data.channel})
    return event, first


# (rule table, {facts: decision}): the table as events.rules loaded it, replaced whole when it
# reloads (at most every admindata.TTL seconds, or at once on an edit), so a decision is never
# read against another table than the one it was made from.
_routes: tuple = (None, {})


def _route(facts: tuple):
    """domain.routing.route for these facts (kind, category path, urgency, grid path, channel),
    remembered per rule table: sorting and matching the rules on every report was 3.5 µs, a
    fortieth of its instructions, for an answer that changes only with the table."""
    global _routes
    table = rules.routing_rules()
    memo = _routes
    if memo[0] is not table or len(memo[1]) >= 10_000:
        memo = _routes = (table, {})
    decision = memo[1].get(facts)
    if decision is None:
        decision = memo[1][facts] = route(table, Facts(*facts))
    return decision


def _submitted(user, client_key: str) -> Event | None:
    return Event.objects.filter(created_by=user, client_key=client_key).first()


def _same_submission(existing: Event, digest: str, submitted: dict) -> Event:
    if existing.payload_hash != digest and existing.payload_hash != _stdlib_digest(submitted):
        raise Conflict("该提交编号已用于另一份不同内容的上报", code="idempotency_mismatch")
    return existing


# Accepted content, detected from the bytes, never from the file name.
ALLOWED_MIME = {
    "image/jpeg": AttachmentKind.IMAGE, "image/png": AttachmentKind.IMAGE, "image/webp": AttachmentKind.IMAGE,
    "image/heic": AttachmentKind.IMAGE, "image/gif": AttachmentKind.IMAGE,
    "audio/mpeg": AttachmentKind.AUDIO, "audio/amr": AttachmentKind.AUDIO, "audio/x-wav": AttachmentKind.AUDIO,
    "audio/ogg": AttachmentKind.AUDIO, "audio/mp4": AttachmentKind.AUDIO, "audio/aac": AttachmentKind.AUDIO,
    "video/mp4": AttachmentKind.VIDEO, "video/quicktime": AttachmentKind.VIDEO, "video/webm": AttachmentKind.VIDEO,
}


class CheckedFile(NamedTuple):
    """An upload that passed check_attachment: what it is, and the bytes to store — for an image,
    a copy re-saved without its metadata (gongzhi.core.files.without_metadata), never the upload."""
    kind: AttachmentKind
    mime: str
    ext: str
    file: object


def check_attachment(content, filename: str = "") -> CheckedFile:
    """An upload judged by its bytes, its size and (images) the pixel count its header claims, then
    (images) decoded whole and re-saved without EXIF/XMP: GPS position, phone, owner — for every
    event, as a normal reporter's home position is personal data too.  Invalid otherwise.
    ``content`` is bytes or a file (an upload streamed to a temporary file): audio and video are
    read only for their first bytes; nothing is decoded before the header's pixel count passed."""
    f = _as_file(content)
    name = filename or "附件"
    start = files.head(f)
    kind_guess = filetype.guess(start) if start else None
    if kind_guess is None or kind_guess.mime not in ALLOWED_MIME:
        found = kind_guess.mime if kind_guess else "未知格式"
        raise Invalid(f"文件「{name}」的内容不是允许的图片、音频或视频（检测为 {found}）",
                      fields={"file": "文件类型不允许"})
    kind = ALLOWED_MIME[kind_guess.mime]
    limit, size = settings.GONGZHI_UPLOAD_LIMITS[kind], files.file_size(f)
    if size > limit:
        raise Invalid(f"文件过大：「{name}」{_size(size)}，{kind.label}上限 {_size(limit)}",
                      fields={"file": "文件过大"})
    if kind == AttachmentKind.IMAGE:
        _check_pixels(f, kind_guess.mime, name)
        f = _without_metadata(f, kind_guess.mime, name)
    return CheckedFile(kind, kind_guess.mime, kind_guess.extension, f)


def _as_file(content):
    return ContentFile(content) if isinstance(content, (bytes, bytearray)) else content


def _check_pixels(f, mime: str, name: str) -> None:
    """A pixel bomb (a small file whose header claims e.g. 30000×30000) is refused from its header,
    before anything decodes it (ours decodes only what passed, to re-save it; a browser or a
    thumbnailer would decode anything)."""
    limit = settings.GONGZHI_IMAGE_MAX_PIXELS
    try:
        width, height = files.image_dimensions(f, mime)
    except files.ImageTooLarge as exc:
        raise _too_many_pixels(name, "", limit) from exc
    except files.UnreadableImage as exc:
        raise Invalid(f"图片「{name}」无法读取尺寸，文件可能已损坏", fields={"file": "图片无法识别"}) from exc
    if too_many_pixels(width, height, limit):
        raise _too_many_pixels(name, f"{width}×{height}（{width * height // 10000} 万像素），", limit)


def _without_metadata(f, mime: str, name: str):
    limit = settings.GONGZHI_IMAGE_MAX_PIXELS
    try:
        return files.without_metadata(f, mime, limit)
    except files.ImageTooLarge as exc:          # an animation whose frames together pass the limit
        raise _too_many_pixels(name, "动图各帧合计", limit) from exc
    except files.UnreadableImage as exc:
        raise Invalid(f"图片「{name}」无法读取，文件可能已损坏或不完整", fields={"file": "图片无法识别"}) from exc
    except files.MetadataKept as exc:
        # Pillow can neither read nor write HEIC: its Exif (GPS, phone) cannot be taken out here.
        raise Invalid(f"HEIC 照片「{name}」带有拍摄信息（位置、设备等），系统无法去除，请转为 JPEG 后再上传"
                      "（iPhone：设置 → 相机 → 格式 → 兼容性最佳）",
                      fields={"file": "照片带有无法去除的拍摄信息"}, code="image_metadata") from exc


def _too_many_pixels(name: str, claimed: str, limit: int) -> Invalid:
    return Invalid(f"图片「{name}」像素过多：{claimed}上限 {limit // 10000} 万像素，请缩小后再上传",
                   fields={"file": "图片像素过多"}, code="too_many_pixels")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _duration(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600} 小时"
    if seconds >= 60:
        return f"{-(-seconds // 60)} 分钟"
    return f"{seconds} 秒"


def take_upload_slots(actor, count: int = 1, at: datetime | None = None) -> None:
    """Count ``count`` files against the user's quota — at most GONGZHI_UPLOAD_RATE_COUNT in any
    GONGZHI_UPLOAD_RATE_WINDOW seconds — or refuse them all: TooManyRequests (429, Retry-After).

    What is counted is every file sent (UploadAttempt), not the files stored: a file refused as
    too large or not an image cost the server as much to receive, so it uses up the quota too.
    Files arriving in a request are counted as they start (gongzhi.events.uploads.CappedUploadHandler);
    attachment_add counts the others.  One user's files are counted one request at a time (the
    user's row is the lock), so concurrent requests cannot slip past the limit together."""
    limit = settings.GONGZHI_UPLOAD_RATE_COUNT
    if limit <= 0 or actor is None or not actor.is_authenticated:
        return
    now, window = at or timezone.now(), timedelta(seconds=settings.GONGZHI_UPLOAD_RATE_WINDOW)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        UploadAttempt.objects.filter(user=actor, at__lte=now - window).delete()   # the table stays small
        recent = UploadAttempt.objects.filter(user=actor).values_list("at", flat=True)
        wait = quota_wait(recent, now, adding=count, limit=limit, window=window)
        if wait:
            raise TooManyRequests(
                f"上传过于频繁：每 {_duration(settings.GONGZHI_UPLOAD_RATE_WINDOW)}最多上传 {limit} 个文件，"
                f"请 {_duration(wait)}后再试", retry_after=wait, fields={"file": "上传过于频繁"})
        UploadAttempt.objects.bulk_create([UploadAttempt(user=actor, at=now) for _ in range(count)])


def check_received_uploads(request) -> None:
    """The quota's refusal of a file while this request arrived, if there was one (a page's form
    shows it with the 429; the API has answered it already): see events.uploads.CappedUploadHandler."""
    refused = getattr(request, "upload_refused", None)
    if refused is not None:
        raise refused


def attachment_add(*, actor, event: Event, content, filename: str = "",
                   at: datetime | None = None, action: Action | None = None,
                   counted: bool = False) -> Attachment:
    """Store one file (bytes, an upload already streamed to disk, or the CheckedFile that
    check_attachment made of it) under a random name; an image without its metadata.
    ``counted``: the file came in a request, and the upload handler counted it against the quota.
    ``action``: the timeline row the file comes with (the report, 办结, a note) — the actor's
    latest such row; the file takes its visibility (domain.privacy.file_visibility)."""
    if not capacities(actor, event):
        raise Forbidden("您无权为该事件上传附件")
    now = at or timezone.now()
    if not counted:
        take_upload_slots(actor, 1, now)      # before a byte is read, whatever becomes of the file
    checked = content if isinstance(content, CheckedFile) else check_attachment(_as_file(content), filename)
    kind, mime, ext, f = checked
    digest, size = files.sha256_of(f)         # of what is stored: the image re-saved, not the upload
    row = (EventAction.objects.filter(event=event, action=action, actor=actor).order_by("-id").first()
           if action else None)
    visibility = file_visibility(row.visibility if row else (row_visibility(action) if action else None),
                                 by_reporter=event.reporter_id is not None and event.reporter_id == actor.pk)
    att = Attachment(event=event, action=row, kind=kind, mime=mime, ext=ext, size=size,
                     sha256=digest, uploaded_by=actor, uploaded_at=now, visibility=visibility)
    att.file.save(f"upload.{ext}", f, save=False)     # the name is random (models._attachment_path)
    try:
        att.save()
    except BaseException:
        att.file.delete(save=False)
        raise
    return att


def attachment_for(*, actor, event_id: int, attachment_id: int) -> Attachment:
    """An attachment of an event the actor may see (NotFound otherwise, as for the event), and of
    a visibility they may read (a handler's note photo is not the reporter's: domain.privacy).  A
    read of a confidential event's file by anyone but its reporter is logged like an unmask."""
    from .services import load
    ev = load(actor, event_id)
    att = Attachment.objects.filter(event=ev, pk=attachment_id).first()
    if att is None or not may_read(att.visibility, viewer_of(actor, ev)):
        raise NotFound("附件不存在")
    if secrecy(ev) is Secrecy.CONFIDENTIAL and actor.pk not in (ev.reporter_id, ev.created_by_id):
        audit.record(actor, CaseKind.EVENT, ev.pk, "attachment", reason=f"查看附件 #{att.pk}")
    return att
