"""Every 三金 use case, once (API and pages call these).

The deposit and the grant are kinds on the one engine (``casework.acts.act``); the money moves by
``funds.ledger.post`` inside the action's transaction, so a status and its posting commit together
or not at all.  A release passes the maker-checker rule (domain.ledger.approval_step) inside the
transaction: the second checker's approval executes it, once — the engine's version guard and the
one-disposal constraint make a second, concurrent release impossible."""
from __future__ import annotations

import csv
import hashlib
import io
import uuid
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from gongzhi.casework.acts import CaseType, act, create_once, log, number, submitted
from gongzhi.casework.models import CaseKind, CaseLog
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain import ledger as dl
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.ledger import Cap, DepositAction as A, DepositStatus as S, GrantAction as GA
from gongzhi.domain.privacy import Viewer
from gongzhi.mediation.models import Case

from . import documents, ledger, scope
from .clocks import deposit_deadline, grant_deadline
from .inputs import ConditionIn, DonationIn, GrantIn, PledgeIn, ProposeIn, ReceiveIn
from .limits import limits
from .models import Account, Approval, Deposit, Donation, Fund, Grant, StatementImport, StatementLine


def load_deposit(actor, deposit_id: int) -> Deposit:
    qs = Deposit.objects.all() if actor is None else scope.visible_deposits(actor)
    row = qs.select_related("fund", "account").filter(pk=deposit_id).order_by().first()
    if row is None:
        raise NotFound("该笔资金不存在或不在您的范围内")
    return row


def load_grant(actor, grant_id: int) -> Grant:
    qs = Grant.objects.all() if actor is None else scope.visible_grants(actor)
    row = qs.select_related("fund").filter(pk=grant_id).order_by().first()
    if row is None:
        raise NotFound("救助申请不存在或不在您的范围内")
    return row


def _viewer(user, row, caps) -> Viewer:
    return Viewer.HANDLER if caps else Viewer.STAFF


DEPOSIT = CaseType(CaseKind.DEPOSIT, Deposit, S, dl.DEPOSIT_TRANSITIONS, load_deposit, scope.capacities, {},
                   frozenset(), _viewer, system_caps=frozenset({Cap.SYSTEM}), clock_effects=dl.DEPOSIT_CLOCK_EFFECTS)
GRANT = CaseType(CaseKind.GRANT, Grant, dl.GrantStatus, dl.GRANT_TRANSITIONS, load_grant, scope.capacities, {},
                 frozenset(), _viewer, system_caps=frozenset({Cap.SYSTEM}), clock_effects=dl.GRANT_CLOCK_EFFECTS)


def _fund(user, kind: dl.FundKind, need: Cap) -> Fund:
    funds = scope.maker_funds(user) if need is Cap.MAKER else scope.checker_funds(user)
    fund = Fund.objects.filter(kind=kind, active=True, id__in=funds).order_by("id").first()
    if fund is None:
        raise Forbidden(f"您不是{kind.label}的{'经办人' if need is Cap.MAKER else '复核人'}")
    return fund


def _local_day(at: datetime) -> date:
    return timezone.localtime(at, SHANGHAI).date()


# ---- deposits ---------------------------------------------------------------------------------

def pledge(*, actor, data: PledgeIn) -> tuple[Deposit, bool]:
    """Register a pledged deposit (the maker): checked against the rules, its own account opened,
    the 缴存期限 started.  A retry with the same client key returns the first."""
    existing = submitted(Deposit, actor, data.client_key)
    if existing is not None:
        return existing, False
    fund = _fund(actor, dl.FUND_OF[data.kind], Cap.MAKER)
    problems = dl.deposit_problems(data.kind, data.amount, data.loss, limits())
    if problems:
        raise Invalid("；".join(problems))
    if data.secured_kind is dl.SecuredKind.MEDIATION and not Case.objects.filter(pk=data.case_id).exists():
        raise Invalid("调解案件不存在")
    now = timezone.now()
    d = deposit_deadline(now)

    def create() -> Deposit:
        acc = Account.objects.create(fund=fund, code=f"{fund.code}-D{uuid.uuid4().hex[:12]}",
                                     name=f"{data.depositor}→{data.beneficiary}", kind=dl.AccountKind.HELD)
        dep = Deposit.objects.create(
            fund=fund, account=acc, kind=data.kind, secured_kind=data.secured_kind,
            case_id=data.case_id if data.secured_kind is dl.SecuredKind.MEDIATION else None,
            case_ref=dl.case_ref_key(data.case_ref), depositor=data.depositor, depositor_phone=data.depositor_phone,
            beneficiary=data.beneficiary, beneficiary_phone=data.beneficiary_phone, amount=data.amount,
            loss=data.loss, note=data.note, pledged_at=now, updated_at=now, created_by=actor,
            client_key=data.client_key, clock=dl.DepositClock.RECEIVE.value, due_at=d.due_at, warn_at=d.warn_at)
        dep.number = number("SJZ", dep.pk, now)      # 三金专户 (SJ is a 社区矫正 file)
        dep.save(update_fields=["number"])
        log(CaseKind.DEPOSIT, dep.pk, A.PLEDGE, actor, now, "", S.PLEDGED, note=data.note)
        return dep
    return create_once(Deposit, actor, data.client_key, create)


def receive(*, actor, deposit_id: int, data: ReceiveIn) -> Deposit:
    """The money arrived (the maker, from the bank's advice): Dr bank, Cr the deposit's account."""
    def mutate(dep, now):
        if data.amount != dep.amount:
            raise Invalid(f"到账金额 {dl.yuan(data.amount)} 与承诺金额 {dl.yuan(dep.amount)} 不符")
        return {"received_at": now, "bank_reference": data.bank_reference, "clock": "", "due_at": None,
                "warn_at": None}

    def after(dep, now):
        ledger.post(dep.fund, f"deposit-{dep.pk}-receipt", dl.PostingKind.RECEIPT,
                    [(ledger.bank_account(dep.fund), data.amount), (dep.account, -data.amount)], now,
                    memo=f"{dep.number} {dep.depositor} 缴存", reference=data.bank_reference, actor=actor,
                    deposit=dep)
    return act(DEPOSIT, actor, deposit_id, A.RECEIVE, note=data.note, version=data.version, mutate=mutate,
               after=after, data={"amount": data.amount, "bank_reference": data.bank_reference})


def confirm(*, actor, deposit_id: int, note: str = "", version: int | None = None) -> Deposit:
    """A checker confirms the money is on the account: from now on it is held for the case."""
    def mutate(dep, now):
        # Who registered the receipt is on its timeline row (the deposit keeps no receiver column).
        received = CaseLog.objects.filter(kind=CaseKind.DEPOSIT, case_id=dep.pk, action=A.RECEIVE) \
            .order_by("-at", "-id").values_list("actor_id", flat=True).first()
        problem = dl.receipt_confirmer_problem(received or 0, actor.pk)
        if problem:
            raise Conflict(problem, code="maker_checker")
        if dep.received_at and dep.account.balance < dep.amount:
            raise Conflict("代管账户余额与承诺金额不符")
        return {}
    return act(DEPOSIT, actor, deposit_id, A.CONFIRM, note=note, version=version, mutate=mutate)


def condition_met(*, actor, deposit_id: int, data: ConditionIn) -> Deposit:
    """The release's condition: the mediation agreement performed (承诺金; the maker or the case's
    committee), or the criminal case's decision registered (保证金; its 文号)."""
    dep = load_deposit(actor, deposit_id)
    action = dl.condition_action(dl.DepositKind(dep.kind))
    if action is A.DECIDED and not data.decision_ref.strip():
        raise Invalid("须填写司法机关处理决定的文号")

    def mutate(d, now):
        return {"condition_met_at": now, **({"decision_ref": data.decision_ref.strip()} if data.decision_ref else {})}
    return act(DEPOSIT, actor, deposit_id, action, note=data.note, version=data.version, mutate=mutate,
               data={"decision_ref": data.decision_ref})


def propose(*, actor, deposit_id: int, data: ProposeIn) -> Deposit:
    """The maker proposes the disposal the decision orders (amounts summing to the held balance)."""
    split = dl.Split(data.to_victim, data.refund, data.forfeit)
    if not data.decision_ref.strip():
        # A blank 文号 would pass here and strand the proposal: no approval can be given without one.
        raise Invalid("须填写决定文书文号")

    def mutate(dep, now):
        if dep.condition_met_at is None:
            raise Invalid("处置条件尚未成就：请先确认调解协议已履行或登记处理决定")
        problems = dl.split_problems(split, dep.account.balance)
        if problems:
            raise Invalid("；".join(problems))
        return {"round": dep.round + 1, "proposed_by": actor, "to_victim": split.to_victim, "refund": split.refund,
                "forfeit": split.forfeit, "decision_ref": data.decision_ref.strip()}
    return act(DEPOSIT, actor, deposit_id, A.PROPOSE, reason=data.reason, version=data.version, mutate=mutate,
               data={"to_victim": split.to_victim, "refund": split.refund, "forfeit": split.forfeit,
                     "decision_ref": data.decision_ref})


def approve(*, actor, deposit_id: int, note: str = "", version: int | None = None) -> Deposit:
    """A checker's approval: the first is recorded; the last needed executes the disposal — its
    posting, the 资金处置决定书 — in the same transaction."""
    with transaction.atomic():
        # The deposit's row is locked before its approvals are read: two first approvals read
        # unlocked both counted none before them, and the later, written with the newer version,
        # left two approvals and no release.
        dep = Deposit.objects.select_for_update().get(pk=load_deposit(actor, deposit_id).pk)
        approvers = list(Approval.objects.filter(deposit=dep, round=dep.round).values_list("approver_id", flat=True))
        try:
            final = dl.approval_step(dep.proposed_by_id or 0, approvers, actor.pk, dep.decision_ref,
                                     dep.condition_met_at is not None, limits().approvals_needed)
        except dl.MakerChecker as exc:
            if Cap.CHECKER not in scope.capacities(actor, dep):
                raise Forbidden("您不是该资金的复核人") from exc
            raise Conflict(str(exc), code="maker_checker") from exc
        split = dl.Split(dep.to_victim, dep.refund, dep.forfeit)
        action = dl.disposal_action(split) if final else A.APPROVE
        seen_round = dep.round

        def mutate(d, now):
            if d.round != seen_round:
                raise Conflict("处置方案已变化，请刷新后重试", code="stale_version")
            return {"disposed_at": now} if final else {}

        def after(d, now):
            try:
                with transaction.atomic():
                    Approval.objects.create(deposit=d, round=d.round, approver=actor, at=now)
            except IntegrityError as exc:
                raise Conflict("同一人不能两次复核同一处置方案", code="maker_checker") from exc
            if final:
                _dispose(d, split, actor, now)
        return act(DEPOSIT, actor, deposit_id, action, note=note, version=dep.version if version is None else version,
                   mutate=mutate, after=after, data={"round": seen_round, "final": final})


def _dispose(dep: Deposit, split: dl.Split, actor, now: datetime) -> None:
    fund = dep.fund
    pairs = [(dep.account, split.total)]
    if split.to_victim + split.refund:
        pairs.append((ledger.bank_account(fund), -(split.to_victim + split.refund)))
    if split.forfeit:
        pairs.append((ledger.fund_account(fund, dl.AccountKind.FORFEITED), -split.forfeit))
    ledger.post(fund, f"deposit-{dep.pk}-disposal", dl.PostingKind.RELEASE, pairs, now,
                memo=f"{dep.number} 处置（{dep.decision_ref}）", reference=f"{dep.number}-OUT", actor=actor,
                deposit=dep, disposes=True)
    approvers = [a.approver for a in Approval.objects.filter(deposit=dep, round=dep.round).select_related("approver")]
    documents.issue_release(dep, split, approvers, now, actor)


def reject(*, actor, deposit_id: int, reason: str, version: int | None = None) -> Deposit:
    return act(DEPOSIT, actor, deposit_id, A.REJECT, reason=reason, version=version)


def lapse(*, actor, deposit_id: int, reason: str, version: int | None = None) -> Deposit:
    return act(DEPOSIT, actor, deposit_id, A.LAPSE, reason=reason, version=version,
               mutate=lambda d, now: {"clock": "", "due_at": None, "warn_at": None})


def note(*, actor, deposit_id: int, note: str, version: int | None = None) -> Deposit:
    return act(DEPOSIT, actor, deposit_id, A.NOTE, note=note, version=version)


# ---- grants -----------------------------------------------------------------------------------

def _granted_before(case_id, case_ref, exclude=None) -> int:
    qs = Grant.objects.filter(status__in=[dl.GrantStatus.APPROVED, dl.GrantStatus.PAID])
    qs = qs.filter(case_id=case_id) if case_id else qs.filter(case_ref=dl.case_ref_key(case_ref))
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(s=Sum("amount"))["s"] or 0


def _facts(g) -> dl.GrantFacts:
    return dl.GrantFacts(g.agreement, g.payer_cannot_pay, g.assets_checked, g.applicant_hardship,
                         _granted_before(g.case_id, g.case_ref, getattr(g, "pk", None)))


def grant_apply(*, actor, data: GrantIn) -> tuple[Grant, bool]:
    """The maker files an aid application; one over the limit or plainly ineligible is refused now."""
    existing = submitted(Grant, actor, data.client_key)
    if existing is not None:
        return existing, False
    fund = _fund(actor, dl.FundKind.CHARITY, Cap.MAKER)
    if not data.case_id and not data.case_ref.strip():
        raise Invalid("须关联调解案件或填写案件编号")
    problems = dl.grant_problems(data.amount, _facts(data), limits())
    if problems:
        raise Invalid("；".join(problems))
    now = timezone.now()
    d = grant_deadline(now)

    def create() -> Grant:
        g = Grant.objects.create(
            fund=fund, case_id=data.case_id, case_ref=dl.case_ref_key(data.case_ref), applicant=data.applicant,
            applicant_phone=data.applicant_phone, payer=data.payer, amount=data.amount, facts=data.facts,
            agreement=data.agreement, payer_cannot_pay=data.payer_cannot_pay, assets_checked=data.assets_checked,
            applicant_hardship=data.applicant_hardship, applied_at=now, updated_at=now, created_by=actor,
            client_key=data.client_key, clock=dl.GrantClock.DECIDE.value, due_at=d.due_at, warn_at=d.warn_at)
        g.number = number("JZ", g.pk, now)
        g.save(update_fields=["number"])
        log(CaseKind.GRANT, g.pk, GA.APPLY, actor, now, "", dl.GrantStatus.APPLIED)
        return g
    return create_once(Grant, actor, data.client_key, create)


def grant_approve(*, actor, grant_id: int, note: str = "", version: int | None = None) -> Grant:
    def mutate(g, now):
        problem = dl.grant_approver_problem(g.created_by_id, actor.pk)
        if problem:
            raise Conflict(problem, code="maker_checker")
        # Every approval of the fund takes its row's lock first: the case's cumulative sum and the
        # money already promised are then read with no other approval moving them (unlocked, ten
        # simultaneous ¥10,000 approvals on one case all passed the ¥10,000 limit).
        Fund.objects.select_for_update().get(pk=g.fund_id)
        problems = dl.grant_problems(g.amount, _facts(g), limits())
        if problems:
            raise Invalid("；".join(problems))
        capital = ledger.fund_account(g.fund, dl.AccountKind.CAPITAL)
        # Approved but not yet paid is money promised: it is still on the capital account until paid.
        promised = Grant.objects.filter(fund_id=g.fund_id, status=dl.GrantStatus.APPROVED).exclude(pk=g.pk) \
            .aggregate(s=Sum("amount"))["s"] or 0
        free = capital.balance - promised
        if free < g.amount:
            raise Conflict(f"救助基金可用余额 {dl.yuan(max(free, 0))} 不足", code="insufficient_balance")
        return {"decided_by": actor, "decided_at": now, "clock": "", "due_at": None, "warn_at": None}

    def after(g, now):
        documents.issue_grant(g, now, actor)
    return act(GRANT, actor, grant_id, GA.APPROVE, note=note, version=version, mutate=mutate, after=after)


def grant_refuse(*, actor, grant_id: int, reason: str, version: int | None = None) -> Grant:
    return act(GRANT, actor, grant_id, GA.REFUSE, reason=reason, version=version,
               mutate=lambda g, now: {"decided_by": actor, "decided_at": now, "clock": "", "due_at": None,
                                      "warn_at": None})


def grant_pay(*, actor, grant_id: int, reference: str = "", version: int | None = None) -> Grant:
    def after(g, now):
        ledger.post(g.fund, f"grant-{g.pk}-pay", dl.PostingKind.GRANT,
                    [(ledger.fund_account(g.fund, dl.AccountKind.CAPITAL), g.amount),
                     (ledger.bank_account(g.fund), -g.amount)], now, memo=f"{g.number} 救助 {g.applicant}",
                    reference=reference or f"{g.number}-OUT", actor=actor, grant=g)
    return act(GRANT, actor, grant_id, GA.PAY, version=version, mutate=lambda g, now: {"paid_at": now}, after=after)


# ---- donations --------------------------------------------------------------------------------

def donate(*, actor, data: DonationIn) -> tuple[Donation, bool]:
    """A donation in (Dr bank, Cr capital); the key makes a retry the first donation."""
    fund = _fund(actor, dl.FundKind.CHARITY, Cap.MAKER)
    key = f"donation-{fund.pk}-{data.key}"
    seen = Donation.objects.filter(key=key).first()
    if seen is not None:
        return _replayed(seen, data), False
    now = timezone.now()
    if data.received_on > _local_day(now):
        raise Invalid("到账日期不能晚于今天")
    try:
        with transaction.atomic():
            at = datetime.combine(data.received_on, timezone.localtime(now, SHANGHAI).timetz()) \
                if data.received_on != _local_day(now) else now
            posting, new = ledger.post(fund, key, dl.PostingKind.DONATION,
                                       [(ledger.bank_account(fund), data.amount),
                                        (ledger.fund_account(fund, dl.AccountKind.CAPITAL), -data.amount)], at,
                                       memo=f"{data.donor} 捐赠", reference=data.reference, actor=actor)
            if new:
                return Donation.objects.create(fund=fund, donor=data.donor, amount=data.amount,
                                               received_on=data.received_on, reference=data.reference,
                                               note=data.note, key=key, posting=posting, created_by=actor), True
    except IntegrityError:
        pass
    # The same key submitted at the same time: the posting (under the fund's lock) went to the
    # first, and this one is its replay — compared like any other, never a second donation or a 500.
    return _replayed(Donation.objects.get(key=key), data), False


def _replayed(seen: Donation, data: DonationIn) -> Donation:
    """The donation a replayed key names, if the replay says the same of it in every field; a key
    reused for another donation is refused (409), not taken as the first."""
    if (seen.donor, seen.amount, seen.received_on, seen.reference, seen.note) != \
            (data.donor, data.amount, data.received_on, data.reference, data.note):
        raise Conflict(str(dl.KeyReused(data.key)), code="key_reused")
    return seen


# ---- bank statements --------------------------------------------------------------------------

MAX_STATEMENT = 5 * 1024 * 1024       # a bank's monthly export is far smaller; more is refused, never cut

HEADERS = {"on": ("交易日期", "日期", "记账日期", "date"), "amount": ("金额", "交易金额", "amount"),
           "credit": ("收入金额", "贷方金额", "收入", "credit"), "debit": ("支出金额", "借方金额", "支出", "debit"),
           "reference": ("交易流水号", "流水号", "凭证号", "reference"), "memo": ("摘要", "用途", "备注", "memo")}


def decode_statement(content: bytes) -> tuple[str, str]:
    """The statement's text and encoding, from its bytes (UTF-8 first, then GB18030, as bank
    exports come in either); a binary file is refused, whatever its name says."""
    if b"\x00" in content[:4096]:
        raise Invalid("文件不是文本格式的银行流水（CSV）")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc), ("utf-8" if enc == "utf-8-sig" else enc)
        except UnicodeDecodeError:
            continue
    raise Invalid("无法识别文件编码（应为 UTF-8 或 GB18030）")


def parse_statement(text: str) -> list[tuple[date, int, str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise Invalid("银行流水为空")
    head = [c.strip().lower() for c in rows[0]]
    col = {}
    for field, names in HEADERS.items():
        for n in names:
            if n in head:
                col[field] = head.index(n)
                break
    if "on" not in col or not ("amount" in col or "credit" in col or "debit" in col):
        raise Invalid("银行流水缺少「交易日期」和「金额」（或「收入金额」「支出金额」）列")
    out = []
    for n, r in enumerate(rows[1:], start=2):
        cell = {f: (r[i].strip() if i < len(r) else "") for f, i in col.items()}
        day = cell["on"]
        try:
            if any(sep in day for sep in "-/."):
                on = date.fromisoformat(day.replace("/", "-").replace(".", "-")[:10])
            else:
                on = datetime.strptime(day[:8], "%Y%m%d").date()
            if "amount" in col:
                amount = dl.parse_fen(cell["amount"])
            else:
                amount = (dl.parse_fen(cell["credit"]) if cell.get("credit") else 0) - \
                         (dl.parse_fen(cell["debit"]) if cell.get("debit") else 0)
        except ValueError as exc:
            raise Invalid(f"第 {n} 行无法识别：{exc}") from exc
        if amount == 0:
            continue
        out.append((on, amount, cell.get("reference", "")[:64], cell.get("memo", "")[:200]))
    return out


def import_statement(*, actor, fund_id: int, filename: str, content: bytes) -> tuple[StatementImport, bool]:
    """Import a bank statement; the same file again, or lines already imported from an overlapping
    one, add nothing."""
    fund = scope.visible_funds(actor).filter(pk=fund_id).first()
    if fund is None:
        raise NotFound("资金不存在")
    if len(content) > MAX_STATEMENT:
        raise Invalid(f"银行流水文件超过 {MAX_STATEMENT // (1024 * 1024)} MB，请分段导出后再导入")
    digest = hashlib.sha256(content).hexdigest()
    seen = StatementImport.objects.filter(fund=fund, sha256=digest).first()
    if seen is not None:
        return seen, False
    text, enc = decode_statement(content)
    lines = parse_statement(text)
    now = timezone.now()
    occurrences: dict[tuple, int] = {}
    with transaction.atomic():
        try:
            with transaction.atomic():
                imp = StatementImport.objects.create(fund=fund, sha256=digest, filename=filename[:200], encoding=enc,
                                                     rows=len(lines), imported_by=actor, imported_at=now)
        except IntegrityError:
            return StatementImport.objects.get(fund=fund, sha256=digest), False
        rows = []
        for on, amount, ref, memo in lines:
            ident = (on.isoformat(), amount, ref, memo)
            occurrences[ident] = occurrences.get(ident, 0) + 1
            key = hashlib.sha256(repr((ident, occurrences[ident])).encode()).hexdigest()
            rows.append(StatementLine(fund=fund, imported=imp, on=on, amount=amount, reference=ref, memo=memo,
                                      line_key=key))
        before = StatementLine.objects.filter(fund=fund).count()
        StatementLine.objects.bulk_create(rows, ignore_conflicts=True)
        imp.added = StatementLine.objects.filter(fund=fund).count() - before
        imp.save(update_fields=["added"])
    return imp, True


def reconcile(*, actor, fund_id: int) -> tuple[Fund, dl.Reconciliation]:
    from .selectors import bank_items
    fund = scope.visible_funds(actor).filter(pk=fund_id).first()
    if fund is None:
        raise NotFound("资金不存在")
    bank = [dl.Item(s.pk, s.on, s.amount, s.reference) for s in StatementLine.objects.filter(fund=fund)]
    return fund, dl.reconcile(bank, bank_items(fund), limits().match_days)


def verify(*, actor, fund_id: int) -> int | None:
    fund = scope.visible_funds(actor).filter(pk=fund_id).first()
    if fund is None:
        raise NotFound("资金不存在")
    return ledger.verify(fund)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    return start, date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
