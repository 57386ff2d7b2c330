"""Who is told what about 三金 money (issue 17): registered with notify from FundsConfig.ready.

Maker and checker (经办 / 复核, ADR 0018): what a maker registers or proposes waits for the fund's
checkers — a receipt to confirm, a disposal to approve (after the first approval, the checkers who
have not approved it and did not propose it), a grant to decide; each decision goes back to the
maker whose work it was.  A deposit whose condition is met (the committee reports the agreement
performed) is the makers' to propose; a pledge not paid in time and a grant not decided in time
are the clocks' (overdue).  The depositor, the victim and the applicant have no account here and
are never named in a message (``people``)."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.casework.models import CaseLog
from gongzhi.domain import ledger as dl
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import users

from .models import Approval, Deposit, Grant
from .scope import is_fund_staff

DA, GA = dl.DepositAction, dl.GrantAction


def makers(row, log) -> list[int]:
    return [u.pk for u in row.fund.makers.all()]


def checkers(row, log) -> list[int]:
    return [u.pk for u in row.fund.checkers.all()]


def receiver(dep: Deposit, log) -> list[int]:
    """The maker who registered the money's arrival (its timeline row: the deposit keeps no column)."""
    return users(CaseLog.objects.filter(kind=CaseKind.DEPOSIT, case_id=dep.pk, action=DA.RECEIVE)
                 .order_by("-at", "-id").values_list("actor_id", flat=True).first())


def still_to_approve(dep: Deposit, log) -> list[int]:
    """After a first approval: the checkers who may still give the next one (not the proposer,
    not one who approved this round)."""
    done = set(Approval.objects.filter(deposit=dep, round=dep.round).values_list("approver_id", flat=True))
    return [u for u in checkers(dep, log) if u not in done and u != dep.proposed_by_id]


def proposer(dep: Deposit, log) -> list[int]:
    return users(dep.proposed_by_id)


def applied_by(g: Grant, log) -> list[int]:
    return users(g.created_by_id)


def _deposits(ids: list[int]) -> dict[int, Deposit]:
    return Deposit.objects.select_related("fund").prefetch_related("fund__makers", "fund__checkers").in_bulk(ids)


def _grants(ids: list[int]) -> dict[int, Grant]:
    return Grant.objects.select_related("fund").prefetch_related("fund__makers", "fund__checkers").in_bulk(ids)


DECIDED = notify.Rule(T.CASE_NOTICE, proposer)

DEPOSIT_RULES = {
    DA.RECEIVE: notify.Rule(T.DISPATCH, checkers),          # to confirm onto the case's account
    DA.CONFIRM: notify.Rule(T.CASE_NOTICE, receiver),
    DA.PERFORMED: notify.Rule(T.DISPATCH, makers),          # the condition met: a disposal to propose
    DA.PROPOSE: notify.Rule(T.DISPATCH, checkers),
    DA.APPROVE: notify.Rule(T.DISPATCH, still_to_approve),
    DA.RELEASE: DECIDED,
    DA.REFUND: DECIDED,
    DA.FORFEIT: DECIDED,
    DA.REJECT: notify.Rule(T.RETURNED, proposer),
    DA.SLA_YELLOW: notify.Rule(T.OVERDUE, makers),          # pledged, not yet paid in
    DA.SLA_RED: notify.Rule(T.OVERDUE, makers),
}
GRANT_RULES = {
    GA.APPLY: notify.Rule(T.DISPATCH, checkers),
    GA.APPROVE: notify.Rule(T.CASE_NOTICE, applied_by),     # approved: the maker pays it
    GA.REFUSE: notify.Rule(T.CASE_NOTICE, applied_by),
    GA.SLA_YELLOW: notify.Rule(T.OVERDUE, checkers),        # the decision is late
    GA.SLA_RED: notify.Rule(T.OVERDUE, checkers),
}


def register() -> None:
    notify.register(CaseKind.DEPOSIT, rules=DEPOSIT_RULES, cases=_deposits, number=lambda d: d.number or "",
                    link=lambda d: f"/funds/deposits/{d.pk}/",
                    people=lambda d: [Person(d.depositor, d.depositor_phone),
                                      Person(d.beneficiary, d.beneficiary_phone)], staff=is_fund_staff)
    notify.register(CaseKind.GRANT, rules=GRANT_RULES, cases=_grants, number=lambda g: g.number or "",
                    link=lambda g: f"/funds/grants/{g.pk}/",
                    people=lambda g: [Person(g.applicant, g.applicant_phone), Person(g.payer)], staff=is_fund_staff)
