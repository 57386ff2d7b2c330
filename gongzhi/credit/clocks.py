"""The objection's and the repair's decision limits as kinds of the platform SLA sweep."""
from gongzhi.casework.clocks import sweep_kind
from gongzhi.domain import credit as dc
from gongzhi.domain.enums import CaseKind

from .models import Dispute, Repair

DISPUTES = sweep_kind("credit_dispute", CaseKind.CREDIT_DISPUTE, Dispute, dc.DISPUTE_CLOCK_RUNS_IN,
                      dc.DISPUTE_TRANSITIONS, dc.DisputeAction.SLA_YELLOW, dc.DisputeAction.SLA_RED, {})
REPAIRS = sweep_kind("credit_repair", CaseKind.CREDIT_REPAIR, Repair, dc.REPAIR_CLOCK_RUNS_IN,
                     dc.REPAIR_TRANSITIONS, dc.RepairAction.SLA_YELLOW, dc.RepairAction.SLA_RED, {})
KINDS = (DISPUTES, REPAIRS)
