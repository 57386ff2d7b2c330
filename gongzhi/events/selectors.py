"""Reads: what a user sees of an event, masked and scoped."""
from __future__ import annotations

from django.conf import settings
from django.db.models import CharField, DateTimeField, OuterRef, Q, Subquery, Value
from django.utils import timezone

from gongzhi.core import files, timeline
from gongzhi.core.scope import scope_of
from gongzhi.domain import privacy
from gongzhi.domain.calendar import UnknownYear
from gongzhi.domain.enums import (
    OPEN_STATUSES,
    Action,
    Clock,
    CoHandlerRole,
    EventKind,
    ExtensionState,
    Level,
    Role,
    SlaFlag,
    Status,
)
from gongzhi.domain.privacy import Person, Viewer
from gongzhi.domain.residents import ReopenLimit, reopen_refusal
from gongzhi.domain.workflow import allowed_actions, goes_to_mediation

from . import rules
from .models import CoHandler, Event
from .scope import capacities, is_subject, reads_as_staff, secrecy, viewer_of, visible_events


def reporter_of(ev: Event) -> Person:
    return Person(ev.reporter_name, ev.reporter_phone, ev.reporter_id_number)


def reporter_view(user, ev: Event, viewer: Viewer | None = None) -> dict:
    """The reporter as this user may see them (domain.privacy), and whether they may ask for more."""
    viewer = viewer_of(user, ev) if viewer is None else viewer
    as_person = Viewer.SELF if is_subject(user, ev) else viewer
    sec = secrecy(ev)
    shown = privacy.person_view(reporter_of(ev), sec, as_person)
    return {"name": shown.name, "phone": shown.phone, "id_number": shown.id_number, "masked": shown.masked,
            "disclosure": shown.disclosure.value,
            "can_unmask": shown.masked and bool(ev.reporter_name or ev.reporter_phone or ev.reporter_id_number)
            and privacy.may_unmask(sec, as_person)}


def timeline_of(user, ev: Event, rows, viewer: Viewer) -> list[dict]:
    """The rows this viewer may read (``core.timeline.read``), each actor named by the policy
    (never the stored account name of a confidential reporter).  ``by_subject`` is fixed when a
    row is written: the report itself (whoever typed it in — a 12345 intake account, a desk
    clerk) and the reporter's own later rows."""
    return timeline.read(rows, label=lambda r: Action(r.action).label, status_label=lambda code: Status(code).label,
                         secrecy=secrecy(ev), viewer=viewer, subject=reporter_of(ev), self_view=is_subject(user, ev))


def remaining(ev: Event, now=None) -> dict | None:
    """Time left on the running clock, in working days and hours, for countdowns."""
    if not ev.due_at:
        return None
    now = now or timezone.now()
    cal = rules.calendar()
    seconds = (ev.due_at - now).total_seconds()
    try:
        workdays = cal.workdays_between(now.astimezone(cal.tz).date(), ev.due_at.astimezone(cal.tz).date())
    except UnknownYear:   # a deadline in a year not loaded yet: show hours only
        workdays = None
    if seconds < 0:
        workdays = -cal.workdays_between(ev.due_at.astimezone(cal.tz).date(), now.astimezone(cal.tz).date()) \
            if workdays is not None else None
    return {"clock": Clock(ev.clock).label if ev.clock else "", "due_at": ev.due_at,
            "overdue": seconds < 0, "hours": round(seconds / 3600, 1), "workdays": workdays}


def event_summary(user, ev: Event) -> dict:
    # Datetimes stay aware (UTC from the database): the API renderer writes them in Shanghai
    # time, the pages' templates likewise.  A list row is a staff or a public row by who asks:
    # someone with no staff scope only lists their own reports and reads them as the public does.
    row = _summary(ev)
    return {**row, **_PUBLIC_SUMMARY} if reads_as_public(user, ev) else row


def reads_as_public(user, ev: Event) -> bool:
    """A list row's shape without the per-row capacity queries of viewer_of: a resident lists only
    their own reports; staff list their scope's events as staff, and their own reports made
    outside it (a county officer's noise complaint at home) as the reporter does."""
    s = scope_of(user)
    return not s.is_staff_anywhere or (is_subject(user, ev) and not reads_as_staff(s, ev))


def _summary(ev: Event) -> dict:
    return {
        "id": ev.id, "number": ev.number, "title": ev.title, "kind": ev.kind, "kind_label": EventKind(ev.kind).label,
        "category": ev.category.code, "category_name": ev.category.name, "urgency": ev.urgency,
        "status": ev.status, "status_label": Status(ev.status).label, "channel": ev.channel,
        "grid": ev.area.code, "grid_name": ev.area.name, "address": ev.address,
        "lon": ev.lon, "lat": ev.lat,
        "handler_level": ev.handler_level, "handler_level_label": Level(ev.handler_level).label,
        "handler_area": ev.handler_area.name,
        "handler_department": ev.handler_department.name if ev.handler_department_id else None,
        "sla_flag": ev.sla_flag, "sla_label": SlaFlag(ev.sla_flag).label, "clock": ev.clock or None,
        "due_at": ev.due_at, "reported_at": ev.reported_at, "version": ev.version,
        "supervision": ev.supervision or None,
    }


def _rows(ev: Event, relation: str) -> list:
    """A relation's rows, straight from the prefetch cache when it holds them: building a related
    manager to reach that cache was a third of a detail's Python time (four per detail)."""
    cached = getattr(ev, "_prefetched_objects_cache", {})
    return cached[relation] if relation in cached else list(getattr(ev, relation).all())


def event_detail(user, ev: Event) -> dict:
    caps = capacities(user, ev)
    viewer = viewer_of(user, ev, caps)
    detail = _full_detail(user, ev, caps, viewer)
    return _public_detail(detail) if privacy.is_public(viewer) else detail


# What the reporter (and any public reader) does not see: how staff work the case, their
# countdowns and their notes (domain.privacy.is_public).
_INTERNAL_FIELDS = {
    "route_reason": "", "result": "", "remaining": None, "sign_due_at": None, "handle_due_at": None,
    "extension_workdays": 0, "signed_on_time": None, "resolved_on_time": None, "escalations": 0, "returns": 0,
    "co_handlers": [], "extensions": [], "due_at": None, "clock": None, "supervision": None,
    "sla_flag": None, "sla_label": "",    # yellow/red is the countdown's state: staff's too
}


_PUBLIC_SUMMARY = {k: _INTERNAL_FIELDS[k] for k in ("due_at", "clock", "supervision", "sla_flag", "sla_label")}


def _public_detail(detail: dict) -> dict:
    return {**detail, **_INTERNAL_FIELDS}


def _full_detail(user, ev: Event, caps, viewer: Viewer) -> dict:
    timeline = timeline_of(user, ev, _rows(ev, "actions"), viewer)
    return {
        **_summary(ev),
        "description": ev.description, "fields": ev.fields,
        "orig_lon": ev.orig_lon, "orig_lat": ev.orig_lat, "orig_system": ev.orig_system or None,
        "reporter": reporter_view(user, ev, viewer), "confidential": secrecy(ev) is privacy.Secrecy.CONFIDENTIAL,
        "anonymous": ev.anonymous,
        "route_reason": ev.route_reason, "result": ev.result, "answer": ev.answer,
        "satisfaction": ev.satisfaction, "remaining": remaining(ev),
        "sign_due_at": ev.sign_due_at, "handle_due_at": ev.handle_due_at,
        "extension_workdays": ev.extension_workdays, "signed_on_time": ev.signed_on_time,
        "resolved_on_time": ev.resolved_on_time, "escalations": ev.escalations, "returns": ev.returns,
        "reopens": ev.reopens,
        "merged_into": ev.merged_into.number if ev.merged_into_id else None, "merged_into_id": ev.merged_into_id,
        "split_from": ev.split_from.number if ev.split_from_id else None,
        "co_handlers": [{"department": c.department.name, "code": c.department.code, "role": c.role,
                         "check_in_due_at": c.check_in_due_at, "checked_in_at": c.checked_in_at}
                        for c in _rows(ev, "co_handlers")],
        "extensions": [{"id": x.id, "workdays": x.workdays, "reason": x.reason, "state": x.state,
                        "requested_at": x.requested_at, "decided_at": x.decided_at} for x in _rows(ev, "extensions")],
        "attachments": _attachments(ev, viewer),
        "capacities": sorted(caps),
        # 转人民调解 only where it applies (a dispute, a 110 transfer): the table does not know kinds.
        # 审批延期 only while a request waits (the table knows statuses, not requests): once decided,
        # the button went on offering a decision the service then refused.
        "actions": [a.value for a in allowed_actions(Status(ev.status), caps)
                    if (a is not Action.TO_MEDIATION or goes_to_mediation(ev.kind, ev.channel))
                    and (a not in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION)
                         or any(x.state == ExtensionState.PENDING for x in _rows(ev, "extensions")))
                    # 重办 only while the configured limit allows it (the service refuses past it).
                    and (a is not Action.REOPEN or _may_reopen(ev))],
        "timeline": timeline,
    }


def _may_reopen(ev: Event) -> bool:
    limit = ReopenLimit(settings.GONGZHI_REOPEN_MAX, settings.GONGZHI_REOPEN_DAYS)
    return reopen_refusal(limit, reopens=ev.reopens, answered_at=ev.answered_at, now=timezone.now()) is None


def _attachments(ev: Event, viewer: Viewer) -> list[dict]:
    """The files the viewer may read, each with the step it came with (上报事件 / 办结 / 办理记录):
    the row is looked up among the prefetched timeline rows, not queried per file."""
    steps = {r.pk: r.action for r in _rows(ev, "actions")}
    out = []
    for a in _rows(ev, "attachments"):
        if not privacy.may_read(a.visibility, viewer):
            continue
        step = steps.get(a.action_id) if a.action_id else None
        out.append({"id": a.id, "kind": a.kind, "mime": a.mime, "size": a.size, "visibility": a.visibility,
                    "url": files.attachment_url(ev.id, a.id), "step": step,
                    "step_label": Action(step).label if step else ""})
    return out


DETAIL_PREFETCH = ("actions", "co_handlers__department", "extensions", "attachments")


def detail_of(user, event_id: int) -> dict:
    """The detail of one visible event: the row plus four prefetch queries, whatever its history."""
    from .services import load
    return event_detail(user, load(user, event_id, prefetch=DETAIL_PREFETCH))


def event_list(user, *, status=None, kind=None, sla=None, area=None, mine=False, q=None):
    qs = visible_events(user).select_related("category", "area", "handler_area", "handler_department")
    if status:
        qs = qs.filter(status__in=status.split(","))
    if kind:
        qs = qs.filter(kind=kind)
    if sla:
        qs = qs.filter(sla_flag=sla)
    if area:
        qs = qs.filter(area_path__contains=f"/{area}/")
    if mine:
        qs = qs.filter(reporter=user)
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(number=q)
    return qs.order_by("-reported_at", "-id")


# ---- work lists for the pages ------------------------------------------------------------------

QUEUE_TABS = {
    "sign": ("待签收", Q(status=Status.DISPATCHED)),
    "handling": ("办理中", Q(status=Status.HANDLING)),
    "yellow": ("即将超期", Q(sla_flag=SlaFlag.YELLOW)),
    "red": ("已超期", Q(sla_flag=SlaFlag.RED)),
    "called": ("吹哨报到", Q(called_as__isnull=False)),
}
# The tabs of the unit's own work: what it 签收s, handles and whose clock is its own.  A department
# called in by 吹哨 acts on a call by 报到 and notes — never 签收 or 办结 — so its calls are only in
# the 吹哨报到 tab (issue 17 walk: a called department landed on 待签收 with a row it had no button for).
HELD_TABS = frozenset({"sign", "handling", "yellow", "red"})


def _held(s) -> Q:
    return Q(handler_department_id__in=s.departments) | Q(
        handler_department__isnull=True, handler_area_id__in=[a[1] for a in s.areas if a[0] != Role.SUPERVISOR])


def queue_tabs(user) -> dict[str, tuple[str, Q]]:
    """The tabs of this user's queue, each (label, filter over ``work_queue``): a department's own
    tabs hold only the events it holds — its calls are in 吹哨报到, the only tab it has for them."""
    s = scope_of(user)
    # Only a department's queue mixes in what it does not hold (work_queue): the others' filters
    # stay as they were (their lists' plans, ADR 0021).
    own = s.departments and not s.is_admin
    return {key: (label, q & _held(s) if own and key in HELD_TABS else q) for key, (label, q) in QUEUE_TABS.items()}


def work_queue(user):
    """Open events this user's unit must act on: their grid's or area's, or their department's —
    including those it was called in on by 吹哨 as 主办 or 协办 (issue 17: they never saw them).
    Each row carries ``called_as`` (the CoHandlerRole, or None) and ``check_in_due_at`` (报到)."""
    s = scope_of(user)
    mine = _held(s)
    if s.departments:
        # A subquery, not a join: a join on co_handlers repeats rows (and the count of each tab).
        mine |= Q(pk__in=CoHandler.objects.filter(department_id__in=s.departments).values("event_id"))
    if s.is_admin:
        mine = Q()
    qs = visible_events(user).filter(mine, status__in=[st.value for st in OPEN_STATUSES])
    return (_called_in(qs, s.departments)
            .select_related("category", "area", "handler_area", "handler_department").order_by("due_at", "id"))


def _called_in(qs, departments):
    """The viewer's department's 吹哨 role on each row (主办 before 协办) and its 报到 deadline."""
    if not departments:
        return qs.annotate(called_as=Value(None, output_field=CharField()),
                           check_in_due_at=Value(None, output_field=DateTimeField()),
                           checked_in_at=Value(None, output_field=DateTimeField()))
    called = CoHandler.objects.filter(event=OuterRef("pk"), department_id__in=departments).order_by("-role")
    return qs.annotate(called_as=Subquery(called.values("role")[:1]),
                       check_in_due_at=Subquery(called.values("check_in_due_at")[:1]),
                       checked_in_at=Subquery(called.values("checked_in_at")[:1]))


def queue_row(user, ev: Event) -> dict:
    """A work-queue row for the API: the staff summary plus the unit's 吹哨 role and 报到 deadline."""
    return {**event_summary(user, ev), "called_as": ev.called_as, "called_as_label": called_label(ev),
            "check_in_due_at": ev.check_in_due_at, "checked_in_at": ev.checked_in_at}


def called_label(row) -> str:
    """主办 / 协办 for a queue row, '' when the unit handles it itself."""
    role = getattr(row, "called_as", None)
    return CoHandlerRole(role).label if role else ""


def queue_counts(user) -> dict[str, int]:
    qs = work_queue(user)
    return {key: qs.filter(q).count() for key, (_, q) in queue_tabs(user).items()}


def first_tab(counts: dict[str, int]) -> str:
    """Where a queue opens when no tab is asked for: 待签收, unless nothing waits there and 吹哨
    calls do (a department called in and holding nothing lands on its calls, not an empty list)."""
    return "called" if not counts.get("sign") and counts.get("called") else "sign"


def dispatch_targets(user) -> dict[str, list[tuple[str, str]]]:
    """Areas (community and below) and departments a centre user may dispatch to."""
    from gongzhi.areas.models import Area, Department
    s = scope_of(user)
    areas = Area.objects.filter(level__gte=Level.TOWNSHIP).order_by("path")
    depts = Department.objects.filter(active=True).select_related("area").order_by("area__path", "code")
    if not s.is_admin:
        paths = [p for _, _, p, _ in s.areas]
        inside = Q(pk__in=[])
        for p in paths:
            inside |= Q(path__startswith=p)
        areas = areas.filter(inside)
        dept_inside = Q(pk__in=[])
        for p in paths:
            dept_inside |= Q(area__path__startswith=p) | Q(area__path__in=_ancestors(p))
        depts = depts.filter(dept_inside)
    # Indented by em spaces (an ideographic space's width, and no CJK character on English pages).
    return {"areas": [(a.code, "\u2003" * max(0, a.level - Level.TOWNSHIP) + a.name) for a in areas],
            "departments": [(d.code, d.name) for d in depts]}


def _ancestors(path: str) -> list[str]:
    """'/a/b/c/' → ['/a/', '/a/b/']: county departments serve the townships below them."""
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))]
