"""The desk's 台账 export in the background (issue 17): when a list is too long to answer at once,
how far a job has come, and how long its file is kept.  Pure Python (ADR 0001); the service is
gongzhi.events.exports.

A short list is written while the centre's staff wait (a few seconds of a web worker); a long one
would hold that worker for minutes, so it goes to the task queue and the page follows its
progress.  The finished file carries personal data (masked, but a list of who reported what), so
it is kept only so long, then deleted.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .enums import LabelledEnum


class ExportStatus(LabelledEnum):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导出中"
    DONE = "done", "已完成"
    FAILED = "failed", "导出失败"
    EXPIRED = "expired", "已过期"


# Still moving: the page polls these.  Retried by the owner: a failure, and a file that lapsed
# (the same filters written again, as they read now).
ACTIVE = frozenset({ExportStatus.QUEUED, ExportStatus.RUNNING})
RETRYABLE = frozenset({ExportStatus.FAILED, ExportStatus.EXPIRED})

# Why a job failed, as its owner reads it (the traceback goes to the log): fixed sentences, so a
# page in English says them in English, and no exception text reaches a page.
ERR_WRITE = "无法写入导出文件（磁盘已满或没有权限），请稍后重新导出"
ERR_DATABASE = "读取事件时数据库暂时不可用，请稍后重新导出"
ERR_STALLED = "后台导出中断（长时间没有进展），请重新导出"
ERR_OTHER = "导出时发生错误，请重新导出；如仍失败请联系系统管理员"


def in_background(total: int, at_once: int) -> bool:
    """A list of more than ``at_once`` rows is written by the worker; up to it, while one waits."""
    return total > at_once


def percent(done: int, total: int) -> int:
    """Whole percent, rounded down: 100 only once every row is written (an empty list is done)."""
    if total <= 0:
        return 100
    return max(0, min(100, done * 100 // total))


def expires_at(finished: datetime, keep_hours: float) -> datetime:
    return finished + timedelta(hours=keep_hours)


def lapsed(finished: datetime | None, now: datetime, keep_hours: float) -> bool:
    """The file may no longer be fetched from this instant on (the periodic round deletes it)."""
    return finished is None or now >= expires_at(finished, keep_hours)

