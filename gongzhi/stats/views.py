"""一屏知全城: the report page with drill-down, the big screen, and the Excel 台账 export."""
from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core import maps
from gongzhi.core.errors import NotFound
from gongzhi.core.replica import statistics_view
from gongzhi.domain.enums import OPEN_STATUSES, Level, SlaFlag
from gongzhi.events.models import Event
from gongzhi.gridwork.selectors import completion as duty_completion, completion_total as duty_total
from gongzhi.hotline.crosscheck import grid_teams, omission_counts, omissions as omission_rows
from gongzhi.patrols import coverage as patrol_coverage

from .casework import flagged_now, for_area
from .corrections import for_page as corrections_for
from .court import for_page as court_for, staff_only as court_staff_only, staff_page as court_staff_page
from .models import Daily
from .queries import BREAKDOWNS, Filters, filters_for, kpis, label_of, reader_paths, with_comparison
from .screen import screen_charts

RATE_COLUMNS = ["结案率", "按时签收率", "按时办结率", "退回率", "重办率", "回访率", "满意率", "平均办结工作日",
                "超期数"]
DIM_LABELS = {"area": "区域", "day": "日期", "week": "周", "month": "月", "category": "分类", "kind": "类型",
              "channel": "渠道", "unit": "处置单位"}
def _today() -> date:
    return timezone.localdate()


def _filters(request) -> Filters:
    try:
        return filters_for(request.user, request.GET, _today())
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@statistics_view
def report(request):
    if court_staff_only(request.user):     # 民事速裁 staff read their courts' figures, not an area's
        return court_staff_page(request)
    f = _filters(request)
    by = request.GET.get("by", "area" if f.area.level < Level.GRID else "day")
    if by not in BREAKDOWNS:
        by = "area"
    result = kpis(f, by=by)
    mediation, legalaid = for_area(f.area.path, f.start, f.end, by="type")
    return render(request, "stats/report.html", {
        "f": f, "by": by, "result": result, "dims": DIM_LABELS, "rate_columns": RATE_COLUMNS,
        "mediation": mediation, "legalaid": legalaid, "omissions": omission_counts(f.area, f.start, f.end),
        "cases_now": flagged_now(f.area.path),
        "corrections": corrections_for(request.user, f.area, f.start, f.end),   # None: not theirs to see
        "court": court_for(request.user, f.area, f.start, f.end),               # None: not theirs to see
        # 清单化: duty tasks due in the period, per grid (gridwork.selectors)
        "duty": _duty(f),
        "comparison": with_comparison(f, current=result.totals["reported"]), "crumbs": _crumbs(request.user, f.area),
        "query": request.GET.urlencode(), "child_level": f.area.level + 1})


def _duty(f: Filters) -> dict:
    """清单化 per grid in the period (gridwork.selectors), with each grid's patrol coverage this month
    so far (patrols.coverage: computed by the worker, never per view)."""
    grids = duty_completion(f.area, f.start, f.end)
    cover = patrol_coverage.of_month(f.area, _today())
    for r in grids:
        r["coverage"] = cover.get(r["grid"].pk)
    return {"total": duty_total(f.area, f.start, f.end), "grids": grids,
            "coverage": patrol_coverage.average(f.area, _today())}


def _crumbs(user, area: Area) -> list[Area]:
    """The way up from ``area`` as far as the viewer may read: a township's staff get no link to the
    county, which would answer 404 (issue 17)."""
    codes = [c for c in area.path.split("/") if c]
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    roots = reader_paths(user)
    return [found[c] for c in codes if c in found
            and (roots is None or any(found[c].path.startswith(r) for r in roots))]


@login_required
@statistics_view
def omissions(request):
    """应报未报: hotline orders about matters the grid had not reported first, with the evidence."""
    f = _filters(request)
    page = Paginator(omission_rows(f.area, f.start, f.end), 50).get_page(request.GET.get("page"))
    team = grid_teams([c.grid_id for c in page])
    for c in page:
        c.team = team.get(c.grid_id, [])
    return render(request, "stats/omissions.html", {"f": f, "page": page, "counts": omission_counts(
        f.area, f.start, f.end), "query_prefix": f"area={f.area.code}&start={f.start}&end={f.end}&"})


@login_required
@statistics_view
def screen(request):
    f = _filters(request)
    ctx = _screen_context(f, request.user)
    # The heat map's boundaries go out once with the page (stats/screen.js); the 30-second panel
    # carries only the numbers.
    ctx["heat_geo"] = maps.grid_features(ctx.pop("heat_grids"))
    return render(request, "stats/screen.html", ctx)


@login_required
@statistics_view
def screen_panel(request):
    """htmx: the screen's numbers, re-fetched every 30 s without reloading the page."""
    ctx = _screen_context(_filters(request), request.user)
    ctx.pop("heat_grids")
    return render(request, "stats/_screen_panel.html", ctx)


def _screen_context(f: Filters, user) -> dict:
    today = _today()
    week = kpis(f, by="area" if f.area.level < Level.GRID else "day")
    trend = kpis(Filters(today - timedelta(days=29), today, f.area), by="day")
    cats = kpis(Filters(f.start, f.end, f.area), by="category") if f.area.level <= Level.TOWNSHIP else None
    today_k = kpis(Filters(today, today, f.area))
    open_now = Event.objects.filter(area_path__startswith=f.area.path, status__in=[s.value for s in OPEN_STATUSES])
    overdue = (open_now.filter(sla_flag=SlaFlag.RED).select_related("category", "area")
               .order_by("due_at")[:8])
    per_grid = dict(Daily.objects.filter(level=Level.GRID, dim="", day__gte=f.start, day__lte=f.end,
                                         area__path__startswith=f.area.path)
                    .values_list("area_id").annotate(n=Sum("reported")).values_list("area_id", "n"))
    grids = Area.objects.filter(level=Level.GRID, path__startswith=f.area.path, geometry__isnull=False
                                ).select_related("parent")
    heat = maps.build(list(grids))
    top = max(per_grid.values(), default=0)
    if heat:
        by_code = {g.code: g.id for g in grids}
        for g in heat.grids:
            n = per_grid.get(by_code.get(g["code"]), 0)
            g["n"], g["heat"] = n, round(n / top, 3) if top else 0
    mediation, legalaid = for_area(f.area.path, f.start, f.end)
    return {
        "f": f, "week": week, "mediation": mediation["totals"], "legalaid": legalaid,
        "omissions": omission_counts(f.area, f.start, f.end), "trend": _line(trend.rows, "reported"),
        "trend_rows": trend.rows,
        "cats": _bars((cats.rows if cats else [])[:8], "reported"),
        "cats_height": 36 * len((cats.rows if cats else [])[:8]) + 10, "today": today_k.totals,
        "open_now": open_now.count(), "overdue_now": open_now.filter(sla_flag=SlaFlag.RED).count(),
        "cases_now": flagged_now(f.area.path),      # overdue dispute cases and legal-aid applications
        "corrections": corrections_for(user, f.area, f.start, f.end),   # counts only, for whom ADR 0016 says
        "duty": {"total": duty_total(f.area, f.start, f.end)},           # 清单任务 (gridwork.selectors)
        "patrol_coverage": patrol_coverage.average(f.area, today),       # this month, kept by the worker
        "overdue": [_wall_row(e) for e in overdue], "heat": heat,
        "comparison": with_comparison(f, current=week.totals["reported"]),
        "rate_columns": RATE_COLUMNS[:7], "refreshed": timezone.localtime(),
        "heat_grids": list(grids) if heat else [],
        "charts": screen_charts(trend.rows, (cats.rows if cats else [])[:8], heat),
    }


def _wall_row(ev: Event) -> dict:
    """An overdue event as the wall display in a public hall shows it: number, category and grid,
    for every event.  Never the title: it is the reporter's own words ("3栋201王某占道") and can
    name a person or a door on any kind, not only on a 举报 or 求助 (domain.privacy); the screen is
    there to show where work is late, and staff open the number on their own page."""
    return {"number": ev.number, "category": ev.category.name, "area": ev.area.name}


def _bars(rows: list[dict], key: str, width: float = 600, bar: float = 26) -> list[dict]:
    top = max((r[key] for r in rows), default=0) or 1
    return [{"label": r.get("label") or r["key"], "n": r[key], "y": i * (bar + 10), "w": round(width * r[key] / top, 1)}
            for i, r in enumerate(rows)]


def _line(rows: list[dict], key: str, width: float = 900, height: float = 220) -> dict:
    if not rows:
        return {"points": "", "max": 0, "labels": []}
    top = max(r[key] for r in rows) or 1
    step = width / max(1, len(rows) - 1)
    pts = " ".join(f"{i * step:.1f},{height - height * r[key] / top:.1f}" for i, r in enumerate(rows))
    labels = [{"x": round(i * step, 1), "text": r["key"][5:]} for i, r in enumerate(rows) if i % 7 == 0]
    return {"points": pts, "max": top, "labels": labels, "width": width, "height": height}


def _append(ws, values: list) -> None:
    """One row of the 台账.  Its names are admin data and its filter comes from the URL: text is
    mended first (openpyxl refuses control characters, and one stored in a name made the whole
    export a 500: gongzhi.domain.text.sanitize), and text starting with "=" stays text instead of
    becoming a formula in the reader's spreadsheet."""
    from gongzhi.domain.text import sanitize
    ws.append([sanitize(v) if isinstance(v, str) else v for v in values])
    for cell in (ws[ws.max_row] if values else ()):
        if cell.data_type == "f":
            cell.data_type = "s"


@login_required
@statistics_view
def export(request):
    """台账: the table on screen as .xlsx, with the filters written above it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    f = _filters(request)
    by = request.GET.get("by", "area")
    if by not in BREAKDOWNS:
        by = "area"
    result = kpis(f, by=by)
    wb = Workbook()
    ws = wb.active
    ws.title = "统计台账"
    _append(ws, ["共治 · 网格化服务管理统计台账"])
    ws["A1"].font = Font(bold=True, size=14)
    _append(ws, ["区域", f.area.name, "区域编码", f.area.code])
    _append(ws, ["统计期间", f.start.isoformat(), "至", f.end.isoformat()])
    chosen = f"{DIM_LABELS.get(f.dim, '')} {label_of(f.dim, f.key)}".strip()
    _append(ws, ["筛选", chosen or "无", "分组", DIM_LABELS[by]])
    _append(ws, ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"), "数据来源", result.source])
    _append(ws, [])
    header = [DIM_LABELS[by], "上报", "受理", "结案", *RATE_COLUMNS]
    _append(ws, header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in [*result.rows, {"label": "合计", **result.totals, "rates": result.rates}]:
        _append(ws, [r.get("label") or r.get("key"), r["reported"], r["accepted"], r["closed"],
                     *[r["rates"][c] for c in RATE_COLUMNS]])
    buf = BytesIO()
    wb.save(buf)
    name = f"gongzhi-{f.area.code}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.xlsx"
    resp = HttpResponse(buf.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
