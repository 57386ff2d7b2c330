"""Reading 社区矫正 files: scoped lists with counts, one file with everything done on it, the
prosecutors' oversight figures.  Every read of a file is logged (core.audit: who, which file);
a file is only ever read in full (corrections.scope decides who reads it at all)."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from gongzhi.casework.acts import documents
from gongzhi.casework.models import CaseKind, CaseLog, Document
from gongzhi.core import audit, timeline as core_timeline
from gongzhi.core.errors import NotFound
from gongzhi.domain import corrections as dc, privacy
from gongzhi.domain.corrections import SubjStatus as S
from gongzhi.domain.enums import SlaFlag
from gongzhi.domain.privacy import Person

from . import scope, services
from .models import Leave, Monitor, Oversight, Sanction, Subject

TABS = {
    "intake": ("待报到/待宣告", [S.NOTIFIED, S.REPORTED]),
    "active": ("在矫", [S.ACTIVE]),
    "absconded": ("脱管", [S.ABSCONDED]),
    "transferring": ("变更执行地", [S.TRANSFERRING]),
    "ended": ("已解矫/终止", [S.RELEASED, S.TERMINATED]),
}
_KINDS = {CaseKind.CORRECTION: dc.SubjStatus, CaseKind.CORR_SANCTION: dc.SanctionStatus,
          CaseKind.CORR_LEAVE: dc.LeaveStatus, CaseKind.CORR_MONITOR: dc.MonitorStatus,
          CaseKind.CORR_OVERSIGHT: dc.OversightStatus}


# Files whose sanction, leave or positioning waits for a decision (the county's 待审批 tab).
PENDING = "pending"
_PENDING_Q = (Q(sanctions__status=dc.SanctionStatus.PROPOSED) | Q(leaves__status=dc.LeaveStatus.SUBMITTED)
              | Q(monitors__status=dc.MonitorStatus.PROPOSED))
# The list's order: what needs doing first (open files by the stage they are at, red before
# yellow before green), closed files last.
_STAGE = Case(*[When(status=st, then=Value(i)) for i, st in enumerate(
    [S.NOTIFIED, S.REPORTED, S.ABSCONDED, S.TRANSFERRING, S.ACTIVE, S.RELEASED, S.TERMINATED])],
    output_field=IntegerField())
_URGENCY = Case(When(sla_flag=SlaFlag.RED, then=Value(0)), When(sla_flag=SlaFlag.YELLOW, then=Value(1)),
                default=Value(2), output_field=IntegerField())


def _pending(qs):
    return qs.filter(pk__in=qs.filter(_PENDING_Q).values("pk"))


def subject_list(user, *, tab: str | None = None, flag: SlaFlag | None = None, q: str = ""):
    """The files in scope.  A prosecutor's reading of the county's list (names, a name searched)
    is logged like a file read: they oversee, they do not work these files."""
    if scope.prosecutor_paths(user) and not scope.is_corrections_staff(user):
        audit.record(user, CaseKind.CORRECTION, 0, "查看社区矫正对象名单" + (f"（检索：{q}）" if q else ""))
    qs = scope.visible_subjects(user).select_related("township", "county")
    if tab == PENDING:
        qs = _pending(qs)
    elif tab in TABS:
        qs = qs.filter(status__in=TABS[tab][1])
    if flag:
        qs = qs.filter(sla_flag=flag)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(number__contains=q))
    return qs.annotate(stage=_STAGE, urgency=_URGENCY).order_by("stage", "urgency", "due_at", "-notified_at", "-id")


def tab_counts(user) -> dict[str, int]:
    visible = scope.visible_subjects(user)
    rows = dict(visible.values_list("status").annotate(n=Count("id")))
    out = {key: sum(rows.get(s.value, 0) for s in statuses) for key, (_, statuses) in TABS.items()}
    out[PENDING] = _pending(visible).count()
    return out


def summary(subject: Subject, now=None) -> dict:
    now = now or timezone.now()
    return {"id": subject.id, "number": subject.number, "name": subject.name, "status": subject.status,
            "status_label": S(subject.status).label, "kind": subject.kind,
            "kind_label": dc.CorrType(subject.kind).label, "level": subject.level,
            "level_label": dc.Level(subject.level).label, "township": subject.township.name,
            "term_end": subject.term_end, "clock": subject.clock,
            "clock_label": dc.SubjClock(subject.clock).label if subject.clock else "",
            "due_at": subject.due_at, "sla_flag": subject.sla_flag, "sla_label": SlaFlag(subject.sla_flag).label,
            "documents_late": subject.documents_late,
            "absconded_days": dc.absconded_days(subject.absconded_at, None, now) if subject.absconded_at else 0}


_CLOCKS = {CaseKind.CORR_SANCTION: dc.SanctionClock, CaseKind.CORR_LEAVE: dc.LeaveClock,
           CaseKind.CORR_MONITOR: dc.MonitorClock, CaseKind.CORR_OVERSIGHT: dc.OversightClock}


def _offered_on(kind: CaseKind, row, caps: set, action) -> bool:
    """The child's actions a page should offer: of a sanction's two approvals the one its step takes
    (a 训诫 is decided here, a 撤销 proposed onwards); a leave's decision only to whom its length
    leaves it (domain.corrections.may_decide)."""
    if kind is CaseKind.CORR_SANCTION and action in (dc.SanctionAction.DECIDE, dc.SanctionAction.SUBMIT):
        return action == dc.decision_action(dc.Step(row.step))
    if kind is CaseKind.CORR_LEAVE and action in (dc.LeaveAction.APPROVE, dc.LeaveAction.REFUSE):
        return dc.may_decide(dc.Authority(row.authority), caps)
    return True


def _row(kind: CaseKind, row, ct, user, caps: set) -> dict:
    statuses = _KINDS[kind]
    return {"id": row.pk, "number": row.number, "status": row.status, "status_label": statuses(row.status).label,
            "version": row.version, "clock": row.clock, "due_at": row.due_at if row.clock else None,
            "clock_label": _CLOCKS[kind](row.clock).label if row.clock else "", "sla_flag": row.sla_flag,
            "actions": [a.value for a in ct.actions(user, row, caps) if _offered_on(kind, row, caps, a)]}


def _last_reason(kind: CaseKind, case_id: int, action) -> str:
    row = CaseLog.objects.filter(kind=kind, case_id=case_id, action=action).order_by("-at", "-id").first()
    return row.reason if row else ""


def _target(row_id: int | None) -> str:
    """The timeline row a 检察监督 points at, as the file's timeline shows it."""
    r = CaseLog.objects.filter(pk=row_id).first() if row_id else None
    if r is None:
        return ""
    return f"{timezone.localtime(r.at):%Y-%m-%d %H:%M} {CaseKind(r.kind).label}·{r.label}"


def _children(user, subject: Subject, caps: set) -> dict:
    staff_caps = set() if scope.only_reads(caps) else caps
    return {
        "sanctions": [{**_row(CaseKind.CORR_SANCTION, r, services.SANCTION, user, staff_caps), "step": r.step,
                       "step_label": dc.Step(r.step).label, "facts": r.facts, "evidence": r.evidence,
                       "suggested": r.suggested, "created_at": r.created_at, "decided_at": r.decided_at,
                       "outcome": r.outcome} for r in subject.sanctions.all()],
        "leaves": [{**_row(CaseKind.CORR_LEAVE, r, services.LEAVE, user, staff_caps), "kind": r.kind,
                    "kind_label": dc.LeaveKind(r.kind).label, "start": r.start, "end": r.end,
                    "destination": r.destination, "reason": r.reason, "authority": r.authority,
                    "authority_label": dc.Authority(r.authority).label, "returned_at": r.returned_at,
                    "returned_late": r.returned_late} for r in subject.leaves.all()],
        "monitors": [{**_row(CaseKind.CORR_MONITOR, r, services.MONITOR, user, staff_caps), "ground": r.ground,
                      "facts": r.facts,
                      "ground_label": dc.MonitorGround(r.ground).label, "months": r.months, "device": r.device,
                      "active_from": r.active_from, "active_until": r.active_until, "renewals": r.renewals,
                      "positions": r.positions.count()} for r in subject.monitors.all()],
        "oversights": [{**_row(CaseKind.CORR_OVERSIGHT, r, services.OVERSIGHT, user, caps), "kind": r.kind,
                        "kind_label": dc.OversightKind(r.kind).label, "omission": r.omission,
                        "omission_label": dc.Omission(r.omission).label, "facts": r.facts, "demand": r.demand,
                        "issued_at": r.issued_at, "answer": r.answer, "answered_at": r.answered_at,
                        "answered_late": r.answered_late, "target_row": r.target_row,
                        "target": _target(r.target_row),
                        "reopened": _last_reason(CaseKind.CORR_OVERSIGHT, r.pk, dc.OversightAction.REOPEN)}
                       for r in subject.oversights.all()],
    }


def timeline(subject: Subject, viewer: privacy.Viewer) -> list[dict]:
    """One timeline for the file: its own rows and those of its sanctions, leaves, positioning
    approvals and oversight, in time order (core.timeline.read, every row through the policy)."""
    ids = {CaseKind.CORR_SANCTION: list(subject.sanctions.values_list("id", flat=True)),
           CaseKind.CORR_LEAVE: list(subject.leaves.values_list("id", flat=True)),
           CaseKind.CORR_MONITOR: list(subject.monitors.values_list("id", flat=True)),
           CaseKind.CORR_OVERSIGHT: list(subject.oversights.values_list("id", flat=True))}
    q = Q(kind=CaseKind.CORRECTION, case_id=subject.pk)
    for kind, pks in ids.items():
        if pks:
            q |= Q(kind=kind, case_id__in=pks)
    rows = list(CaseLog.objects.filter(q).order_by("at", "id"))
    by_id = {r.pk: r for r in rows}
    out = core_timeline.read(rows, label=lambda r: r.label, status_label=lambda code: code,
                             secrecy=privacy.Secrecy.NORMAL, viewer=viewer,
                             subject=Person(subject.name, subject.phone, subject.id_number),
                             public_text=frozenset(), feed_text=frozenset(), role=privacy.Role.SUBJECT)
    # core.timeline.read keeps the order and drops none for a staff viewer (every row is internal).
    for shown, r in zip(out, rows, strict=False):
        statuses = _KINDS[CaseKind(r.kind)]
        shown.update(id=r.pk, kind=r.kind, kind_label=CaseKind(r.kind).label,
                     to_label=statuses(r.to_status).label if r.to_status else "")
    del by_id
    return out


def _offered(subject: Subject, action) -> bool:
    """Whether a page should offer the action: the table allows it, and the service would not
    refuse it for a fact the page can see (documents already in, a term not yet over)."""
    if action == dc.SubjAction.DOCUMENTS:
        return subject.documents_at is None
    if action == dc.SubjAction.RELEASE:
        return timezone.localdate() >= subject.term_end
    if action == dc.SubjAction.ANNOUNCE:         # services.announce: documents, team and plan first
        return bool(subject.documents_at and subject.plan and subject.team.exists())
    return True


def detail(user, subject_id: int) -> dict:
    """The whole file.  Read only by those corrections.scope lets see it; each read logged."""
    subject = services.load_subject(user, subject_id)
    caps = scope.capacities(user, subject)
    who = scope.viewer(user, subject, caps)
    audit.record(user, CaseKind.CORRECTION, subject.pk, "查看社区矫正档案")
    reads_only = scope.only_reads(caps)
    advice = services.suggestion(subject) if S(subject.status) in dc.OPEN_SUBJ else dc.Suggestion(None, ())
    level = services.level_advice(subject) if S(subject.status) is S.ACTIVE else None
    return {
        **summary(subject), "version": subject.version, "gender": subject.gender, "id_number": subject.id_number,
        "phone": subject.phone, "address": subject.address, "grid": subject.grid.name if subject.grid_id else "",
        "county": subject.county.name, "decider_label": dc.Decider(subject.decider).label,
        "decision_body": subject.decision_body, "decision_no": subject.decision_no, "crime": subject.crime,
        "prohibition": subject.prohibition, "decided_on": subject.decided_on, "term_start": subject.term_start,
        "notified_at": subject.notified_at, "report_due_on": subject.report_due_on,
        "reported_at": subject.reported_at, "documents_due_on": subject.documents_due_on,
        "documents_at": subject.documents_at, "announced_at": subject.announced_at, "plan": subject.plan,
        "level_since": subject.level_since, "absconded_days_max": subject.absconded_days_max,
        "absconded_days_total": subject.absconded_days_total,
        "transfer_to": subject.transfer_to.name if subject.transfer_to_id else "",
        "ended_at": subject.ended_at,
        "end_reason_label": dc.EndReason(subject.end_reason).label if subject.end_reason else "",
        "team": [{"role": m.role, "role_label": dc.TeamRole(m.role).label, "name": m.name, "phone": m.phone,
                  "org": m.org} for m in subject.team.all()],
        "checkins": [{"id": c.id, "due_on": c.due_on, "way_label": dc.CheckinWay(c.way).label, "done_at": c.done_at,
                      "result": c.result, "missed": c.missed} for c in subject.checkins.all()[:24]],
        "visits": [{"at": v.at, "by": v.by_name, "place": v.place, "result": v.result, "met": v.met}
                   for v in subject.visits.all()[:24]],
        "activities": [{"kind_label": dc.ActivityKind(a.kind).label, "on": a.on, "hours": a.hours,
                        "partner": a.partner.name if a.partner_id else "", "content": a.content,
                        "help_label": dc.HelpKind(a.help_kind).label if a.help_kind else ""}
                       for a in subject.activities.select_related("partner")[:50]],
        "hours": services.hours_of(subject),
        "scores": [{"month": sc.month, "score": sc.score, "note": sc.note} for sc in subject.scores.all()],
        "suggestion": {"step": advice.step.value if advice.step else None,
                       "step_label": advice.step.label if advice.step else "", "reasons": list(advice.reasons)},
        "level_advice": ({"level": level.level.value, "level_label": level.level.label, "reason": level.reason}
                         if level is not None and level.changes else None),
        **_children(user, subject, caps),
        "documents": documents(CaseKind.CORRECTION, subject.pk),
        "capacities": sorted(caps), "reads_only": reads_only,
        "actions": [] if reads_only else [a.value for a in services.SUBJECT.actions(user, subject, caps)
                                          if _offered(subject, a)],
        "may_issue_oversight": dc.Cap.PROSECUTOR in caps,
        "may_create": sorted(c.value for c in services.creations(subject, caps)),
        "timeline": timeline(subject, who),
    }


def document(user, subject_id: int, doc_id: int) -> Document:
    """A document of the file, for whoever reads the file (a prosecutor too: reading is theirs,
    where casework.acts.document_for would ask the write guard and answer them 403); logged."""
    subject = services.load_subject(user, subject_id)
    doc = Document.objects.filter(kind=CaseKind.CORRECTION, case_id=subject.pk, pk=doc_id).first()
    who = scope.viewer(user, subject, scope.capacities(user, subject))
    if doc is None or not privacy.sees_in_full(who, privacy.Role.SUBJECT):
        raise NotFound("文书不存在")
    audit.record(user, CaseKind.CORRECTION, subject.pk, f"下载{doc.title}")
    return doc


def oversight_board(user, now=None) -> dict:
    """The prosecutors' (and the agency's) figures for the counties in view: overdue intakes,
    脱管 counts and days, 检察建议 pending and overdue, penalties by type."""
    now = now or timezone.now()
    subjects = scope.visible_subjects(user)
    absconded = list(subjects.filter(status=S.ABSCONDED).values_list("absconded_at", flat=True))
    over = Oversight.objects.filter(subject__in=subjects)
    # Penalties given: decided here (a 训诫 corrected since still counts) or adopted by the decider;
    # those waiting for the county or for the decider are counted apart.
    sanctions = Sanction.objects.filter(subject__in=subjects, status__in=[
        dc.SanctionStatus.DECIDED, dc.SanctionStatus.CORRECTED, dc.SanctionStatus.ADOPTED])
    waiting = Sanction.objects.filter(subject__in=subjects, status__in=[
        dc.SanctionStatus.PROPOSED, dc.SanctionStatus.SUBMITTED]).count()
    return {
        "in_correction": subjects.filter(status__in=list(dc.IN_CORRECTION)).count(),
        "intake_overdue": subjects.filter(status=S.NOTIFIED, sla_flag=SlaFlag.RED).count(),
        "documents_late": subjects.filter(documents_late=True, documents_at__isnull=True).count(),
        "announce_overdue": subjects.filter(status=S.REPORTED, sla_flag=SlaFlag.RED).count(),
        "absconded": len(absconded),
        "absconded_days": sum(dc.absconded_days(a, None, now) for a in absconded if a),
        "search_overdue": subjects.filter(status=S.ABSCONDED, sla_flag=SlaFlag.RED).count(),
        "leave_overdue": Leave.objects.filter(subject__in=subjects, status=dc.LeaveStatus.APPROVED,
                                              sla_flag=SlaFlag.RED).count(),
        "monitors_active": Monitor.objects.filter(subject__in=subjects, status=dc.MonitorStatus.ACTIVE).count(),
        "oversight_pending": over.filter(status=dc.OversightStatus.ISSUED).count(),
        "oversight_overdue": over.filter(status=dc.OversightStatus.ISSUED, sla_flag=SlaFlag.RED).count(),
        "oversight_answered": over.filter(status=dc.OversightStatus.ANSWERED).count(),
        "penalties": {dc.Step(k).label: n for k, n in sanctions.values_list("step").annotate(n=Count("id"))},
        "penalties_waiting": waiting,
        "reoffended": subjects.filter(end_reason=dc.EndReason.REVOKED).count(),
        "due_to_end": subjects.filter(status=S.ACTIVE, term_end__lte=timezone.localdate() + timedelta(days=30))
        .count(),
        "oversights": [{"id": o.id, "number": o.number, "subject_id": o.subject_id, "subject": o.subject.number,
                        "kind_label": dc.OversightKind(o.kind).label, "omission_label": dc.Omission(o.omission).label,
                        "status": o.status, "status_label": dc.OversightStatus(o.status).label,
                        "due_at": o.due_at, "sla_flag": o.sla_flag, "issued_at": o.issued_at}
                       for o in over.select_related("subject").annotate(stage=Case(
                           *[When(status=st, then=Value(i)) for i, st in enumerate(dc.OversightStatus)],
                           output_field=IntegerField())).order_by("stage", "due_at", "-issued_at")[:50]],
    }


def grid_tasks(user) -> list[dict]:
    """A grid team's 帮教 tasks: the person as the policy shows them to staff who do not work the
    file (masked), the address to find them, the due day — nothing of the file."""
    out = []
    for t in scope.grid_tasks(user).filter(done_at__isnull=True).order_by("due_on"):
        shown = privacy.person_view(Person(t.subject.name, t.subject.phone), privacy.Secrecy.NORMAL,
                                    privacy.Viewer.STAFF, privacy.Role.SUBJECT)
        out.append({"id": t.id, "name": shown.name, "phone": shown.phone, "address": t.subject.address,
                    "grid": t.grid.name, "due_on": t.due_on, "overdue": t.due_on < timezone.localdate()})
    return out
