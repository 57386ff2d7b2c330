"""Legal-aid applications as a kind of the platform SLA sweep: the decision and assignment clocks."""
from gongzhi.casework.clocks import sweep_kind
from gongzhi.casework.models import CaseKind
from gongzhi.domain import legalaid as dl

from .models import Application

LEGAL_AID = sweep_kind("legal_aid", CaseKind.LEGAL_AID, Application, dl.CLOCK_RUNS_IN, dl.TRANSITIONS,
                       dl.AidAction.SLA_YELLOW, dl.AidAction.SLA_RED, dl.ROW_VISIBILITY)
