"""Legal-aid applications as a kind of the platform SLA sweep: the decision and assignment clocks,
and the 督办 an overdue decision brings (legalaid.supervision)."""
from gongzhi.casework.clocks import sweep_kind
from gongzhi.casework.models import CaseKind
from gongzhi.domain import legalaid as dl

from .models import Application
from .supervision import ESCALATE

LEGAL_AID = sweep_kind("legal_aid", CaseKind.LEGAL_AID, Application, dl.CLOCK_RUNS_IN, dl.TRANSITIONS,
                       dl.AidAction.SLA_YELLOW, dl.AidAction.SLA_RED, dl.ROW_VISIBILITY, escalate=ESCALATE)
