"""The 三金 clocks: a pledged deposit's 缴存期限 (days) and an aid application's 审批期限 (working
days), and the two kinds as kinds of the platform SLA sweep.  No other step has a clock: the
release's approvals wait for the decision and the agreement, whose times are not the fund's."""
from __future__ import annotations

from datetime import datetime

from gongzhi.casework.clocks import sweep_kind
from gongzhi.core import admindata
from gongzhi.domain import corrections as dcorr, ledger as dl
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.sla import Deadline, workday_deadline

from .limits import limits
from .models import Deposit, Grant


def deposit_deadline(now: datetime) -> Deadline:
    """Paid in within ``receive_days`` days (the day of the pledge not counted)."""
    return dcorr.days_deadline(admindata.calendar(), now, limits().receive_days, admindata.deadline_rule())


def grant_deadline(now: datetime) -> Deadline:
    return workday_deadline(admindata.calendar(), now, limits().grant_decide_workdays, admindata.deadline_rule())


DEPOSITS = sweep_kind("fund_deposit", CaseKind.DEPOSIT, Deposit, dl.DEPOSIT_CLOCK_RUNS_IN, dl.DEPOSIT_TRANSITIONS,
                      dl.DepositAction.SLA_YELLOW, dl.DepositAction.SLA_RED, {})
GRANTS = sweep_kind("fund_grant", CaseKind.GRANT, Grant, dl.GRANT_CLOCK_RUNS_IN, dl.GRANT_TRANSITIONS,
                    dl.GrantAction.SLA_YELLOW, dl.GrantAction.SLA_RED, {})
KINDS = (DEPOSITS, GRANTS)
