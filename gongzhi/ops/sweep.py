"""The platform SLA sweep: every case kind's clocks, flipped by the one engine (core.sweep).

Events add their auto-escalation (events.sweep.sla_sweep); dispute cases and legal-aid
applications are flagged yellow/red with their own timeline rows.  Safe with several workers.
"""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from gongzhi.core.sweep import sweep_flags
from gongzhi.corrections.clocks import KINDS as CORRECTION_KINDS, flag_missed
from gongzhi.court.clocks import CIVIL
from gongzhi.credit.clocks import KINDS as CREDIT_KINDS
from gongzhi.funds.clocks import KINDS as FUND_KINDS
from gongzhi.gridwork.clocks import KINDS as DUTY_KINDS, flag_missed as duty_missed
from gongzhi.legalaid.clocks import LEGAL_AID
from gongzhi.mediation.clocks import MEDIATION
from gongzhi.patrols.services import patrols_auto_end

CASE_KINDS = (MEDIATION, LEGAL_AID, *CORRECTION_KINDS, CIVIL, *FUND_KINDS, *DUTY_KINDS, *CREDIT_KINDS)


def sweep_cases(*, now: datetime | None = None, batch: int = 5000, full: bool = False) -> dict[str, tuple[int, int]]:
    """kind name → (yellow, red) flipped by this worker in this round (``full``: core.sweep)."""
    now = now or timezone.now()
    out = {k.name: sweep_flags(k, now, batch, full=full) for k in CASE_KINDS}
    # 社区矫正's two stored deadlines without a clock: documents overdue, reports missed.
    out["correction_missed"] = flag_missed(now)
    # 清单任务 past due: 逾期未完成 (gridwork.clocks), each marked once.
    out["duty_task_missed"] = (0, duty_missed(now, batch))
    # 巡查 left running past GONGZHI_PATROL_MAX_HOURS: ended at its last fix (patrols.services).
    out["patrol_auto_end"] = (0, len(patrols_auto_end(now=now)))
    # 电子票决 whose window closed: counted by the system (votes.ballots.close_due).
    from gongzhi.votes.ballots import close_due
    out["vote_close"] = close_due(now)
    return out
