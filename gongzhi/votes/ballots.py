"""The roll, the ballots and the count (ADR 0019).

One vote per voter: the roll row is flipped by ``UPDATE … WHERE voted = false`` — of two
concurrent votes of one voter exactly one changes a row; the other is a retry (the same client
key: the same receipt back) or a duplicate (409).  The ballot is appended to the proposal's hash
chain in the same transaction, under the chain head's lock, which also orders every ballot
against the count: a vote that waited on the lock while the count ran finds the proposal counted
and is refused, so no ballot lands after the result.

The receipt of an online ballot is HMAC(secret key, proposal, client key): a retry after a lost
answer gets the same receipt back, yet the roll keeps only a hash of the key, so nothing stored
names the receipt of a voter.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.casework.acts import act, log
from gongzhi.core import chain
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.core.models import ChainHead
from gongzhi.domain import chain as dc, votes as dv
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.votes import BatchStatus, ProposalAction as A, ProposalStatus as S, Via, VoteCap
from gongzhi.registry.models import Person

from . import scope
from .inputs import BallotIn, PaperIn, ProxyIn
from .models import Ballot, PaperBatch, PaperEntry, Proposal, Voter, chain_name
from .services import PROPOSAL, load

logger = logging.getLogger(__name__)


# ---- the roll ----------------------------------------------------------------------------------

def residents_of(area) -> list[dv.Resident]:
    """Everyone the registry places in the area (by their grid or their house's grid)."""
    rows = Person.objects.filter(Q(grid__path__startswith=area.path) | Q(house__grid__path__startswith=area.path))
    return [dv.Resident(pid, hh, birth, mi, mo, hmo) for pid, hh, birth, mi, mo, hmo in rows.values_list(
        "id", "household_id", "birth_date", "moved_in_on", "moved_out_on", "household__moved_out_on")]


def build_roll(p: Proposal, as_of: date) -> int:
    """The roll fixed on ``as_of`` (in the OPEN_VOTING action's transaction); its size."""
    keys = dv.roll(residents_of(p.area), dv.Basis(p.basis), as_of)
    person = dv.Basis(p.basis) is dv.Basis.ADULT
    Voter.objects.bulk_create([Voter(proposal=p, key=k, person_id=int(k[1:]) if person else None,
                                     household_id=None if person else int(k[1:])) for k in keys], batch_size=1000)
    ChainHead.objects.get_or_create(name=chain_name(p.pk), defaults={"seq": 0, "head_hash": dc.GENESIS})
    return len(keys)


def voter_key(p: Proposal, person: Person) -> str:
    return f"p{person.pk}" if dv.Basis(p.basis) is dv.Basis.ADULT else f"h{person.household_id}"


def _may_cast_now(p: Proposal, person: Person, today: date) -> None:
    """The person may cast the roll entry's vote today: an adult living there (a household's vote
    by any adult member), not moved out when the proposal's rule takes the right away."""
    if dv.Basis(p.basis) is dv.Basis.HOUSEHOLD and person.household_id is None:
        raise Forbidden("您尚未登记所属住户，请联系社区核实")
    household_out = person.household.moved_out_on if person.household_id else None
    moved_out = min((d for d in (person.moved_out_on, household_out) if d), default=None)
    if not dv.may_still_vote(moved_out, today, dv.MoveRule(p.move_rule)):
        raise Forbidden("您已迁出本区域，按本次表决规则不再享有表决权")
    if person.birth_date is None or dv.age_on(person.birth_date, today) < dv.ADULT_AGE:
        raise Forbidden("未满十八周岁或出生日期未登记，不能投票")


def _lock_open(p: Proposal, now: datetime) -> Proposal:
    """Take the chain head's lock, then re-read the proposal: still voting, inside the window."""
    ChainHead.objects.select_for_update().filter(name=chain_name(p.pk)).first()
    fresh = Proposal.objects.get(pk=p.pk)
    if fresh.status != S.VOTING:
        raise Conflict("该议题当前不在投票期", code="not_voting")
    if not fresh.vote_opens_at <= now < fresh.vote_closes_at:
        raise Conflict("不在投票时间内", code="outside_window")
    return fresh


def _key_hash(p: Proposal, client_key: str) -> str:
    return hashlib.sha256(f"{p.pk}:{client_key}".encode()).hexdigest()


def _receipt(p: Proposal, client_key: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"gongzhi-vote:{p.pk}:{client_key}".encode(),
                      hashlib.sha256).digest()
    return dv.receipt_from(digest)


def _append(p: Proposal, option: str, receipt: str, batch: PaperBatch | None = None) -> Ballot:
    seq, prev, digest = chain.append(chain_name(p.pk), dv.ballot_fields(p.pk, option, receipt,
                                                                         batch.pk if batch else None))
    return Ballot.objects.create(proposal=p, seq=seq, option=option, receipt=receipt, batch=batch,
                                 prev_hash=prev, hash=digest)


def _cast(p: Proposal, key: str, option: str, client_key: str, *, via: Via, cast_by: Person,
          proxy_by=None, consent: str = "", at: datetime | None = None) -> tuple[str, bool]:
    if option not in set(p.options.values_list("key", flat=True)):
        raise Invalid("选项不存在", fields={"option": "选项不存在"})
    now = at or timezone.now()
    khash = _key_hash(p, client_key)
    with transaction.atomic():
        p = _lock_open(p, now)
        flipped = Voter.objects.filter(proposal=p, key=key, voted=False).update(
            voted=True, via=via, voted_on=timezone.localdate(now), key_hash=khash, cast_by=cast_by,
            proxy_by=proxy_by, consent=consent)
        if not flipped:
            v = Voter.objects.filter(proposal=p, key=key).only("key_hash", "voted").first()
            if v is None:
                raise Forbidden("不在本次表决名册中（名册以开始投票时的实有人口为准）")
            if v.key_hash and hmac.compare_digest(v.key_hash, khash):
                return _receipt(p, client_key), False          # a retry: the same receipt
            raise Conflict("已投过票（每户/每人只能投一次）", code="already_voted")
        receipt = _receipt(p, client_key)
        _append(p, option, receipt)
    return receipt, True


def cast(*, actor, proposal_id: int, data: BallotIn, at: datetime | None = None) -> tuple[str, bool]:
    """The resident's own vote: (receipt, whether it is new)."""
    p = load(actor, proposal_id)
    person = scope.person_of(actor)
    if person is None or VoteCap.RESIDENT not in scope.capacities(actor, p):
        raise Forbidden("只有本区域登记的居民可以投票")
    _may_cast_now(p, person, timezone.localdate(at or timezone.now()))
    return _cast(p, voter_key(p, person), data.option, data.client_key, via=Via.ONLINE, cast_by=person, at=at)


def _helped(actor, proposal_id: int, person_id: int) -> tuple[Proposal, Person]:
    p = load(actor, proposal_id)
    if not scope.capacities(actor, p) & {VoteCap.ORGANISER, VoteCap.HELPER}:
        raise Forbidden("只有本区域的工作人员可以代投或发放纸质票")
    person = Person.objects.select_related("household").filter(pk=person_id).first()
    if person is None:
        raise NotFound("居民不存在")
    return p, person


def cast_proxy(*, actor, proposal_id: int, data: ProxyIn, at: datetime | None = None) -> tuple[str, bool]:
    """代投 for an elderly or disabled voter, at their request: the helper's account and the
    voter's consent go on the roll row; the ballot is like any other.  The helper hands the
    receipt to the voter."""
    p, person = _helped(actor, proposal_id, data.person_id)
    _may_cast_now(p, person, timezone.localdate(at or timezone.now()))
    return _cast(p, voter_key(p, person), data.option, data.client_key, via=Via.PROXY, cast_by=person,
                 proxy_by=actor, consent=data.consent.strip(), at=at)


def paper_sign_in(*, actor, proposal_id: int, person_id: int, at: datetime | None = None) -> Voter:
    """A voter takes a paper ballot at the polling station: marked as voted (no online vote after)."""
    p, person = _helped(actor, proposal_id, person_id)
    now = at or timezone.now()
    _may_cast_now(p, person, timezone.localdate(now))
    key = voter_key(p, person)
    with transaction.atomic():
        p = _lock_open(p, now)
        if not Voter.objects.filter(proposal=p, key=key, voted=False).update(
                voted=True, via=Via.PAPER, voted_on=timezone.localdate(now), cast_by=person, proxy_by=actor):
            if not Voter.objects.filter(proposal=p, key=key).exists():
                raise Forbidden("不在本次表决名册中")
            raise Conflict("已投过票（每户/每人只能投一次）", code="already_voted")
    return Voter.objects.get(proposal=p, key=key)


# ---- paper ballots, entered twice ----------------------------------------------------------------

def paper_enter(*, actor, proposal_id: int, data: PaperIn, at: datetime | None = None) -> PaperBatch:
    """One staff member's count of a box.  When two different staff have entered it and agree,
    its ballots are added to the chain (once); when they disagree it is listed as a mismatch
    until one of them corrects their entry.  More paper ballots than paper sign-ins are refused."""
    p = load(actor, proposal_id)
    if not scope.capacities(actor, p) & {VoteCap.ORGANISER, VoteCap.HELPER}:
        raise Forbidden("只有本区域的工作人员可以录入纸质票")
    problems = dv.entry_problems(data.counts, p.options.values_list("key", flat=True))
    if problems:
        raise Invalid("；".join(problems), fields={"counts": problems[0]})
    now = at or timezone.now()
    with transaction.atomic():
        ChainHead.objects.select_for_update().filter(name=chain_name(p.pk)).first()
        p = Proposal.objects.get(pk=p.pk)
        if p.status != S.VOTING:
            raise Conflict("该议题当前不在投票期", code="not_voting")
        batch, _ = PaperBatch.objects.get_or_create(proposal=p, label=data.batch.strip())
        if batch.status == BatchStatus.COUNTED:
            raise Conflict("该批次已两人录入一致并计入，不能再改", code="batch_counted")
        entries = list(batch.entries.all())
        mine = next((e for e in entries if e.entered_by_id == actor.pk), None)
        if mine is not None:
            PaperEntry.objects.filter(pk=mine.pk).update(counts=data.counts, at=now)
        elif len(entries) >= 2:
            raise Conflict("该批次已有两人录入，请由其中一人更正", code="batch_full")
        else:
            PaperEntry.objects.create(batch=batch, entered_by=actor, counts=data.counts, at=now)
        entries = list(batch.entries.all())
        status = BatchStatus.PENDING
        if len(entries) == 2:
            agreed = not dv.entry_mismatches(entries[0].counts, entries[1].counts)
            status = BatchStatus.COUNTED if agreed and _fits(p, data.counts) else BatchStatus.MISMATCH
        if status is BatchStatus.COUNTED:
            for key, n in sorted(data.counts.items()):
                for _ in range(n):
                    _append(p, key, dv.receipt_code(), batch)
            total = sum(data.counts.values())
            PaperBatch.objects.filter(pk=batch.pk).update(status=status, ballots=total, counted_at=now)
            log(CaseKind.PROPOSAL, p.pk, A.PAPER, actor, now, S.VOTING, S.VOTING,
                note=f"纸质票批次「{batch.label}」两人录入一致，计入 {total} 票", data={"batch": batch.pk})
        else:
            PaperBatch.objects.filter(pk=batch.pk).update(status=status)
    batch.refresh_from_db()
    return batch


def _fits(p: Proposal, counts) -> bool:
    """The batch fits the paper sign-ins not yet matched by counted paper ballots."""
    signed = Voter.objects.filter(proposal=p, via=Via.PAPER).count()
    counted = sum(PaperBatch.objects.filter(proposal=p, status=BatchStatus.COUNTED).values_list("ballots", flat=True))
    return counted + sum(counts.values()) <= signed


def batches(p: Proposal) -> list[dict]:
    """The paper batches with their state and, for a mismatch, what differs (counts, no names)."""
    out = []
    for b in p.batches.prefetch_related("entries"):
        es = list(b.entries.all())
        diff = dv.entry_mismatches(es[0].counts, es[1].counts) if len(es) == 2 else []
        over = len(es) == 2 and not diff and b.status == BatchStatus.MISMATCH
        out.append({"id": b.id, "label": b.label, "status": BatchStatus(b.status), "ballots": b.ballots,
                    "entries": len(es), "mismatches": diff, "over_signed": over})
    return out


# ---- the count ------------------------------------------------------------------------------------

def _left(p: Proposal, today: date) -> int:
    """Roll entries that did not vote and moved out by today (they leave the denominator: LOSES)."""
    q = Voter.objects.filter(proposal=p, voted=False)
    if dv.Basis(p.basis) is dv.Basis.ADULT:
        return q.filter(person__moved_out_on__lte=today).count()
    return q.filter(household__moved_out_on__lte=today).count()


def _result(p: Proposal, today: date) -> dv.Result:
    counts = dv.recount(Ballot.objects.filter(proposal=p).values_list("option", flat=True))
    eligible = dv.eligible_count(p.roll_size, _left(p, today), dv.MoveRule(p.move_rule))
    options = [dv.Option(o.key, dv.OptionRole(o.role)) for o in p.options.all()]
    return dv.tally(options, counts, eligible, p.rule)


def close(*, actor, proposal_id: int, at: datetime | None = None, system: bool = False) -> Proposal:
    """The count, after the window closed: from the ballots themselves, under the chain's lock."""
    now = at or timezone.now()
    with transaction.atomic():
        p = load(None if system else actor, proposal_id)
        if not system and VoteCap.ORGANISER not in scope.capacities(actor, p):
            raise Forbidden("只有本区域的组织者可以计票")
        ChainHead.objects.select_for_update().filter(name=chain_name(p.pk)).first()
        if p.status == S.VOTING and now < p.vote_closes_at:
            raise Conflict(f"投票截止时间为 {timezone.localtime(p.vote_closes_at):%Y-%m-%d %H:%M}，尚未到",
                           code="still_open")
        open_batches = list(p.batches.exclude(status=BatchStatus.COUNTED).values_list("label", flat=True))
        if open_batches:
            raise Conflict("以下纸质票批次尚未两人录入一致：" + "、".join(open_batches), code="batches_open")
        result = _result(p, timezone.localdate(now))
        seq, head = chain.head_of(chain_name(p.pk))
        signed = Voter.objects.filter(proposal=p, voted=True).count()

        def mutate(row, when):
            return {"eligible": result.eligible, "participants": result.participants, "signed": signed,
                    "counts": dict(result.counts), "outcome": result.outcome, "carried": result.carried or "",
                    "chain_seq": seq, "chain_hash": head, "decided_at": when}
        action = A.PASS if result.outcome is dv.Outcome.PASSED else A.FAIL
        caps = {VoteCap.SYSTEM} if system else None
        row = act(PROPOSAL, actor, p.pk, action, at=now, mutate=mutate, system_caps=caps,
                  data={"outcome": result.outcome.value, "participants": result.participants,
                        "eligible": result.eligible})
        transaction.on_commit(lambda: reward_participants(row.pk))
    return row


def close_due(now: datetime | None = None) -> tuple[int, int]:
    """The sweep's count of every vote whose window has closed: (counted, left for staff).  A vote
    with a paper box the two entries do not yet agree on is left open for the organisers — the
    count never runs without its paper ballots — and tried again next round."""
    now = now or timezone.now()
    counted = waiting = 0
    for pk in Proposal.objects.filter(status=S.VOTING, vote_closes_at__lte=now).values_list("pk", flat=True):
        try:
            close(actor=None, proposal_id=pk, at=now, system=True)
            counted += 1
        except Conflict:        # paper boxes open, or another worker counted it first
            waiting += 1
    return counted, waiting


def verify_tally(p: Proposal) -> dict:
    """The stored result against a recount from the ballot log, and the log's chain."""
    counted, broken = chain.verify(chain_name(p.pk), Ballot.objects.filter(proposal=p).order_by("seq"))
    recounted = dv.recount(Ballot.objects.filter(proposal=p).values_list("option", flat=True))
    stored = {k: v for k, v in (p.counts or {}).items() if v}
    return {"ok": broken is None and (p.decided_at is None or stored == recounted), "ballots": counted,
            "chain_broken_at": broken, "stored": stored, "recounted": recounted,
            "head": {"seq": p.chain_seq, "hash": p.chain_hash}}


# ---- receipts ------------------------------------------------------------------------------------

def receipts(p: Proposal) -> list[dict]:
    """Every counted ballot as (receipt, option), after the count; ordered by receipt (random), never
    by seq.  Choices are not published while voting runs (a running tally sways the late voters)."""
    if p.status not in (S.DECIDED, S.FAILED):
        return []
    labels = dict(p.options.values_list("key", "label"))
    return [{"receipt": r, "option": o, "label": labels.get(o, o)}
            for r, o in Ballot.objects.filter(proposal=p).order_by("receipt").values_list("receipt", "option")]


def lookup(p: Proposal, receipt: str) -> dict:
    code = dv.normal_receipt(receipt)
    row = Ballot.objects.filter(proposal=p, receipt=code).values_list("option", flat=True).first()
    out: dict = {"receipt": code, "counted": row is not None}
    if row is not None and p.status in (S.DECIDED, S.FAILED):
        out["option"] = row
        out["label"] = dict(p.options.values_list("key", "label")).get(row, row)
    return out


# ---- points ---------------------------------------------------------------------------------------

def reward_participants(proposal_id: int) -> int:
    """The points hook: each participant earns the vote rule's points, after the count has committed
    (never in the ballot's transaction: a posting per vote would time and order the votes).  Uses
    ``points.services.award`` when the points pillar provides it; returns the awards made."""
    try:
        from gongzhi.domain.points import Source
        from gongzhi.points.services import award
    except ImportError:
        logger.info("votes: points pillar has no award service yet; no points for proposal %s", proposal_id)
        return 0
    made = 0
    rows = Voter.objects.filter(proposal_id=proposal_id, voted=True, cast_by__isnull=False).order_by("key")
    for person in Person.objects.filter(pk__in=rows.values("cast_by_id")).order_by("pk"):
        try:
            award(person=person, rule=Source.VOTE, key=f"vote:{proposal_id}:{person.pk}", qty=1, actor=None,
                  reason="参与居民议事表决")
            made += 1
        except NotImplementedError:
            logger.info("votes: points.award not implemented yet; no points for proposal %s", proposal_id)
            return made
        except Exception:      # noqa: BLE001 — a cap or a points fault must not undo a published count
            logger.exception("votes: points award failed for proposal %s person %s", proposal_id, person.pk)
    return made
