"""Every 民事速裁 use case, once (API and pages call these).

The civil case is a kind on the one engine (``casework.acts.act``): triage, overrides, elements,
hearings, judgment, mediation and series steps are rows of domain.court.TRANSITIONS, guarded by the
case's version (two judgments of one case: one wins, the other is a 409).  The rules — triage,
element checks, limits, series — are domain.court; the numbers the installation's (court.limits)
and the court's (its average wage, the LPR table).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from gongzhi.casework.acts import CaseType, act, create_once, log, number, submitted
from gongzhi.casework.models import CaseKind, DocKind
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from gongzhi.core.operations import field_errors
from gongzhi.domain import court as dc
from gongzhi.domain.calendar import UnknownYear
from gongzhi.domain.court import Cap, CivilAction as A, CivilStatus as S
from gongzhi.domain.mediation import CaseStatus as MedStatus, PartyRole

from . import documents, scope
from .clocks import columns
from .inputs import BookIn, ElementsIn, IntakeIn, JudgeIn, MediateIn, OverrideIn, RegisterIn
from .limits import limits
from .models import CivilCase, CivilParty, Court, Hearing, Lpr, Member, Series

KIND = CaseKind.CIVIL


def load(actor, case_id: int) -> CivilCase:
    qs = CivilCase.objects.all() if actor is None else scope.visible_cases(actor)
    case = qs.select_related("court").filter(pk=case_id).order_by().first()
    if case is None:
        raise NotFound("案件不存在或不在您的管辖范围内")
    return case


CASE = CaseType(KIND, CivilCase, S, dc.TRANSITIONS, load, scope.capacities, dc.ROWS, frozenset(), scope.viewer,
                system_caps=frozenset({Cap.SYSTEM}), clock_effects=dc.CLOCK_EFFECTS)


def _act(actor, case_id: int, action, *, track: dc.Track | None = None, mutate=None, after=None, **kw):
    def both(case, now):
        changes = mutate(case, now) if mutate else {}
        for k, v in changes.items():       # the clock reads what this step sets (filing day, track)
            setattr(case, k, v)
        try:
            changes.update(columns(case, action, now, track))
        except UnknownYear as exc:
            raise Unavailable(str(exc)) from exc
        return changes
    return act(CASE, actor, case_id, action, mutate=both, after=after, **kw)


def _court(code: str | None, actor) -> Court:
    mine = scope.court_ids(actor)
    qs = Court.objects.filter(active=True)
    court = qs.filter(code=code).first() if code else qs.filter(pk__in=mine).first() or qs.first()
    if court is None:
        raise Invalid("法院不存在", fields={"court": "找不到法院"})
    return court


def _money(text: str, field: str) -> int | None:
    if not str(text or "").strip():
        return None
    try:
        fen = dc.parse_money(text)
    except ValueError as exc:
        raise Invalid(str(exc), fields={field: str(exc)}) from exc
    if fen < 0:
        raise Invalid("金额不能为负数", fields={field: "不能为负数"})
    return fen


def lpr_at(day: date) -> Decimal | None:
    row = Lpr.objects.filter(since__lte=day).order_by("-since").first()
    return row.one_year_pct if row else None


def _suggest(case: CivilCase) -> dc.Triage:
    return dc.triage(case.facts_for_triage, case.court.line, limits())


# ---- intake ------------------------------------------------------------------------------------

def register(*, actor, data: RegisterIn, at: datetime | None = None, mediation=None) -> tuple[CivilCase, bool]:
    """登记 by a court clerk: the case with its parties, and the triage's suggestion (track and the
    reason in words) until a clerk or judge applies it (triage)."""
    now = at or timezone.now()
    court = _court(data.court, actor)
    if mediation is None and court.pk not in scope.court_ids(actor):
        raise Forbidden("只有本院速裁团队可以登记案件")
    existing = submitted(CivilCase, actor, data.client_key)
    if existing is not None:
        return existing, False
    amount = _money(data.amount, "amount")

    def create() -> CivilCase:
        case = CivilCase(court=court, created_by=actor, client_key=data.client_key, mediation=mediation,
                         cause=data.cause, facts=data.facts, claim=data.claim, amount_fen=amount,
                         parties_count=len(data.parties), foreign=data.foreign, counterclaim=data.counterclaim,
                         appraisal=data.appraisal, public_notice=data.public_notice,
                         mediated=data.mediated or mediation is not None, agreed_pct=data.agreed_pct,
                         registered_at=now, updated_at=now)
        t = _suggest(case)
        case.track = case.suggested_track = t.track
        case.track_reason = t.reason
        case.save()
        case.number = number("MS", case.pk, now)
        case.save(update_fields=["number"])
        CivilParty.objects.bulk_create([CivilParty(case=case, **p.model_dump()) for p in data.parties])
        action = A.INTAKE if mediation is not None else A.REGISTER
        note = f"来自调解案件 {mediation.number}（{mediation.organisation.name}）" if mediation is not None else ""
        log(KIND, case.pk, action, actor, now, "", S.REGISTERED, note=note,
            data={"suggested": t.track.value, "reason": t.reason})
        return case
    return create_once(CivilCase, actor, data.client_key, create)


def _mediation_failed(mcase) -> bool:
    """A mediation case that ended without agreement (调解终止, or closed after it)."""
    return mcase.status == MedStatus.FAILED or (mcase.status == MedStatus.CLOSED and mcase.succeeded is False)


def may_send(actor, mcase) -> bool:
    """Whether a mediation case page offers its committee 诉调对接·转法院速裁: a mediator of the
    committee, a case that failed and was guided to litigation, not yet taken in (the intake below
    answers a second send with the first case anyway)."""
    from gongzhi.domain.mediation import Referral
    from gongzhi.mediation.scope import org_ids
    return (mcase.organisation_id in org_ids(actor) and _mediation_failed(mcase)
            and mcase.referral == Referral.LITIGATION and not CivilCase.objects.filter(mediation=mcase).exists())


def intake_from_mediation(*, actor, data: IntakeIn, at: datetime | None = None) -> tuple[CivilCase, bool]:
    """诉调对接: a failed mediation case comes to the court with its facts and parties — once (a
    second call, by anyone, returns the case made the first time).  A court's staff take it in, or
    the committee that mediated it sends it."""
    from gongzhi.domain.mediation import Referral
    from gongzhi.mediation.models import Case as MedCase
    from gongzhi.mediation.scope import org_ids
    mcase = MedCase.objects.select_related("organisation", "dispute_type").filter(pk=data.mediation_case).first()
    committee = mcase is not None and mcase.organisation_id in org_ids(actor)
    courts = [] if mcase is None else _courts_for(actor, mcase, committee)
    if mcase is None or not (committee or courts):     # another court's area: as absent as its cases
        raise NotFound("调解案件不存在")
    existing = CivilCase.objects.filter(mediation=mcase).first()
    if existing is not None:
        return existing, False
    if not _mediation_failed(mcase):
        raise Conflict("只有调解不成（调解终止）的案件可以诉调对接转入法院", code="not_failed")
    if mcase.referral != Referral.LITIGATION:
        raise Conflict("该调解案件未引导当事人诉讼，不能转入法院", code="not_referred")
    if data.court:
        courts = [c for c in courts if c.code == data.court]
    if not courts:
        raise Invalid("调解案件所在区域不属于该法院辖区", fields={"court": "请选择调解案件所在区域的法院"})
    parties = [{"side": dc.Litigant.PLAINTIFF if i == 0 else dc.Litigant.DEFENDANT if p.role != PartyRole.THIRD
                else dc.Litigant.THIRD, "name": p.name, "id_number": p.id_number, "phone": p.phone,
                "address": p.address} for i, p in enumerate(mcase.parties.all())]
    cause = data.cause or _cause_of(mcase.dispute_type.code)
    try:
        reg = RegisterIn(court=courts[0].code, cause=cause, facts=mcase.facts, claim=mcase.claim or "",
                         amount="" if mcase.amount is None else f"{mcase.amount:.2f}", parties=parties,
                         mediated=True)
    except ValidationError as exc:      # what the mediation case holds is not enough for a filing
        raise Invalid("调解案件的材料不足以立案，请由书记员补充后登记", fields=field_errors(exc.errors())) from exc
    try:
        with transaction.atomic():
            return register(actor=actor, data=reg, at=at, mediation=mcase)
    except IntegrityError:
        existing = CivilCase.objects.filter(mediation=mcase).first()     # the same intake raced in first
        if existing is None:
            raise
        return existing, False


def _courts_for(actor, mcase, committee: bool) -> list[Court]:
    """The courts that may take this mediation case in, nearest first: a court whose 辖区 holds the
    case's area — one of the actor's own courts (its staff), or any such court (the committee that
    mediated it sends it to the court of its area)."""
    mine = scope.court_ids(actor)
    covering = [c for c in Court.objects.filter(active=True).select_related("area")
                if mcase.area_path.startswith(c.area.path) and (committee or c.pk in mine)]
    return sorted(covering, key=lambda c: -len(c.area.path))


# mediation's dispute types → the 案由 the court files them under (unknown: 其他民事纠纷, a clerk corrects)
CAUSE_OF = {"property": dc.Cause.PROPERTY_SERVICE, "traffic": dc.Cause.TRAFFIC, "marriage": dc.Cause.DIVORCE,
            "labour": dc.Cause.LABOUR, "wages": dc.Cause.LABOUR, "finance": dc.Cause.LOAN,
            "consumer": dc.Cause.SALE, "tenancy": dc.Cause.TENANCY}


def _cause_of(code: str) -> dc.Cause:
    return CAUSE_OF.get(code, dc.Cause.OTHER)


# ---- triage and override -----------------------------------------------------------------------

def triage(*, actor, case_id: int, version: int | None = None, at: datetime | None = None) -> CivilCase:
    """繁简分流: the rules' track applied (re-read now: the facts or the court's wage may have changed)."""
    case = load(actor, case_id)
    t = _suggest(case)
    action = dc.triage_action(t.track)

    def mutate(c, now):
        out = {"track": t.track, "suggested_track": t.track, "track_reason": t.reason}
        if action == A.TRIAGE_FILE:
            out["filed_on"] = timezone.localtime(now).date()
        if action == A.TRIAGE_TRANSFER:
            out.update(outcome=dc.Outcome.TRANSFERRED, decided_at=now)
        return out
    return _act(actor, case_id, action, track=t.track, version=version, at=at, mutate=mutate, note=t.reason,
                data={"track": t.track.value, "rule": t.rule_index})


def override(*, actor, case_id: int, data: OverrideIn, at: datetime | None = None) -> CivilCase:
    """A judge changes the track, with a reason; never into 小额 where 第166条 bars it."""
    case = load(actor, case_id)
    try:
        dc.check_override(case.facts_for_triage, dc.Track(case.track), data.track, data.reason)
    except dc.OverrideRefused as exc:
        raise Conflict(str(exc), code="override_refused") from exc
    action = dc.override_action(dc.CivilStatus(case.status), data.track)

    def mutate(c, now):
        out = {"track": data.track, "override_reason": data.reason, "overridden_by": actor}
        if data.track in (dc.Track.SMALL_CLAIMS, dc.Track.FAST) and c.filed_on is None:
            out["filed_on"] = timezone.localtime(now).date()
        if action == A.OVERRIDE_TRANSFER:
            out.update(outcome=dc.Outcome.TRANSFERRED, decided_at=now)
        return out
    return _act(actor, case_id, action, track=data.track, reason=data.reason, version=data.version, at=at,
                mutate=mutate, data={"from": case.track, "to": data.track.value})


def mediation_failed(*, actor, case_id: int, note: str = "", version: int | None = None,
                     at: datetime | None = None) -> CivilCase:
    """诉前调解 without agreement: filed, on the track the rules give a mediated case."""
    case = load(actor, case_id)
    case.mediated = True
    t = _suggest(case)
    track = t.track if t.track != dc.Track.PRE_MEDIATION else dc.Track.FAST
    return _act(actor, case_id, A.MEDIATION_FAILED, track=track, note=note or t.reason, version=version, at=at,
                mutate=lambda c, now: {"mediated": True, "track": track, "track_reason": t.reason,
                                       "filed_on": timezone.localtime(now).date()})


# ---- elements ----------------------------------------------------------------------------------

def findings(case: CivilCase, values: dict) -> list[dc.Finding]:
    filed = case.filed_on or timezone.localtime(case.registered_at).date()
    # the cap's LPR is the one of the day the rules name (dc.lpr_day: the loan's formation, or filing)
    return dc.check_elements(dc.Cause(case.cause), values, filed_on=filed, lpr_of=lpr_at, lim=limits())


def _kept(el: dc.Element, raw):
    """What is stored of a value that parsed: a 明细 as its rows of the form's columns only."""
    if el.kind == dc.FieldKind.ROWS and isinstance(raw, list):
        return [{c.key: r.get(c.key, "") for c in el.columns} for r in raw if isinstance(r, dict)]
    return raw


def record_elements(*, actor, case_id: int, data: ElementsIn, at: datetime | None = None) -> CivilCase:
    """要素 entered and checked: kept with their findings (a value contradicting another is kept,
    and said).  A value that does not parse as its kind is refused (422 naming the element), never
    stored: every later read of the case (the page, the documents) reads what is stored."""
    case = load(actor, case_id)
    if dc.Cause(case.cause) not in dc.ELEMENT_CAUSES:
        raise Conflict("该案由没有要素式表单", code="no_form")
    form = {el.key: el for el in dc.FORMS[dc.Cause(case.cause)]}
    _, bad = dc.read_values(dc.Cause(case.cause), data.values)
    bad = {f.key: f.message for f in bad if f.check == dc.Check.INVALID}
    if bad:
        raise Invalid("要素格式不正确：" + "；".join(bad.values()), fields=bad)
    values = {k: _kept(form[k], v) for k, v in data.values.items() if k in form}
    found = findings(case, values)
    rows = [{"check": f.check.value, "key": f.key, "message": f.message} for f in found]
    note = "；".join(f.message for f in found) or "要素一致"
    return _act(actor, case_id, A.ELEMENTS, version=data.version, at=at, note=note,
                mutate=lambda c, now: {"elements": values, "findings": rows},
                data={"flags": [f.check.value for f in found]})


def element_rows(case: CivilCase) -> list[tuple[str, str]]:
    """(label, value in words) of every element entered, for the documents and the page."""
    out = []
    for el in dc.FORMS.get(dc.Cause(case.cause), ()):
        raw = case.elements.get(el.key)
        if raw in (None, "", []):
            continue
        words = _words(el, raw)
        if words:
            out.append((el.label, words))
    return out


def _words(el: dc.Element, raw) -> str:
    if el.kind == dc.FieldKind.ROWS:
        # rows stored before values were refused unparsed may be anything: a non-row is skipped
        rows = raw if isinstance(raw, list) else []
        return "；".join("，".join(f"{c.label} {_words(c, r.get(c.key, ''))}" for c in el.columns)
                        for r in rows if isinstance(r, dict))
    if el.kind == dc.FieldKind.CHOICE:
        return next((c.label for c in el.choices if c.value == raw), str(raw))
    if el.kind == dc.FieldKind.MONEY:
        try:
            return f"{dc.yuan(dc.parse_money(raw))} 元"
        except ValueError:
            return str(raw)
    if el.kind == dc.FieldKind.PERCENT:
        return f"{raw}%"
    return str(raw)


# ---- hearings and judgment -----------------------------------------------------------------------

def book(*, actor, case_id: int, data: BookIn, at: datetime | None = None) -> CivilCase:
    """排期: a slot of the hearing length (40 min by default) in a room, refused when the judge or
    the room is taken then.  The judge's membership row is locked so two bookings cannot both pass."""
    case = load(actor, case_id)
    minutes = data.minutes or limits().hearing_minutes
    judge = case.judge or _judge_of(case, actor)
    if data.room not in case.court.room_list:
        raise Invalid("法庭不存在", fields={"room": "请选择本院的法庭"})
    if data.start < (at or timezone.now()):
        raise Invalid("开庭时间不能早于现在", fields={"start": "不能早于现在"})
    end = data.start + timedelta(minutes=minutes)

    def mutate(c, now):
        list(Member.objects.select_for_update().filter(court=c.court, user=judge))
        list(Court.objects.select_for_update().filter(pk=c.court_id))       # rooms are the court's
        near = Hearing.objects.filter(cancelled=False, start__lt=end, end__gt=data.start).exclude(case=c)
        taken = [(h.start, h.end) for h in near.filter(judge=judge)] + [
            (h.start, h.end) for h in near.filter(room=data.room, case__court=c.court)]
        if dc.clashes(taken, data.start, minutes):
            raise Conflict("该时段法官或法庭已有排期", code="slot_taken")
        Hearing.objects.filter(case=c, cancelled=False).update(cancelled=True)
        Hearing.objects.create(case=c, judge=judge, room=data.room, start=data.start, end=end)
        return {"judge": judge}
    local = timezone.localtime(data.start)
    return _act(actor, case_id, A.BOOK, version=data.version, at=at, mutate=mutate,
                note=f"{local:%Y-%m-%d %H:%M} {data.room}（{minutes} 分钟）")


def _judge_of(case: CivilCase, actor):
    if Cap.JUDGE in scope.capacities(actor, case):
        return actor
    m = Member.objects.filter(court=case.court, role=Cap.JUDGE, active=True).select_related("user").first()
    if m is None:
        raise Conflict("本院速裁团队没有法官", code="no_judge")
    return m.user


def _context(case: CivilCase, **extra) -> dict:
    """What a document's wording reads — plain values only: an admin edits the wording (a
    DocumentTemplate row), so it gets no model (a ``case`` would reach the parties' ID numbers and
    ``created_by.password``), and every text is made inert for the .docx (documents.inert)."""
    from gongzhi.core.naming import actor_name
    hearing = case.hearings.filter(cancelled=False).order_by("-start").first()
    clerk = Member.objects.filter(court=case.court, role=Cap.CLERK, active=True).select_related("user").first()
    c = {"number": case.number, "claim": case.claim, "facts": case.facts, "amount": _yuan(case.amount_fen),
         "court": case.court.name, "filed_on": f"{case.filed_on:%Y年%m月%d日}" if case.filed_on else ""}
    return documents.inert({
        "c": c, "cause": dc.Cause(case.cause).label, "track": dc.Track(case.track).label,
        "parties": [{"side": dc.Litigant(p.side).label, "name": p.name, "address": p.address}
                    for p in case.parties.all()],
        "elements": element_rows(case), "findings": [f["message"] for f in case.findings],
        "judge": actor_name(case.judge) if case.judge_id else "", "clerk": actor_name(clerk.user) if clerk else "",
        "hearing_at": f"{timezone.localtime(hearing.start):%Y年%m月%d日 %H:%M}" if hearing else "",
        "room": hearing.room if hearing else "", "today": f"{timezone.localdate():%Y年%m月%d日}",
        "small_claims": case.track == dc.Track.SMALL_CLAIMS, **extra})


def hear(*, actor, case_id: int, note: str = "", version: int | None = None, at: datetime | None = None) -> CivilCase:
    """开庭: the 要素式庭审笔录 is written from the elements; the judgment clock starts."""
    def after(case, now):       # a draft: the clerk records what the parties said, and they sign
        documents.issue(case, DocKind.CIVIL_RECORD, _context(case), now, actor)
    return _act(actor, case_id, A.HEAR, note=note, version=version, at=at, after=after,
                mutate=lambda c, now: {"heard_at": now, "judge": c.judge or actor})


def judge(*, actor, case_id: int, data: JudgeIn, at: datetime | None = None) -> CivilCase:
    """宣判, on the spot (from 已排期: heard and judged at once) or later: the 要素式判决书 draft."""
    awarded = _money(data.awarded, "awarded")
    case = load(actor, case_id)
    if data.on_spot != (case.status == S.SCHEDULED):
        raise Conflict("当庭宣判须在开庭时作出；已开庭的案件按庭后宣判办理", code="on_spot")

    def mutate(c, now):
        return {"outcome": dc.Outcome.JUDGMENT, "awarded_fen": awarded, "terms": data.terms, "on_spot": data.on_spot,
                "decided_at": now, "heard_at": c.heard_at or now, "judge": c.judge or actor}

    def after(c, now):
        if data.on_spot:
            documents.issue(c, DocKind.CIVIL_RECORD, _context(c), now, actor)
        documents.issue(c, DocKind.CIVIL_JUDGMENT, _context(c, terms=data.terms, awarded=_yuan(awarded),
                                                            basis=_basis(c)), now, actor)
    return _act(actor, case_id, A.JUDGE, version=data.version, at=at, mutate=mutate, after=after,
                note=("当庭宣判：" if data.on_spot else "") + data.terms[:200])


def _yuan(fen: int | None) -> str:
    return dc.yuan(fen) if fen is not None else ""


def _basis(case: CivilCase) -> str:
    # 本院认为 is the judge's reasoning: the element checks are hints under 审查提示, never reasons
    return "（由承办法官根据庭审查明的事实撰写。）"


def mediate(*, actor, case_id: int, data: MediateIn, at: datetime | None = None) -> CivilCase:
    """调解结案 (in 诉前调解 or during the trial): the 民事调解书 draft."""
    awarded = _money(data.awarded, "awarded")

    def after(c, now):
        documents.issue(c, DocKind.CIVIL_MEDIATION, _context(c, terms=data.terms, awarded=_yuan(awarded)), now, actor)
    return _act(actor, case_id, A.MEDIATE, version=data.version, at=at, after=after, note=data.terms[:200],
                mutate=lambda c, now: {"outcome": dc.Outcome.MEDIATED, "awarded_fen": awarded, "terms": data.terms,
                                       "decided_at": now})


def withdraw(*, actor, case_id: int, reason: str, version: int | None = None, at: datetime | None = None) -> CivilCase:
    return _act(actor, case_id, A.WITHDRAW, reason=reason, version=version, at=at,
                mutate=lambda c, now: {"outcome": dc.Outcome.WITHDRAWN, "decided_at": now})


def note(*, actor, case_id: int, note: str, version: int | None = None, at: datetime | None = None) -> CivilCase:
    return _act(actor, case_id, A.NOTE, note=note, version=version, at=at)


# ---- series ------------------------------------------------------------------------------------

def _respondent(case: CivilCase) -> str:
    p = next((p for p in case.parties.all() if p.side == dc.Litigant.DEFENDANT), None)
    return p.name if p else ""


def suggest_series(actor) -> list[list[CivilCase]]:
    """Open cases of the user's courts not yet in a series, grouped by cause and a similar respondent."""
    cases = list(scope.visible_cases(actor).filter(series__isnull=True, status__in=list(dc.OPEN))
                 .prefetch_related("parties").order_by("registered_at", "id"))
    by_id = {c.pk: c for c in cases}
    groups = dc.suggest_series([dc.SeriesCandidate(c.pk, dc.Cause(c.cause), _respondent(c)) for c in cases])
    return [[by_id[i] for i in g] for g in groups]


def confirm_series(*, actor, case_ids: list[int], at: datetime | None = None) -> Series:
    """A clerk confirms a suggested group (same court, same cause)."""
    now = at or timezone.now()
    cases = list(scope.visible_cases(actor).filter(pk__in=case_ids).prefetch_related("parties"))
    if len(cases) != len(set(case_ids)) or len(cases) < 2:
        raise NotFound("案件不存在或不在您的管辖范围内")
    if len({(c.court_id, c.cause) for c in cases}) != 1:
        raise Conflict("串案须为同一法院、同一案由", code="mixed_series")
    if any(c.series_id for c in cases):
        raise Conflict("有案件已在其他串案中", code="in_series")
    with transaction.atomic():
        series = Series.objects.create(court=cases[0].court, cause=cases[0].cause, respondent=_respondent(cases[0]),
                                       confirmed_by=actor, confirmed_at=now)
        for c in cases:
            _act(actor, c.pk, A.SERIES, at=now, note=f"确认串案（{len(cases)} 件，被告 {series.respondent}）",
                 mutate=lambda case, n, s=series: _join(case, s))
    return series


def _join(case: CivilCase, series: Series) -> dict:
    # re-checked on the locked row: a confirmation that raced in since the read above wins, this one
    # is refused whole (the atomic block drops the new series) rather than moving the case
    if case.series_id is not None:
        raise Conflict("有案件已在其他串案中", code="in_series")
    return {"series": series}


def _series(actor, series_id: int) -> Series:
    s = Series.objects.filter(pk=series_id, court_id__in=scope.court_ids(actor)).first()
    if s is None:
        raise NotFound("串案不存在")
    return s


def set_lead(*, actor, series_id: int, case_id: int) -> Series:
    """The series' lead case, chosen or changed by a clerk — under the series' lock, and never once
    the lead has been decided (its followers' drafts rest on it)."""
    _series(actor, series_id)
    with transaction.atomic():
        s = Series.objects.select_for_update().get(pk=series_id)
        if not s.cases.filter(pk=case_id).exists():
            raise Conflict("示范案件须为本串案的案件", code="not_in_series")
        if s.lead_id and CivilCase.objects.select_for_update().get(pk=s.lead_id).status == S.CLOSED:
            raise Conflict("示范案件已结案，不能更换", code="lead_closed")
        s.lead_id = case_id
        s.save(update_fields=["lead"])
    return s


def follow_lead(*, actor, series_id: int, at: datetime | None = None) -> list[CivilCase]:
    """The open cases of a series follow the lead's outcome as drafts (类案同判): each gets the
    lead's outcome and the award in the lead's proportion — a draft a judge still decides.  The
    lead's 主文 names the lead's parties: it stays in the draft as 参照示范案件主文 for the judge
    and is never written into a follower's document.  A follower already drafted from this lead is
    skipped (a second call changes nothing); a follower not yet heard gets no 判决书 draft."""
    s = _series(actor, series_id)
    lead = s.lead
    if lead is None or lead.status != S.CLOSED or lead.outcome not in (dc.Outcome.JUDGMENT, dc.Outcome.MEDIATED):
        raise Conflict("示范案件尚未判决或调解结案", code="lead_open")
    decision = dc.Decision(dc.Outcome(lead.outcome), lead.amount_fen, lead.awarded_fen, lead.terms)
    own_terms = f"（由承办法官参照示范案件 {lead.number} 的裁判，依本案当事人及事实拟写。）"
    out = []
    for c in s.cases.exclude(pk=lead.pk).filter(status__in=[S.FILED, S.SCHEDULED, S.HEARD]):
        if (c.follow_draft or {}).get("lead_id") == lead.pk:
            continue
        d = dc.follow(decision, c.amount_fen)
        draft = {"outcome": d.outcome.value, "terms": d.terms, "terms_label": "参照示范案件主文",
                 "awarded": _yuan(d.awarded_fen), "lead": lead.number, "lead_id": lead.pk}
        doc = DocKind.CIVIL_JUDGMENT if d.outcome == dc.Outcome.JUDGMENT else DocKind.CIVIL_MEDIATION

        def after(case, now, d=d, doc=doc):
            if doc == DocKind.CIVIL_JUDGMENT and case.heard_at is None:
                return          # no judgment of a case never heard, not even a draft
            documents.issue(case, doc, _context(case, terms=own_terms, awarded=_yuan(d.awarded_fen),
                                                basis=f"本案与示范案件 {lead.number} 系同类案件，参照其裁判。"),
                            now, actor)
        def mutate(case, now, draft=draft):
            # the same check on the row the guarded write reads: two calls at once draft a case once
            if (case.follow_draft or {}).get("lead_id") == lead.pk:
                raise Conflict("已参照该示范案件起草", code="already_followed")
            return {"follow_draft": draft}
        try:
            out.append(_act(actor, c.pk, A.FOLLOW, at=at, note=f"参照示范案件 {lead.number} 起草",
                            mutate=mutate, after=after))
        except Conflict:
            continue            # drafted meanwhile, or changed under us: left as the other call wrote it
    return out
