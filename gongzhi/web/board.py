"""督办台: what is late in the reader's scope — red and yellow events, dispute cases and legal-aid
applications — with counts per kind and flag, for supervisors and centre staff.

Each kind is read through its own scope (events.scope, mediation.scope, legalaid.scope), so the
board shows exactly what the reader may open; the rows name a category, a type or a matter, never
a reporter's or a party's words.  督办 itself is done on each page (the kinds' SUPERVISE operation).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.areas.models import Area
from gongzhi.core.scope import scope_of
from gongzhi.domain.enums import CENTRE_ROLES, OPEN_STATUSES, Role, SlaFlag, Status, SupervisionLevel
from gongzhi.domain.legalaid import AidClock, AidStatus, Matter
from gongzhi.domain.mediation import CaseStatus
from gongzhi.events.scope import visible_events
from gongzhi.legalaid.scope import visible_applications
from gongzhi.mediation.scope import visible_cases

BOARD_ROLES = CENTRE_ROLES | {Role.SUPERVISOR}
FLAGS = (SlaFlag.RED, SlaFlag.YELLOW)
PER_SECTION = 20        # rows per kind on the whole board; a kind on its own pages by 50


def may_read_board(user) -> bool:
    s = scope_of(user)
    return s.is_admin or bool(s.roles & BOARD_ROLES)


def _supervision(code: str) -> str:
    return SupervisionLevel(code).label if code else ""


def _event_row(ev) -> dict:
    return {"number": ev.number, "url": reverse("web:event", args=[ev.id]), "what": ev.category.name,
            "area": ev.area.name, "status": Status(ev.status).label, "flag": ev.sla_flag,
            "handler": ev.handler_department.name if ev.handler_department_id else ev.handler_area.name,
            "due_at": ev.due_at, "supervision": _supervision(ev.supervision)}


def _case_row(c) -> dict:
    return {"number": c.number, "url": reverse("web:case", kwargs={"kind": "mediation", "case_id": c.id}),
            "what": c.dispute_type.name, "area": c.area.name, "status": CaseStatus(c.status).label,
            "flag": c.sla_flag, "handler": c.organisation.name, "due_at": c.due_at,
            "supervision": _supervision(c.supervision)}


def _aid_row(a) -> dict:
    return {"number": a.number, "url": reverse("web:case", kwargs={"kind": "legalaid", "case_id": a.id}),
            "what": " · ".join(gettext(x) for x in (Matter(a.matter).label,
                                                    AidClock(a.clock).label if a.clock else "") if x),
            "area": a.area.name, "status": AidStatus(a.status).label, "flag": a.sla_flag,
            "handler": a.office.name, "due_at": a.due_at, "supervision": _supervision(a.supervision)}


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    rows: Callable[[object], QuerySet]     # the reader's flagged rows of the kind
    area: Callable[[str], Q]               # "in this area" for the kind's table
    row: Callable[[object], dict]
    related: tuple[str, ...]               # what a row names (loaded for the page's rows only)


KINDS = {k.key: k for k in [
    Kind("event", "事件",
         # An open event under 督办 stays on the board while green too: the leader's card is the point.
         # A flag is always a running clock's whose warning time has come (domain.sla.flag_at, the
         # writers' clock_columns), so "running and warned by now" names the flagged rows through
         # the evt_warn index and "under 督办" through evt_supervised: at ten million events the
         # board reads its ~2 % instead of every open event (ADR 0021; no index names sla_flag).
         lambda u: visible_events(u).filter(
             (~Q(clock="") & Q(warn_at__lte=timezone.now()) & Q(sla_flag__in=FLAGS)) | ~Q(supervision=""),
             status__in=[s.value for s in OPEN_STATUSES]),
         lambda path: Q(area_path__startswith=path), _event_row,
         ("category", "area", "handler_area", "handler_department")),
    # A stopped clock is green again (casework.clocks.STOPPED): a flag is always a running clock's.
    Kind("mediation", "调解案件",
         lambda u: visible_cases(u).filter(sla_flag__in=FLAGS),
         lambda path: Q(area_path__startswith=path), _case_row, ("dispute_type", "area", "organisation")),
    Kind("legalaid", "法律援助",
         lambda u: visible_applications(u).filter(sla_flag__in=FLAGS),
         lambda path: Q(area__path__startswith=path), _aid_row, ("area", "office")),
]}


def _ordered(qs: QuerySet) -> QuerySet:
    """Red before yellow, then the longest overdue (earliest due) first."""
    red_first = Case(When(sla_flag=SlaFlag.RED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(red_first=red_first).order_by("red_first", "due_at", "id")


def _counts(qs: QuerySet) -> dict:
    """Red, yellow, under 督办 and all: one pass over the kind's flagged rows."""
    return qs.order_by().aggregate(red=Count("id", filter=Q(sla_flag=SlaFlag.RED)),
                                   yellow=Count("id", filter=Q(sla_flag=SlaFlag.YELLOW)),
                                   supervised=Count("id", filter=~Q(supervision="")), total=Count("id"))


def _rows(k: Kind, qs: QuerySet) -> list[dict]:
    """The rows of one page: their ids picked and ordered on the kind's own table first, then those
    few loaded with their names — joining every flagged row to its areas before the sort read
    ~20,000 rows' polygons at ten million events (ADR 0021)."""
    ids = list(qs.values_list("id", flat=True))
    got = qs.model.objects.filter(pk__in=ids).select_related(*k.related).in_bulk() if ids else {}
    return [k.row(got[i]) for i in ids if i in got]


@login_required
def board(request):
    if not may_read_board(request.user):
        raise Http404("没有这个页面")
    f = {k: request.GET.get(k, "") for k in ("kind", "flag", "area")}
    f["kind"] = f["kind"] if f["kind"] in KINDS else ""
    f["flag"] = f["flag"] if f["flag"] in FLAGS else ""
    area = Area.objects.filter(code=f["area"]).first() if f["area"] else None
    unknown_area = bool(f["area"]) and area is None
    sections, counts = [], []
    for k in KINDS.values():
        qs = k.rows(request.user)
        if unknown_area:
            qs = qs.none()
        elif area is not None:
            qs = qs.filter(k.area(area.path))
        tally = _counts(qs)
        counts.append({"key": k.key, "title": k.title, **{x: tally[x] for x in ("red", "yellow", "supervised")}})
        if f["kind"] and f["kind"] != k.key:
            continue
        if f["flag"]:
            qs = qs.filter(sla_flag=f["flag"])
        if f["kind"]:
            page = Paginator(_ordered(qs), 50).get_page(request.GET.get("page"))
            sections.append({"key": k.key, "title": k.title, "rows": _rows(k, page.object_list), "page": page})
        else:
            total = tally[f["flag"]] if f["flag"] else tally["total"]
            rows = _rows(k, _ordered(qs)[:PER_SECTION])
            more = "?" + urlencode({**{x: v for x, v in f.items() if v}, "kind": k.key}) if total > len(rows) else ""
            sections.append({"key": k.key, "title": k.title, "rows": rows, "total": total, "more": more})
    totals = {x: sum(c[x] for c in counts) for x in ("red", "yellow", "supervised")}
    return render(request, "web/supervise.html", {
        "filters": f, "unknown_area": unknown_area, "counts": counts, "totals": totals, "sections": sections,
        "kinds": [(k.key, k.title) for k in KINDS.values()], "flags": [(x.value, x.label) for x in FLAGS],
        "query_prefix": "".join(urlencode({k: v}) + "&" for k, v in f.items() if v)})
