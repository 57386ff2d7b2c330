"""The duty task's clock in the platform sweep: yellow (即将到期) through the generic flip
(core.sweep), and past due → 逾期未完成 by one guarded UPDATE here (``flag_missed``), each flipped
row with its CaseLog row, so two workers never both mark one task (the pattern of
corrections.clocks.flag_missed).  No red flag is kept: a task past due is missed, not late."""
from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.casework.models import CaseLog
from gongzhi.core.naming import actor_name
from gongzhi.core.rows import insert_all
from gongzhi.core.sweep import SweepKind
from gongzhi.domain import duties as dd
from gongzhi.domain.enums import CaseKind, SlaFlag
from gongzhi.domain.privacy import row_visibility

from .models import Task


def _row(to: SlaFlag, now: datetime) -> CaseLog:
    action = dd.TaskAction.SLA_YELLOW
    return CaseLog(kind=CaseKind.DUTY_TASK, action=action, label=action.label, actor=None,
                   actor_name=actor_name(None), at=now, visibility=row_visibility(action, {}))


TASKS = SweepKind("duty_task", Task._meta.db_table, dd.CLOCK_RUNS_IN,
                  {SlaFlag.YELLOW: dd.TRANSITIONS[dd.TaskAction.SLA_YELLOW].sources, SlaFlag.RED: frozenset()},
                  _row, "case_id")
KINDS = (TASKS,)


def flag_missed(now: datetime | None = None, batch: int = 5000) -> int:
    """Open tasks past their deadline become 逾期未完成 (the table's MISS: from the statuses it
    allows), their clock stopped; returns how many this worker marked."""
    now = now or timezone.now()
    table = Task._meta.db_table
    sources = sorted(s.value for s in dd.TRANSITIONS[dd.TaskAction.MISS].sources)
    marks = ",".join(["%s"] * len(sources))
    at = connection.ops.adapt_datetimefield_value(now)
    where = f"status IN ({marks}) AND clock <> '' AND due_at < %s"
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
            cur.execute(f"UPDATE {table} SET status = %s, clock = '', warn_at = NULL, sla_flag = %s, "
                        f"version = version + 1, updated_at = %s "
                        f"WHERE id IN (SELECT id FROM {table} WHERE {where} ORDER BY due_at LIMIT %s{lock}) "
                        f"AND {where} RETURNING id, status",
                        [dd.TaskStatus.MISSED.value, SlaFlag.GREEN.value, at, *sources, at, batch, *sources, at])
            rows = cur.fetchall()
            action = dd.TaskAction.MISS
            insert_all([CaseLog(kind=CaseKind.DUTY_TASK, case_id=pk, action=action, label=action.label, actor=None,
                                actor_name=actor_name(None), at=now, from_status=dd.TaskStatus.TODO,
                                to_status=dd.TaskStatus.MISSED, note="超过完成时限未销号",
                                visibility=row_visibility(action, {})) for pk, _ in rows])
        total += len(rows)
        if len(rows) < batch:
            return total
