"""The 分拨台's search and its 台账 export (issue 17).

Search goes through the viewer's scope (events.selectors.event_list).  Looking a report up by its
reporter's phone or name is a read of personal data: each such search is written to the one
access log (core.audit), and it never finds an anonymous or 举报 report (domain.privacy:
``findable_by_person``): a handler must not learn who tipped them off by trying names.

The export is the event list itself, as the 台账 the centres file: written with openpyxl's
write-only workbook into a file (a large export never sits in memory as cells; only the columns
it writes are read, in chunks); every text cell is written as text (a title starting with "=" is
not a formula), phones masked, 举报 and anonymous reporters never named, and the export logged.
Whether it is written at once or by the worker, and the jobs: events.exports.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.domain import privacy
from gongzhi.domain.enums import CaseKind, EventKind, ExtensionState, SlaFlag, Status, SupervisionLevel

from . import selectors
from .models import Event, Extension

_PHONE_LIKE = re.compile(r"^\+?[\d\s-]{4,20}$")
LOGGED_HITS = 200          # access-log rows per search: one per event found, up to this many
EXPORT_LIMIT = 100_000     # rows per 台账 export; narrow the filters for more


@dataclass(frozen=True)
class Filters:
    status: str = ""
    kind: str = ""
    sla: str = ""
    area: str = ""
    q: str = ""            # 编号 or title
    who: str = ""          # the reporter's phone or name
    date_from: date | None = None
    date_to: date | None = None
    supervised: bool = False


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def searches_person(f: Filters) -> str:
    """'phone', 'name' or '' — what the ``who`` box searches by."""
    who = f.who.strip()
    if not who:
        return ""
    return "phone" if _PHONE_LIKE.match(who) else "name"


def _person_q(who: str, by: str) -> Q:
    if by == "phone":
        return Q(reporter_phone=re.sub(r"[\s-]", "", who))
    return Q(reporter_name=who)


def findable_q() -> Q:
    """The rows domain.privacy lets staff find by a reporter's data (``findable_by_person``: only
    Secrecy.NORMAL, i.e. what ``secrecy_of`` gives neither anonymous nor 举报), as SQL."""
    return Q(anonymous=False, confidential=False) & ~Q(kind=EventKind.TIP_OFF)


def search(user, f: Filters):
    """The desk's rows for these filters, in the viewer's scope, with the markers' annotations."""
    qs = selectors.event_list(user, status=f.status or None, kind=f.kind or None, sla=f.sla or None,
                              area=f.area or None, q=f.q.strip() or None)
    if f.supervised:
        qs = qs.exclude(supervision="")
    if f.date_from:
        qs = qs.filter(reported_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(reported_on__lte=f.date_to)
    if by := searches_person(f):
        qs = qs.filter(_person_q(f.who.strip(), by)).filter(findable_q())
    pending = Extension.objects.filter(event=OuterRef("pk"), state=ExtensionState.PENDING)
    return qs.annotate(pending_extension=Exists(pending))


def log_person_search(user, f: Filters, qs) -> None:
    """One access-log row per event a phone/name search found (the case it names), or one without a
    case when it found none: the search itself is what the log must show."""
    by = searches_person(f)
    if not by:
        return
    who = f.who.strip()
    shown = privacy.mask_phone(who) if by == "phone" else privacy.mask_name(who)
    what = "按报告人电话检索" if by == "phone" else "按报告人姓名检索"
    ids = list(qs.order_by().values_list("id", flat=True)[:LOGGED_HITS])
    for event_id in ids or [None]:
        audit.record(user, CaseKind.EVENT, event_id, what, reason=f"分拨台检索：{shown}")


def markers(ev: Event) -> dict:
    """What a desk row flags: sent back, an extension waiting, ever late, the 督办 level."""
    return {"returned": ev.returns > 0,
            "pending_extension": bool(getattr(ev, "pending_extension", False)),
            "overdue_history": ev.sla_flag == SlaFlag.RED or ev.signed_on_time is False
            or ev.resolved_on_time is False,
            "supervision": SupervisionLevel(ev.supervision).label if ev.supervision else ""}


# ---- 台账 export --------------------------------------------------------------------------------

COLUMNS = ["编号", "标题", "类型", "类别", "状态", "网格", "地址", "报告人", "联系电话", "上报时间",
           "处置单位", "时限状态", "督办", "退回次数", "延期待批", "曾超期"]


def _reporter(ev: Event) -> tuple[str, str]:
    """Name and phone as a 台账 may carry them: masked, and a secret reporter by pseudonym only."""
    sec = privacy.secrecy_of(ev.kind, anonymous=ev.anonymous, confidential=ev.confidential)
    if not privacy.findable_by_person(sec):
        return privacy.PSEUDONYMS[sec], ""
    return privacy.mask_name(ev.reporter_name), privacy.mask_phone(ev.reporter_phone)


def export_row(ev: Event) -> list:
    m = markers(ev)
    name, phone = _reporter(ev)
    local = timezone.localtime(ev.reported_at)
    return [ev.number, ev.title, EventKind(ev.kind).label, ev.category.name, Status(ev.status).label,
            ev.area.name, ev.address, name, phone, local.strftime("%Y-%m-%d %H:%M"),
            ev.handler_department.name if ev.handler_department_id else ev.handler_area.name,
            SlaFlag(ev.sla_flag).label, m["supervision"], ev.returns, "是" if m["pending_extension"] else "",
            "是" if m["overdue_history"] else ""]


# What export_row reads, and nothing else: a description or a template's fields never leave the
# database for a 台账 (a 20 000-row export reads a tenth of the bytes).
LEDGER_FIELDS = ("number", "title", "kind", "category__name", "status", "area__name", "address", "reporter_name",
                 "reporter_phone", "anonymous", "confidential", "reported_at", "handler_area__name",
                 "handler_department__name", "sla_flag", "supervision", "returns", "signed_on_time",
                 "resolved_on_time")
CHUNK = 2000               # rows fetched per round trip (a server-side cursor on PostgreSQL)


def ledger_rows(user, f: Filters):
    """The 台账's rows: the desk's list for these filters in the viewer's scope, newest first."""
    return search(user, f).only(*LEDGER_FIELDS).order_by("-reported_at", "-id")[:EXPORT_LIMIT]


def write_ledger(out, rows, *, every: int = 0, progress=None) -> int:
    """Write ``rows`` (events) as the 台账 into the binary file ``out``; returns how many.  Flat in
    memory whatever the size: rows are read in chunks and openpyxl's write-only sheet keeps them on
    disk (inline strings, no shared-string table).  ``progress(n)`` is called every ``every`` rows."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("事件台账")
    ws.append(COLUMNS)
    n = 0
    try:
        for ev in rows.iterator(chunk_size=CHUNK):
            ws.append([_as_text(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in export_row(ev)])
            n += 1
            if progress is not None and every and n % every == 0:
                progress(n)
    except BaseException:
        _discard(ws)
        raise
    wb.save(out)
    return n


def _as_text(ws, value: str):
    """Text stays text: openpyxl takes a string starting with "=" for a formula ("=1+1" in a title,
    or a =HYPERLINK(...) planted in one), so such a value goes as a cell typed text.  Only these:
    a cell object for every value costs openpyxl a third of the export's time."""
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _discard(ws) -> None:
    """An export stopped half way: end openpyxl's sheet stream (left open, it fails when collected)
    and remove the temporary file it writes rows to (openpyxl would keep it until the process ends)."""
    try:
        ws.close()
        ws._writer.cleanup()
    except Exception:                     # noqa: BLE001 — the export's own error is the one to report
        pass


def log_export(user, f: Filters, n: int) -> None:
    """An export is a read of every row's personal data (masked): one access-log row, and the
    person search it was filtered by, as the desk's own search logs it."""
    log_person_search(user, f, search(user, f))
    audit.record(user, CaseKind.EVENT, None, "导出事件台账", reason=f"{n} 件")


def export_file(user, f: Filters):
    """The 台账 as an open temporary file (rewound), and the number of rows written; logged."""
    out = tempfile.TemporaryFile()
    n = write_ledger(out, ledger_rows(user, f))
    out.seek(0)
    log_export(user, f, n)
    return out, n
