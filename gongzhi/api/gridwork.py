"""清单化 over JSON: a worker's 待办 and month, one task (its evidence rule, photos, timeline),
对账销号 (photos one by one, then the completion), carry-over, a finding as an event, the month's
generation for managers, task completion per grid, and the 量化考核 scorecards (JSON and .xlsx)."""
from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Router, Status, UploadedFile

from gongzhi.areas.models import Area
from gongzhi.core import files
from gongzhi.core.errors import Forbidden, Invalid, NotFound
from gongzhi.core.scope import scope_of
from gongzhi.domain import duties as dd
from gongzhi.domain.enums import Level
from gongzhi.gridwork import scope, scorecards as cards, selectors as sel, services as svc
from gongzhi.gridwork.inputs import CarryIn, CompleteIn, FindingIn, GenerateIn, WithdrawIn

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut, 429: s.ErrorOut}
gridwork = Router(tags=["清单化与量化考核"])


def task_json(row: dict) -> dict:
    t = row["task"]
    return {"id": t.id, "duty": t.duty.name, "duty_id": t.duty_id, "object_kind": t.object_kind,
            "object": row["label"], "grid": t.grid.code, "grid_name": t.grid.name, "status": t.status,
            "status_label": dd.TaskStatus(t.status).label, "due_on": t.due_on, "deadline": t.deadline,
            "sla_flag": t.sla_flag, "version": t.version, "done_at": t.done_at,
            "carried_from": t.carried_from_id,
            "evidence_rule": {"photo": t.duty.needs_photo, "gps": t.duty.needs_gps, "checklist": t.duty.checklist}}


def detail_json(user, task_id: int) -> dict:
    d = sel.detail(user, svc.load_task(user, task_id))
    t = d["task"]
    return {**task_json({"task": t, "label": d["label"]}), "evidence": t.evidence, "inside_grid": t.inside_grid,
            "actions": [str(a) for a in d["actions"]],
            "photos": [{"id": p.id, "url": f"/api/gridwork/tasks/{t.id}/photos/{p.id}", "sha256": p.sha256}
                       for p in d["photos"]],
            "findings": [{"event": f.event.number, "id": f.event_id} for f in d["findings"]],
            "successor": d["successor"].id if d["successor"] else None,
            "timeline": [{"at": r["at"], "action": r["action"], "label": r["label"], "actor": r["actor"],
                          "note": r["note"], "reason": r["reason"]} for r in d["timeline"]]}


def _month(value: str | None) -> tuple[int, int]:
    if not value:
        today = timezone.localdate()
        return today.year, today.month
    try:
        y, m = (int(x) for x in value.split("-"))
        date(y, m, 1)
        if not 2000 <= y <= 2100:
            raise ValueError(value)
    except ValueError as exc:
        raise Invalid("月份格式应为 YYYY-MM", fields={"month": "格式应为 YYYY-MM"}) from exc
    return y, m


@gridwork.get("/today", response={200: dict, **ERRORS}, summary="今日待办（清单任务）")
def gridwork_today(request):
    t = sel.today(request.user, timezone.localdate())
    return {"day": t.day, "done_today": t.done_today,
            **{k: [task_json(r) for r in getattr(t, k)] for k in ("overdue", "due_today", "this_week", "later")}}


@gridwork.get("/month", response={200: dict, **ERRORS}, summary="本人月度任务")
def gridwork_month(request, month: str | None = None):
    y, m = _month(month)
    data = sel.month(request.user, y, m)
    return {"first": data["first"], "last": data["last"], "totals": {str(k): v for k, v in data["totals"].items()},
            "days": [{"day": d["day"], "counts": {str(k): v for k, v in d["counts"].items()},
                      "tasks": [r["task"].id for r in d["rows"]]} for d in data["days"] if d["rows"]]}


@gridwork.get("/tasks/{task_id}", response={200: dict, **ERRORS}, summary="任务详情（证据、时间线）")
def gridwork_task(request, task_id: int):
    return detail_json(request.user, task_id)


@gridwork.post("/tasks/{task_id}/photos", response={201: dict, **ERRORS}, summary="上传任务照片")
def gridwork_photo(request, task_id: int, file: File[UploadedFile]):
    p = svc.task_add_photo(actor=request.user, task_id=task_id, content=file, filename=file.name or "")
    return Status(201, {"id": p.id, "sha256": p.sha256})


@gridwork.get("/tasks/{task_id}/photos/{photo_id}", response={200: None, **ERRORS}, summary="任务照片")
def gridwork_photo_file(request, task_id: int, photo_id: int):
    p = sel.photo_for(request.user, task_id, photo_id)
    return files.serve(p.file, content_type=p.mime, filename=f"photo-{p.id}.{p.ext}", as_attachment=False)


@gridwork.post("/tasks/{task_id}/complete", response={200: dict, **ERRORS}, summary="完成销号（幂等）")
def gridwork_complete(request, task_id: int, payload: CompleteIn):
    svc.task_complete(actor=request.user, task_id=task_id, evidence={"checked": payload.checked, "note": payload.note},
                      photos=[], lon=payload.lon, lat=payload.lat, client_key=payload.client_key, at=payload.at,
                      coord_system=payload.coord_system, version=payload.version)
    return detail_json(request.user, task_id)


@gridwork.post("/tasks/{task_id}/carry-over", response={200: dict, **ERRORS}, summary="结转（说明原因）")
def gridwork_carry(request, task_id: int, payload: CarryIn):
    new = svc.task_carry_over(actor=request.user, task_id=task_id, reason=payload.reason, due_on=payload.due_on,
                              client_key=payload.client_key, version=payload.version)
    return detail_json(request.user, new.id)


@gridwork.post("/tasks/{task_id}/withdraw", response={200: dict, **ERRORS}, summary="撤销任务（管理人员）")
def gridwork_withdraw(request, task_id: int, payload: WithdrawIn):
    svc.task_withdraw(actor=request.user, task_id=task_id, reason=payload.reason, version=payload.version)
    return detail_json(request.user, task_id)


@gridwork.post("/tasks/{task_id}/finding", response={200: dict, 201: dict, **ERRORS}, summary="发现问题上报（预填）")
def gridwork_finding(request, task_id: int, payload: FindingIn):
    ev, created = svc.task_report_finding(actor=request.user, task_id=task_id, description=payload.description,
                                          lon=payload.lon, lat=payload.lat, client_key=payload.client_key,
                                          category=payload.category, coord_system=payload.coord_system)
    return Status(201 if created else 200, {"event": ev.number, "id": ev.id})


@gridwork.post("/generate", response={200: dict, **ERRORS}, summary="生成本月清单任务（管理人员）")
def gridwork_generate(request, payload: GenerateIn):
    r = svc.generate_for(actor=request.user, year=payload.year, month=payload.month)
    return {"created": r.created, "reassigned": r.reassigned, "withdrawn": r.withdrawn}


def area_for(user, code: str | None) -> Area:
    """The area a reader asks about: one under their own (their first one by default)."""
    if not scope.may_read_all(user):
        raise Forbidden("只有综治中心、督查人员和管理员可以查看考核")
    s_ = scope_of(user)
    mine = [p for role, _i, p, _l in s_.areas if role in scope.READERS]
    qs = Area.objects.filter(code=code) if code else (
        Area.objects.filter(level=Level.COUNTY) if s_.is_admin else Area.objects.filter(path__in=mine))
    area = qs.order_by("path").first()
    if area is None or not (s_.is_admin or any(area.path.startswith(p) for p in mine)):
        raise NotFound("区域不存在或不在您的范围内")
    return area


@gridwork.get("/completion", response={200: dict, **ERRORS}, summary="各网格清单任务完成情况")
def gridwork_completion(request, month: str | None = None, area: str | None = None):
    y, m = _month(month)
    a = area_for(request.user, area)
    first, last = dd.month_days(y, m)
    return {"area": a.code, "total": sel.completion_total(a, first, last),
            "grids": [{**{k: v for k, v in r.items() if k not in ("grid", "grid_id")}, "grid": r["grid"].code,
                       "grid_name": r["grid"].name} for r in sel.completion(a, first, last)]}


def _card_json(c) -> dict:
    f = c.facts
    return {"name": c.name, "grids": c.grids, "rank": c.rank, "score": float(c.score) if c.score is not None else None,
            "notes": c.notes, "tasks_due": f.tasks_due, "tasks_on_time": f.tasks_on_time, "reports": f.reports,
            "hotline_checked": f.hotline_checked, "omitted": f.omitted, "events_handled": f.events_handled,
            "events_closed": f.events_closed, "revisited": f.revisited, "satisfied": f.satisfied,
            "coverage": float(f.coverage) if f.coverage is not None else None,
            **({"worker": c.key.username} if hasattr(c.key, "username") else {"grid": c.key.code})}


@gridwork.get("/scorecards", response={200: dict, **ERRORS}, summary="量化考核（网格员、网格）")
def gridwork_scorecards(request, month: str | None = None, area: str | None = None, by: str = "worker"):
    y, m = _month(month)
    a = area_for(request.user, area)
    rows = cards.grid_cards(a, y, m) if by == "grid" else cards.worker_cards(a, y, m)
    return {"area": a.code, "month": f"{y}-{m:02d}", "by": "grid" if by == "grid" else "worker",
            "min_sample": cards.min_sample(), "cards": [_card_json(c) for c in rows]}


@gridwork.get("/scorecards.xlsx", response={200: None, **ERRORS}, summary="下载考核表（Excel）")
def gridwork_scorecards_xlsx(request, month: str | None = None, area: str | None = None, by: str = "worker"):
    y, m = _month(month)
    a = area_for(request.user, area)
    rows = cards.grid_cards(a, y, m) if by == "grid" else cards.worker_cards(a, y, m)
    body = cards.xlsx(rows, f"{a.name} {y}年{m}月 网格{'' if by == 'grid' else '员'}量化考核表")
    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="kaohe-{a.code}-{y}{m:02d}.xlsx"'
    return resp


def _worker_in(user, a: Area, username: str):
    from django.contrib.auth import get_user_model

    from gongzhi.gridwork.models import Assignment
    w = get_user_model().objects.filter(username=username).first()
    if w is None or not Assignment.objects.filter(worker=w, grid__path__startswith=a.path).exists():
        raise NotFound("网格员不存在或不在您的范围内")
    return w


@gridwork.get("/scorecards/{username}/evidence", response={200: dict, **ERRORS}, summary="考核明细（证据）")
def gridwork_evidence(request, username: str, month: str | None = None, area: str | None = None):
    y, m = _month(month)
    a = area_for(request.user, area)
    ev = cards.evidence(request.user, _worker_in(request.user, a, username), y, m)
    return {"tasks": [task_json(r) for r in ev["tasks"]], "not_on_time": [r["task"].id for r in ev["not_on_time"]],
            "reports": ev["reports"],
            "omitted": [{"order": c.order.number, "reported_on": c.reported_on, "reason": c.reason}
                        for c in ev["omitted"]]}
