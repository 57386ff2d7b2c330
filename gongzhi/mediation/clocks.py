"""Dispute cases as a kind of the platform SLA sweep: the 调解期限 clock's yellow/red flips, and
the 督办 a red one brings (mediation.supervision)."""
from gongzhi.casework.clocks import sweep_kind
from gongzhi.casework.models import CaseKind
from gongzhi.domain import mediation as dm

from .models import Case
from .supervision import ESCALATE

MEDIATION = sweep_kind("mediation", CaseKind.MEDIATION, Case, dm.CLOCK_RUNS_IN, dm.TRANSITIONS,
                       dm.CaseAction.SLA_YELLOW, dm.CaseAction.SLA_RED, dm.ROW_VISIBILITY, escalate=ESCALATE)
