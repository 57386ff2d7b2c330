"""Who is told what about a grid worker's duty task (issue 17): registered with notify from
GridworkConfig.ready.  The worker holding the task is told when it is about to fall due, when it
is overdue or missed, and when one is handed to them; generation is not told (a month's list is
hundreds of tasks at once: the worker reads it on 今日待办)."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain.duties import TaskAction as A
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.notify.people import users

from .models import Task


def worker(task: Task, row) -> list[int]:
    return users(task.worker_id)


RULES = {
    A.SLA_YELLOW: notify.Rule(T.DUTY_TASK, worker),
    A.SLA_RED: notify.Rule(T.OVERDUE, worker),
    A.MISS: notify.Rule(T.OVERDUE, worker),
    A.REASSIGN: notify.Rule(T.DUTY_TASK, worker),
}


def register() -> None:
    # A task has no number of its own: the notice names the duty's task by its id.
    notify.register(CaseKind.DUTY_TASK, rules=RULES, cases=lambda ids: Task.objects.only("id", "worker_id")
                    .in_bulk(ids), number=lambda t: f"#{t.pk}", link=lambda t: f"/grid/tasks/{t.pk}/")
