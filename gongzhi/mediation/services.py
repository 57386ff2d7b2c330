"""Every mediation use case, once: the API and the pages both call these.

Status changes go through ``casework.acts.act`` (transition table, guarded UPDATE, timeline);
assignment and risk come from ``domain.mediation``; deadlines from the working-day calendar.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.casework import documents
from gongzhi.casework.acts import CaseType, act, by_applicant, create_once, log, notify, number, submitted
from gongzhi.casework.clocks import clock_changes
from gongzhi.casework.models import CaseKind, DocKind
from gongzhi.core import admindata
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.core.scope import scope_of
from gongzhi.domain import mediation as dm
from gongzhi.domain.enums import Channel, Status as EventStatus
from gongzhi.domain.mediation import CaseAction as A, CaseStatus as S, PartyRole, Source
from gongzhi.domain.privacy import Person, Secrecy, mask_id_number, mask_name, mask_phone, redact_people
from gongzhi.domain.workflow import Capacity, goes_to_mediation
from gongzhi.events import scope as event_scope, services as event_services
from gongzhi.events.models import Event

from . import scope
from .inputs import (
    ApplyIn,
    AssignIn,
    CaseIn,
    ConfirmIn,
    FailIn,
    FollowUpIn,
    FromEventIn,
    PartyIn,
    RecordIn,
    RecuseIn,
    ScheduleIn,
    SucceedIn,
    TransferIn,
)
from .models import Case, DisputeType, Mediator, Organisation, Party, Recusal, Session

KIND = CaseKind.MEDIATION
OPEN = [s.value for s in dm.OPEN_CASE_STATUSES]


def load(actor, case_id: int) -> Case:
    case = (scope.visible_cases(actor).select_related("dispute_type", "organisation", "mediator", "area")
            .filter(pk=case_id).order_by().first())
    if case is None:
        raise NotFound("调解案件不存在或不在您的管辖范围内")
    return case


CASE = CaseType(KIND, Case, S, dm.TRANSITIONS, load, scope.capacities, dm.ROW_VISIBILITY, dm.PUBLIC_TEXT,
                scope.viewer, system_caps=frozenset({Capacity.SYSTEM}), clock_effects=dm.CLOCK_EFFECTS)


# ---- facts for the domain -----------------------------------------------------------------------

def _org_facts(qs) -> list[dm.OrgFacts]:
    qs = qs.filter(active=True).select_related("area").prefetch_related("types").annotate(
        open_cases=Count("cases", filter=Q(cases__status__in=OPEN), distinct=True),
        n_mediators=Count("mediators", filter=Q(mediators__active=True), distinct=True))
    return [dm.OrgFacts(o.id, o.name, dm.OrgKind(o.kind), o.area.path, frozenset(t.code for t in o.types.all()),
                        o.open_cases, o.n_mediators) for o in qs]


def mediator_facts(org_id: int) -> list[dm.MediatorFacts]:
    qs = Mediator.objects.filter(org_id=org_id).prefetch_related("types").annotate(
        open_cases=Count("cases", filter=Q(cases__status__in=OPEN)),
        succeeded=Count("cases", filter=Q(cases__succeeded=True)),
        concluded=Count("cases", filter=Q(cases__succeeded__isnull=False)))
    return [dm.MediatorFacts(m.id, m.name, m.org_id, m.level, frozenset(t.code for t in m.types.all()),
                             m.dialect_set, m.open_cases, m.max_cases, m.succeeded, m.concluded, m.active)
            for m in qs]


def _case_facts(case: Case) -> dm.CaseFacts:
    return dm.CaseFacts(case.dispute_type.code, case.area_path, dm.RiskLevel(case.risk_level), case.amount,
                        case.dialect, frozenset(case.recusals.values_list("mediator_id", flat=True)))


def org_choices(type_code: str, area: Area) -> list[dm.Choice]:
    return dm.rank_organisations(_org_facts(Organisation.objects.all()), dm.CaseFacts(type_code, area.path))


def _earlier_disputes(parties: list[PartyIn], at: datetime) -> int:
    """Cases in the last year sharing a party (same ID number or phone) — repeat quarrels."""
    keys = Q(pk__in=[])
    for p in parties:
        if p.id_number:
            keys |= Q(id_number=p.id_number)
        if p.phone:
            keys |= Q(phone=p.phone)
    return (Party.objects.filter(keys, case__applied_at__gte=at - timedelta(days=365))
            .values("case_id").distinct().count())


# ---- intake -------------------------------------------------------------------------------------

def case_apply(*, actor, data: ApplyIn, at: datetime | None = None) -> tuple[Case, bool]:
    """A direct application, online (the applicant is the user) or at a desk (staff record it)."""
    area = Area.objects.filter(code=data.area).first()
    if area is None:
        raise Invalid("纠纷发生地不存在", fields={"area": f"找不到区域 {data.area}"})
    if not any(p.role == PartyRole.APPLICANT for p in data.parties):
        raise Invalid("至少需要一名申请人", fields={"parties": "至少需要一名申请人"})
    staff = scope_of(actor).is_staff_anywhere or scope.org_ids(actor)
    source = Source.DESK if staff else Source.ONLINE
    return _create(actor, data, source=source, event=None, area=area, facts=data.facts, parties=data.parties,
                   applicant_user=None if staff else actor, at=at)


def case_from_event(*, actor, event_id: int, data: FromEventIn, at: datetime | None = None) -> tuple[Case, bool]:
    """转人民调解: a 矛盾纠纷 report or a 110 non-police transfer becomes a dispute case.

    The reporter becomes the applicant (never for a confidential report); the form adds the others.
    The event moves to 转调解 in the case's own transaction (its clocks stop), and comes back
    when the case ends (:func:`_event_after`).
    """
    ev = event_scope.visible_events(actor).select_related("area").filter(pk=event_id).order_by().first()
    if ev is None:
        raise NotFound("事件不存在或不在您的管辖范围内")
    if not goes_to_mediation(ev.kind, ev.channel):
        raise Invalid("只有矛盾纠纷事件或 110 非警务警情可以转人民调解", code="not_a_dispute")
    if not event_scope.capacities(actor, ev) & {Capacity.HANDLER, Capacity.CENTRE}:
        raise Forbidden("只有处置单位或分拨中心可以转人民调解")
    parties = list(data.parties)
    applicant_user = None
    # A resident's own report names the applicant; a patrol report names the grid worker, not a party.
    # Only a reporter who gave their name openly: a 举报 or anonymous reporter never becomes a party
    # without saying so (domain.privacy.secrecy_of).
    if (ev.reporter_name and event_scope.secrecy(ev) is Secrecy.NORMAL and ev.channel != Channel.GRID_PATROL
            and not any(p.role == PartyRole.APPLICANT for p in parties)):
        parties.insert(0, PartyIn(role=PartyRole.APPLICANT, name=ev.reporter_name, phone=ev.reporter_phone,
                                  id_number=ev.reporter_id_number, address=ev.address))
        # Their account follows: "my cases" lists the case and its documents are theirs to download
        # (an app report's reporter is a resident; staff report for others without being the reporter).
        applicant_user = ev.reporter
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise Invalid("至少需要一名申请人", fields={"parties": "请填写申请调解的当事人"})
    source = Source.POLICE_110 if ev.channel == Channel.POLICE_110 else Source.EVENT

    def hold_event(case: Case, now: datetime) -> None:
        if ev.status == EventStatus.IN_MEDIATION:
            raise Conflict("该事件已转人民调解，请在其调解案件中办理", code="already_in_mediation")
        event_services.event_to_mediation(actor=actor, event_id=ev.pk, case_number=case.number,
                                          organisation=case.organisation.name, at=now)
    return _create(actor, data, source=source, event=ev, area=ev.area, facts=data.facts.strip() or ev.description,
                   parties=parties, applicant_user=applicant_user, at=at, then=hold_event)


def _create(actor, data: CaseIn, *, source: Source, event: Event | None, area: Area, facts: str,
            parties: list[PartyIn], applicant_user, at: datetime | None,
            then: Callable[[Case, datetime], None] | None = None) -> tuple[Case, bool]:
    """1. check type, chosen organisation and mediator; 2. assess 民转刑 risk; 3. insert with the
    parties and the first timeline row, then ``then`` (the event's 转调解) in the same
    transaction; a repeated client key returns the first case."""
    now = at or timezone.now()
    user = actor if actor is not None and actor.is_authenticated else None
    existing = submitted(Case, user, data.client_key)
    if existing is not None:
        return existing, False
    dtype = DisputeType.objects.filter(code=data.dispute_type, active=True).first()
    if dtype is None:
        raise Invalid("纠纷类型不存在", fields={"dispute_type": "请选择纠纷类型"})
    org, org_reason = _organisation_for(data.organisation, dtype, area)
    chosen = None
    if data.mediator is not None:
        chosen = Mediator.objects.filter(pk=data.mediator, org=org, active=True).first()
        if chosen is None:
            raise Invalid("所选调解员不属于承办调解组织或已停用", fields={"mediator": "请重新选择调解员"})
    risk = dm.assess_risk(dm.RiskFacts(facts + data.claim, data.amount, len(parties), _earlier_disputes(parties, now)))
    def create() -> Case:
        case = Case.objects.create(
            source=source, event=event, dispute_type=dtype, relation=data.relation, facts=facts,
            claim=data.claim, amount=data.amount, urgency=data.urgency, dialect=data.dialect, area=area,
            area_path=area.path, organisation=org, org_reason=org_reason, chosen_mediator=chosen,
            risk_level=risk.level, risk_flags=list(risk.flags), applicant_user=applicant_user,
            created_by=user, client_key=data.client_key, applied_at=now, updated_at=now)
        case.number = number("TJ", case.pk, now)
        case.save(update_fields=["number"])
        Party.objects.bulk_create([Party(case=case, **p.model_dump()) for p in parties])
        log(KIND, case.pk, A.APPLY, user, now, "", S.APPLIED, visibility=dm.ROW_VISIBILITY[A.APPLY],
            by_subject=by_applicant(case, user), note=f"{Source(source).label}；{org_reason}",
            data={"risk": risk.level, "flags": list(risk.flags)})
        if risk.level == dm.RiskLevel.HIGH:
            notify(KIND, case.pk, "民转刑风险预警", [(org.name, org.phone)],
                   f"调解案件 {case.number}（{dtype.name}）存在{'、'.join(risk.flags)}，"
                   "请优先受理并落实稳控措施。", now)
        if then is not None:
            then(case, now)
        return case
    return create_once(Case, user, data.client_key, create)


def _organisation_for(code: str | None, dtype: DisputeType, area: Area) -> tuple[Organisation, str]:
    if code:
        org = Organisation.objects.filter(code=code, active=True).select_related("area").first()
        if org is None:
            raise Invalid("调解组织不存在", fields={"organisation": f"找不到调解组织 {code}"})
        if not area.path.startswith(org.area.path):
            raise Invalid("该调解组织不管辖纠纷发生地", fields={"organisation": "请选择纠纷发生地的调解组织"})
        return org, "当事人/工作人员选定调解组织"
    ranked = org_choices(dtype.code, area)
    if not ranked:
        raise Invalid("纠纷发生地没有可受理该类纠纷的调解组织", fields={"dispute_type": "无可受理的调解组织"})
    best = ranked[0]
    return Organisation.objects.get(pk=best.id), f"{best.name}：{best.reason}"


# ---- the process --------------------------------------------------------------------------------


def _calendar():
    """The working-day calendar the clocks count in (admin data, events.rules)."""
    return admindata.calendar(), admindata.deadline_rule()


def _clock(case: Case, action: A, now: datetime) -> dict:
    """The clock columns ``action`` writes (domain.mediation.CLOCK_EFFECTS): 受理 starts the
    调解期限 (the dispute type's limit_workdays), an outcome or withdrawal stops it."""
    return clock_changes(dm.CLOCK_EFFECTS, action, case.clock, now,
                         lambda _: case.dispute_type.limit_workdays, _calendar)


def _parties(case: Case) -> list[Party]:
    return list(case.parties.all())


def _people(case: Case) -> list[tuple[str, str]]:
    return [(p.name, p.phone) for p in _parties(case)]


def _context(case: Case, **extra) -> dict:
    parties = _parties(case)
    today = timezone.localdate()
    return {"case": {**vars(case), "type_name": case.dispute_type.name}, "org": case.organisation,
            "mediator": case.mediator, "today": f"{today:%Y年%m月%d日}",
            "parties": [{**vars(p), "role_label": PartyRole(p.role).label} for p in parties],
            "applicant": next((p for p in parties if p.role == PartyRole.APPLICANT), None),
            "respondent": next((p for p in parties if p.role == PartyRole.RESPONDENT), None),
            "copies": len(parties) + 1, **extra}


def _event_after(case: Case, now: datetime, *, agreement: bool, ending: str, reason: str = "") -> None:
    """The case has ended: the event it came from (if any) leaves 转调解, in this transaction.

    What the event's staff and reporter read is written here and names no party: the committee,
    the case number, the outcome.  A reason is free text that may name them, so it goes over
    redacted as the event's staff (who see the parties masked) would read it on the case."""
    if not case.event_id:
        return
    where = f"（{case.organisation.name}，案件编号 {case.number}）"
    if agreement:
        text = f"经人民调解：调解成功，已签订人民调解协议{where}"
        on_time = case.concluded_at <= case.due_at if case.concluded_at and case.due_at else None
        event_services.event_mediation_ended(event_id=case.event_id, succeeded=True, note=text, result=text,
                                             on_time=on_time, at=now)
        return
    people = [Person(p.name, p.phone, p.id_number) for p in _parties(case)]
    note = f"人民调解未成：{ending}{where}，事件回到受理，请重新派遣"    # ending: 对接机构 is free text
    event_services.event_mediation_ended(event_id=case.event_id, succeeded=False, note=redact_people(note, people),
                                         reason=redact_people(reason, people), at=now)


def _assign(case: Case, chosen: int | None) -> tuple[Mediator, str]:
    try:
        pick = dm.pick_mediator(mediator_facts(case.organisation_id), _case_facts(case), case.organisation_id, chosen)
    except dm.AssignmentError as exc:
        raise Conflict(str(exc), code="assignment_not_possible") from exc
    return Mediator.objects.get(pk=pick.id), pick.reason


def case_accept(*, actor, case_id: int, note: str = "", version: int | None = None,
                at: datetime | None = None) -> Case:
    """受理: the clock starts (the type's working-day limit); the party's chosen mediator, or the
    best ranked one, is assigned; a 受理通知书 is issued and every party notified."""
    def mutate(case, now):
        changes = {"accepted_at": now, **_clock(case, A.ACCEPT, now)}
        if case.mediator_id is None:
            m, why = _assign(case, case.chosen_mediator_id)
            changes.update(mediator=m, mediator_reason=why)
        return changes

    def after(case, now):
        due = timezone.localtime(case.due_at)
        documents.issue(KIND, case.pk, DocKind.ACCEPTANCE, _context(case, due=f"{due:%Y年%m月%d日}"), now, actor)
        notify(KIND, case.pk, "受理通知", _people(case),
               f"您的调解申请 {case.number} 已由{case.organisation.name}受理，调解员 {case.mediator.name}，"
               f"将在 {due:%Y-%m-%d} 前调解终结。", now)
    return act(CASE, actor, case_id, A.ACCEPT, note=note, version=version, at=at, mutate=mutate, after=after)


def case_refuse(*, actor, case_id: int, reason: str, version: int | None = None, at: datetime | None = None) -> Case:
    def after(case, now):
        documents.issue(KIND, case.pk, DocKind.REFUSAL, _context(
            case, reason=reason, applied_on=f"{timezone.localtime(case.applied_at):%Y年%m月%d日}"), now, actor)
        notify(KIND, case.pk, "不予受理通知", _people(case),
               f"您的调解申请 {case.number} 不予受理：{reason}。可通过诉讼、仲裁等途径解决。", now)
        _event_after(case, now, agreement=False, ending="调解组织不予受理", reason=reason)
    return act(CASE, actor, case_id, A.REFUSE, reason=reason, version=version, at=at,
               mutate=lambda c, now: {"closed_at": now, **_clock(c, A.REFUSE, now)}, after=after)


def case_transfer(*, actor, case_id: int, data: TransferIn, at: datetime | None = None) -> Case:
    def mutate(case, now):
        org, _ = _organisation_for(data.organisation, case.dispute_type, case.area)
        if org.pk == case.organisation_id:
            raise Invalid("已在该调解组织", fields={"organisation": "请选择其他调解组织"})
        return {"organisation": org, "org_reason": f"由{case.organisation.name}移交：{data.reason}",
                "mediator": None, "mediator_reason": "", "chosen_mediator": None}
    return act(CASE, actor, case_id, A.TRANSFER, reason=data.reason, version=data.version, at=at, mutate=mutate,
               data={"to": data.organisation})


def case_assign(*, actor, case_id: int, data: AssignIn, at: datetime | None = None) -> Case:
    """指派: the named mediator if the rules allow (staff or party choice), else the best ranked."""
    def mutate(case, now):
        m, why = _assign(case, data.mediator)
        if data.mediator is not None:
            why = "调解组织指定"
        return {"mediator": m, "mediator_reason": why}
    return act(CASE, actor, case_id, A.ASSIGN, version=data.version, at=at, mutate=mutate)


def case_recuse(*, actor, case_id: int, data: RecuseIn, at: datetime | None = None) -> Case:
    """回避: the current mediator steps aside for good on this case; the next best takes over."""
    def mutate(case, now):
        if case.mediator_id is None:
            raise Conflict("本案尚未指派调解员，无需回避", code="no_mediator")
        Recusal.objects.create(case=case, mediator_id=case.mediator_id, reason=data.reason,
                               by_party=data.by_party, at=now)
        try:
            m, why = _assign(case, None)
        except Conflict:
            return {"mediator": None, "mediator_reason": "回避后暂无可指派的调解员"}
        return {"mediator": m, "mediator_reason": f"原调解员回避后改派：{why}"}
    return act(CASE, actor, case_id, A.RECUSE, reason=data.reason, version=data.version, at=at, mutate=mutate)


def case_schedule(*, actor, case_id: int, data: ScheduleIn, at: datetime | None = None) -> Case:
    now = at or timezone.now()
    when = data.scheduled_at if timezone.is_aware(data.scheduled_at) else timezone.make_aware(data.scheduled_at)
    if when <= now:
        raise Invalid("调解时间必须晚于当前时间", fields={"scheduled_at": "请选择将来的时间"})
    if data.mode == dm.SessionMode.ONLINE and not data.link.strip():
        raise Invalid("线上调解须填写会议链接", fields={"link": "请填写会议链接"})
    if data.mode == dm.SessionMode.IN_PERSON and not data.place.strip():
        raise Invalid("现场调解须填写地点", fields={"place": "请填写地点"})

    def after(case, now):
        Session.objects.create(case=case, scheduled_at=when, mode=data.mode, place=data.place, link=data.link)
        where = data.place or data.link
        notify(KIND, case.pk, "调解通知", _people(case) + [(case.mediator.name, case.mediator.phone)]
               if case.mediator else _people(case),
               f"调解案件 {case.number} 定于 {timezone.localtime(when):%Y-%m-%d %H:%M} "
               f"{dm.SessionMode(data.mode).label}（{where}），请准时参加。", now)
    return act(CASE, actor, case_id, A.SCHEDULE, version=data.version, at=now, after=after,
               note=f"{timezone.localtime(when):%Y-%m-%d %H:%M} {dm.SessionMode(data.mode).label} "
                    f"{data.place or data.link}")


def case_record(*, actor, case_id: int, data: RecordIn, at: datetime | None = None) -> Case:
    """A session record: fills the earliest session scheduled up to today and not yet held, or stands
    alone.  A session booked for a later day is left booked: a record cannot be of a meeting that has
    not happened (issue 17: a record filled a session two days ahead)."""
    def after(case, now):
        today_ends = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
        session = case.sessions.filter(held_at__isnull=True, scheduled_at__lte=today_ends).order_by(
            "scheduled_at").first()
        if session is None:
            session = Session(case=case, scheduled_at=now, mode=dm.SessionMode.IN_PERSON)
        session.held_at, session.attendees, session.record = now, data.attendees, data.record
        session.save()
    return act(CASE, actor, case_id, A.RECORD, note=data.record, version=data.version, at=at, after=after,
               data={"attendees": data.attendees})


def case_succeed(*, actor, case_id: int, data: SucceedIn, at: datetime | None = None) -> Case:
    """调解成功: the agreement terms are fixed and the 调解协议书 is generated for signing."""
    def mutate(case, now):
        changes = {"concluded_at": now, "succeeded": True, "agreement_terms": data.agreement_terms,
                   "performance_terms": data.performance_terms, **_clock(case, A.SUCCEED, now)}
        if data.amount is not None:
            changes["amount"] = data.amount
        return changes

    def after(case, now):
        place = case.sessions.exclude(place="").values_list("place", flat=True).last() or case.organisation.address
        documents.issue(KIND, case.pk, DocKind.AGREEMENT, _context(case, place=place or case.organisation.name,
                                                                   signed_on="    年  月  日"), now, actor,
                        suffix="（待签署）")
    return act(CASE, actor, case_id, A.SUCCEED, version=data.version, at=at, mutate=mutate, after=after)


def case_sign(*, actor, case_id: int, note: str = "", version: int | None = None, at: datetime | None = None) -> Case:
    """签订协议: the parties signed; the agreement is re-issued dated, and performance is followed."""
    def after(case, now):
        signed = f"{timezone.localtime(now):%Y年%m月%d日}"
        place = case.sessions.exclude(place="").values_list("place", flat=True).last() or case.organisation.name
        documents.issue(KIND, case.pk, DocKind.AGREEMENT, _context(case, place=place, signed_on=signed), now, actor)
        _event_after(case, now, agreement=True, ending="")
    return act(CASE, actor, case_id, A.SIGN, note=note, version=version, at=at,
               mutate=lambda c, now: {"signed_at": now}, after=after)


def case_fail(*, actor, case_id: int, data: FailIn, at: datetime | None = None) -> Case:
    """调解不成: the parties are guided to court, arbitration or an authority (诉调对接)."""
    def after(case, now):
        documents.issue(KIND, case.pk, DocKind.TERMINATION, _context(
            case, reason=data.reason, referral=dm.Referral(data.referral).label, referral_to=data.referral_to),
            now, actor)
        notify(KIND, case.pk, "调解终止", _people(case),
               f"调解案件 {case.number} 未能达成协议，已终止调解；建议{dm.Referral(data.referral).label}"
               f"{('：' + data.referral_to) if data.referral_to else ''}。", now)
        referral = dm.Referral(data.referral).label + (f"：{data.referral_to}" if data.referral_to else "")
        _event_after(case, now, agreement=False, ending=f"调解终止，{referral}", reason=data.reason)
    return act(CASE, actor, case_id, A.FAIL, reason=data.reason, version=data.version, at=at, after=after,
               mutate=lambda c, now: {"concluded_at": now, "succeeded": False, "referral": data.referral,
                                      "referral_to": data.referral_to, **_clock(c, A.FAIL, now)})


def case_confirm(*, actor, case_id: int, data: ConfirmIn, at: datetime | None = None) -> Case:
    """司法确认申请书, only within 30 days of the agreement taking effect (人民调解法第33条)."""
    def mutate(case, now):
        if now - case.signed_at > timedelta(days=dm.CONFIRMATION_DAYS):
            raise Conflict(f"协议生效已超过 {dm.CONFIRMATION_DAYS} 日，不能再申请司法确认", code="too_late")
        return {"confirmation_court": data.court}

    def after(case, now):
        documents.issue(KIND, case.pk, DocKind.CONFIRMATION, _context(
            case, court=data.court, signed_on=f"{timezone.localtime(case.signed_at):%Y年%m月%d日}"), now, actor)
    return act(CASE, actor, case_id, A.CONFIRM, version=data.version, at=at, mutate=mutate, after=after,
               data={"court": data.court})


def case_follow_up(*, actor, case_id: int, data: FollowUpIn, at: datetime | None = None) -> Case:
    return act(CASE, actor, case_id, A.FOLLOW_UP, note=data.note, version=data.version, at=at,
               mutate=lambda c, now: {"performance": data.performance}, data={"performance": data.performance})


def case_close(*, actor, case_id: int, note: str = "", version: int | None = None, at: datetime | None = None) -> Case:
    def mutate(case, now):
        if case.status == S.SIGNED and not case.performance:
            raise Invalid("结案前须完成履行回访", code="follow_up_first")
        return {"closed_at": now}
    return act(CASE, actor, case_id, A.CLOSE, note=note, version=version, at=at, mutate=mutate)


def case_withdraw(*, actor, case_id: int, reason: str, version: int | None = None, at: datetime | None = None) -> Case:
    return act(CASE, actor, case_id, A.WITHDRAW, reason=reason, version=version, at=at,
               mutate=lambda c, now: {"closed_at": now, **_clock(c, A.WITHDRAW, now)},
               after=lambda c, now: _event_after(c, now, agreement=False, ending="调解申请已撤回", reason=reason))


# ---- reminders ----------------------------------------------------------------------------------

REMIND_AHEAD = timedelta(hours=24)


def remind_sessions(now: datetime | None = None) -> int:
    """Notify parties of sessions in the next 24 hours, once: each session is claimed with an
    UPDATE guarded by ``reminded_at IS NULL``, so several workers never double-send."""
    now = now or timezone.now()
    sent = 0
    due = Session.objects.filter(reminded_at__isnull=True, held_at__isnull=True, scheduled_at__gt=now,
                                 scheduled_at__lte=now + REMIND_AHEAD, case__status__in=[S.ACCEPTED, S.MEDIATING])
    for session in due.select_related("case", "case__mediator"):
        with transaction.atomic():
            if not Session.objects.filter(pk=session.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            case = session.case
            people = _people(case) + ([(case.mediator.name, case.mediator.phone)] if case.mediator else [])
            notify(KIND, case.pk, "调解提醒", people,
                   f"提醒：调解案件 {case.number} 将于 {timezone.localtime(session.scheduled_at):%m-%d %H:%M} "
                   f"{dm.SessionMode(session.mode).label}（{session.place or session.link}）。", now)
            log(KIND, case.pk, A.REMIND, None, now, visibility=dm.ROW_VISIBILITY[A.REMIND],
                note=f"已提醒 {len(people)} 人")
            sent += 1
    return sent


# ---- reading ------------------------------------------------------------------------------------

def party_view(p: Party, full: bool) -> dict:
    if full:
        return {"role": p.role, "role_label": PartyRole(p.role).label, "name": p.name, "gender": p.gender,
                "id_number": p.id_number, "phone": p.phone, "address": p.address, "masked": False}
    return {"role": p.role, "role_label": PartyRole(p.role).label, "name": mask_name(p.name), "gender": p.gender,
            "id_number": mask_id_number(p.id_number), "phone": mask_phone(p.phone), "address": "", "masked": True}
