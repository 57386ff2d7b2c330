"""The 分拨台's search and its 台账 export (issue 17).

Search goes through the viewer's scope (events.selectors.event_list).  Looking a report up by its
reporter's phone or name is a read of personal data: each such search is written to the one
access log (core.audit), and it never finds an anonymous or 举报 report (domain.privacy:
``findable_by_person``): a handler must not learn who tipped them off by trying names.

The export is the event list itself, as the 台账 the centres file: written with openpyxl's
write-only workbook into a temporary file (a large export never sits in memory as cells), then
streamed out; every text cell is written as text (a title starting with "=" is not a formula),
phones masked, 举报 and anonymous reporters never named, and the export logged.
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


def export_file(user, f: Filters):
    """The 台账 as an open temporary file (rewound), and the number of rows written; logged."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("事件台账")
    ws.append(COLUMNS)
    n = 0
    qs = search(user, f).order_by("-reported_at", "-id")[:EXPORT_LIMIT]
    for ev in qs.iterator(chunk_size=2000):
        cells = []
        for value in export_row(ev):
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"      # text stays text: "=1+1" in a title is not a formula
            cells.append(cell)
        ws.append(cells)
        n += 1
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    log_person_search(user, f, search(user, f))
    audit.record(user, CaseKind.EVENT, None, "导出事件台账", reason=f"{n} 件")
    return out, n
