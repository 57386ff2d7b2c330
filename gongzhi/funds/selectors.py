"""What the 三金 pages and the API read: balances, a deposit's file, the bank movements the
reconciliation compares, and the monthly statement (rows, and the .xlsx the fund files)."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from gongzhi.casework.acts import timeline
from gongzhi.casework.models import CaseKind, Document
from gongzhi.domain import ledger as dl
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.privacy import Person

from . import scope
from .models import Account, Approval, Deposit, Fund, PostingLine


def _day(at) -> date:
    return timezone.localtime(at, SHANGHAI).date()


def overview(user) -> list[dict]:
    """Each fund the user works with its accounts' balances and its deposits per status."""
    out = []
    for fund in scope.visible_funds(user).prefetch_related("accounts"):
        accounts = sorted(fund.accounts.all(), key=lambda a: (a.kind != dl.AccountKind.BANK, a.code))
        counts = {}
        for st in Deposit.objects.filter(fund=fund).values_list("status", flat=True):
            counts[st] = counts.get(st, 0) + 1
        out.append({"fund": fund, "kind": dl.FundKind(fund.kind),
                    "bank": next((a.balance for a in accounts if a.kind == dl.AccountKind.BANK), 0),
                    "accounts": [{"code": a.code, "name": a.name, "kind": dl.AccountKind(a.kind), "balance": a.balance}
                                 for a in accounts if a.kind != dl.AccountKind.HELD],
                    "held": sum(a.balance for a in accounts if a.kind == dl.AccountKind.HELD),
                    "statuses": [(dl.DepositStatus(k), v) for k, v in sorted(counts.items())],
                    "maker": fund.pk in scope.maker_funds(user), "checker": fund.pk in scope.checker_funds(user)})
    return out


def deposits(user, status: str = "") -> list[Deposit]:
    qs = scope.visible_deposits(user).select_related("fund", "account")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:200])


def postings_of(deposit: Deposit) -> list[dict]:
    return [{"seq": ln.posting.seq, "at": ln.posting.at, "kind": dl.PostingKind(ln.posting.kind),
             "memo": ln.posting.memo, "reference": ln.posting.reference, "amount": -ln.amount,
             "hash": ln.posting.hash}
            for ln in PostingLine.objects.filter(account=deposit.account).select_related("posting")
            .order_by("posting__seq")]


def deposit_detail(user, deposit: Deposit, caps: set) -> dict:
    from .services import DEPOSIT
    approvals = Approval.objects.filter(deposit=deposit, round=deposit.round).select_related("approver")
    return {"deposit": deposit, "kind": dl.DepositKind(deposit.kind), "status": dl.DepositStatus(deposit.status),
            "secured": dl.SecuredKind(deposit.secured_kind), "held": deposit.account.balance,
            "postings": postings_of(deposit),
            "approvals": [{"by": a.approver.get_full_name() or a.approver.username, "at": a.at} for a in approvals],
            "needed": _needed(), "actions": DEPOSIT.actions(user, deposit, caps),
            "timeline": timeline_of(DEPOSIT, deposit, user, caps, deposit.depositor),
            "documents": documents_of(CaseKind.DEPOSIT, deposit.pk), "caps": caps}


def timeline_of(ct, row, user, caps: set, subject: str) -> list[dict]:
    """A deposit's or a grant's timeline as this viewer may read it: through the one policy
    (casework.acts.timeline → core.timeline.read → domain.privacy.row_view), not raw rows."""
    return timeline(ct, row, ct.viewer(user, row, caps), subject=Person(subject))


def documents_of(kind: CaseKind, case_id: int) -> list[dict]:
    view = "fund_deposit_document" if kind == CaseKind.DEPOSIT else "fund_grant_document"
    return [{"id": d.id, "doc": d.doc, "title": d.title, "created_at": d.created_at, "sha256": d.sha256,
             "url": reverse(f"api-1:{view}", kwargs={"case_id": case_id, "doc_id": d.id})}
            for d in Document.objects.filter(kind=kind, case_id=case_id)]


def deposit_json(user, deposit_id: int) -> dict:
    from .services import load_deposit
    dep = load_deposit(user, deposit_id)
    caps = scope.capacities(user, dep)
    d = deposit_detail(user, dep, caps)
    return {"id": dep.id, "number": dep.number, "kind": dep.kind, "status": dep.status, "version": dep.version,
            "fund": dep.fund.code, "secured_kind": dep.secured_kind, "case_id": dep.case_id, "case_ref": dep.case_ref,
            "depositor": dep.depositor, "beneficiary": dep.beneficiary, "amount": dep.amount, "loss": dep.loss,
            "held": d["held"], "condition_met_at": dep.condition_met_at, "decision_ref": dep.decision_ref,
            "round": dep.round, "split": {"to_victim": dep.to_victim, "refund": dep.refund, "forfeit": dep.forfeit},
            "approvals": d["approvals"], "approvals_needed": d["needed"], "sla_flag": dep.sla_flag,
            "due_at": dep.due_at, "actions": [str(a) for a in d["actions"]],
            "postings": [{**p, "kind": str(p["kind"])} for p in d["postings"]],
            "timeline": [{"action": r["action"], "label": r["label"], "at": r["at"], "by": r["actor"],
                          "reason": r["reason"], "note": r["note"]} for r in d["timeline"]],
            "documents": d["documents"]}


def grant_json(user, grant_id: int) -> dict:
    from .services import GRANT, load_grant
    g = load_grant(user, grant_id)
    caps = scope.capacities(user, g)
    return {"id": g.id, "number": g.number, "status": g.status, "version": g.version, "amount": g.amount,
            "applicant": g.applicant, "payer": g.payer, "case_id": g.case_id, "case_ref": g.case_ref,
            "facts": g.facts, "due_at": g.due_at, "sla_flag": g.sla_flag,
            "actions": [str(a) for a in GRANT.actions(user, g, caps)],
            "documents": documents_of(CaseKind.GRANT, g.pk)}


def _needed() -> int:
    from .limits import limits
    return limits().approvals_needed


def bank_items(fund: Fund) -> list[dl.Item]:
    """The ledger's movements of the fund's bank account, as the reconciliation reads them."""
    return [dl.Item(ln.pk, _day(ln.posting.at), ln.amount, ln.posting.reference)
            for ln in PostingLine.objects.filter(account__fund=fund, account__kind=dl.AccountKind.BANK)
            .select_related("posting")]


def statement(fund: Fund, year: int, month: int) -> list[tuple[Account, list[dl.StatementRow]]]:
    """The month's rows for every account of the fund with a balance or a movement."""
    moves: dict[int, list[dl.Movement]] = {}
    for ln in PostingLine.objects.filter(account__fund=fund).select_related("posting"):
        moves.setdefault(ln.account_id, []).append(
            dl.Movement(_day(ln.posting.at), ln.posting.seq, ln.posting.memo, ln.amount))
    out = []
    for acc in fund.accounts.order_by("code"):
        rows = dl.month_rows(dl.AccountKind(acc.kind), moves.get(acc.pk, []), year, month)
        if len(rows) > 2 or rows[0].balance:
            out.append((acc, rows))
    return out


def _append(ws, values: list) -> None:
    """One row.  Names in it (a donor's, a depositor's in an account's name and a memo) are typed
    by the public: text is mended (openpyxl refuses control characters) and stays text — one
    starting with "=" would otherwise be written as a formula the reader's spreadsheet runs
    (the pattern of gongzhi.stats.views._append)."""
    from gongzhi.domain.text import sanitize
    ws.append([sanitize(v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100          # exact to the 分, where a float is not past 2**53 / 100


def statement_xlsx(fund: Fund, year: int, month: int) -> bytes:
    """The monthly statement as a workbook: a summary sheet and one sheet per account (amounts in
    yuan as exact decimal numbers with two decimals)."""
    from openpyxl import Workbook
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    _append(summary, [f"{fund.name} {year}年{month}月 对账单"])
    _append(summary, ["账户编码", "账户名称", "账户类别", "期初余额", "本月借方", "本月贷方", "期末余额"])
    for acc, rows in statement(fund, year, month):
        close = rows[-1]
        _append(summary, [acc.code, acc.name, dl.AccountKind(acc.kind).label, _yuan(rows[0].balance),
                          _yuan(close.debit), _yuan(close.credit), _yuan(close.balance)])
        ws = wb.create_sheet(acc.code[-31:])
        _append(ws, ["日期", "凭证号", "摘要", "借方", "贷方", "余额"])
        for r in rows:
            _append(ws, [r.on.isoformat() if r.on else "", r.seq or "", r.memo, _yuan(r.debit), _yuan(r.credit),
                         _yuan(r.balance)])
        for col in "DEF":
            for cell in ws[col][1:]:
                cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
