"""Every legal-aid use case, once (API and pages call these).

Status changes go through ``casework.acts.act``; eligibility and lawyer rules come from
``domain.legalaid``; the decision limit (default 2 working days) from the calendar.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.casework import documents
from gongzhi.casework.acts import CaseType, act, by_applicant, create_once, log, notify, number, submitted
from gongzhi.casework.clocks import STOPPED, clock_changes, clock_columns
from gongzhi.casework.models import CaseKind, DocKind
from gongzhi.core import admindata
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from gongzhi.core.scope import scope_of
from gongzhi.domain import legalaid as dl
from gongzhi.domain.calendar import UnknownYear
from gongzhi.domain.legalaid import AidAction as A, AidStatus as S
from gongzhi.domain.privacy import mask_id_number, mask_name, mask_phone
from gongzhi.domain.workflow import Capacity

from . import scope
from .inputs import (
    AidApplyIn,
    AssignIn,
    ComplexIn,
    ConcludeIn,
    ConsultationIn,
    ReassignIn,
    ReviewIn,
    RevisitIn,
    TransferIn,
)
from .models import Application, Consultation, ExemptCategory, Lawyer, LivingStandard, Office, Review

KIND = CaseKind.LEGAL_AID
OPEN = [s.value for s in dl.OPEN_AID_STATUSES]


def load(actor, app_id: int) -> Application:
    app = (scope.visible_applications(actor).select_related("office", "received_by", "lawyer", "exempt", "area")
           .filter(pk=app_id).order_by().first())
    if app is None:
        raise NotFound("法律援助申请不存在或不在您的管辖范围内")
    return app


APPLICATION = CaseType(KIND, Application, S, dl.TRANSITIONS, load, scope.capacities, dl.ROW_VISIBILITY,
                       dl.PUBLIC_TEXT, scope.viewer, system_caps=frozenset({Capacity.SYSTEM}),
                       clock_effects=dl.CLOCK_EFFECTS)


def _standard(area: Area) -> Decimal | None:
    """The 低保 standard in force for the area: the row of the nearest area up the tree."""
    codes = [c for c in area.path.split("/") if c]
    rows = (LivingStandard.objects.filter(area__code__in=codes, since__lte=timezone.localdate())
            .select_related("area").order_by("-since"))
    best = max(rows, key=lambda r: (r.area.level, r.since), default=None)
    return best.monthly if best else None


def means_of(app: Application) -> dl.Means:
    return dl.Means(app.monthly_income, _standard(app.area), Decimal(str(settings.GONGZHI_LEGALAID_INCOME_MULTIPLE)),
                    app.exempt.name if app.exempt_id else "", app.pledge)


def _office_for(area: Area) -> Office | None:
    """The competent office: the one whose area is the nearest ancestor of the case's place."""
    offices = [o for o in Office.objects.filter(active=True).select_related("area")
               if area.path.startswith(o.area.path)]
    return max(offices, key=lambda o: len(o.area.path), default=None)


def _lawyer_facts(exclude: set[int] = frozenset()) -> list[dl.LawyerFacts]:
    qs = Lawyer.objects.annotate(open_cases=Count("cases", filter=Q(cases__status__in=OPEN)))
    return [dl.LawyerFacts(lw.id, lw.name, lw.practice_years, lw.criminal_years, lw.juvenile, lw.specialty_set,
                           lw.open_cases, lw.max_cases, lw.active and lw.id not in exclude) for lw in qs]


def _case_facts(app: Application) -> dl.AidCaseFacts:
    return dl.AidCaseFacts(dl.Matter(app.matter), dl.Penalty(app.penalty), app.minor, app.specialty)


def lawyer_choices(app: Application) -> list[dl.LawyerChoice]:
    return dl.rank_lawyers(_lawyer_facts(), _case_facts(app))


# ---- application --------------------------------------------------------------------------------

def _workdays(clock: dl.AidClock) -> int:
    """Each clock's limit in working days: both are settings, the decision's held to the law's 7
    (domain.legalaid.decision_workdays; a case found complex gets its 3 more in aid_complex)."""
    return {dl.AidClock.DECISION: dl.decision_workdays(settings.GONGZHI_LEGALAID_DECISION_WORKDAYS),
            dl.AidClock.ASSIGN: settings.GONGZHI_LEGALAID_ASSIGN_WORKDAYS}[clock]



def _calendar():
    """The working-day calendar the clocks count in (admin data, events.rules)."""
    return admindata.calendar(), admindata.deadline_rule()


def _clock(app: Application, action: A, now: datetime) -> dict:
    """The clock columns ``action`` writes (domain.legalaid.CLOCK_EFFECTS).  A year missing from
    the calendar stops the clock rather than the application (as at submission)."""
    try:
        return clock_changes(dl.CLOCK_EFFECTS, action, app.clock, now, _workdays, _calendar)
    except UnknownYear:
        return dict(STOPPED)


def aid_apply(*, actor, data: AidApplyIn, at: datetime | None = None) -> tuple[Application, bool]:
    """Online or at any office (异地受理): the receiving office records it, the competent office
    (where the case is) decides.  The decision clock starts now."""
    now = at or timezone.now()
    user = actor if actor is not None and actor.is_authenticated else None
    existing = submitted(Application, user, data.client_key)
    if existing is not None:
        return existing, False
    if not data.pledge:
        raise Invalid("请阅读并签署经济困难状况诚信承诺", fields={"pledge": "须签署诚信承诺"})
    area = Area.objects.filter(code=data.area).first()
    if area is None:
        raise Invalid("案件所在地不存在", fields={"area": f"找不到区域 {data.area}"})
    competent = _office_for(area)
    if competent is None:
        raise Invalid("案件所在地没有法律援助机构", fields={"area": "无管辖机构"})
    received = competent
    if data.office:
        received = Office.objects.filter(code=data.office, active=True).first()
        if received is None:
            raise Invalid("受理机构不存在", fields={"office": f"找不到机构 {data.office}"})
    exempt = None
    if data.exempt:
        exempt = ExemptCategory.objects.filter(code=data.exempt, active=True).first()
        if exempt is None:
            raise Invalid("免审情形不存在", fields={"exempt": "请重新选择"})
    chosen = None
    if data.lawyer is not None:
        chosen = Lawyer.objects.filter(pk=data.lawyer, active=True).first()
        if chosen is None:
            raise Invalid("所选律师不在援助律师库中", fields={"lawyer": "请重新选择律师"})
    staff = bool(scope.office_ids(actor)) if user else False
    note = "" if received == competent else f"异地受理：{received.name}代收，转{competent.name}审查"
    try:
        clock = clock_changes(dl.CLOCK_EFFECTS, A.SUBMIT, "", now, _workdays, _calendar)
    except UnknownYear as exc:      # keep the application; the clock waits for the admin's calendar
        clock, note = {}, f"{note}；{exc}".strip("；")
    due = clock.get("due_at")
    fields = data.model_dump(exclude={"area", "office", "exempt", "lawyer", "client_key"})
    def create() -> Application:
        app = Application.objects.create(
            **fields, channel=dl.Channel.DESK if staff else dl.Channel.ONLINE, received_by=received,
            office=competent, area=area, exempt=exempt, chosen_lawyer=chosen,
            applicant_user=None if staff else user, created_by=user, client_key=data.client_key,
            submitted_at=now, decision_due_at=due, updated_at=now, **clock)
        app.eligibility_basis = _basis_or_note(app)
        app.number = number("YZ", app.pk, now)
        app.save(update_fields=["number", "eligibility_basis"])
        log(KIND, app.pk, A.SUBMIT, user, now, "", S.SUBMITTED, note=note, visibility=dl.ROW_VISIBILITY[A.SUBMIT],
            by_subject=by_applicant(app, user), data={"eligibility": app.eligibility_basis})
        notify(KIND, app.pk, "申请已收到", [(app.applicant_name, app.phone)],
               f"您的法律援助申请 {app.number} 已由{received.name}收到，"
               f"{competent.name}将在{_workdays(dl.AidClock.DECISION)}个工作日内作出决定。", now)
        return app
    return create_once(Application, user, data.client_key, create)


def _basis_or_note(app: Application) -> str:
    try:
        e = dl.eligibility(means_of(app))
    except dl.StandardMissing as exc:
        return str(exc)
    return ("初审符合：" if e.eligible else "初审不符合：") + e.basis


# ---- decision and assignment --------------------------------------------------------------------

def _context(app: Application, **extra) -> dict:
    return {"app": {**vars(app), "matter_label": dl.Matter(app.matter).label, "summary_short": app.summary[:60]},
            "office": app.office, "lawyer": app.lawyer, "today": f"{timezone.localdate():%Y年%m月%d日}",
            "submitted_on": f"{timezone.localtime(app.submitted_at):%Y年%m月%d日}", **extra}


def aid_approve(*, actor, app_id: int, note: str = "", version: int | None = None,
                at: datetime | None = None) -> Application:
    """准予援助 only if the means test (or an exemption) holds today, with the pledge on file."""
    def mutate(app, now):
        try:
            e = dl.eligibility(means_of(app))
        except dl.StandardMissing as exc:
            raise Unavailable(str(exc)) from exc
        if not e.eligible:
            raise Conflict(f"不符合法律援助条件：{e.basis}", code="not_eligible")
        return {"decided_at": now, "eligibility_basis": e.basis, **_clock(app, A.APPROVE, now)}

    def after(app, now):
        documents.issue(KIND, app.pk, DocKind.AID_APPROVAL, _context(app), now, actor)
        notify(KIND, app.pk, "给予法律援助", [(app.applicant_name, app.phone)],
               f"您的法律援助申请 {app.number} 已获批准，{app.office.name}将为您指派律师。", now)
    return act(APPLICATION, actor, app_id, A.APPROVE, note=note, version=version, at=at, mutate=mutate, after=after)


def aid_deny(*, actor, app_id: int, reason: str, version: int | None = None, at: datetime | None = None) -> Application:
    def after(app, now):
        documents.issue(KIND, app.pk, DocKind.AID_DENIAL, _context(app, reason=reason), now, actor)
        notify(KIND, app.pk, "不予法律援助", [(app.applicant_name, app.phone)],
               f"您的法律援助申请 {app.number} 不予援助：{reason}。"
               f"如有异议可在十五日内向{app.office.supervisor}提出。", now)
    return act(APPLICATION, actor, app_id, A.DENY, reason=reason, version=version, at=at, after=after,
               mutate=lambda app, now: {"decided_at": now, "decision_reason": reason, "closed_at": now,
                                        **_clock(app, A.DENY, now)})


def aid_transfer(*, actor, app_id: int, data: TransferIn, at: datetime | None = None) -> Application:
    def mutate(app, now):
        office = Office.objects.filter(code=data.office, active=True).first()
        if office is None or office.pk == app.office_id:
            raise Invalid("请选择其他有效的法律援助机构", fields={"office": "机构无效"})
        return {"office": office}
    return act(APPLICATION, actor, app_id, A.TRANSFER, reason=data.reason, version=data.version, at=at,
               mutate=mutate, data={"to": data.office})


def _pick(app: Application, chosen: int | None, exclude: set[int] = frozenset()) -> tuple[Lawyer, str]:
    try:
        pick = dl.pick_lawyer(_lawyer_facts(exclude), _case_facts(app), chosen)
    except dl.LawyerError as exc:
        raise Conflict(str(exc), code="assignment_not_possible") from exc
    return Lawyer.objects.get(pk=pick.id), pick.reason


def _assigned(actor, basis_of):
    def after(app, now):
        documents.issue(KIND, app.pk, DocKind.AID_ASSIGNMENT, _context(app, basis=basis_of(app)), now, actor)
        notify(KIND, app.pk, "指派律师", [(app.applicant_name, app.phone), (app.lawyer.name, app.lawyer.phone)],
               f"法律援助案件 {app.number} 已指派 {app.lawyer.firm} {app.lawyer.name} 律师承办。", now)
    return after


def aid_assign(*, actor, app_id: int, data: AssignIn, at: datetime | None = None) -> Application:
    """点援制 first: the staff's pick, else the applicant's choice, else the rules — always checked
    against the hard rules (无期/死刑 → ≥3 年刑辩; 未成年人 → 未成年人案件经验)."""
    def mutate(app, now):
        lawyer, why = _pick(app, data.lawyer if data.lawyer is not None else app.chosen_lawyer_id)
        if data.lawyer is not None:
            why = "援助机构指派"
        return {"lawyer": lawyer, "lawyer_reason": why, "assigned_at": now, **_clock(app, A.ASSIGN, now)}
    return act(APPLICATION, actor, app_id, A.ASSIGN, version=data.version, at=at, mutate=mutate,
               after=_assigned(actor, lambda app: app.lawyer_reason))


def aid_reassign(*, actor, app_id: int, data: ReassignIn, at: datetime | None = None) -> Application:
    def mutate(app, now):
        lawyer, why = _pick(app, data.lawyer, exclude={app.lawyer_id})
        return {"lawyer": lawyer, "lawyer_reason": f"更换律师：{why}", "assigned_at": now}
    return act(APPLICATION, actor, app_id, A.REASSIGN, reason=data.reason, version=data.version, at=at,
               mutate=mutate, after=_assigned(actor, lambda app: app.lawyer_reason))


def aid_progress(*, actor, app_id: int, note: str, version: int | None = None,
                 at: datetime | None = None) -> Application:
    if not note.strip():
        raise Invalid("请填写办案进展", fields={"note": "必填"})
    return act(APPLICATION, actor, app_id, A.PROGRESS, note=note, version=version, at=at)


def aid_conclude(*, actor, app_id: int, data: ConcludeIn, at: datetime | None = None) -> Application:
    return act(APPLICATION, actor, app_id, A.CONCLUDE, note=data.result, version=data.version, at=at,
               mutate=lambda app, now: {"concluded_at": now, "result": data.result, "recovered": data.recovered})


def aid_review(*, actor, app_id: int, data: ReviewIn, at: datetime | None = None) -> Application:
    """质量评查: each expert's score is kept; the case gets the panel's mean and grade."""
    mean, grade = dl.review_grade([s.score for s in data.scores])

    def after(app, now):
        Review.objects.bulk_create([Review(application=app, expert=s.expert, score=s.score, comment=s.comment, at=now)
                                    for s in data.scores])
    return act(APPLICATION, actor, app_id, A.REVIEW, version=data.version, at=at, after=after,
               note=f"评查 {mean} 分（{grade}）", mutate=lambda app, now: {"review_score": mean, "review_grade": grade},
               data={"scores": [s.model_dump() for s in data.scores]})


def aid_revisit(*, actor, app_id: int, data: RevisitIn, at: datetime | None = None) -> Application:
    return act(APPLICATION, actor, app_id, A.REVISIT, note=data.note, version=data.version, at=at,
               mutate=lambda app, now: {"satisfaction": data.satisfaction}, data={"satisfaction": data.satisfaction})


def aid_close(*, actor, app_id: int, note: str = "", version: int | None = None,
              at: datetime | None = None) -> Application:
    def mutate(app, now):
        if app.satisfaction is None:
            raise Invalid("归档前须完成受援人回访", code="revisit_first")
        return {"closed_at": now}
    return act(APPLICATION, actor, app_id, A.CLOSE, note=note, version=version, at=at, mutate=mutate)


def aid_withdraw(*, actor, app_id: int, reason: str, version: int | None = None,
                 at: datetime | None = None) -> Application:
    return act(APPLICATION, actor, app_id, A.WITHDRAW, reason=reason, version=version, at=at,
               mutate=lambda app, now: {"closed_at": now, **_clock(app, A.WITHDRAW, now)})


def aid_complex(*, actor, app_id: int, data: ComplexIn, at: datetime | None = None) -> Application:
    """案情复杂: the reviewing office extends the decision limit, once and only while the decision
    clock runs, to the configured limit + 3 working days counted from the application (never above
    10: domain.legalaid.decision_workdays); the applicant is told the new date.  The clock gets its
    new due and warn points, flagged as they stand now (yellow if the new warning has passed)."""
    def mutate(app, now):
        refused = dl.complex_refusal(app.clock, app.complex_case)
        if refused is not None:
            raise Conflict(refused[1], code=refused[0])
        workdays = dl.decision_workdays(settings.GONGZHI_LEGALAID_DECISION_WORKDAYS, complex_case=True)
        try:
            clock = clock_columns(dl.AidClock.DECISION, app.submitted_at, workdays, _calendar, now)
        except UnknownYear as exc:
            raise Unavailable(str(exc)) from exc
        return {**clock, "decision_due_at": clock["due_at"], "complex_case": True, "complex_reason": data.reason}

    def after(app, now):
        notify(KIND, app.pk, "审查期限延长", [(app.applicant_name, app.phone)],
               f"您的法律援助申请 {app.number} 案情复杂，{app.office.name}将在 "
               f"{timezone.localtime(app.decision_due_at):%Y-%m-%d} 前作出决定。", now)
    return act(APPLICATION, actor, app_id, A.COMPLEX, reason=data.reason, version=data.version, at=at,
               mutate=mutate, after=after)


def consultation_add(*, actor, data: ConsultationIn, at: datetime | None = None) -> Consultation:
    office = Office.objects.filter(code=data.office, active=True).first()
    if office is None:
        raise Invalid("机构不存在", fields={"office": f"找不到机构 {data.office}"})
    if office.pk not in scope.office_ids(actor) and not scope_of(actor).is_admin:
        raise Forbidden("只能登记本机构的法律咨询")
    return Consultation.objects.create(office=office, at=at or timezone.now(), channel=data.channel,
                                       specialty=data.specialty, topic=data.topic, answered_by=actor)


def applicant_view(app: Application, full: bool) -> dict:
    if full:
        return {"name": app.applicant_name, "id_number": app.id_number, "phone": app.phone, "address": app.address,
                "monthly_income": app.monthly_income, "household_size": app.household_size, "masked": False}
    return {"name": mask_name(app.applicant_name), "id_number": mask_id_number(app.id_number),
            "phone": mask_phone(app.phone), "address": "", "monthly_income": None, "household_size": None,
            "masked": True}
