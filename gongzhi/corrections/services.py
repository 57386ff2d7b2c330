"""Every 社区矫正 use case, once (API and pages call these).

Five kinds on the one engine (``casework.acts.act``): the subject's file, a sanction, a leave, an
electronic-positioning approval and a prosecutor's 检察建议 / 纠正违法通知书.  The rules (periods,
the penalty ladder, leave authority, the level review, positioning limits) are
``domain.corrections``; the numbers are the installation's (``corrections.limits``).  Every write
by someone who only reads the file — a prosecutor — is refused with 403 before the table is asked.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.casework.acts import CaseType, act, create_once, log, number, submitted
from gongzhi.casework.clocks import columns
from gongzhi.casework.models import CaseKind, DocKind
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from gongzhi.domain import corrections as dc
from gongzhi.domain.calendar import SHANGHAI, UnknownYear
from gongzhi.domain.corrections import Cap, SubjAction as A, SubjStatus as S

from . import documents, scope
from .clocks import calendar, in_days, in_workdays, leave_deadline, subject_deadline, until_day
from .inputs import (
    ActivityIn,
    AnswerIn,
    CheckinIn,
    LeaveIn,
    LevelIn,
    MonitorIn,
    OutcomeIn,
    OversightIn,
    PlanIn,
    PositionIn,
    ReceiveIn,
    RenewIn,
    SanctionIn,
    ScheduleIn,
    ScoreIn,
    TaskDoneIn,
    TeamIn,
    TerminateIn,
    TransferInIn,
    TransferOutIn,
    VisitIn,
)
from .limits import limits
from .models import (
    Activity,
    Agency,
    AgencyKind,
    Checkin,
    Leave,
    Monitor,
    Oversight,
    Partner,
    Position,
    Sanction,
    Score,
    Subject,
    TeamMember,
    Visit,
    VisitTask,
)


def _guard(caps: set) -> set:
    """A prosecutor reads the file; writing it is not theirs (403, not the table's 409)."""
    if scope.only_reads(caps):
        raise Forbidden("检察人员对社区矫正档案只读：请通过检察建议或纠正违法通知书监督")
    return caps


def load_subject(actor, subject_id: int) -> Subject:
    qs = Subject.objects.all() if actor is None else scope.visible_subjects(actor)
    # No ordering: one row by its key (the list's ordering costs more to compile than the query).
    subject = qs.select_related("county__area", "township", "grid", "transfer_to").filter(
        pk=subject_id).order_by().first()
    if subject is None:
        raise NotFound("社区矫正对象不存在或不在您的管辖范围内")
    return subject


def _child_loader(model, noun: str):
    def load(actor, pk: int):
        qs = model.objects.all() if actor is None else model.objects.filter(
            subject__in=scope.visible_subjects(actor))
        row = qs.select_related("subject__county__area", "subject__township").filter(pk=pk).order_by().first()
        if row is None:
            raise NotFound(f"{noun}不存在或不在您的管辖范围内")
        return row
    return load


def _subject_caps(user, subject: Subject) -> set:
    return _guard(scope.capacities(user, subject))


def _child_caps(user, row) -> set:
    return _guard(scope.capacities(user, row.subject))


def _oversight_caps(user, row: Oversight) -> set:
    """The prosecutor acts on their own 检察监督 (accept, reopen); the county agency answers."""
    return scope.capacities(user, row.subject)


def _viewer(user, row, caps):
    return scope.viewer(user, getattr(row, "subject", row), caps)


SUBJECT = CaseType(CaseKind.CORRECTION, Subject, S, dc.SUBJ_TRANSITIONS, load_subject, _subject_caps,
                   dc.SUBJ_ROWS, frozenset(), _viewer, system_caps=frozenset({Cap.SYSTEM}),
                   clock_effects=dc.SUBJ_CLOCK_EFFECTS)
SANCTION = CaseType(CaseKind.CORR_SANCTION, Sanction, dc.SanctionStatus, dc.SANCTION_TRANSITIONS,
                    _child_loader(Sanction, "奖惩"), _child_caps, {}, frozenset(), _viewer,
                    system_caps=frozenset({Cap.SYSTEM}), clock_effects=dc.SANCTION_CLOCK_EFFECTS)
LEAVE = CaseType(CaseKind.CORR_LEAVE, Leave, dc.LeaveStatus, dc.LEAVE_TRANSITIONS, _child_loader(Leave, "请假申请"),
                 _child_caps, {}, frozenset(), _viewer, system_caps=frozenset({Cap.SYSTEM}),
                 clock_effects=dc.LEAVE_CLOCK_EFFECTS)
MONITOR = CaseType(CaseKind.CORR_MONITOR, Monitor, dc.MonitorStatus, dc.MONITOR_TRANSITIONS,
                   _child_loader(Monitor, "电子定位"), _child_caps, {}, frozenset(), _viewer,
                   system_caps=frozenset({Cap.SYSTEM}), clock_effects=dc.MONITOR_CLOCK_EFFECTS)
OVERSIGHT = CaseType(CaseKind.CORR_OVERSIGHT, Oversight, dc.OversightStatus, dc.OVERSIGHT_TRANSITIONS,
                     _child_loader(Oversight, "检察监督文书"), _oversight_caps, {}, frozenset(), _viewer,
                     system_caps=frozenset({Cap.SYSTEM}), clock_effects=dc.OVERSIGHT_CLOCK_EFFECTS)
KIND = CaseKind.CORRECTION


def _clock(subject: Subject, action, now: datetime) -> dict:
    try:
        return columns(dc.SUBJ_CLOCK_EFFECTS, action, subject.clock, now, subject_deadline(subject, now))
    except UnknownYear as exc:
        raise Unavailable(str(exc)) from exc


def _subject_act(actor, subject_id: int, action, *, version=None, at=None, mutate=None, after=None, **kw):
    def both(subject, now):
        changes = mutate(subject, now) if mutate else {}
        if "clock" not in changes:
            changes.update(_clock(subject, action, now))
        return changes
    return act(SUBJECT, actor, subject_id, action, version=version, at=at, mutate=both, after=after, **kw)


def _township(code: str, county: Agency | None = None) -> Agency:
    twp = Agency.objects.select_related("parent").filter(code=code, kind=AgencyKind.TOWNSHIP, active=True).first()
    if twp is None or twp.parent_id is None or (county is not None and twp.parent_id != county.pk):
        raise Invalid("司法所不存在或不属于该社区矫正机构", fields={"township": f"找不到司法所 {code}"})
    return twp


def _grid(code: str | None, township: Agency) -> Area | None:
    """The subject's grid: one inside the 司法所's township (its grid team gets the 帮教 tasks)."""
    if not code:
        return None
    grid = Area.objects.filter(code=code).first()
    if grid is None:
        raise Invalid("网格不存在", fields={"grid": f"找不到区域 {code}"})
    if not grid.path.startswith(township.area.path):
        raise Invalid("网格不在该司法所的辖区内", fields={"grid": f"{grid.name}不属于{township.name}辖区"})
    return grid


def _cn(d: date) -> str:
    """2026年12月2日: a date as official documents write it (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def _context(subject: Subject, now: datetime, **extra) -> dict:
    """What a document says, dated the day it is issued (``now``: the action's own time)."""
    return {"s": subject, "kind_label": dc.CorrType(subject.kind).label, "county": subject.county,
            "township": subject.township, "today": _cn(timezone.localtime(now).date()),
            "decided_on": _cn(subject.decided_on), "term_end": _cn(subject.term_end),
            "term": f"{_cn(subject.term_start)}至{_cn(subject.term_end)}", **extra}


# ---- intake ------------------------------------------------------------------------------------

def receive(*, actor, data: ReceiveIn, at: datetime | None = None) -> tuple[Subject, bool]:
    """接收: the decision body's notice registered by the 司法所 or the county agency.  The report-in
    period (10 days from the decision taking effect) starts its clock; the documents' due day is
    kept and flagged by the sweep if it passes undelivered (clocks.flag_missed)."""
    now = at or timezone.now()
    existing = submitted(Subject, actor, data.client_key)
    if existing is not None:
        return existing, False
    twp = _township(data.township)
    if twp.pk not in scope.township_ids(actor) and twp.parent_id not in scope.county_ids(actor):
        raise Forbidden("只能接收本机构的社区矫正对象")
    if data.term_end <= data.term_start:
        raise Invalid("矫正期限止应晚于起", fields={"term_end": "应晚于矫正期限起"})
    if data.decided_on > timezone.localtime(now).date():
        raise Invalid("生效日期不能晚于今天", fields={"decided_on": "不能晚于今天"})
    if not dc.decider_allowed(data.kind, data.decider):
        raise Invalid(f"{data.kind.label}应由人民法院判决或裁定", fields={"decider": "决定机关与矫正类别不符"})
    lim = limits()
    try:
        cal, _ = calendar()
        docs_due = dc.period_end(cal, data.decided_on, lim.documents_days)
        report_due = dc.period_end(cal, data.decided_on, lim.report_days)
    except UnknownYear as exc:
        raise Unavailable(str(exc)) from exc
    fields = data.model_dump(exclude={"township", "grid", "client_key"})
    grid = _grid(data.grid, twp)

    def create() -> Subject:
        subject = Subject(**fields, county=twp.parent, township=twp, grid=grid, created_by=actor,
                          client_key=data.client_key, notified_at=now, documents_due_on=docs_due,
                          report_due_on=report_due, updated_at=now)
        subject.__dict__.update(_clock(subject, A.RECEIVE, now))
        subject.save()
        subject.number = number("SJ", subject.pk, now)
        subject.save(update_fields=["number"])
        log(KIND, subject.pk, A.RECEIVE, actor, now, "", S.NOTIFIED,
            note=f"{dc.Decider(data.decider).label}{data.decision_body}（{data.decision_no}），"
                 f"应于 {report_due:%Y-%m-%d} 前报到、{docs_due:%Y-%m-%d} 前送达法律文书")
        return subject
    return create_once(Subject, actor, data.client_key, create)


def documents_received(*, actor, subject_id: int, note: str = "", version: int | None = None,
                       at: datetime | None = None) -> Subject:
    def mutate(subject, now):
        if subject.documents_at is not None:
            raise Conflict("法律文书已登记送达", code="already_received")
        return {"documents_at": now}
    return _subject_act(actor, subject_id, A.DOCUMENTS, note=note, version=version, at=at, mutate=mutate)


def report_in(*, actor, subject_id: int, note: str = "", version: int | None = None,
              at: datetime | None = None) -> Subject:
    """报到: the 入矫宣告 clock starts; a report after the period is recorded as late (the sweep has
    turned the report clock red already)."""
    def mutate(subject, now):
        return {"reported_at": now}
    late = ""
    subject = load_subject(actor, subject_id)
    if timezone.localtime(at or timezone.now()).date() > subject.report_due_on:
        late = f"逾期报到（应于 {subject.report_due_on:%Y-%m-%d} 前）"
    return _subject_act(actor, subject_id, A.REPORT_IN, note="；".join(x for x in (late, note) if x),
                        version=version, at=at, mutate=mutate, data={"late": bool(late)})


def form_team(*, actor, subject_id: int, data: TeamIn, at: datetime | None = None) -> Subject:
    def after(subject, now):
        TeamMember.objects.filter(subject=subject).delete()
        TeamMember.objects.bulk_create([TeamMember(subject=subject, **m.model_dump()) for m in data.members])
    names = "、".join(f"{m.name}（{dc.TeamRole(m.role).label}）" for m in data.members)
    return _subject_act(actor, subject_id, A.TEAM, version=data.version, at=at, after=after, note=names)


def write_plan(*, actor, subject_id: int, data: PlanIn, at: datetime | None = None) -> Subject:
    def after(subject, now):
        documents.issue(subject, DocKind.CORR_PLAN, _context(subject, now), now, actor)
    return _subject_act(actor, subject_id, A.PLAN, version=data.version, at=at, after=after,
                        mutate=lambda s, now: {"plan": data.plan, "plan_at": now})


def announce(*, actor, subject_id: int, note: str = "", version: int | None = None,
             at: datetime | None = None) -> Subject:
    """入矫宣告: only with the documents, the team and the plan in place; the subject starts 严管,
    reports are scheduled and the grid is asked for its 帮教 visits."""
    def mutate(subject, now):
        missing = [w for w, ok in (("法律文书", subject.documents_at), ("矫正小组", subject.team.exists()),
                                   ("矫正方案", subject.plan)) if not ok]
        if missing:
            raise Conflict(f"入矫宣告前须完成：{'、'.join(missing)}", code="intake_incomplete")
        return {"announced_at": now, "level": dc.Level.STRICT, "level_since": timezone.localtime(now).date()}

    def after(subject, now):
        documents.issue(subject, DocKind.CORR_NOTICE, _context(subject, now), now, actor)
        _schedule_next(subject, timezone.localtime(now).date(), dc.CheckinWay.IN_PERSON)
        _grid_task(subject, timezone.localtime(now).date())
    return _subject_act(actor, subject_id, A.ANNOUNCE, note=note, version=version, at=at, mutate=mutate, after=after)


def _schedule_next(subject: Subject, last: date, way) -> Checkin:
    due = dc.next_due(last, dc.Level(subject.level), limits().report_every_days)
    return Checkin.objects.create(subject=subject, due_on=due, due_at=_end_of(due), way=way)


def _end_of(day: date) -> datetime:
    """A report due on ``day`` may be made until that day ends (the calendar's end of day)."""
    _, rule = calendar()
    return datetime.combine(day, rule.end_of_day, SHANGHAI)


def _grid_task(subject: Subject, last: date) -> None:
    if subject.grid_id is None:
        return
    due = dc.next_due(last, dc.Level(subject.level), limits().visit_every_days)
    VisitTask.objects.create(subject=subject, grid_id=subject.grid_id, due_on=due)


# ---- supervision -------------------------------------------------------------------------------

def set_level(*, actor, subject_id: int, data: LevelIn, at: datetime | None = None) -> Subject:
    def mutate(subject, now):
        if subject.level == data.level:
            raise Conflict("管理等级未变化", code="same_level")
        return {"level": data.level, "level_since": timezone.localtime(now).date()}
    return _subject_act(actor, subject_id, A.LEVEL, reason=data.reason, version=data.version, at=at, mutate=mutate,
                        data={"level": data.level.value})


def _month(d: date) -> date:
    return d.replace(day=1)


def record_score(*, actor, subject_id: int, data: ScoreIn, at: datetime | None = None) -> Subject:
    """月度计分考核: one score per month (a second for the same month replaces it, on the timeline)."""
    month = _month(data.month)

    def after(subject, now):
        Score.objects.update_or_create(subject=subject, month=month, defaults={"score": data.score, "note": data.note})
    return _subject_act(actor, subject_id, A.SCORE, version=data.version, at=at, after=after,
                        note=f"{month:%Y年%m月} 考核 {data.score} 分" + (f"：{data.note}" if data.note else ""),
                        data={"month": month.isoformat(), "score": data.score})


def level_advice(subject: Subject, now: datetime | None = None) -> dc.LevelAdvice:
    today = timezone.localtime(now or timezone.now()).date()
    start = subject.level_since or subject.term_start
    # Only what came after the level was set: a score or a 警告 already acted on does not move the
    # level a second time.
    scores = list(subject.scores.filter(month__gte=_month(start)).order_by("month").values_list("score", flat=True))
    months_in = (today.year - start.year) * 12 + today.month - start.month
    warned = subject.sanctions.filter(step=dc.Step.WARN, decided_at__date__gte=max(_month(today), start)).exists()
    return dc.level_review(dc.Level(subject.level), scores, months_in, warned, limits())


def schedule(*, actor, subject_id: int, data: ScheduleIn, at: datetime | None = None) -> Subject:
    if data.due_on < timezone.localtime(at or timezone.now()).date():
        raise Invalid("报告日期不能早于今天", fields={"due_on": "不能早于今天"})

    def after(subject, now):
        Checkin.objects.create(subject=subject, due_on=data.due_on, due_at=_end_of(data.due_on), way=data.way)
    return _subject_act(actor, subject_id, A.SCHEDULE, version=data.version, at=at, after=after,
                        note=f"{data.due_on:%Y-%m-%d} {dc.CheckinWay(data.way).label}")


def checkin(*, actor, subject_id: int, data: CheckinIn, at: datetime | None = None) -> Subject:
    """报告: the scheduled report (or the earliest open one) done; the next is scheduled at the
    interval of the subject's level."""
    def after(subject, now):
        open_ = subject.checkins.filter(done_at__isnull=True)
        row = open_.filter(pk=data.checkin).first() if data.checkin else open_.order_by("due_on").first()
        if row is None:
            row = Checkin(subject=subject, due_on=timezone.localtime(now).date(), due_at=now, way=data.way)
        row.done_at, row.result, row.way, row.by = now, data.result, data.way, actor
        row.save()
        if not subject.checkins.filter(done_at__isnull=True, missed=False).exists():
            _schedule_next(subject, timezone.localtime(now).date(), data.way)
    return _subject_act(actor, subject_id, A.CHECKIN, version=data.version, at=at, after=after,
                        note=f"{dc.CheckinWay(data.way).label}：{data.result}")


def visit(*, actor, subject_id: int, data: VisitIn, at: datetime | None = None) -> Subject:
    def after(subject, now):
        from gongzhi.core.naming import actor_name
        Visit.objects.create(subject=subject, at=now, by=actor, by_name=actor_name(actor), place=data.place,
                             result=data.result, met=data.met)
    return _subject_act(actor, subject_id, A.VISIT, version=data.version, at=at, after=after,
                        note=f"{data.place}：{data.result}" + ("" if data.met else "（未见到本人）"))


def activity(*, actor, subject_id: int, data: ActivityIn, at: datetime | None = None) -> Subject:
    partner = None
    if data.partner is not None:
        partner = Partner.objects.filter(pk=data.partner, active=True).first()
        if partner is None:
            raise Invalid("合作单位不存在", fields={"partner": "请重新选择"})
    if data.kind is dc.ActivityKind.HELP and not data.help_kind:
        raise Invalid("请选择帮扶类别", fields={"help_kind": "必填"})

    def after(subject, now):
        Activity.objects.create(subject=subject, kind=data.kind, help_kind=data.help_kind or "", on=data.on,
                                hours=data.hours, partner=partner, content=data.content)
    label = dc.ActivityKind(data.kind).label
    return _subject_act(actor, subject_id, A.ACTIVITY, version=data.version, at=at, after=after,
                        note=f"{label} {data.hours} 小时：{data.content}" + (f"（{partner.name}）" if partner else ""),
                        data={"kind": data.kind.value, "hours": str(data.hours)})


def unreachable(*, actor, subject_id: int, reason: str, version: int | None = None,
                at: datetime | None = None) -> Subject:
    """联系不上: an alert on the file; staff search, and declare 脱管 if the search fails."""
    return _subject_act(actor, subject_id, A.UNREACHABLE, reason=reason, version=version, at=at)


def abscond(*, actor, subject_id: int, reason: str, version: int | None = None,
            at: datetime | None = None) -> Subject:
    """认定脱管: its days are counted from now; the search clock starts (查找处置)."""
    return _subject_act(actor, subject_id, A.ABSCOND, reason=reason, version=version, at=at,
                        mutate=lambda s, now: {"absconded_at": now})


def found(*, actor, subject_id: int, note: str = "", version: int | None = None,
          at: datetime | None = None) -> Subject:
    def mutate(subject, now):
        days = dc.absconded_days(subject.absconded_at, now, now)
        return {"absconded_at": None, "absconded_days_max": max(subject.absconded_days_max, days),
                "absconded_days_total": subject.absconded_days_total + days}
    def after(subject, now):
        if not subject.grid_tasks.filter(done_at__isnull=True).exists():
            _grid_task(subject, timezone.localtime(now).date())
    subject = load_subject(actor, subject_id)
    days = dc.absconded_days(subject.absconded_at, None, at or timezone.now())
    return _subject_act(actor, subject_id, A.FOUND, note=f"脱管 {days} 日后恢复监管。{note}".strip(),
                        version=version, at=at, mutate=mutate, after=after, data={"days": days})


def transfer_out(*, actor, subject_id: int, data: TransferOutIn, at: datetime | None = None) -> Subject:
    def mutate(subject, now):
        to = Agency.objects.filter(code=data.to, kind=AgencyKind.COUNTY, active=True).first()
        if to is None or to.pk == subject.county_id:
            raise Invalid("请选择其他县（区）的社区矫正机构", fields={"to": "机构无效"})
        return {"transfer_to": to}
    return _subject_act(actor, subject_id, A.TRANSFER_OUT, reason=data.reason, version=data.version, at=at,
                        mutate=mutate, data={"to": data.to})


def transfer_in(*, actor, subject_id: int, data: TransferInIn, at: datetime | None = None) -> Subject:
    """The new county accepts: the file moves to it and the 司法所 it names; the old county's staff
    no longer see it (their reads end with the hand-over)."""
    def mutate(subject, now):
        twp = _township(data.township, subject.transfer_to)
        VisitTask.objects.filter(subject=subject, done_at__isnull=True).delete()
        return {"county": subject.transfer_to, "township": twp, "transfer_to": None, "grid": _grid(data.grid, twp),
                "address": data.address}

    def after(subject, now):
        _grid_task(subject, timezone.localtime(now).date())     # the new grid's 帮教 visits begin
    return _subject_act(actor, subject_id, A.TRANSFER_IN, version=data.version, at=at, mutate=mutate, after=after,
                        data={"township": data.township})


def transfer_refuse(*, actor, subject_id: int, reason: str, version: int | None = None,
                    at: datetime | None = None) -> Subject:
    return _subject_act(actor, subject_id, A.TRANSFER_REFUSE, reason=reason, version=version, at=at,
                        mutate=lambda s, now: {"transfer_to": None})


def _close_open(subject: Subject, now: datetime) -> None:
    """A file that ends leaves nothing running: tasks and reports due, a leave waiting for its
    decision (withdrawn), a positioning (ended — location data serve correction work only,
    社区矫正法 第29条), each through its own table."""
    VisitTask.objects.filter(subject=subject, done_at__isnull=True).delete()
    Checkin.objects.filter(subject=subject, done_at__isnull=True, missed=False).delete()
    for pk in subject.leaves.filter(status=dc.LeaveStatus.SUBMITTED).values_list("pk", flat=True):
        act(LEAVE, None, pk, dc.LeaveAction.WITHDRAW, reason="矫正已解除或终止", at=now, system_caps={Cap.SYSTEM},
            mutate=lambda r, t: columns(dc.LEAVE_CLOCK_EFFECTS, dc.LeaveAction.WITHDRAW, r.clock, t, None))
    for pk in subject.monitors.filter(status=dc.MonitorStatus.ACTIVE).values_list("pk", flat=True):
        end_monitor(pk, "矫正已解除或终止", now)


def end_monitor(monitor_id: int, reason: str, now: datetime) -> Monitor:
    """The system's 解除 of a positioning (its period over, or the file ended)."""
    return act(MONITOR, None, monitor_id, dc.MonitorAction.END, reason=reason, at=now, system_caps={Cap.SYSTEM},
               mutate=lambda r, t: columns(dc.MONITOR_CLOCK_EFFECTS, dc.MonitorAction.END, r.clock, t, None))


def release(*, actor, subject_id: int, note: str = "", version: int | None = None,
            at: datetime | None = None) -> Subject:
    """期满解矫: on or after the term's last day, with the 解矫宣告 and its certificate."""
    def mutate(subject, now):
        if timezone.localtime(now).date() < subject.term_end:
            raise Conflict(f"矫正期限至 {subject.term_end:%Y-%m-%d} 届满，届满前不能解矫", code="term_running")
        return {"ended_at": now}

    def after(subject, now):
        _close_open(subject, now)
        documents.issue(subject, DocKind.CORR_RELEASE, _context(subject, now), now, actor)
    return _subject_act(actor, subject_id, A.RELEASE, note=note, version=version, at=at, mutate=mutate, after=after)


def terminate(*, actor, subject_id: int, data: TerminateIn, at: datetime | None = None) -> Subject:
    def after(subject, now):
        _close_open(subject, now)
    return _subject_act(actor, subject_id, A.TERMINATE, reason=data.reason, version=data.version, at=at,
                        mutate=lambda s, now: {"ended_at": now, "end_reason": data.end_reason}, after=after,
                        data={"end_reason": data.end_reason.value})


def note(*, actor, subject_id: int, note: str, version: int | None = None, at: datetime | None = None) -> Subject:
    if not note.strip():
        raise Invalid("请填写工作记录", fields={"note": "必填"})
    return _subject_act(actor, subject_id, A.NOTE, note=note, version=version, at=at)


# ---- what may be created on a file ---------------------------------------------------------------

class Creation(StrEnum):
    SANCTION = "sanction"
    LEAVE = "leave"
    MONITOR = "monitor"
    OVERSIGHT = "oversight"


def creations(subject: Subject, caps: set) -> set[Creation]:
    """What this user may create on the file now — the same conditions the creating services
    check (sanction_propose, leave_apply, monitor_propose, oversight_issue), so a page offers
    only what would be accepted."""
    status, staff = S(subject.status), bool(caps & {Cap.TOWNSHIP, Cap.COUNTY})
    out = set()
    if staff and status in dc.OPEN_SUBJ:
        out.add(Creation.SANCTION)
    if staff and status is S.ACTIVE:
        out.add(Creation.LEAVE)
    if staff and status in {S.ACTIVE, S.ABSCONDED} and not subject.monitors.filter(
            status__in=[dc.MonitorStatus.PROPOSED, dc.MonitorStatus.ACTIVE]).exists():
        out.add(Creation.MONITOR)
    if Cap.PROSECUTOR in caps:
        out.add(Creation.OVERSIGHT)
    return out


# ---- rewards and penalties ---------------------------------------------------------------------

def facts_of(subject: Subject, now: datetime | None = None) -> dc.Facts:
    """What the file says, as the ladder reads it (domain.corrections.suggest): the penalties not
    yet corrected, and the conduct since the last penalty was decided — a fact already sanctioned
    (the missed report a 训诫 was for, a 脱管 that ended before it) is not suggested again."""
    from gongzhi.casework.models import CaseLog
    now = now or timezone.now()
    decided = subject.sanctions.filter(status=dc.SanctionStatus.DECIDED)
    penalised = subject.sanctions.filter(decided_at__isnull=False).exclude(step=dc.Step.PRAISE).exclude(
        status__in=[dc.SanctionStatus.CANCELLED, dc.SanctionStatus.DECLINED]).order_by("-decided_at").first()
    since = penalised.decided_at if penalised else None
    running = dc.absconded_days(subject.absconded_at, None, now) if subject.absconded_at else 0
    ended = CaseLog.objects.filter(kind=KIND, case_id=subject.pk, action=A.FOUND)
    if since is not None:
        ended = ended.filter(at__gt=since)
    past = max((int((r.data or {}).get("days", 0)) for r in ended), default=0)
    missed = subject.checkins.filter(missed=True)
    if since is not None:
        missed = missed.filter(due_at__gt=since)
    # 不按规定时间报到 weighs like 脱管 (实施办法 第35、36条): its days late, unless sanctioned since.
    late = 0
    if subject.reported_at is not None and (since is None or subject.reported_at > since):
        late = max(0, (timezone.localtime(subject.reported_at).date() - subject.report_due_on).days)
    elif subject.reported_at is None and S(subject.status) is S.NOTIFIED:
        late = max(0, (timezone.localtime(now).date() - subject.report_due_on).days)
    # 受到治安管理处罚，仍不改正: the police adopted one, and something new happened since.
    fined = subject.sanctions.filter(step=dc.Step.PUBLIC_SECURITY, status=dc.SanctionStatus.ADOPTED).exists()
    return dc.Facts(kind=dc.CorrType(subject.kind), absconded_days=max(running, past, late),
                    admonitions_uncorrected=decided.filter(step=dc.Step.ADMONISH).count(),
                    warnings_uncorrected=decided.filter(step=dc.Step.WARN).count(),
                    public_security_uncorrected=fined and (missed.exists() or running > 0),
                    missed_checkins=missed.count())


def suggestion(subject: Subject) -> dc.Suggestion:
    return dc.suggest(facts_of(subject), limits())


def sanction_propose(*, actor, subject_id: int, data: SanctionIn, at: datetime | None = None) -> tuple[Sanction, bool]:
    """A 司法所 or the county proposes; the county decides (a 训诫/警告/表扬) or sends it on."""
    now = at or timezone.now()
    existing = submitted(Sanction, actor, data.client_key)
    subject = load_subject(actor, subject_id)
    caps = _subject_caps(actor, subject)
    if not caps & {Cap.TOWNSHIP, Cap.COUNTY}:
        raise Forbidden("只有该对象的司法所或社区矫正机构可以提出奖惩")
    if S(subject.status) not in dc.OPEN_SUBJ:
        raise Conflict("该对象已解除或终止矫正", code="not_open")
    if not dc.step_allowed(dc.CorrType(subject.kind), data.step):
        raise Invalid(f"{dc.CorrType(subject.kind).label}对象不适用{data.step.label}", fields={"step": "不适用"})
    if existing is not None:
        return existing, False
    advice = suggestion(subject)
    said = f"系统建议：{advice.step.label}（{'；'.join(advice.reasons)}）" if advice.step else "系统无处罚建议"
    try:
        clock = columns(dc.SANCTION_CLOCK_EFFECTS, dc.SanctionAction.PROPOSE, "", now,
                        lambda c: in_workdays(limits().sanction_decide_workdays, now))
    except UnknownYear as exc:
        raise Unavailable(str(exc)) from exc

    def create() -> Sanction:
        row = Sanction.objects.create(subject=subject, step=data.step, facts=data.facts, evidence=data.evidence,
                                      suggested=said[:300], proposed_by=actor, created_at=now, updated_at=now,
                                      created_by=actor, client_key=data.client_key, **clock)
        row.number = number("JC", row.pk, now)
        row.save(update_fields=["number"])
        log(CaseKind.CORR_SANCTION, row.pk, dc.SanctionAction.PROPOSE, actor, now, "", dc.SanctionStatus.PROPOSED,
            note=f"{data.step.label}：{data.facts}", data={"suggested": said, "subject": subject.pk})
        return row
    return create_once(Sanction, actor, data.client_key, create)


_STEP_DOC = {dc.Step.PRAISE: DocKind.CORR_PRAISE, dc.Step.ADMONISH: DocKind.CORR_ADMONISH,
             dc.Step.WARN: DocKind.CORR_WARN}


def sanction_approve(*, actor, sanction_id: int, data: OutcomeIn, at: datetime | None = None) -> Sanction:
    """The county approves: its own decision (with the decision document) or the proposal sent on
    to the police, the court or the prison authority (with the proposal letter)."""
    row = _child_loader(Sanction, "奖惩")(actor, sanction_id)
    step = dc.Step(row.step)
    action = dc.decision_action(step)

    def after(r, now):
        documents.issue(r.subject, _STEP_DOC.get(step, DocKind.CORR_PROPOSAL),
                        _context(r.subject, now, sanction=r, step=step.label), now, actor)
    return act(SANCTION, actor, sanction_id, action, note=data.outcome, version=data.version, at=at, after=after,
               mutate=lambda r, now: {"decided_at": now, "outcome": data.outcome,
                                      **columns(dc.SANCTION_CLOCK_EFFECTS, action, r.clock, now, lambda c: None)})


def sanction_step(action: dc.SanctionAction):
    """不予批准, 采纳, 不予采纳, 已改正: the rest of the sanction's table."""
    def run(*, actor, sanction_id: int, data: OutcomeIn, reason: str = "", at: datetime | None = None) -> Sanction:
        def mutate(r, now):
            return {"outcome": data.outcome or reason,
                    **columns(dc.SANCTION_CLOCK_EFFECTS, action, r.clock, now, lambda c: None)}
        return act(SANCTION, actor, sanction_id, action, reason=reason, note=data.outcome, version=data.version,
                   at=at, mutate=mutate)
    return run


# ---- leave -------------------------------------------------------------------------------------

def _leave_year(subject: Subject, year: int, excluding: int | None = None,
                pending: bool = True) -> tuple[int, int]:
    """Leave days and leaves of the year so far: approved and taken, and (``pending``) those still
    waiting for a decision — four applications of 25 days must not all pass a 60-day limit."""
    statuses = [dc.LeaveStatus.APPROVED, dc.LeaveStatus.RETURNED] + ([dc.LeaveStatus.SUBMITTED] if pending else [])
    rows = subject.leaves.filter(kind=dc.LeaveKind.TRIP, start__year=year, status__in=statuses).exclude(pk=excluding)
    days = sum((r.end - r.start).days + 1 for r in rows)
    return days, rows.count()


def leave_apply(*, actor, subject_id: int, data: LeaveIn, at: datetime | None = None) -> tuple[Leave, bool]:
    """请假外出 registered by the 司法所 for the subject: who decides follows from its length."""
    now = at or timezone.now()
    subject = load_subject(actor, subject_id)
    caps = _subject_caps(actor, subject)
    if not caps & {Cap.TOWNSHIP, Cap.COUNTY}:
        raise Forbidden("只有该对象的司法所或社区矫正机构可以登记请假")
    if S(subject.status) is not S.ACTIVE:
        raise Conflict("只有在矫对象可以请假外出", code="not_active")
    existing = submitted(Leave, actor, data.client_key)
    if existing is not None:
        return existing, False
    days, count = _leave_year(subject, data.start.year)
    try:
        authority = dc.leave_authority(dc.LeaveRequest(data.kind, data.start, data.end, days, count), limits())
    except dc.LeaveRefused as exc:
        raise Invalid(str(exc), fields={"end": str(exc)}) from exc

    def create() -> Leave:
        row = Leave(subject=subject, kind=data.kind, start=data.start, end=data.end, destination=data.destination,
                    reason=data.reason, authority=authority, created_at=now, updated_at=now, created_by=actor,
                    client_key=data.client_key)
        row.__dict__.update(columns(dc.LEAVE_CLOCK_EFFECTS, dc.LeaveAction.APPLY, "", now, leave_deadline(row, now)))
        row.save()
        row.number = number("QJ", row.pk, now)
        row.save(update_fields=["number"])
        log(CaseKind.CORR_LEAVE, row.pk, dc.LeaveAction.APPLY, actor, now, "", dc.LeaveStatus.SUBMITTED,
            note=f"{data.start:%m-%d}至{data.end:%m-%d} 前往{data.destination}：{data.reason}；"
                 f"由{dc.Authority(authority).label}审批", data={"subject": subject.pk})
        return row
    return create_once(Leave, actor, data.client_key, create)


def leave_approve(*, actor, leave_id: int, note: str = "", version: int | None = None,
                  at: datetime | None = None) -> Leave:
    """批准: only by whom the length allows (a 司法所 up to 7 days; the county any); the return clock
    runs to the end of the last day away."""
    def mutate(row, now):
        caps = scope.capacities(actor, row.subject)
        if not dc.may_decide(dc.Authority(row.authority), caps):
            raise Forbidden(f"外出 {(row.end - row.start).days + 1} 日，应由{dc.Authority(row.authority).label}审批")
        # The year's limits again, with the subject's row locked: two approvals at once count each other.
        subject = Subject.objects.select_for_update().get(pk=row.subject_id)
        days, count = _leave_year(subject, row.start.year, excluding=row.pk, pending=False)
        try:
            dc.leave_authority(dc.LeaveRequest(dc.LeaveKind(row.kind), row.start, row.end, days, count), limits())
        except dc.LeaveRefused as exc:
            raise Conflict(str(exc), code="leave_limit") from exc
        return {"decided_at": now, **columns(dc.LEAVE_CLOCK_EFFECTS, dc.LeaveAction.APPROVE, row.clock, now,
                                             leave_deadline(row, now))}
    return act(LEAVE, actor, leave_id, dc.LeaveAction.APPROVE, note=note, version=version, at=at, mutate=mutate)


def leave_refuse(*, actor, leave_id: int, reason: str, version: int | None = None,
                 at: datetime | None = None) -> Leave:
    def mutate(row, now):
        if not dc.may_decide(dc.Authority(row.authority), scope.capacities(actor, row.subject)):
            raise Forbidden(f"应由{dc.Authority(row.authority).label}审批")
        return {"decided_at": now, **columns(dc.LEAVE_CLOCK_EFFECTS, dc.LeaveAction.REFUSE, row.clock, now, None)}
    return act(LEAVE, actor, leave_id, dc.LeaveAction.REFUSE, reason=reason, version=version, at=at, mutate=mutate)


def leave_return(*, actor, leave_id: int, note: str = "", version: int | None = None,
                 at: datetime | None = None) -> Leave:
    """销假: a return after the last day away is recorded late (the clock has turned red)."""
    def mutate(row, now):
        late = timezone.localtime(now).date() > row.end
        return {"returned_at": now, "returned_late": late,
                **columns(dc.LEAVE_CLOCK_EFFECTS, dc.LeaveAction.RETURN, row.clock, now, None)}
    return act(LEAVE, actor, leave_id, dc.LeaveAction.RETURN, note=note, version=version, at=at, mutate=mutate)


def leave_withdraw(*, actor, leave_id: int, reason: str, version: int | None = None,
                   at: datetime | None = None) -> Leave:
    return act(LEAVE, actor, leave_id, dc.LeaveAction.WITHDRAW, reason=reason, version=version, at=at,
               mutate=lambda r, now: columns(dc.LEAVE_CLOCK_EFFECTS, dc.LeaveAction.WITHDRAW, r.clock, now, None))


# ---- electronic positioning ---------------------------------------------------------------------

def monitor_propose(*, actor, subject_id: int, data: MonitorIn, at: datetime | None = None) -> tuple[Monitor, bool]:
    now = at or timezone.now()
    subject = load_subject(actor, subject_id)
    if not _subject_caps(actor, subject) & {Cap.TOWNSHIP, Cap.COUNTY}:
        raise Forbidden("只有该对象的司法所或社区矫正机构可以提请电子定位")
    if S(subject.status) not in {S.ACTIVE, S.ABSCONDED}:
        raise Conflict("只有在矫对象可以适用电子定位", code="not_active")
    existing = submitted(Monitor, actor, data.client_key)
    if existing is not None:
        return existing, False
    problem = dc.ground_problem(data.ground, bool(subject.prohibition))
    if problem:
        raise Invalid(problem, fields={"ground": problem})
    if subject.monitors.filter(status__in=[dc.MonitorStatus.PROPOSED, dc.MonitorStatus.ACTIVE]).exists():
        raise Conflict("该对象已有待审批或进行中的电子定位", code="monitor_open")

    def create() -> Monitor:
        # One open positioning per subject is also the database's (corr_monitor_one_open): two
        # proposals at once cannot both be written.
        row = Monitor.objects.create(subject=subject, ground=data.ground, months=data.months, facts=data.facts,
                                     device=data.device, created_at=now, updated_at=now, created_by=actor,
                                     client_key=data.client_key)
        row.number = number("DW", row.pk, now)
        row.save(update_fields=["number"])
        log(CaseKind.CORR_MONITOR, row.pk, dc.MonitorAction.PROPOSE, actor, now, "", dc.MonitorStatus.PROPOSED,
            note=f"{dc.MonitorGround(data.ground).label}，{data.months} 个月：{data.facts}",
            data={"subject": subject.pk})
        return row
    try:
        return create_once(Monitor, actor, data.client_key, create)
    except IntegrityError as exc:
        raise Conflict("该对象已有待审批或进行中的电子定位", code="monitor_open") from exc


def _period(row: Monitor, start: date, months: int, now: datetime, action) -> dict:
    try:
        until = dc.monitor_until(start, months, limits())
    except ValueError as exc:
        raise Invalid(str(exc), fields={"months": str(exc)}) from exc
    return {"active_until": until, **columns(dc.MONITOR_CLOCK_EFFECTS, action, row.clock, now,
                                             lambda c: until_day(until, now, 7))}


def monitor_approve(*, actor, monitor_id: int, note: str = "", version: int | None = None,
                    at: datetime | None = None) -> Monitor:
    """The county agency's head approves (社区矫正法 第29条); the period runs from today."""
    def mutate(row, now):
        today = timezone.localtime(now).date()
        return {"active_from": today, **_period(row, today, row.months, now, dc.MonitorAction.APPROVE)}
    return act(MONITOR, actor, monitor_id, dc.MonitorAction.APPROVE, note=note, version=version, at=at, mutate=mutate)


def monitor_renew(*, actor, monitor_id: int, data: RenewIn, at: datetime | None = None) -> Monitor:
    """延长: by the head, each time ≤ 3 months from the day after the current period ends."""
    def mutate(row, now):
        start = row.active_until + timedelta(days=1)
        return {"renewals": row.renewals + 1, **_period(row, start, data.months, now, dc.MonitorAction.RENEW)}
    return act(MONITOR, actor, monitor_id, dc.MonitorAction.RENEW, reason=data.reason, version=data.version, at=at,
               mutate=mutate, data={"months": data.months})


def monitor_refuse(*, actor, monitor_id: int, reason: str, version: int | None = None,
                   at: datetime | None = None) -> Monitor:
    return act(MONITOR, actor, monitor_id, dc.MonitorAction.REFUSE, reason=reason, version=version, at=at)


def monitor_end(*, actor, monitor_id: int, reason: str, version: int | None = None,
                at: datetime | None = None) -> Monitor:
    return act(MONITOR, actor, monitor_id, dc.MonitorAction.END, reason=reason, version=version, at=at,
               mutate=lambda r, now: columns(dc.MONITOR_CLOCK_EFFECTS, dc.MonitorAction.END, r.clock, now, None))


def position_in(*, actor, data: PositionIn, at: datetime | None = None) -> Position:
    """A position from the device adapter: posted only by a login of the county agency holding the
    subject (a location trail is the file's most sensitive data); kept only inside an approved,
    running period (data outside it is refused, never stored); the same position twice is one row."""
    now = at or timezone.now()
    county_ids = scope.county_ids(actor) if actor is not None and actor.is_authenticated else frozenset()
    if not county_ids:
        raise Forbidden("只有社区矫正机构的定位设备接口可以上传定位数据")
    row = Monitor.objects.filter(device=data.device, status=dc.MonitorStatus.ACTIVE).select_related(
        "subject").first()
    if row is not None and row.subject.county_id not in county_ids:
        raise Forbidden("该设备所定位的对象不属于本社区矫正机构")
    if row is not None and S(row.subject.status) not in dc.IN_CORRECTION:
        raise Conflict("该对象已解除或终止矫正，定位数据不予接收", code="not_monitored")
    local = timezone.localtime(data.at).date()
    if row is None or not dc.position_usable(row.active_from, row.active_until, local):
        raise Conflict("该设备没有在批准期限内的电子定位，数据不予接收", code="not_monitored")
    pos, _ = Position.objects.get_or_create(monitor=row, at=data.at,
                                            defaults={"lon": data.lon, "lat": data.lat, "received_at": now})
    return pos


# ---- the prosecutors' oversight ----------------------------------------------------------------

def oversight_issue(*, actor, subject_id: int, data: OversightIn, at: datetime | None = None) -> tuple[Oversight, bool]:
    """检察建议 / 纠正违法通知书 by a prosecutor holding the county, against an action (a timeline
    row of the file) or an omission; the agency's answer clock starts."""
    now = at or timezone.now()
    subject = load_subject(actor, subject_id)
    if Cap.PROSECUTOR not in scope.capacities(actor, subject):
        raise Forbidden("只有本县（区）检察人员可以制发检察建议或纠正违法通知书")
    existing = submitted(Oversight, actor, data.client_key)
    if existing is not None:
        return existing, False
    if data.target_row is not None:
        from gongzhi.casework.models import CaseLog
        ok = CaseLog.objects.filter(pk=data.target_row).filter(
            Q(kind=KIND, case_id=subject.pk)
            | Q(kind=CaseKind.CORR_LEAVE, case_id__in=subject.leaves.values("pk"))
            | Q(kind=CaseKind.CORR_SANCTION, case_id__in=subject.sanctions.values("pk"))
            | Q(kind=CaseKind.CORR_MONITOR, case_id__in=subject.monitors.values("pk"))).exists()
        if not ok:
            raise Invalid("所指执法行为不在该对象的档案中", fields={"target_row": "记录无效"})
    try:
        clock = columns(dc.OVERSIGHT_CLOCK_EFFECTS, dc.OversightAction.ISSUE, "", now,
                        lambda c: in_days(dc.answer_days(data.kind, limits()), now))
    except UnknownYear as exc:
        raise Unavailable(str(exc)) from exc

    def create() -> Oversight:
        row = Oversight.objects.create(subject=subject, county=subject.county, kind=data.kind,
                                       omission=data.omission, target_row=data.target_row, facts=data.facts,
                                       demand=data.demand, issued_by=actor, issued_at=now, updated_at=now,
                                       created_by=actor, client_key=data.client_key, **clock)
        row.number = number("JJ", row.pk, now)
        row.save(update_fields=["number"])
        log(CaseKind.CORR_OVERSIGHT, row.pk, dc.OversightAction.ISSUE, actor, now, "", dc.OversightStatus.ISSUED,
            note=f"{dc.OversightKind(data.kind).label}（{dc.Omission(data.omission).label}）：{data.facts}",
            data={"subject": subject.pk})
        return row
    return create_once(Oversight, actor, data.client_key, create)


def oversight_answer(*, actor, oversight_id: int, data: AnswerIn, at: datetime | None = None) -> Oversight:
    """书面回复 by the county agency, with the reply letter (.docx)."""
    def mutate(row, now):
        return {"answer": data.answer, "answered_at": now, "answered_late": bool(row.due_at and now > row.due_at),
                **columns(dc.OVERSIGHT_CLOCK_EFFECTS, dc.OversightAction.ANSWER, row.clock, now, None)}

    def after(row, now):
        documents.issue(row.subject, DocKind.CORR_ANSWER, _context(row.subject, now, oversight=row,
                        oversight_kind=dc.OversightKind(row.kind).label), now, actor)
    return act(OVERSIGHT, actor, oversight_id, dc.OversightAction.ANSWER, note=data.answer, version=data.version,
               at=at, mutate=mutate, after=after)


def oversight_accept(*, actor, oversight_id: int, note: str = "", version: int | None = None,
                     at: datetime | None = None) -> Oversight:
    return act(OVERSIGHT, actor, oversight_id, dc.OversightAction.ACCEPT, note=note, version=version, at=at)


def oversight_reopen(*, actor, oversight_id: int, reason: str, version: int | None = None,
                     at: datetime | None = None) -> Oversight:
    def mutate(row, now):
        return columns(dc.OVERSIGHT_CLOCK_EFFECTS, dc.OversightAction.REOPEN, row.clock, now,
                       lambda c: in_days(dc.answer_days(dc.OversightKind(row.kind), limits()), now))
    return act(OVERSIGHT, actor, oversight_id, dc.OversightAction.REOPEN, reason=reason, version=version, at=at,
               mutate=mutate)


# ---- the grid's 帮教 task -----------------------------------------------------------------------

def task_done(*, actor, task_id: int, data: TaskDoneIn, at: datetime | None = None) -> VisitTask:
    """A grid team's 帮教 visit done: the words reach the file as a visit (by the grid worker);
    the next visit task is set at the subject's level."""
    with transaction.atomic():
        return _task_done(actor, task_id, data, at or timezone.now())


def _task_done(actor, task_id: int, data: TaskDoneIn, now: datetime) -> VisitTask:
    task = scope.grid_tasks(actor).filter(pk=task_id, done_at__isnull=True).first()
    if task is None:
        raise NotFound("任务不存在或已完成")
    updated = VisitTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now, done_by=actor,
                                                                                note=data.note)
    if not updated:
        raise Conflict("该任务刚被他人完成", code="concurrent_update")
    from gongzhi.core.naming import actor_name
    subject = task.subject
    Visit.objects.create(subject=subject, at=now, by=actor, by_name=actor_name(actor), place="网格走访",
                         result=data.note, met=True)
    log(KIND, subject.pk, A.VISIT, actor, now, subject.status, subject.status, note=f"网格帮教走访：{data.note}")
    if S(subject.status) in {S.ACTIVE}:
        _grid_task(subject, timezone.localtime(now).date())
    task.refresh_from_db()
    return task


def hours_of(subject: Subject) -> dict[str, str]:
    rows = subject.activities.values("kind").annotate(h=Sum("hours"))
    return {r["kind"]: r["h"] for r in rows}
