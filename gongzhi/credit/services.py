"""Every 信用档案 use case, once (the API and the pages call these).

The file, the objection and the repair request are kinds on the one engine (``casework.acts.act``):
each step is a guarded write with its timeline row.  An approved entry, a withdrawal and a repair's
compensating entry are appended to the community's hash chain (``core.chain.append``) inside the
same transaction, so a step and its link commit together or not at all.  Entries are never
edited: a withdrawal is a new row naming the one it withdraws (one per entry, a constraint)."""
from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.casework.acts import CaseType, act, create_once, log, number, submitted
from gongzhi.casework.clocks import clock_changes
from gongzhi.core import admindata, audit, chain, files
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain import credit as dc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.credit import Cap, DisputeAction as DA, FileAction as FA, RepairAction as RA
from gongzhi.domain.enums import CaseKind
from gongzhi.registry.models import Person

from . import scope
from .inputs import ProposeIn, RequestIn
from .models import Behaviour, Dispute, Entry, Evidence, File, Proposal, Repair, Scene
from .rules import rules

CODE_SALT = "gongzhi.credit.code"
CODE_MAX_AGE = 600
MAX_EVIDENCE = 9            # a resident's code is good for ten minutes (a screenshot goes stale)


def chain_name(community_id: int) -> str:
    return f"credit:{community_id}"


def _load(qs, actor, pk: int, visible, message: str):
    qs = qs if actor is None else qs.filter(pk__in=visible(actor).values("pk"))
    row = qs.filter(pk=pk).order_by().first()
    if row is None:
        raise NotFound(message)
    return row


def load_file(actor, file_id: int) -> File:
    return _load(File.objects.select_related("person", "community"), actor, file_id, scope.visible_files,
                 "信用档案不存在或不在您的范围内")


def load_dispute(actor, dispute_id: int) -> Dispute:
    return _load(Dispute.objects.select_related("file__person", "entry"), actor, dispute_id,
                 scope.visible_disputes, "异议不存在或不在您的范围内")


def load_repair(actor, repair_id: int) -> Repair:
    return _load(Repair.objects.select_related("file__person", "entry"), actor, repair_id,
                 scope.visible_repairs, "修复申请不存在或不在您的范围内")


FILE = CaseType(CaseKind.CREDIT_FILE, File, dc.FileStatus, dc.FILE_TRANSITIONS, load_file, scope.capacities, {},
                frozenset(), scope.viewer, system_caps=frozenset({Cap.SYSTEM}))
DISPUTE = CaseType(CaseKind.CREDIT_DISPUTE, Dispute, dc.DisputeStatus, dc.DISPUTE_TRANSITIONS, load_dispute,
                   scope.capacities, {}, frozenset(), scope.viewer, system_caps=frozenset({Cap.SYSTEM}),
                   clock_effects=dc.DISPUTE_CLOCK_EFFECTS)
REPAIR = CaseType(CaseKind.CREDIT_REPAIR, Repair, dc.RepairStatus, dc.REPAIR_TRANSITIONS, load_repair,
                  scope.capacities, {}, frozenset(), scope.viewer, system_caps=frozenset({Cap.SYSTEM}),
                  clock_effects=dc.REPAIR_CLOCK_EFFECTS)


def _calendar():
    return admindata.calendar(), admindata.deadline_rule()


def _today(now: datetime | None = None):
    return timezone.localtime(now or timezone.now(), SHANGHAI).date()


# ---- the file --------------------------------------------------------------------------------

def community_of(person: Person):
    """A person's file sits in the community (社区/村) of their grid."""
    return person.grid.parent


def open_file(*, actor, person_id: int) -> tuple[File, bool]:
    """An officer of the person's community opens their file (once: the same person again is the file)."""
    person = Person.objects.select_related("grid__parent").filter(pk=person_id).first()
    community = community_of(person) if person else None
    if person is None or community is None or community.pk not in scope.officer_communities(actor):
        raise NotFound("人员不存在或不在您的范围内")
    existing = File.objects.filter(person=person).first()
    if existing is not None:
        return existing, False
    now = timezone.now()

    def create() -> File:
        f = File.objects.create(person=person, community=community, opened_at=now, updated_at=now, created_by=actor)
        log(CaseKind.CREDIT_FILE, f.pk, FA.OPEN, actor, now, "", dc.FileStatus.OPEN)
        return f
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        return File.objects.get(person=person), False


def facts_of(file: File) -> list[dc.Fact]:
    return [e.fact() for e in Entry.objects.filter(file=file).order_by("seq")]


def score_of(file: File, today=None) -> dc.Score:
    return dc.score(facts_of(file), today or _today(), rules())


# ---- proposals and entries (maker-checker) ---------------------------------------------------

def propose(*, actor, file_id: int, data: ProposeIn, evidence: list | None = None) -> tuple[Proposal, bool]:
    """An officer proposes an entry against a behaviour of the file's 公约, with its evidence
    (each a CheckedFile from events.intake.check_attachment: judged by content, images re-saved
    without their metadata).  A retry with the same client key returns the first proposal."""
    existing = submitted_proposal(actor, data.client_key)
    if existing is not None:
        return existing, False
    f = load_file(actor, file_id)
    if Cap.SUBJECT in scope.capacities(actor, f):
        raise Forbidden("不能为本人提出信用记录")
    behaviour = Behaviour.objects.select_related("clause").filter(pk=data.behaviour_id, active=True).first()
    if behaviour is None or behaviour.clause.community_id != f.community_id or not behaviour.clause.active:
        raise Invalid("该信用行为不属于本社区公约", fields={"behaviour_id": "不属于本社区公约"})
    if data.occurred_on > _today():
        raise Invalid("发生日期不能晚于今天", fields={"occurred_on": "不能晚于今天"})
    out: dict = {}

    def after(file, now):
        p = Proposal.objects.create(file=file, behaviour=behaviour, occurred_on=data.occurred_on, facts=data.facts,
                                    proposed_by=actor, proposed_at=now, client_key=data.client_key)
        for checked in evidence or []:
            _store_evidence(p, checked, actor, now)
        out["p"] = p
    try:
        act(FILE, actor, f.pk, FA.PROPOSE, note=f"{behaviour.name}（{behaviour.points:+d}）", after=after,
            data={"behaviour": behaviour.pk, "occurred_on": data.occurred_on.isoformat()})
    except IntegrityError:
        again = submitted_proposal(actor, data.client_key)
        if again is None:
            raise
        return again, False
    return out["p"], True


def submitted_proposal(actor, client_key: str | None) -> Proposal | None:
    if not client_key or actor is None:
        return None
    return Proposal.objects.filter(proposed_by=actor, client_key=client_key).first()


def _store_evidence(p: Proposal, checked, actor, now) -> Evidence:
    kind, mime, ext, f = checked
    digest, size = files.sha256_of(f)
    ev = Evidence(proposal=p, kind=str(kind), mime=mime, ext=ext, size=size, sha256=digest, uploaded_by=actor,
                  uploaded_at=now)
    ev.file.save(f"upload.{ext}", f, save=False)
    try:
        ev.save()
    except BaseException:
        ev.file.delete(save=False)
        raise
    return ev


def _proposal(actor, proposal_id: int) -> Proposal:
    p = Proposal.objects.select_related("file", "behaviour").filter(pk=proposal_id).first()
    if p is None or p.file_id not in set(scope.visible_files(actor).values_list("pk", flat=True)) \
            or Cap.OFFICER not in scope.capacities(actor, p.file):
        raise NotFound("信用记录申请不存在或不在您的范围内")
    if Cap.SUBJECT in scope.capacities(actor, p.file):
        raise Forbidden("不能审核本人的信用记录")
    return p


def add_evidence(*, actor, proposal_id: int, checked) -> Evidence:
    """Evidence for a proposal still waiting, by its proposer (what the checker then approves)."""
    p = _proposal(actor, proposal_id)
    if p.proposed_by_id != actor.pk:
        raise Forbidden("只有提出人可以补充证据")
    if p.status != dc.ProposalStatus.PENDING:
        raise Conflict("该申请已处理，不能再补充证据", code="stale_version")
    if p.evidence.count() >= MAX_EVIDENCE:
        raise Invalid(f"每条信用记录最多 {MAX_EVIDENCE} 份证据")
    return _store_evidence(p, checked, actor, timezone.now())


def evidence_for(*, actor, evidence_id: int) -> Evidence:
    """An evidence file, for those who read its file (its officers, the person); logged."""
    ev = Evidence.objects.select_related("proposal__file").filter(pk=evidence_id).first()
    if ev is None or not scope.visible_files(actor).filter(pk=ev.proposal.file_id).exists():
        raise NotFound("证据不存在")
    caps = scope.capacities(actor, ev.proposal.file)
    if Cap.OFFICER not in caps and ev.proposal.status != dc.ProposalStatus.APPROVED:
        raise NotFound("证据不存在")          # the person sees the evidence of entries on their file
    audit.record(actor, CaseKind.CREDIT_FILE, ev.proposal.file_id, f"查看信用记录证据 {ev.pk}")
    return ev


def _step(p: Proposal, step: str, actor, now, **extra) -> None:
    """The proposal's own step, guarded by its status: of two officers approving at once one wins."""
    before, after = dc.PROPOSAL_STEPS[step]
    if not Proposal.objects.filter(pk=p.pk, status=before).update(status=after, decided_by=actor, decided_at=now,
                                                                   **extra):
        raise Conflict("该申请已被处理，请刷新后重试", code="concurrent_update")


def approve(*, actor, proposal_id: int, note: str = "") -> Entry:
    """A second officer approves: the entry is written and chained, valid for the behaviour's period
    from the day it happened."""
    p = _proposal(actor, proposal_id)
    problem = dc.approval_problem(p.proposed_by_id, actor.pk)
    if problem:
        raise Conflict(problem, code="maker_checker")
    b = p.behaviour
    out: dict = {}

    def after(file, now):
        _step(p, "approve", actor, now)
        out["e"] = _append(file, now, kind=dc.EntryKind.ENTRY, behaviour=b, klass=b.klass, points=b.points,
                           valid_from=p.occurred_on, valid_until=dc.valid_until(p.occurred_on, b.validity_days),
                           proposal=p, proposed_by=p.proposed_by, approved_by=actor, note=note,
                           evidence=list(p.evidence.values_list("sha256", flat=True)))
    act(FILE, actor, p.file_id, FA.APPROVE, note=note, after=after, data={"proposal": p.pk})
    return out["e"]


def reject(*, actor, proposal_id: int, reason: str) -> Proposal:
    p = _proposal(actor, proposal_id)
    act(FILE, actor, p.file_id, FA.REJECT, reason=reason,
        after=lambda file, now: _step(p, "reject", actor, now, reason=reason), data={"proposal": p.pk})
    p.refresh_from_db()
    return p


def _append(file: File, now: datetime, **fields) -> Entry:
    """The next link of the community's chain (inside the caller's transaction)."""
    e = Entry(community_id=file.community_id, file=file, at=now, **fields)
    try:
        with transaction.atomic():
            e.seq, e.prev_hash, e.hash = chain.append(chain_name(file.community_id), e.chain_fields())
            e.save()
    except IntegrityError as exc:
        raise Conflict("该记录已撤销或已修复，请刷新后重试", code="concurrent_entry") from exc
    return e


def _entry(file: File, entry_id: int) -> Entry:
    e = Entry.objects.filter(file=file, pk=entry_id, kind=dc.EntryKind.ENTRY).first()
    if e is None:
        raise NotFound("信用记录不存在")
    return e


def withdraw(*, actor, file_id: int, entry_id: int, reason: str) -> Entry:
    """An officer withdraws a wrong entry: a withdrawal row names it (the entry stays, as history)."""
    f = load_file(actor, file_id)
    e = _entry(f, entry_id)
    out: dict = {}

    def after(file, now):
        out["w"] = _withdrawal(file, e, now, actor, reason)
    act(FILE, actor, f.pk, FA.WITHDRAW, reason=reason, after=after, data={"entry": e.pk})
    return out["w"]


def _withdrawal(file, e: Entry, now, actor, note: str, dispute=None) -> Entry:
    return _append(file, now, kind=dc.EntryKind.WITHDRAWAL, behaviour=e.behaviour, klass=e.klass, points=0,
                   valid_from=_today(now), valid_until=None, reverses=e, dispute=dispute, approved_by=actor,
                   note=note)


# ---- objections (异议) and repairs (信用修复) -------------------------------------------------

def own_file(actor) -> File:
    person = scope.own_person_id(actor)
    f = File.objects.select_related("person").filter(person_id=person).first() if person else None
    if f is None:
        raise NotFound("您还没有信用档案")
    return f


def _request(model, kind: CaseKind, prefix: str, clock, effects, action, actor, data: RequestIn, check):
    existing = submitted(model, actor, data.client_key)
    if existing is not None:
        return existing, False
    f = own_file(actor)
    e = _entry(f, data.entry_id)
    check(f, e)
    now = timezone.now()

    def create():
        cols = clock_changes(effects, action, "", now, lambda c: _workdays(c), _calendar)
        row = model.objects.create(file=f, entry=e, reason=data.reason, filed_at=now, updated_at=now,
                                   created_by=actor, client_key=data.client_key, **cols)
        row.number = number(prefix, row.pk, now)
        row.save(update_fields=["number"])
        log(kind, row.pk, action, actor, now, "", row.status, note=data.reason, by_subject=True)
        return row
    try:
        return create_once(model, actor, data.client_key, create)
    except IntegrityError as exc:
        raise Conflict("该记录已有待处理的申请", code="already_pending") from exc


def _workdays(clock) -> int:
    return rules().dispute_workdays if clock is dc.DisputeClock.DECIDE else rules().repair_workdays


def dispute_file(*, actor, data: RequestIn) -> tuple[Dispute, bool]:
    """The person objects to an entry of their own file; decided within ``dispute_workdays``."""
    def check(f, e):
        if Entry.objects.filter(reverses=e, kind=dc.EntryKind.WITHDRAWAL).exists():
            raise Invalid("该记录已撤销")
    return _request(Dispute, CaseKind.CREDIT_DISPUTE, "XYYY", dc.DisputeClock.DECIDE, dc.DISPUTE_CLOCK_EFFECTS,
                    DA.FILE, actor, data, check)


def _clock(effects, action):
    return lambda row, now: clock_changes(effects, action, row.clock, now, _workdays, _calendar)


def dispute_uphold(*, actor, dispute_id: int, reason: str, version: int | None = None) -> Dispute:
    """The objection holds: the entry is withdrawn (a withdrawal row on the chain) in the same write."""
    def mutate(d, now):
        return {**_clock(dc.DISPUTE_CLOCK_EFFECTS, DA.UPHOLD)(d, now), "decided_at": now, "decided_by": actor,
                "decision": reason}

    def after(d, now):
        _withdrawal(d.file, d.entry, now, actor, f"异议成立：{reason}", dispute=d)
    return act(DISPUTE, actor, dispute_id, DA.UPHOLD, reason=reason, version=version, mutate=mutate, after=after)


def dispute_dismiss(*, actor, dispute_id: int, reason: str, version: int | None = None) -> Dispute:
    def mutate(d, now):
        return {**_clock(dc.DISPUTE_CLOCK_EFFECTS, DA.DISMISS)(d, now), "decided_at": now, "decided_by": actor,
                "decision": reason}
    return act(DISPUTE, actor, dispute_id, DA.DISMISS, reason=reason, version=version, mutate=mutate)


def dispute_retract(*, actor, dispute_id: int, version: int | None = None) -> Dispute:
    return act(DISPUTE, actor, dispute_id, DA.RETRACT, version=version,
               mutate=_clock(dc.DISPUTE_CLOCK_EFFECTS, DA.RETRACT))


def repair_apply(*, actor, data: RequestIn) -> tuple[Repair, bool]:
    """The person asks that a negative entry be repaired (after the waiting period)."""
    def check(f, e):
        counted = score_of(f).counted
        problem = dc.repair_problem(points=e.points, kind=e.kind, counts=e.pk in counted,
                                    already_repaired=Entry.objects.filter(reverses=e, kind=dc.EntryKind.REPAIR)
                                    .exists(), valid_from=e.valid_from, today=_today(), rules=rules())
        if problem:
            raise Invalid(problem)
    return _request(Repair, CaseKind.CREDIT_REPAIR, "XYXF", dc.RepairClock.DECIDE, dc.REPAIR_CLOCK_EFFECTS,
                    RA.APPLY, actor, data, check)


def repair_grant(*, actor, repair_id: int, note: str = "", version: int | None = None) -> Repair:
    """Granted: a compensating entry (the repaired points back, for the rest of the entry's period)."""
    def mutate(r, now):
        return {**_clock(dc.REPAIR_CLOCK_EFFECTS, RA.GRANT)(r, now), "decided_at": now, "decided_by": actor,
                "decision": note}

    def after(r, now):
        e = r.entry
        _append(r.file, now, kind=dc.EntryKind.REPAIR, behaviour=e.behaviour, klass=e.klass, points=-e.points,
                valid_from=_today(now), valid_until=e.valid_until, reverses=e, repair=r, proposed_by=r.created_by,
                approved_by=actor, note=note or "准予信用修复")
    return act(REPAIR, actor, repair_id, RA.GRANT, note=note, version=version, mutate=mutate, after=after)


def repair_refuse(*, actor, repair_id: int, reason: str, version: int | None = None) -> Repair:
    def mutate(r, now):
        return {**_clock(dc.REPAIR_CLOCK_EFFECTS, RA.REFUSE)(r, now), "decided_at": now, "decided_by": actor,
                "decision": reason}
    return act(REPAIR, actor, repair_id, RA.REFUSE, reason=reason, version=version, mutate=mutate)


def repair_retract(*, actor, repair_id: int, version: int | None = None) -> Repair:
    return act(REPAIR, actor, repair_id, RA.RETRACT, version=version, mutate=_clock(dc.REPAIR_CLOCK_EFFECTS,
                                                                                    RA.RETRACT))


# ---- incentive scenes: the level only --------------------------------------------------------

def scenes_for(file: File, level: str) -> list[Scene]:
    return [s for s in Scene.objects.filter(active=True).order_by("min_level", "name")
            if (s.community_id is None or s.community_id == file.community_id) and dc.reaches(level, s.min_level)]


def my_code(*, actor) -> str:
    """The resident's short-lived credit code (码上兑): a scene checks it and reads the level only."""
    return signing.TimestampSigner(salt=CODE_SALT).sign(str(own_file(actor).pk))


def scene_check(*, actor, scene_id: int, code: str) -> dict:
    """A scene's operator checks a code: the level and whether the scene is open to it — never an
    entry or a score.  Logged like a read of the file."""
    scene = Scene.objects.filter(pk=scene_id, active=True, operators=actor).first()
    if scene is None:
        raise NotFound("场景不存在或您不是该场景的核验人员")
    try:
        file_id = int(signing.TimestampSigner(salt=CODE_SALT).unsign(code.strip(), max_age=CODE_MAX_AGE))
    except signing.SignatureExpired as exc:
        raise Invalid("信用码已过期，请居民刷新后再出示", fields={"code": "已过期"}) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise Invalid("信用码无效", fields={"code": "无效"}) from exc
    f = File.objects.filter(pk=file_id, status=dc.FileStatus.OPEN).first()
    if f is None or (scene.community_id is not None and scene.community_id != f.community_id):
        raise Forbidden("该居民不适用本场景")
    level = score_of(f).level
    audit.record(actor, CaseKind.CREDIT_FILE, f.pk, f"核验信用等级（{scene.name}）")
    return {"scene": scene.name, "level": level.value, "level_label": level.label,
            "allowed": dc.reaches(level, scene.min_level)}
