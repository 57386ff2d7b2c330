"""Every 清单化 use case, once (the API, the pages and the offline sync call these).

A duty task is a case kind on the one engine (``casework.acts``: scoped load → the table →
guarded UPDATE → CaseLog row).  ``generate`` makes a month's tasks from the duties, the dated grid
assignments and the registry (domain.duties), idempotently: a rerun creates what is missing, hands
an open task to the grid's new holder, and withdraws the open ones whose object left the list (a
house no longer 出租).  ``task_complete`` is 对账销号 with its evidence checked; a completion sent
again under its client key (the offline queue retrying) returns the task as it was closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from gongzhi.areas.models import Area
from gongzhi.casework.acts import CaseType, act
from gongzhi.casework.models import CaseLog
from gongzhi.core import admindata
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.core.naming import actor_name
from gongzhi.core.rows import insert_all
from gongzhi.domain import duties as dd
from gongzhi.domain.calendar import SHANGHAI, UnknownYear
from gongzhi.domain.enums import Action, AttachmentKind, CaseKind, Channel, CoordSystem, Level, SlaFlag
from gongzhi.domain.privacy import Viewer, row_visibility
from gongzhi.events import intake

from . import objects, scope
from .models import Assignment, Duty, Finding, Task, TaskPhoto

A, T = dd.TaskAction, dd.TaskStatus
MAX_PHOTOS = 6
# A completion done on the phone before its deadline but synced after the sweep marked it missed
# still counts (the server's state wins, except that the worker did it in time): within this long.
LATE_SYNC_HOURS = 72


def load_task(actor, task_id: int) -> Task:
    """The task if the actor may see it (scope.may_see: the same rule as scope.visible_tasks, on
    the one row read by its key); NotFound otherwise, as for a task that does not exist."""
    row = Task.objects.select_related("duty", "grid").filter(pk=task_id).order_by().first()
    if row is None or (actor is not None and not scope.may_see(actor, row)):
        raise NotFound("任务不存在或不在您的范围内")
    return row


def _viewer(user, task, caps) -> Viewer:
    return Viewer.HANDLER if caps else Viewer.STAFF


TASK = CaseType(CaseKind.DUTY_TASK, Task, T, dd.TRANSITIONS, load_task, scope.capacities, {}, frozenset(), _viewer,
                system_caps=frozenset({dd.Cap.SYSTEM}), clock_effects=dd.CLOCK_EFFECTS)
SYSTEM = {dd.Cap.SYSTEM}


def _today(at: datetime) -> date:
    return timezone.localtime(at, SHANGHAI).date()


# ---- generation ---------------------------------------------------------------------------------

@dataclass
class Generated:
    created: int = 0
    reassigned: int = 0
    withdrawn: int = 0

    def __str__(self) -> str:
        return f"清单任务：新生成 {self.created} 件，转交 {self.reassigned} 件，撤销 {self.withdrawn} 件"


def _grids(duty: Duty, only: list[int] | None) -> list[Area]:
    qs = Area.objects.filter(level__in=(Level.GRID, Level.MICRO_GRID))
    if duty.grid_kind:
        qs = qs.filter(grid_kind=duty.grid_kind)
    if only is not None:
        qs = qs.filter(pk__in=only)
    return list(qs.order_by("path"))


def _assignments(role: str, grid_ids: list[int]) -> list[dd.Assignment]:
    return [dd.Assignment(w, g, s, u) for w, g, s, u in Assignment.objects.filter(role=role, grid_id__in=grid_ids)
            .values_list("worker_id", "grid_id", "since", "until")]


def generate(*, year: int, month: int, grids: list[int] | None = None, at: datetime | None = None) -> Generated:
    """The month's tasks of every active duty (``grids``: only these).  Safe to rerun any day:
    tasks already there stay; an open task now due to another worker is handed over; an open one
    whose object left the list is withdrawn (not one already due: the sweep marks that missed)."""
    now = at or timezone.now()
    today = _today(now)
    cal = admindata.calendar()
    out = Generated()
    first, last = dd.month_days(year, month)
    for duty in Duty.objects.filter(active=True).order_by("id"):
        areas = _grids(duty, grids)
        ids = [a.pk for a in areas]
        rule = dd.Duty(duty.pk, dd.ObjectKind(duty.object_kind), dd.Frequency(duty.frequency), duty.workdays_only,
                       frozenset(duty.groups or ()))
        members = objects.members(rule.object_kind, ids, duty.role)
        try:
            specs = dd.generate(rule, ids, _assignments(duty.role, ids), members, cal, year, month)
        except UnknownYear as exc:
            raise Invalid(str(exc)) from exc
        _store(duty, specs, ids, first, last, today, now, out)
    return out


def _key(kind, object_id, grid, start) -> tuple:
    return (str(kind), int(object_id), int(grid), start)


def _store(duty: Duty, specs: list[dd.TaskSpec], grid_ids: list[int], first: date, last: date, today: date,
           now: datetime, out: Generated) -> None:
    existing = {_key(t.object_kind, t.object_id, t.grid_id, t.window_start): t for t in Task.objects.filter(
        duty=duty, grid_id__in=grid_ids, carried_from__isnull=True, window_end__gte=first, window_start__lte=last)}
    wanted = {_key(s.object_kind, s.object_id, s.grid, s.window_start): s for s in specs}
    freq = dd.Frequency(duty.frequency)
    new = [_new_task(duty, s, freq, now) for k, s in wanted.items() if k not in existing]
    with transaction.atomic():
        try:
            with transaction.atomic():
                Task.objects.bulk_create(new)
        except IntegrityError:
            # Another generator ran at the same time: add ours one by one, skipping theirs.
            new = [t for t in new if _save_once(t)]
        insert_all([_log(t, A.GENERATE, now, "", T.TODO, f"{dd.Frequency(duty.frequency).label}·截止 {t.due_on}")
                    for t in new])
    out.created += len(new)
    for k, task in existing.items():
        if task.status != T.TODO or task.due_on < today:
            continue
        spec = wanted.get(k)
        if spec is None:
            _withdraw(task, now, objects.left_reason(dd.ObjectKind(task.object_kind)))
            out.withdrawn += 1
        elif spec.worker != task.worker_id:
            _reassign(task, spec, now)
            out.reassigned += 1


def _save_once(t: Task) -> bool:
    try:
        with transaction.atomic():
            t.save()
        return True
    except IntegrityError:
        return False


def _new_task(duty: Duty, s: dd.TaskSpec, freq: dd.Frequency, now: datetime) -> Task:
    due, warn = dd.due_at(s.due_on), dd.warn_at(s.due_on, freq)
    return Task(duty=duty, worker_id=s.worker, grid_id=s.grid, object_kind=s.object_kind, object_id=s.object_id,
                window_start=s.window_start, window_end=s.window_end, due_on=s.due_on, status=T.TODO,
                clock=dd.TaskClock.DUE.value, due_at=due, warn_at=warn, deadline=due,
                sla_flag=SlaFlag.YELLOW if now >= warn else SlaFlag.GREEN, created_at=now, updated_at=now)


def _log(task: Task, action, at: datetime, before: str, after: str, note: str = "", actor=None,
         reason: str = "") -> CaseLog:
    return CaseLog(kind=CaseKind.DUTY_TASK, case_id=task.pk, action=action, label=action.label, actor=actor,
                   actor_name=actor_name(actor), at=at, from_status=before, to_status=after, note=note, reason=reason,
                   visibility=row_visibility(action, {}))


def _withdraw(task: Task, now: datetime, reason: str) -> None:
    try:
        act(TASK, None, task.pk, A.WITHDRAW, reason=reason, at=now, system_caps=SYSTEM, mutate=_stop)
    except Conflict:
        pass        # closed meanwhile (done, carried over): nothing to withdraw


def _reassign(task: Task, spec: dd.TaskSpec, now: datetime) -> None:
    """The grid changed hands: the open task goes to its new holder, by its new due day."""
    due = dd.due_at(spec.due_on)

    def mutate(t, _now):
        return {"worker_id": spec.worker, "due_on": spec.due_on, "due_at": due, "deadline": due,
                "warn_at": dd.warn_at(spec.due_on, dd.Frequency(t.duty.frequency))}
    try:
        act(TASK, None, task.pk, A.REASSIGN, at=now, system_caps=SYSTEM, mutate=mutate,
            note="网格任职变更，任务转交新的责任网格员", data={"from": task.worker_id, "to": spec.worker})
    except Conflict:
        pass


def _stop(task, now) -> dict:
    return {"clock": "", "warn_at": None, "sla_flag": SlaFlag.GREEN}


def generate_for(*, actor, year: int, month: int) -> Generated:
    """A manager (re)generates the month for the grids under their areas (the system does it for
    all of them every day: ``gongzhi duty_tasks``)."""
    from gongzhi.core.scope import scope_of
    if not scope.may_manage(actor):
        raise Forbidden("只有社区、街道（乡镇）、区综治中心或管理员可以生成清单任务")
    s_ = scope_of(actor)
    grids = None
    if not s_.is_admin:
        paths = [p for role, _i, p, _l in s_.areas if role in scope.CENTRE_ROLES]
        grids = list(Area.objects.filter(scope._under(paths, "path"), level__in=(Level.GRID, Level.MICRO_GRID))
                     .values_list("id", flat=True))
    return generate(year=year, month=month, grids=grids)


# ---- 对账销号 ------------------------------------------------------------------------------------

def inside_grid(grid: Area, lon: float | None, lat: float | None) -> bool | None:
    """Whether the point (WGS-84) lies in the grid's polygon (its edge counts as inside); None
    without a point.  A grid nobody drew a boundary for cannot refuse anyone: True."""
    if lon is None or lat is None:
        return None
    if not grid.geometry:
        return True
    return bool(shape(grid.geometry).covers(Point(lon, lat)))


def _checked_photos(actor, photos: list, now: datetime, counted: bool = False) -> list:
    """Each photo checked by content (an image, re-saved without its metadata); counted against the
    upload quota unless the request's upload handler counted it as it arrived (``counted``)."""
    if len(photos) > MAX_PHOTOS:
        raise Invalid(f"每个任务最多上传 {MAX_PHOTOS} 张照片", fields={"photos": "照片过多"})
    if photos and not counted:
        intake.take_upload_slots(actor, len(photos), now)
    out = []
    for i, p in enumerate(photos):
        content, name = (p, f"照片{i + 1}") if not isinstance(p, tuple) else p
        checked = intake.check_attachment(content, name)
        if checked.kind != AttachmentKind.IMAGE:
            raise Invalid(f"「{name}」不是图片：任务证据只收照片", fields={"photos": "只收照片"})
        out.append(checked)
    return out


def _store_photos(task: Task, actor, checked: list, now: datetime) -> None:
    from gongzhi.core import files
    for c in checked:
        digest, size = files.sha256_of(c.file)
        if TaskPhoto.objects.filter(task=task, sha256=digest).exists():
            continue          # the same photo sent again (a retried sync)
        row = TaskPhoto(task=task, mime=c.mime, ext=c.ext, size=size, sha256=digest, uploaded_by=actor,
                        uploaded_at=now)
        row.file.save(f"photo.{c.ext}", c.file, save=False)
        row.save()


def task_add_photo(*, actor, task_id: int, content, filename: str = "") -> TaskPhoto:
    """One photo of a task's evidence, before its 销号 (the API sends photos one by one)."""
    task = load_task(actor, task_id)
    if dd.Cap.WORKER not in scope.capacities(actor, task) or task.status != T.TODO:
        raise Conflict("只能为自己的待办任务上传照片", code="not_open")
    if task.photos.count() >= MAX_PHOTOS:
        raise Invalid(f"每个任务最多上传 {MAX_PHOTOS} 张照片", fields={"file": "照片过多"})
    now = timezone.now()
    checked = _checked_photos(actor, [(content, filename or "照片")], now)
    _store_photos(task, actor, checked, now)
    return task.photos.order_by("-id").first()


def _moment(at: datetime | None, now: datetime) -> datetime:
    """When the worker did it: the phone's time for a queued action, never in the future."""
    if at is None:
        return now
    if timezone.is_naive(at):
        raise Invalid("时间须带时区", fields={"at": "时间须带时区"})
    return min(at, now)


def task_complete(*, actor, task_id: int, evidence: dict, photos: list, lon: float | None, lat: float | None,
                  client_key: str, at: datetime | None = None, coord_system: CoordSystem = CoordSystem.WGS84,
                  version: int | None = None, counted: bool = False) -> Task:
    """销号 with evidence (``evidence``: {"checked": [items ticked], "note": "..."}; ``photos``: bytes,
    files or (content, name)).  Checked against the duty's rule: a photo when required (those
    sent now and before), GPS inside the grid, the checklist complete.  Idempotent by
    ``client_key``: the same completion again returns the task; another one on a closed task is a
    409 that says what became of it."""
    now = timezone.now()
    done_at = _moment(at, now)
    task = load_task(actor, task_id)
    if client_key and task.done_key == client_key and task.status == T.DONE:
        return task
    if dd.Cap.WORKER not in scope.capacities(actor, task):
        raise Forbidden("只有该任务的责任网格员可以销号")
    from gongzhi.core.errors import DOMAIN_ERRORS, from_domain
    from gongzhi.domain.coords import to_wgs84
    if lon is not None and lat is not None:
        try:
            lon, lat = to_wgs84(lon, lat, coord_system)
        except DOMAIN_ERRORS as exc:           # a point no phone reports (out of range)
            raise from_domain(exc) from exc
    checked = evidence.get("checked") or []
    if not isinstance(checked, list) or not all(isinstance(x, str) for x in checked):
        raise Invalid("检查项格式不正确", fields={"checked": "检查项应为文字列表"})
    note = str(evidence.get("note") or "")[:500]
    inside = inside_grid(task.grid, lon, lat)
    stored = task.photos.count()
    problems = dd.evidence_problems(task.duty.evidence_rule,
                                    dd.Evidence(stored + len(photos), inside, frozenset(checked)))
    if problems:
        raise Invalid("；".join(problems), fields={"evidence": problems[0]})
    files_ok = _checked_photos(actor, photos, now, counted)
    action_at = done_at

    def mutate(t, _now):
        if t.status == T.MISSED and not dd.late_sync_ok(done_at, t.deadline, now, LATE_SYNC_HOURS):
            raise Conflict("该任务已逾期，系统已记为未完成", code="task_missed")
        return {"done_at": done_at, "done_key": client_key or "", "lon": lon, "lat": lat, "inside_grid": inside,
                "evidence": {"checked": [c for c in checked if c in t.duty.checklist], "note": note},
                **_stop(t, _now)}

    def after(t, _now):
        _store_photos(t, actor, files_ok, now)
    try:
        return act(TASK, actor, task.pk, A.COMPLETE, note=note, version=version, at=action_at, mutate=mutate,
                   after=after, data={"inside_grid": inside, "photos": len(files_ok), "synced_at": now.isoformat()})
    except Conflict:
        again = Task.objects.filter(pk=task.pk).first()
        if again is not None and client_key and again.done_key == client_key and again.status == T.DONE:
            return again            # the same completion raced in from a retried sync
        raise


def task_carry_over(*, actor, task_id: int, reason: str, due_on: date | None = None, client_key: str = "",
                    at: datetime | None = None, version: int | None = None) -> Task:
    """结转 with a reason: this task closes as carried over and a new one for the same object is due
    by ``due_on`` (default and latest: the duty's carry-over limit in working days from today).
    Returns the new task; the same carry-over sent again returns it too."""
    now = timezone.now()
    moment = _moment(at, now)
    task = load_task(actor, task_id)
    successor = Task.objects.filter(carried_from=task).first()
    if successor is not None and client_key and task.done_key == client_key:
        return successor
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("结转须说明原因", fields={"reason": "请填写结转原因"})
    latest = dd.carry_due(admindata.calendar(), _today(moment), task.duty.carry_workdays)
    new_due = due_on or latest
    if new_due > latest or new_due <= _today(moment):
        raise Invalid(f"结转后的完成日期须在 {_today(moment)} 之后、不晚于 {latest}",
                      fields={"due_on": "日期超出结转期限"})
    made: list[Task] = []

    def after(t, _now):
        freq = dd.Frequency(t.duty.frequency)
        spec = dd.TaskSpec(t.duty_id, t.worker_id, t.grid_id, dd.ObjectKind(t.object_kind), t.object_id,
                           t.window_start, t.window_end, new_due)
        n = _new_task(t.duty, spec, freq, now)
        n.carried_from = t
        n.save()
        CaseLog.objects.create(**_log_fields(n, A.GENERATE, now, T.TODO, f"由任务 #{t.pk} 结转：{reason}"))
        made.append(n)

    try:
        act(TASK, actor, task.pk, A.CARRY_OVER, reason=reason, version=version, at=moment, after=after,
            mutate=lambda t, _n: {"done_key": client_key or "", **_stop(t, _n)}, data={"due_on": new_due.isoformat()})
    except Conflict:
        successor = Task.objects.filter(carried_from=task).first()
        if successor is not None and client_key and Task.objects.filter(pk=task.pk, done_key=client_key).exists():
            return successor
        raise
    return made[0]


def _log_fields(task: Task, action, at: datetime, after: str, note: str) -> dict:
    return {"kind": CaseKind.DUTY_TASK, "case_id": task.pk, "action": action, "label": action.label, "actor": None,
            "actor_name": actor_name(None), "at": at, "from_status": "", "to_status": after, "note": note,
            "visibility": row_visibility(action, {})}


def task_report_finding(*, actor, task_id: int, description: str, photos: list | None = None,
                        lon: float | None = None, lat: float | None = None, client_key: str = "",
                        category: str | None = None, at: datetime | None = None,
                        coord_system: CoordSystem = CoordSystem.WGS84, counted: bool = False):
    """A problem found during a task becomes an event in one tap: the report pre-filled from the
    task (``finding_report``) goes through the events intake like any grid report; the task's
    timeline names it.  Returns (event, created); the same client key again returns that event."""
    task = load_task(actor, task_id)
    if dd.Cap.WORKER not in scope.capacities(actor, task):
        raise NotFound("任务不存在或不在您的范围内")
    data = finding_report(task, description=description, lon=lon, lat=lat, client_key=client_key,
                          category=category, coord_system=coord_system)
    now = timezone.now()
    event, created = intake.event_report(actor=actor, data=data, at=_moment(at, now))
    if not created:
        return event, False
    for i, p in enumerate(photos or []):
        content, name = (p, f"照片{i + 1}") if not isinstance(p, tuple) else p
        intake.attachment_add(actor=actor, event=event, content=content, filename=name, action=Action.REPORT,
                              counted=counted)

    def after(t, _now):
        Finding.objects.create(task=t, event=event, created_at=_now)
        objects.link(actor, dd.ObjectKind(t.object_kind), t.object_id, event.pk)
    act(TASK, actor, task.pk, A.REPORT_FINDING, note=f"事件 {event.number}", data={"event": event.number},
        after=after)
    return event, True


def finding_report(task: Task, *, description: str, lon=None, lat=None, client_key: str = "",
                   category: str | None = None, coord_system: CoordSystem = CoordSystem.WGS84):
    """The report a finding makes, pre-filled: the duty's category, the object's address, the grid."""
    from gongzhi.events import rules
    code = category or task.duty.finding_category
    cat = rules.category(code)
    if cat is None:
        raise Invalid("事件分类不存在或已停用", fields={"category": f"无效分类 {code}"})
    label = objects.label(dd.ObjectKind(task.object_kind), task.object_id, full=True)
    try:
        return intake.ReportInput(
            kind=cat.default_kind or "hazard", category=code, description=description,
            title=f"{task.duty.name}发现问题：{label}"[:120], channel=Channel.GRID_PATROL,
            address=objects.address(dd.ObjectKind(task.object_kind), task.object_id, task.grid),
            lon=lon, lat=lat, coord_system=coord_system, grid=None if lon is not None else task.grid.code,
            client_key=client_key or None)
    except ValueError as exc:
        raise Invalid("上报内容不完整：问题描述至少 5 个字", fields={"description": "至少 5 个字"}) from exc


def task_withdraw(*, actor, task_id: int, reason: str, version: int | None = None) -> Task:
    """A manager withdraws a task that should not have been asked (the object no longer exists)."""
    return act(TASK, actor, task_id, A.WITHDRAW, reason=reason, version=version, mutate=_stop)
