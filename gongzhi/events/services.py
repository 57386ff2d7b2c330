"""Every step of the closed loop after the report: one typed function per use case.

All of them go through :func:`_act`, which
1. loads the event the actor can see (404 otherwise — existence is not leaked),
2. asks the domain transition table (status, capacity, reason),
3. writes with an UPDATE guarded by the version read, so two concurrent actions cannot
   both win (the loser gets a 409 and retries with fresh data),
4. appends the timeline record in the same transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from gongzhi.areas.models import Area, Department
from gongzhi.core import audit
from gongzhi.core.batch import act_many
from gongzhi.core.engine import Kind, act
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.core.scope import scope_of
from gongzhi.domain import privacy
from gongzhi.domain.calendar import UnknownYear
from gongzhi.domain.enums import (
    Action,
    CaseKind,
    Clock,
    CoHandlerRole,
    EventKind,
    ExtensionState,
    Level,
    Status,
    SupervisionLevel,
    Urgency,
)
from gongzhi.domain.privacy import EVENT_ROW_VISIBILITY
from gongzhi.domain.residents import ReopenLimit, ReopenRefusal, reopen_refusal
from gongzhi.domain.routing import Facts, Moved, escalation_reason, escalation_target, skip_target
from gongzhi.domain.sla import Deadline
from gongzhi.domain.supervision import raised
from gongzhi.domain.workflow import CLOCK_EFFECTS, FOLLOW, TRANSITIONS, Capacity

from . import clocks, rules
from .models import CoHandler, Event, EventAction, Extension, Supervision
from .scope import capacities, secrecy, viewer_of, visible_events

Changes = dict
Mutator = Callable[[Event, datetime], Changes]


def load(actor, event_id: int, prefetch: tuple[str, ...] = ()) -> Event:
    ev = (visible_events(actor).select_related("category", "area", "handler_area", "handler_department")
          .prefetch_related(*prefetch).filter(pk=event_id).order_by().first())
    if ev is None:
        raise NotFound("事件不存在或不在您的管辖范围内")
    return ev


def _load_system(event_id: int) -> Event:
    return Event.objects.select_related("category", "area", "handler_area").get(pk=event_id)


# Events as a kind of case on the one engine (core.engine): the closed-loop table, the privacy
# table of its timeline rows, the reporter as the subject.
EVENT = Kind(noun="事件", model=Event, statuses=Status, table=TRANSITIONS, rows=EVENT_ROW_VISIBILITY,
             load=load, load_system=_load_system, capacities=capacities, system_caps=frozenset({Capacity.SYSTEM}),
             subject_id=lambda ev: ev.reporter_id, timeline=lambda ev, **row: EventAction(event=ev, **row),
             clock_effects=CLOCK_EFFECTS)


def _act(actor, event_id: int, action: Action, *, reason: str = "", note: str = "", at: datetime | None = None,
         version: int | None = None, mutate: Mutator | None = None, data: dict | None = None,
         system: bool = False, after: Callable[[Event, datetime], None] | None = None,
         table: dict | None = None) -> Event:
    row = {} if data is None else data          # the same dict: a mutate may add to it (越级's rule)

    def placed(ev: Event, now: datetime) -> Changes:
        changes = mutate(ev, now) if mutate else {}
        row.update(moved_to(changes))
        return changes
    return act(EVENT, actor, event_id, action, reason=reason, note=note, at=at, version=version, mutate=placed,
               data=row, system=system, after=after, table=table)


def _pk(value) -> int | None:
    return getattr(value, "pk", value)


def moved_to(changes: Changes) -> dict:
    """What a row records of where its action sent the event (``to_area``, ``to_department``: ids),
    when the action moved it: who held it then is the row's, not the event's present holder — a
    fan-out read after a later move tells the team a 派遣 went to, not the one holding it now."""
    if "handler_area" not in changes and "handler_department" not in changes:
        return {}
    return {"to_area": _pk(changes.get("handler_area")), "to_department": _pk(changes.get("handler_department"))}


def _centre_area(actor, ev: Event) -> Area | None:
    """The actor's most local centre area containing the event (who accepted or dispatched)."""
    s = scope_of(actor)
    best = max((a for a in s.areas if ev.area_path.startswith(a[2])), key=lambda a: a[3], default=None)
    return Area.objects.get(pk=best[1]) if best else ev.area.ancestor_at(Level.COMMUNITY)


# ---- intake desk -------------------------------------------------------------------------------

def event_accept(*, actor, event_id: int, note: str = "", version: int | None = None,
                 at: datetime | None = None) -> Event:
    def mutate(ev, now):
        sign = clocks.deadline(ev, Clock.SIGN, now, ev.handler_level)
        return {"accepted_at": now, "dispatcher_area": _centre_area(actor, ev), **clocks.running(Clock.SIGN, sign, now)}
    return _act(actor, event_id, Action.ACCEPT, note=note, at=at, version=version, mutate=mutate)


def event_reject(*, actor, event_id: int, reason: str, version: int | None = None,
                 at: datetime | None = None) -> Event:
    return _act(actor, event_id, Action.REJECT, reason=reason, at=at, version=version,
                mutate=lambda ev, now: {"closed_at": now, "answer": reason, **clocks.stopped()})


def _dispatch_target(actor, ev: Event, area_code: str | None, department_code: str | None):
    """Validate a chosen handler: it must lie in the dispatcher's area and cover the event."""
    if department_code:
        dept = Department.objects.select_related("area").filter(code=department_code, active=True).first()
        if dept is None:
            raise Invalid("处置部门不存在", fields={"department": f"找不到部门 {department_code}"})
        area = dept.area
    elif area_code:
        dept = None
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            raise Invalid("处置区域不存在", fields={"area": f"找不到区域 {area_code}"})
        if not ev.area_path.startswith(area.path):
            raise Invalid("处置区域必须包含事件所在网格", fields={"area": "区域与事件位置不符"})
    else:
        return ev.handler_area, ev.handler_department
    s = scope_of(actor)
    if not s.is_admin and not any(area.path.startswith(p) or p.startswith(area.path) for _, _, p, _ in s.areas):
        raise Forbidden("只能派遣给本辖区内的网格、社区或部门")
    return area, dept


def event_dispatch(*, actor, event_id: int, area_code: str | None = None, department_code: str | None = None,
                   note: str = "", version: int | None = None, at: datetime | None = None) -> Event:
    def mutate(ev, now):
        area, dept = _dispatch_target(actor, ev, area_code, department_code)
        level = area.level
        changes = {"handler_area": area, "handler_department": dept, "handler_level": level,
                   "dispatcher_area": _centre_area(actor, ev), "dispatched_at": ev.dispatched_at or now}
        if area_code or department_code:
            # A target picked by hand replaces the rule's: 分拨依据 must say why it is where it is.
            why = f"人工分拨 → {dept.name if dept else area.name}" + (f"：{note}" if note else "")
            changes.update(route_reason=why[:300], route_rule_id=None)
        fresh = clocks.start_handling(ev, now, level, now)
        if ev.handle_started_at is not None:
            # The 办理 limit belongs to the order, not to each dispatch leg: keep it running.
            fresh = {k: v for k, v in fresh.items() if not k.startswith("handle") and k != "extension_workdays"}
        return {**changes, **fresh}
    return _act(actor, event_id, Action.DISPATCH, note=note, at=at, version=version, mutate=mutate,
                data={"area": area_code, "department": department_code})


# ---- the handling unit -------------------------------------------------------------------------

def _handle_clock(ev: Event, now: datetime) -> Changes:
    d = Deadline(ev.handle_due_at, ev.handle_warn_at, ev.handle_limit_workdays or 0)
    return clocks.running(Clock.HANDLE, d, now)


def event_sign(*, actor, event_id: int, version: int | None = None, at: datetime | None = None) -> Event:
    def mutate(ev, now):
        return {"signed_at": now, "signed_on_time": now <= ev.sign_due_at if ev.sign_due_at else None,
                **_handle_clock(ev, now)}
    return _act(actor, event_id, Action.SIGN, at=at, version=version, mutate=mutate)


def event_return(*, actor, event_id: int, reason: str, version: int | None = None,
                 at: datetime | None = None) -> Event:
    def mutate(ev, now):
        back = ev.dispatcher_area or ev.area.ancestor_at(Level.COMMUNITY)
        sign = clocks.deadline(ev, Clock.SIGN, now, back.level)
        return {"handler_area": back, "handler_level": back.level, "handler_department": None,
                "returns": F("returns") + 1, **clocks.running(Clock.SIGN, sign, now)}
    return _act(actor, event_id, Action.RETURN, reason=reason, at=at, version=version, mutate=mutate)


def event_note(*, actor, event_id: int, note: str, at: datetime | None = None) -> Event:
    if not note.strip():
        raise Invalid("请填写办理记录", fields={"note": "不能为空"})
    return _act(actor, event_id, Action.NOTE, note=note, at=at)


def event_resolve(*, actor, event_id: int, result: str, version: int | None = None,
                  at: datetime | None = None) -> Event:
    if len(result.strip()) < 2:
        raise Invalid("请填写办理结果", fields={"result": "不能为空"})

    def mutate(ev, now):
        verify = clocks.deadline(ev, Clock.VERIFY, now, ev.handler_level)
        return {"resolved_at": now, "result": result.strip(),
                "resolved_on_time": now <= ev.handle_due_at if ev.handle_due_at else None,
                **clocks.running(Clock.VERIFY, verify, now)}
    return _act(actor, event_id, Action.RESOLVE, note=result, at=at, version=version, mutate=mutate)


# ---- extensions --------------------------------------------------------------------------------

def extension_request(*, actor, event_id: int, workdays: int, reason: str, at: datetime | None = None) -> Extension:
    if not 1 <= workdays <= 30:
        raise Invalid("延期天数应为 1–30 个工作日", fields={"workdays": "1–30"})
    now = at or timezone.now()
    try:
        with transaction.atomic():
            ev = _act(actor, event_id, Action.REQUEST_EXTENSION, reason=reason, at=now,
                      data={"workdays": workdays})
            return Extension.objects.create(event=ev, workdays=workdays, reason=reason, requested_by=actor,
                                            requested_at=now)
    except IntegrityError:
        raise Conflict("该事件已有待审批的延期申请", code="extension_pending") from None


def _pending_extension(event_id: int) -> Extension:
    ext = Extension.objects.filter(event_id=event_id, state=ExtensionState.PENDING).first()
    if ext is None:
        raise Conflict("该事件没有待审批的延期申请", code="no_pending_extension")
    return ext


def extension_decide(*, actor, event_id: int, approve: bool, note: str = "", at: datetime | None = None) -> Event:
    """Approve (adds working days to the 办理 clock, counted from its start) or deny."""
    now = at or timezone.now()
    with transaction.atomic():
        load(actor, event_id)   # scope first: "no pending extension" must not tell an outsider it exists
        ext = _pending_extension(event_id)

        def mutate(ev, now):
            if not approve:
                return {}
            total = ev.extension_workdays + ext.workdays
            handle = clocks.deadline(ev, Clock.HANDLE, ev.handle_started_at, ev.handler_level, total)
            changes = {"extension_workdays": total, "handle_due_at": handle.due_at, "handle_warn_at": handle.warn_at,
                       "handle_limit_workdays": handle.limit_workdays}
            if ev.clock == Clock.HANDLE:
                changes.update(clocks.running(Clock.HANDLE, handle, now))
            return changes
        action = Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION
        ev = _act(actor, event_id, action, reason="" if approve else note, note=note, at=now, mutate=mutate,
                  data={"workdays": ext.workdays})
        updated = Extension.objects.filter(pk=ext.pk, state=ExtensionState.PENDING).update(
            state=ExtensionState.APPROVED if approve else ExtensionState.DENIED,
            decided_by=actor, decided_at=now, decision_note=note)
        if not updated:
            raise Conflict("该延期申请已被处理", code="extension_decided")
    return ev


# ---- escalation --------------------------------------------------------------------------------

def _move_up(ev: Event, target_level: Level, now: datetime, area: Area | None = None,
             clock: dict | None = None, *, how: Moved = Moved.ESCALATED, rule_id: int | None = None) -> Changes:
    """The changes of a step up to ``target_level`` (``area``, ``clock``: its area and its clocks'
    columns, when the caller has them).  Plain values, escalations included: every write is
    guarded by the version read.  分拨依据 says how it came up (``how``; a 越级's rule), not the
    routing rule that first sent it to the grid."""
    area = area or ev.area.ancestor_at(target_level)
    return {"handler_area": area, "handler_level": target_level, "handler_department": None,
            "escalations": ev.escalations + 1,
            "route_reason": escalation_reason(how, area.name, target_level, rule_id)[:300], "route_rule_id": rule_id,
            **(clock or clocks.start_handling(ev, now, target_level, now))}


def _current_level(ev: Event) -> Level:
    return Level(min(ev.handler_level, Level.GRID))


def _level_up(ev: Event) -> Level:
    """One level up, never above the top level the system escalates to."""
    return escalation_target(_current_level(ev), Level(settings.GONGZHI_TOP_LEVEL))


def _one_level_up(ev: Event, now: datetime) -> Changes:
    """上报 by a person or by the SLA worker: the same single step up."""
    return _move_up(ev, _level_up(ev), now)


def event_escalate(*, actor, event_id: int, reason: str, version: int | None = None,
                   at: datetime | None = None) -> Event:
    return _act(actor, event_id, Action.ESCALATE, reason=reason, at=at, version=version, mutate=_one_level_up)


def event_skip_escalate(*, actor, event_id: int, reason: str, version: int | None = None,
                        at: datetime | None = None) -> Event:
    data: dict = {}

    def mutate(ev, now):
        facts = Facts(ev.kind, ev.category.path, ev.urgency, ev.area_path, ev.channel)
        level, rule = skip_target(rules.routing_rules(), facts, _current_level(ev))
        data["rule"] = rule.reason()   # the timeline says which rule allowed the jump
        return _move_up(ev, level, now, how=Moved.SKIPPED, rule_id=rule.id)
    return _act(actor, event_id, Action.SKIP_ESCALATE, reason=reason, at=at, version=version, mutate=mutate,
                data=data)


# The reopen refusals count (ngettext): one Chinese form, two English ones.
REOPEN_LIMIT = "本件已重办 %(n)s 次，已达上限，不能再次重办；如仍有异议，请致电 12345 或申请复核"
REOPEN_LATE = "答复已超过 %(days)s 天，不能再重办；如仍有异议，请重新上报"
AUTO_ESCALATE_NOTE = "超期未办，系统自动上报上一级"


def events_auto_escalate(events: list[Event], *, at: datetime | None = None) -> tuple[list[int], dict[int, str]]:
    """The SLA worker's escalation of many overdue events at once (core.batch.act_many): each one
    level up as a person's 上报 (``_one_level_up``), the areas above looked up once per (area, level) and
    the new clocks computed once per (kind, category, level): they all start now."""
    above: dict[tuple[int, Level], Area] = {}
    started: dict[tuple[str, int, Level], dict] = {}

    def mutate(ev: Event, now: datetime) -> Changes:
        level = _level_up(ev)
        if (ev.area_id, level) not in above:
            above[ev.area_id, level] = ev.area.ancestor_at(level)
        key = (ev.kind, ev.category_id, level)
        if key not in started:
            started[key] = clocks.start_handling(ev, now, level, now)
        changes = _move_up(ev, level, now, above[ev.area_id, level], started[key], how=Moved.AUTO_ESCALATED)
        placed[ev.pk] = moved_to(changes)
        return changes
    placed: dict[int, dict] = {}
    return act_many(EVENT, events, Action.AUTO_ESCALATE, note=AUTO_ESCALATE_NOTE, at=at, mutate=mutate,
                    data=lambda ev: placed[ev.pk])


# ---- co-handling and supervision ---------------------------------------------------------------

def event_whistle(*, actor, event_id: int, departments: list[tuple[str, CoHandlerRole]], reason: str,
                  at: datetime | None = None) -> Event:
    """吹哨: call departments in as 主办/协办; each must 报到 within the sign limit."""
    if not departments:
        raise Invalid("请选择要吹哨的部门", fields={"departments": "至少一个部门"})
    if sum(1 for _, r in departments if r == CoHandlerRole.LEAD) > 1:
        raise Invalid("只能有一个主办部门", fields={"departments": "主办部门只能有一个"})
    depts = {d.code: d for d in Department.objects.filter(code__in=[c for c, _ in departments], active=True)}
    missing = [c for c, _ in departments if c not in depts]
    if missing:
        raise Invalid("部门不存在：" + "、".join(missing), fields={"departments": "部门不存在"})
    now = at or timezone.now()
    with transaction.atomic():
        ev = _act(actor, event_id, Action.WHISTLE, reason=reason, at=now,
                  data={"departments": [[c, str(r)] for c, r in departments]})
        for code, role in departments:
            due = clocks.deadline(ev, Clock.SIGN, now, depts[code].area.level).due_at
            CoHandler.objects.update_or_create(event=ev, department=depts[code], defaults={
                "role": role, "called_at": now, "check_in_due_at": due, "checked_in_at": None})
    return ev


def event_check_in(*, actor, event_id: int, note: str = "", at: datetime | None = None) -> Event:
    now = at or timezone.now()
    with transaction.atomic():
        ev = _act(actor, event_id, Action.CHECK_IN, note=note, at=now)
        depts = scope_of(actor).departments
        n = CoHandler.objects.filter(event=ev, department_id__in=depts, checked_in_at__isnull=True).update(
            checked_in_at=now)
        if not n:
            raise Conflict("您的部门已报到或未被吹哨", code="already_checked_in")
    return ev


def event_supervise(*, actor, event_id: int, level: SupervisionLevel, note: str,
                    at: datetime | None = None) -> Event:
    now = at or timezone.now()
    with transaction.atomic():
        def mutate(ev, now):
            raise_to = raised(ev.supervision, level)     # only upward (domain.supervision), like a case's
            return {"supervision": raise_to} if raise_to else {}
        ev = _act(actor, event_id, Action.SUPERVISE, reason=note, at=now, mutate=mutate, data={"level": str(level)})
        Supervision.objects.create(event=ev, level=level, by=actor, at=now, note=note)
    return ev


# ---- verify, answer, revisit, close ------------------------------------------------------------

def event_verify(*, actor, event_id: int, passed: bool, note: str = "", version: int | None = None,
                 at: datetime | None = None) -> Event:
    if passed:
        return _act(actor, event_id, Action.VERIFY, note=note, at=at, version=version,
                    mutate=lambda ev, now: {"verified_at": now, "closed_workdays": _workdays_since(ev, now)})
    return _act(actor, event_id, Action.VERIFY_FAIL, reason=note, at=at, version=version,
                mutate=lambda ev, now: {"resolved_at": None, **_handle_clock(ev, now)})


def _workdays_since(ev: Event, now: datetime) -> int | None:
    """Working days from report to 结案 (for the KPI 平均办结工作日); None in an unknown year."""
    cal = rules.calendar()
    try:
        return cal.workdays_between(ev.reported_at.astimezone(cal.tz).date(), now.astimezone(cal.tz).date())
    except UnknownYear:
        return None


def event_answer(*, actor, event_id: int, answer: str, version: int | None = None,
                 at: datetime | None = None) -> Event:
    if len(answer.strip()) < 2:
        raise Invalid("请填写答复内容", fields={"answer": "不能为空"})

    def mutate(ev, now):
        revisit = clocks.deadline(ev, Clock.REVISIT, now, ev.handler_level)
        return {"answered_at": now, "answer": answer.strip(), **clocks.running(Clock.REVISIT, revisit, now)}
    # One transaction: every reporter of a merged repeat gets the same answer, or nobody does.
    with transaction.atomic():
        ev = _act(actor, event_id, Action.ANSWER, note=answer, at=at, version=version, mutate=mutate)
        _follow(ev, Action.ANSWER, lambda child: {
            "answered_at": ev.answered_at, "answer": ev.answer, "result": ev.result, "verified_at": ev.verified_at,
            "closed_workdays": _workdays_since(child, ev.verified_at) if ev.verified_at else None})
    return ev


def event_revisit(*, actor, event_id: int, satisfaction: int, note: str = "", version: int | None = None,
                  at: datetime | None = None) -> Event:
    if satisfaction not in (1, 2, 3, 4, 5):
        raise Invalid("满意度应为 1–5 分", fields={"satisfaction": "1–5"})
    return _act(actor, event_id, Action.REVISIT, note=note, at=at, version=version,
                mutate=lambda ev, now: {"satisfaction": satisfaction, **clocks.stopped()},
                data={"satisfaction": satisfaction})


def event_reopen(*, actor, event_id: int, reason: str, version: int | None = None,
                 at: datetime | None = None) -> Event:
    """重办: back to the unit that handled it, with fresh clocks; at most GONGZHI_REOPEN_MAX times and
    within GONGZHI_REOPEN_DAYS days of the answer (checked on the locked row: two 重办 cannot both pass)."""
    def mutate(ev, now):
        _check_reopen(ev, now)
        return {"reopens": F("reopens") + 1, "resolved_at": None, "verified_at": None, "answered_at": None,
                "satisfaction": None, "resolved_on_time": None, "closed_workdays": None,
                **clocks.start_handling(ev, now, ev.handler_level, now)}
    return _act(actor, event_id, Action.REOPEN, reason=reason, at=at, version=version, mutate=mutate)


def _check_reopen(ev: Event, now: datetime) -> None:
    limit = ReopenLimit(settings.GONGZHI_REOPEN_MAX, settings.GONGZHI_REOPEN_DAYS)
    refusal = reopen_refusal(limit, reopens=ev.reopens, answered_at=ev.answered_at, now=now)
    if refusal is ReopenRefusal.TOO_MANY:
        raise Conflict(ngettext(REOPEN_LIMIT, REOPEN_LIMIT, ev.reopens) % {"n": ev.reopens}, code="reopen_limit")
    if refusal is ReopenRefusal.TOO_LATE:
        raise Conflict(ngettext(REOPEN_LATE, REOPEN_LATE, limit.days) % {"days": limit.days}, code="reopen_too_late")


def event_close(*, actor, event_id: int, note: str = "", version: int | None = None,
                at: datetime | None = None) -> Event:
    with transaction.atomic():    # the main order and its repeats close together, or not at all
        ev = _act(actor, event_id, Action.CLOSE, note=note, at=at, version=version,
                  mutate=lambda ev, now: {"closed_at": now, **clocks.stopped()})
        _follow(ev, Action.CLOSE, lambda child: {"closed_at": ev.closed_at})
    return ev


# ---- 并单 / 拆单 --------------------------------------------------------------------------------

def event_merge(*, actor, event_id: int, into: str, reason: str, version: int | None = None,
                at: datetime | None = None) -> Event:
    """并单: this order repeats ``into`` (an event number); it stops and follows that order."""
    main = visible_events(actor).filter(number=(into or "").strip()).first()
    if main is None:
        raise Invalid("主单不存在或不在您的管辖范围内", fields={"into": f"找不到事件 {into}"})
    if main.pk == event_id:
        raise Invalid("不能并入自身", fields={"into": "不能并入自身"})
    if main.status in (Status.MERGED, Status.REJECTED, Status.CLOSED):
        raise Invalid(f"主单{Status(main.status).label}，不能再并入", fields={"into": "主单状态不允许并单"})
    return _act(actor, event_id, Action.MERGE, reason=reason, at=at, version=version,
                mutate=lambda ev, now: {"merged_into": main, **clocks.stopped()},
                data={"into": main.number})


def event_split(*, actor, event_id: int, category: str, description: str, kind: str | None = None,
                at: datetime | None = None) -> Event:
    """拆单: one matter of this order becomes its own order (same place, reporter and channel)."""
    from .intake import ReportInput, event_report
    now = at or timezone.now()
    with transaction.atomic():
        ev = load(actor, event_id)
        data = ReportInput(kind=EventKind(kind or ev.kind), category=category, description=description,
                           urgency=ev.urgency, channel=ev.channel, address=ev.address, lon=ev.lon, lat=ev.lat,
                           grid=ev.area.code, reporter_name=ev.reporter_name, reporter_phone=ev.reporter_phone,
                           reporter_id_number=ev.reporter_id_number, anonymous=ev.anonymous)
        # The new order first, so the 拆单 row is written once with its number: the timeline is
        # append-only.  If the table refuses the split, the transaction takes the new order back.
        child, _ = event_report(actor=actor, data=data, at=now)
        _act(actor, event_id, Action.SPLIT, note=f"拆出：{description.strip()[:60]}", at=now,
             data={"child": child.number})
        Event.objects.filter(pk=child.pk).update(split_from=ev, reporter=ev.reporter,
                                                 confidential=privacy.stays_confidential(child.kind, ev.confidential))
    child.refresh_from_db()
    return child


def event_reclassify(*, actor, event_id: int, kind: str | None = None, category: str | None = None,
                     urgency: str | None = None, note: str = "", version: int | None = None,
                     at: datetime | None = None) -> Event:
    """更正分类: the desk confirms or corrects what the reporter (or the classifier) chose.

    The timeline keeps before → after and what the classifier suggested, so the next
    ``train-classifier`` learns from staff's answer and its hit rate can be measured.
    The handler is not re-routed here: dispatch decides that with the corrected category in view.
    """
    from gongzhi.events.classify import suggest
    changes: dict = {}
    if kind:
        if kind not in EventKind._value2member_map_:
            raise Invalid("事件类型无效", fields={"kind": "取值无效"})
        changes["kind"] = kind
    if category:
        cat = rules.category(category)
        if cat is None or cat.children.exists():
            raise Invalid("请选择末级分类", fields={"category": "分类无效或不是末级分类"})
        changes["category"] = cat
    if urgency:
        if urgency not in Urgency._value2member_map_:
            raise Invalid("紧急程度无效", fields={"urgency": "取值无效"})
        changes["urgency"] = urgency
    data: dict = {}      # filled from the row _act loads; the timeline row is written after mutate
    # The classifier's guess is read before the write transaction: scoring text holds no lock.
    seen = load(actor, event_id)
    hint = suggest(seen.title, seen.description, top=1) or {}

    def mutate(ev, now):
        before = {"kind": ev.kind, "category": ev.category.code, "urgency": ev.urgency}
        if "kind" in changes:   # confidentiality follows the kind (domain.privacy)
            changes["confidential"] = privacy.stays_confidential(changes["kind"], ev.confidential)
        data.update(before=before, after={**before, **{k: (v.code if k == "category" else v)
                                                       for k, v in changes.items() if k in before}},
                    suggested={h: hint[h][0]["code"] for h in ("kind", "category", "urgency") if hint.get(h)})
        return dict(changes)
    return _act(actor, event_id, Action.RECLASSIFY, note=note, at=at, version=version, data=data, mutate=mutate)


def _follow(main: Event, action: Action, changes: Callable[[Event], dict]) -> int:
    """Merged orders take their main order's answer and closing (the step ``workflow.FOLLOW``
    names for ``action``), each through the engine with its own timeline row, inside the main
    order's transaction: a failure on any repeat takes the main order's action back too."""
    step = FOLLOW[action]
    children = list(Event.objects.filter(merged_into=main, status__in=[s.value for s in step.sources])
                    .values_list("pk", flat=True))
    for child in children:
        _act(None, child, Action.FOLLOW, system=True, table={Action.FOLLOW: step}, at=main.updated_at,
             note=f"随主单 {main.number}：{step.target.label}", mutate=lambda ev, now: changes(ev))
    return len(children)


# ---- privacy -----------------------------------------------------------------------------------

def event_unmask(*, actor, event_id: int, reason: str) -> dict:
    """Show the reporter's full contact data; logged.  Handlers never see a 举报 reporter."""
    if len(reason.strip()) < 2:
        raise Invalid("查看敏感信息必须填写事由", fields={"reason": "必须填写事由"})
    ev = load(actor, event_id)
    if not privacy.may_unmask(secrecy(ev), viewer_of(actor, ev)):
        raise Forbidden("您无权查看该事件的报告人信息")
    if not (ev.reporter_name or ev.reporter_phone or ev.reporter_id_number):
        # Nothing to show (an anonymous report keeps none): no read to log either.
        raise Invalid("该事件没有登记报告人信息，无可查看的内容", code="nothing_to_unmask")
    audit.record(actor, CaseKind.EVENT, ev.pk, "reporter_name,reporter_phone,reporter_id_number", reason=reason.strip())
    return {"reporter_name": ev.reporter_name, "reporter_phone": ev.reporter_phone,
            "reporter_id_number": ev.reporter_id_number}


# ---- 转人民调解: the mediation case drives these (events knows nothing of mediation) -------------

def event_to_mediation(*, actor, event_id: int, case_number: str, organisation: str,
                       at: datetime | None = None) -> Event:
    """转调解, in the transaction that creates the mediation case: the event and its case change
    together or not at all.  Every clock stops (the case's 调解期限 counts now, so the sweep
    neither flags nor escalates the event); the row keeps the clock that was running."""
    data: dict = {"case": case_number}

    def mutate(ev, now):
        if ev.clock:
            data["paused"] = {"clock": ev.clock, "due_at": ev.due_at.isoformat() if ev.due_at else None,
                              "sla_flag": ev.sla_flag}
        return clocks.stopped()
    return _act(actor, event_id, Action.TO_MEDIATION, note=f"已转人民调解：{organisation}，案件编号 {case_number}",
                at=at, mutate=mutate, data=data)


def event_mediation_ended(*, event_id: int, succeeded: bool, note: str, result: str = "", reason: str = "",
                          on_time: bool | None = None, at: datetime | None = None) -> Event | None:
    """The event's mediation case ended; called by the system in the case's own transaction.

    An agreement signed: the event is resolved with the case's result (``resolved_on_time`` is the
    case's own verdict) and the 核查 clock starts, so the centre verifies, answers and revisits as
    after any 办结.  Any other end (调解不成, 不予受理, 撤回): back to the desk that accepted it (the
    community when none did) with a fresh 签收 clock; the 办理 limit starts afresh with the next
    dispatch — the weeks in mediation were not the next unit's time.  An event not in 转调解 (a
    case transferred before the loop existed) is left as it is."""
    if not Event.objects.filter(pk=event_id, status=Status.IN_MEDIATION).exists():
        return None
    if succeeded:
        def resolve(ev, now):
            verify = clocks.deadline(ev, Clock.VERIFY, now, ev.handler_level)
            return {"resolved_at": now, "result": result or note, "resolved_on_time": on_time,
                    **clocks.running(Clock.VERIFY, verify, now)}
        return _act(None, event_id, Action.MEDIATION_SUCCEEDED, note=note, at=at, mutate=resolve, system=True)

    def to_desk(ev, now):
        desk = ev.dispatcher_area or ev.area.ancestor_at(Level.COMMUNITY)
        sign = clocks.deadline(ev, Clock.SIGN, now, desk.level)
        return {"handler_area": desk, "handler_level": desk.level, "handler_department": None,
                "dispatcher_area": desk, "accepted_at": ev.accepted_at or now,
                "handle_started_at": None, "handle_due_at": None, "handle_warn_at": None,
                "handle_limit_workdays": None, "extension_workdays": 0, **clocks.running(Clock.SIGN, sign, now)}
    return _act(None, event_id, Action.MEDIATION_FAILED, note=note, reason=reason, at=at, mutate=to_desk,
                system=True)
