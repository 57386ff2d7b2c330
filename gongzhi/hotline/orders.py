"""12345 hotline orders in (file import and push) and results back out ("网线合一").

Every order becomes an event through the events intake (``events.intake.event_report``) on the
hotline channel, filed by one system account ("12345") with the order number as its client key.
That makes imports safe to repeat: an order already imported with the same content is
"unchanged"; one whose content changed since is refused with a reason (the centre decides, nothing
is overwritten silently). Every row of a file ends up counted as created, unchanged or rejected —
with the reason — never dropped.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pydantic import Field, ValidationError

from gongzhi.core.errors import ServiceError
from gongzhi.core.inputs import Input
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import Channel, EventKind, Status
from gongzhi.domain.text import sanitize
from gongzhi.events.intake import Coordinate, Moment, ReportInput, event_report
from gongzhi.events.models import Category, Event

SYSTEM_USERNAME = "12345"
# Hotline kinds (国办 2022) and the words order systems use for them.
KIND_WORDS = {"咨询": EventKind.CONSULT, "求助": EventKind.HELP, "非紧急求助": EventKind.HELP,
              "投诉": EventKind.COMPLAINT, "举报": EventKind.TIP_OFF, "建议": EventKind.SUGGESTION,
              "意见建议": EventKind.SUGGESTION, **{k.value: k for k in EventKind}}
# Our field → the column header in a typical 12345 export; override with a mapping.
DEFAULT_MAP = {"number": "工单编号", "called_at": "来电时间", "caller_name": "来电人", "phone": "联系电话",
               "kind": "诉求类型", "category": "诉求分类", "content": "诉求内容", "address": "事发地址",
               "lon": "经度", "lat": "纬度", "grid": "网格编码"}
REQUIRED = ("number", "kind", "category", "content")


class Order(Input):
    """One hotline order: a file row after column mapping, or one item of a push."""
    number: str = Field(min_length=1, max_length=40)
    kind: str
    category: str
    content: str
    called_at: Moment | None = None
    caller_name: str = ""
    phone: str = ""
    address: str = ""
    lon: Coordinate | None = None
    lat: Coordinate | None = None
    grid: str = ""


@dataclass
class Outcome:
    status: str                 # created | unchanged | rejected
    number: str
    event: Event | None = None
    reason: str = ""


@dataclass
class Report:
    total: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


class FileError(Exception):
    """The file as a whole cannot be read (not Excel/CSV, missing columns)."""


def system_user():
    user, _ = get_user_model().objects.get_or_create(username=SYSTEM_USERNAME, defaults={"is_active": True})
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _category(value: str) -> Category | None:
    value = value.strip()
    return (Category.objects.filter(code=value, active=True).first()
            or Category.objects.filter(name=value, active=True).first())


def import_order(order: Order, *, user=None) -> Outcome:
    """One order → one event (or the reason it cannot be one)."""
    user = user or system_user()
    number = (order.number or "").strip()
    if not number:
        return Outcome("rejected", "", reason="缺少工单编号")
    kind = KIND_WORDS.get((order.kind or "").strip())
    if kind is None:
        return Outcome("rejected", number, reason=f"诉求类型「{order.kind}」无法识别（应为咨询/求助/投诉/举报/建议）")
    category = _category(order.category or "")
    if category is None:
        return Outcome("rejected", number, reason=f"诉求分类「{order.category}」不存在")
    if (order.lon is None or order.lat is None) and not order.grid:
        return Outcome("rejected", number, reason="缺少坐标或网格编码，无法确定属地")
    key = f"12345-{number}"
    existed = Event.objects.filter(created_by=user, client_key=key).exists()
    try:       # the input validates as it is built: a too-short order is a rejected row, not a crash
        data = ReportInput(kind=kind, category=category.code, description=order.content or "",
                           channel=Channel.HOTLINE, address=order.address or "", lon=order.lon, lat=order.lat,
                           grid=order.grid or None, reporter_name=order.caller_name or "",
                           reporter_phone=order.phone or "", client_key=key)
        event, created = event_report(actor=user, data=data, at=order.called_at)
    except ServiceError as exc:
        if exc.code == "idempotency_mismatch":
            return Outcome("rejected", number, reason="该工单已导入，但内容与此前不同：请核对后在系统中更正")
        detail = "；".join(f"{k}：{v}" for k, v in exc.fields.items()) if exc.fields else ""
        return Outcome("rejected", number, reason=exc.message + (f"（{detail}）" if detail else ""))
    return Outcome("created" if created and not existed else "unchanged", number, event)


# ---- files ---------------------------------------------------------------------------------------

def _rows(path: Path) -> tuple[list[str], list[list]]:
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":                       # .xlsx is a zip, whatever its name says
        from openpyxl import load_workbook
        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
        except Exception as exc:                         # openpyxl raises many kinds for a broken file
            raise FileError(f"Excel 文件已损坏或不是 .xlsx：{exc}") from exc
    else:
        for enc in ("utf-8-sig", "gb18030"):             # 12345 systems often export GBK
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FileError("无法识别文件编码（支持 UTF-8、GBK/GB18030 的 CSV 与 .xlsx）")
        # A binary file (UTF-16, a legacy .xls) decodes into text full of NULs; a stray NUL or
        # control character in one row is that row's fault, refused with its reason below.
        if text.count("\x00") > max(2, len(text) // 100):
            raise FileError("文件不是 CSV 或 .xlsx")
        rows = [r for r in csv.reader(io.StringIO(text))]
    if not rows:
        raise FileError("文件是空的")
    header = [str(h or "").strip() for h in rows[0]]
    return header, rows[1:]


def _value(raw, kind: str):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if kind == "float":
        return float(raw)
    if kind == "datetime":
        if isinstance(raw, datetime):
            return raw if timezone.is_aware(raw) else raw.replace(tzinfo=SHANGHAI)
        dt = parse_datetime(str(raw).strip().replace("/", "-"))
        if dt is None:
            raise ValueError(f"时间「{raw}」格式不正确")
        return dt if timezone.is_aware(dt) else dt.replace(tzinfo=SHANGHAI)
    return str(raw).strip()


TYPES = {"lon": "float", "lat": "float", "called_at": "datetime"}


def import_file(path: str | Path, mapping: dict | None = None, progress=None) -> Report:
    mapping = {**DEFAULT_MAP, **(mapping or {})}
    header, rows = _rows(Path(path))
    missing = [f"{mapping[f]}（{f}）" for f in REQUIRED if mapping[f] not in header]
    if missing:
        raise FileError(f"缺少必需的列：{'、'.join(missing)}；文件中的列为：{'、'.join(h for h in header if h)}")
    index = {f: header.index(col) for f, col in mapping.items() if col in header}
    report = Report()
    user = system_user()
    for n, row in enumerate(rows, start=2):                 # row 1 is the header
        if progress:
            progress(1)
        if not any(c not in (None, "") and str(c).strip() for c in row):
            continue                                          # blank rows are not orders
        report.total += 1
        try:
            values = {f: _value(row[i] if i < len(row) else None, TYPES.get(f, "str")) for f, i in index.items()}
        except ValueError as exc:
            report.outcomes.append(Outcome("rejected", str(row[index["number"]] or ""), reason=f"第 {n} 行：{exc}"))
            continue
        try:
            order = Order(**{k: (v if v is not None else ("" if k not in TYPES else None)) for k, v in values.items()})
        except ValidationError as exc:
            report.outcomes.append(Outcome("rejected", str(values.get("number") or ""),
                                           reason=f"第 {n} 行：{_why(exc, mapping)}"))
            continue
        outcome = import_order(order, user=user)
        if outcome.status == "rejected":
            outcome.reason = f"第 {n} 行：{outcome.reason}"
        report.outcomes.append(outcome)
    return report


def _why(exc: ValidationError, mapping: dict) -> str:
    """A row's validation errors in its file's words: "诉求内容含有不允许的控制字符（U+000B），请删除后重试"."""
    from gongzhi.core.operations import field_errors
    out = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err.get("loc") else ""
        if name == "number" and err.get("type") in ("missing", "string_too_short"):
            out.append("缺少工单编号")
            continue
        msg = field_errors([err]).get(name) or "格式不正确"
        out.append(f"{mapping.get(name, name)}{msg}" if msg.startswith("含有") else f"{mapping.get(name, name)}：{msg}")
    return "；".join(out) or "格式不正确"


def _csv_cell(value: str) -> str:
    """A cell of the rejected-rows file, as people open it (in Excel): mended text (the number of
    a row refused for a control character may hold one), and no leading = + - @ that the
    spreadsheet would run as a formula."""
    value = sanitize(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def write_rejected(report: Report, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["工单编号", "原因"])
        for o in report.outcomes:
            if o.status == "rejected":
                w.writerow([_csv_cell(o.number), _csv_cell(o.reason)])


# ---- results back out ----------------------------------------------------------------------------

def feedback(since: datetime | None = None, limit: int = 1000) -> list[dict]:
    """Hotline orders whose handling moved since ``since``: status, answer, satisfaction.

    A partner surface of domain.privacy: the 12345 system reads back the orders it sent, with the
    answer written for its caller — not the handler's own 办理结果 (internal) and no reporter."""
    qs = Event.objects.filter(channel=Channel.HOTLINE, client_key__startswith="12345-").order_by("updated_at", "id")
    if since:
        qs = qs.filter(updated_at__gt=since)
    return [{"order_number": e.client_key[len("12345-"):], "event_number": e.number, "status": e.status,
             "status_label": Status(e.status).label, "answer": e.answer,
             "satisfaction": e.satisfaction, "answered_at": e.answered_at, "closed_at": e.closed_at,
             "updated_at": e.updated_at} for e in qs[:limit]]
