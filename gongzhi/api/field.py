"""The field app's API (issue 20, offline first): one sync endpoint that takes each action the phone
queued while offline — a task done with photos (清单任务), a hazard reported with photos, a
patrol's start, its fixes and its end — once, by the key the phone gave it (patrols.sync), and the
state the phone caches for the day.

The api layer composes pillars: a completed task goes to gridwork, a report to events (through
patrols.field), patrol steps to patrols.  Each kind's payload is its pillar's own input model."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja import File, Form, Router, UploadedFile
from pydantic import Field, ValidationError

from gongzhi.core.errors import Forbidden, Invalid
from gongzhi.core.inputs import Input
from gongzhi.core.operations import field_errors, summary
from gongzhi.domain.enums import Channel
from gongzhi.domain.patrols import SyncKind
from gongzhi.events.intake import ReportInput, check_received_uploads
from gongzhi.gridwork import selectors as gsel, services as gsvc
from gongzhi.patrols import field as pfield, scope as pscope, selectors as psel, services as psvc, sync
from gongzhi.patrols.inputs import PatrolEndIn, PatrolStartIn, PointsIn

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut, 429: s.ErrorOut}
field = Router(tags=["离线巡查"])
KEY = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class TaskDoneIn(Input):
    task_id: int = Field(ge=1, title="任务")
    evidence: dict[str, Any] = Field(default_factory=dict, title="检查项与说明")
    lon: float | None = Field(None, ge=-180, le=180, title="经度")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    at: datetime | None = Field(None, title="完成时间（手机记录）")


class FieldReportIn(ReportInput):
    """A report from the field: the one report input, and the patrol it was found on."""
    patrol_key: str | None = Field(None, max_length=64, title="巡查的幂等键")


class SyncIn(Input):
    key: str = KEY
    kind: SyncKind


def _parse(model, payload: dict):
    try:
        return model(**payload)
    except ValidationError as exc:
        raise Invalid(summary(exc.errors()), fields=field_errors(exc.errors())) from exc


def _task_done(request, key: str, payload: dict, photos: list, now: datetime) -> dict:
    data = _parse(TaskDoneIn, payload)
    task = gsvc.task_complete(actor=request.user, task_id=data.task_id, evidence=data.evidence, photos=photos,
                              lon=data.lon, lat=data.lat, client_key=key, at=data.at)
    return {"task_id": task.pk, "status": str(task.status)}


def _report(request, key: str, payload: dict, photos: list, now: datetime) -> dict:
    # Reported on the grid worker's round (巡查上报), under the action's own key.
    payload = {**payload, "channel": Channel.GRID_PATROL, "client_key": key}
    data = _parse(FieldReportIn, payload)
    patrol_key = data.patrol_key
    report = ReportInput(**data.model_dump(exclude={"patrol_key"}))
    ev, _created = pfield.field_report(actor=request.user, data=report, photos=photos, patrol_key=patrol_key, at=now)
    return {"event_id": ev.pk, "number": ev.number}


def _patrol_start(request, key: str, payload: dict, photos: list, now: datetime) -> dict:
    data = _parse(PatrolStartIn, {"client_key": payload.get("patrol_key"), **payload})
    p, _ = psvc.patrol_start(actor=request.user, data=data, now=now)
    return {"patrol_id": p.pk, "number": p.number}


def _patrol_points(request, key: str, payload: dict, photos: list, now: datetime) -> dict:
    return psvc.patrol_points(actor=request.user, data=_parse(PointsIn, payload), now=now)


def _patrol_end(request, key: str, payload: dict, photos: list, now: datetime) -> dict:
    p = psvc.patrol_end(actor=request.user, data=_parse(PatrolEndIn, payload), now=now)
    return {"patrol_id": p.pk, "status": str(p.status), "coverage": p.coverage, "length_m": p.length_m}


RUN = {SyncKind.TASK_DONE: _task_done, SyncKind.REPORT: _report, SyncKind.PATROL_START: _patrol_start,
       SyncKind.PATROL_POINTS: _patrol_points, SyncKind.PATROL_END: _patrol_end}
WITH_PHOTOS = {SyncKind.TASK_DONE, SyncKind.REPORT}


@field.post("/sync", response={200: dict, **ERRORS}, summary="同步一条离线操作（按幂等键只执行一次）")
def field_sync(request, key: Form[str], kind: Form[str], payload: Form[str] = "{}",
               photos: File[list[UploadedFile]] = None):
    """``outcome`` is ``done`` or ``conflict`` (the server's state moved on: kept, shown to the
    worker); ``repeated`` says the key was answered before.  Bad input is a 4xx and is not kept."""
    check_received_uploads(request)
    head = _parse(SyncIn, {"key": key, "kind": kind})
    if not pscope.may_patrol(request.user):
        raise Forbidden("离线工作台仅供网格员使用")
    try:
        body = json.loads(payload or "{}")
    except ValueError as exc:
        raise Invalid("payload 不是有效的 JSON", fields={"payload": "格式错误"}) from exc
    if not isinstance(body, dict):
        raise Invalid("payload 应为 JSON 对象", fields={"payload": "格式错误"})
    photos = list(photos or [])
    if photos and head.kind not in WITH_PHOTOS:
        raise Invalid(f"{head.kind.label}不带照片", fields={"photos": "不接受照片"})
    digests = [_sha256(f) for f in photos]
    now = timezone.now()
    outcome, result, repeated = sync.once(
        actor=request.user, client_key=head.key, kind=head.kind, now=now,
        digest=sync.payload_hash(head.kind, body, digests),
        run=lambda: RUN[head.kind](request, head.key, body, photos, now))
    return {"key": head.key, "kind": head.kind.value, "outcome": outcome.value, "result": result,
            "repeated": repeated}


def _sha256(f) -> str:
    import hashlib
    h = hashlib.sha256()
    for chunk in f.chunks():
        h.update(chunk)
    f.seek(0)
    return h.hexdigest()


@field.get("/state", response={200: dict, **ERRORS}, summary="今日工作台（任务、进行中的巡查、冲突）")
def field_state(request):
    return state_of(request.user)


def state_of(user) -> dict:
    """What the phone caches for the day (the page renders the same)."""
    running = psel.running(user)
    return {"tasks": today_tasks(user), "patrol": psel.patrol_json(running) if running else None,
            "grids": [{"code": g.code, "name": g.name} for g in pscope.walker_grids(user)],
            "conflicts": [{"key": r.client_key, "kind": r.kind, "label": SyncKind(r.kind).label,
                           "message": r.result.get("message", ""), "at": r.created_at}
                          for r in sync.conflicts(user)]}


def today_tasks(user) -> list[dict]:
    """The worker's open 待办 (gridwork's today: overdue, due today, this week), as the phone lists
    them and caches them for a day without signal."""
    day = timezone.localdate()
    t = gsel.today(user, day)
    rows = t.overdue + t.due_today + t.this_week
    return [{"id": r["task"].pk, "duty": r["duty"].name, "label": r["label"], "due_on": r["task"].due_on,
             "overdue": r["task"].due_on < day, "needs_photo": r["duty"].needs_photo,
             "needs_gps": r["duty"].needs_gps, "checklist": list(r["duty"].checklist or []),
             "grid": r["task"].grid.name} for r in rows]


@field.get("/patrols", response={200: list[dict], **ERRORS}, summary="巡查记录（本人及管辖网格）")
def field_patrols(request):
    return [psel.patrol_json(p) for p in psel.patrols(request.user)]
