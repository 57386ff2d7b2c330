"""The desk's 台账 export, at once or in the background (issue 17).

One use case, :func:`export_ledger`, for the page (and any API): the desk's list for the desk's
filters in the viewer's scope, written by events.desk (masked, 举报 reporters never named, logged
in the access log).  Up to ``GONGZHI_EXPORT_AT_ONCE`` rows the file is written while the user
waits and streamed back; a longer list would hold a web worker for minutes, so it becomes a
:class:`LedgerExport` job on the task queue (ADR 0020) that ``gongzhi worker`` runs:

- claim: ``queued → running`` by one guarded UPDATE that also counts the run (a message the queue
  delivers twice finds the job no longer queued);
- write: the .xlsx in openpyxl's write-only mode to a ``.part`` file beside its final random name
  under MEDIA_ROOT, ``done`` saved every ``GONGZHI_EXPORT_PROGRESS_EVERY`` rows by an UPDATE guarded
  by the status and the run (a run given up on as stalled stops at its next one);
- finish: renamed into place, ``done`` by the same guard, logged, and the owner told in-app.

Any failure marks the job failed with a sentence its owner can read (domain.exports; the traceback
goes to the log) and removes the partial file; the owner retries it.  The periodic round
(:func:`sweep`, every 5 minutes in the worker) deletes files past ``GONGZHI_EXPORT_KEEP_HOURS``,
fails jobs whose worker died, and queues again jobs whose message was lost.  Files are served
only to their owner through web.desk (core.files.serve), never under /media/.
"""
from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.core.errors import Conflict, NotFound
from gongzhi.core.files import storage_name
from gongzhi.domain import exports as rules
from gongzhi.domain.exports import ExportStatus as S
from gongzhi.domain.notify import Topic
from gongzhi.notify import queue
from gongzhi.notify.models import Notification

from . import desk
from .export_models import LedgerExport

log = logging.getLogger("gongzhi.events")

TASK = "events.ledger_export"
SOURCE = "ledger_export"          # notify.Notification.source of "your 台账 is ready": one per job
STALL = timedelta(minutes=15)     # a running job with no progress for this long: its worker died
REQUEUE = timedelta(minutes=5)    # queued this long: the queue lost the message; send it again
LISTED = 20                       # one's latest jobs on the exports page


class _Superseded(Exception):
    """This run no longer holds the job (given up on as stalled, then retried)."""


@dataclass(frozen=True)
class Streamed:
    """Written now: the open temporary file (rewound) and its rows."""
    file: IO[bytes]
    rows: int


@dataclass(frozen=True)
class Queued:
    job: LedgerExport


@dataclass(frozen=True)
class TooLong:
    """A long list asked for by a GET, which writes nothing: the page offers the background job."""
    total: int


@dataclass(frozen=True)
class JobView:
    id: int
    status: str
    status_label: str
    done: int
    total: int
    percent: int
    active: bool
    downloadable: bool
    retryable: bool
    error: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None


def at_once() -> int:
    return int(settings.GONGZHI_EXPORT_AT_ONCE)


def _keep_hours() -> float:
    return float(settings.GONGZHI_EXPORT_KEEP_HOURS)


# ---- the use case ------------------------------------------------------------------------------

def export_ledger(user, f: desk.Filters, *, start: bool) -> Streamed | Queued | TooLong:
    """The desk's 台账 for these filters: up to ``at_once()`` rows written now; a longer list
    becomes a background job when ``start`` (a POST), else only its length is answered."""
    total = desk.search(user, f).order_by()[:desk.EXPORT_LIMIT].count()      # never a whole-scope COUNT
    if not rules.in_background(total, at_once()):
        out, n = desk.export_file(user, f)
        return Streamed(out, n)
    if not start:
        return TooLong(total)
    job = LedgerExport.objects.create(owner=user, filters=filters_json(f), total=total, created_at=timezone.now())
    _send(job.pk)
    return Queued(job)


def filters_json(f: desk.Filters) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(f).items()}


def filters_of(data: dict) -> desk.Filters:
    known = {x.name for x in fields(desk.Filters)}
    values = {k: v for k, v in (data or {}).items() if k in known}
    for k in ("date_from", "date_to"):
        values[k] = desk.parse_date(values.get(k) or "")
    return desk.Filters(**values)


def _send(job_id: int) -> None:
    """Queue the job once the row is committed (the worker must find it); a queue that is away
    fails nothing: the periodic round sends it again."""
    def go():
        try:
            queue.enqueue(TASK, job_id)
        except Exception:                 # noqa: BLE001 — the round catches up
            log.exception("could not queue 台账 export %s", job_id)
    transaction.on_commit(go)


# ---- one's jobs --------------------------------------------------------------------------------

def view(job: LedgerExport, now: datetime | None = None) -> JobView:
    now = now or timezone.now()
    status = S(job.status)
    ready = status is S.DONE and bool(job.file) and not rules.lapsed(job.finished_at, now, _keep_hours())
    done = job.total if status is S.DONE else job.done
    return JobView(id=job.pk, status=status.value, status_label=status.label, done=done, total=job.total,
                   percent=rules.percent(done, job.total), active=status in rules.ACTIVE, downloadable=ready,
                   retryable=status in rules.RETRYABLE, error=job.error if status is S.FAILED else "",
                   created_at=job.created_at, finished_at=job.finished_at,
                   expires_at=rules.expires_at(job.finished_at, _keep_hours()) if ready and job.finished_at else None)


def my_jobs(user) -> list[JobView]:
    now = timezone.now()
    return [view(j, now) for j in LedgerExport.objects.filter(owner=user)[:LISTED]]


def job_for(user, job_id: int) -> LedgerExport:
    """One's own job; anyone else's is not there (404: not even that it exists)."""
    job = LedgerExport.objects.filter(pk=job_id, owner=user).first()
    if job is None:
        raise NotFound("没有这个导出任务")
    return job


def file_for(user, job_id: int) -> LedgerExport:
    """One's own finished job whose file has not lapsed (from its time on it is gone: 404)."""
    job = job_for(user, job_id)
    if not view(job).downloadable:
        raise NotFound("导出文件尚未生成或已过期")
    return job


def retry(user, job_id: int) -> LedgerExport:
    """A failed job, or one whose file lapsed, queued again with its filters (read as they are now)."""
    job = job_for(user, job_id)
    old = job.file.name
    if not LedgerExport.objects.filter(pk=job.pk, status__in=list(rules.RETRYABLE)).update(
            status=S.QUEUED, done=0, error="", file="", finished_at=None):
        raise Conflict("该导出任务正在进行或已完成，无需重新导出")
    if old:
        default_storage.delete(old)
    _send(job.pk)
    job.refresh_from_db()
    return job


# ---- the worker's task ---------------------------------------------------------------------------

@queue.task(TASK)
def run(job_id: int) -> str:
    """Write one job's 台账 (see the module's docstring); returns what became of it."""
    now = timezone.now()
    if not LedgerExport.objects.filter(pk=job_id, status=S.QUEUED).update(
            status=S.RUNNING, run=F("run") + 1, done=0, started_at=now, beat_at=now):
        return "not queued"               # taken by another run, or retried already, or gone
    job = LedgerExport.objects.select_related("owner").get(pk=job_id)
    mine = LedgerExport.objects.filter(pk=job_id, status=S.RUNNING, run=job.run)
    name = storage_name("x", "xlsx", now)
    path = Path(default_storage.path(name))
    part = path.with_name(path.name + ".part")
    try:
        f = filters_of(job.filters)
        rows = desk.ledger_rows(job.owner, f)
        if not mine.update(total=desk.search(job.owner, f).order_by()[:desk.EXPORT_LIMIT].count()):
            raise _Superseded
        path.parent.mkdir(parents=True, exist_ok=True)

        def advance(n: int) -> None:
            if not mine.update(done=n, beat_at=timezone.now()):
                raise _Superseded
        with open(part, "wb") as out:
            n = desk.write_ledger(out, rows, every=int(settings.GONGZHI_EXPORT_PROGRESS_EVERY), progress=advance)
        os.replace(part, path)
        with transaction.atomic():
            if not mine.update(status=S.DONE, done=n, total=n, file=name, finished_at=timezone.now(), error=""):
                raise _Superseded
            desk.log_export(job.owner, f, n)
            _tell(job, n)
        return S.DONE.value
    except _Superseded:
        _remove(part, path)
        return "superseded"
    except Exception as exc:              # noqa: BLE001 — every failure is the job's, shown to its owner
        log.exception("台账 export %s failed", job_id)
        _remove(part, path)
        mine.update(status=S.FAILED, error=_explain(exc), finished_at=timezone.now())
        return S.FAILED.value


def _explain(exc: Exception) -> str:
    if isinstance(exc, DatabaseError):
        return rules.ERR_DATABASE
    if isinstance(exc, OSError):
        return rules.ERR_WRITE
    return rules.ERR_OTHER


def _remove(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _tell(job: LedgerExport, n: int) -> None:
    """In-app only (the owner is at the desk); once per job, whatever re-runs it."""
    Notification.objects.get_or_create(
        source=SOURCE, source_id=job.pk, user=job.owner, topic=Topic.OTHER,
        defaults={"number": f"XLSX-{job.pk}", "text": f"事件台账导出完成：{n} 件", "created_at": timezone.now(),
                  "link": f"/desk/exports/{job.pk}/"})


# ---- the periodic round ---------------------------------------------------------------------------

def sweep(now: datetime | None = None) -> dict[str, int]:
    """Delete lapsed files, fail jobs whose worker died, queue again jobs whose message was lost."""
    now = now or timezone.now()
    expired = 0
    cutoff = now - timedelta(hours=_keep_hours())
    for job in LedgerExport.objects.filter(status=S.DONE, finished_at__lte=cutoff).only("id", "file", "filters"):
        if LedgerExport.objects.filter(pk=job.pk, status=S.DONE).update(status=S.EXPIRED, file=""):
            if job.file.name:
                default_storage.delete(job.file.name)
            expired += 1
    # A search by a reporter's phone or name keeps that raw value in its job (a retry needs it);
    # once the file is gone the row goes too: the access log keeps the search, masked.
    LedgerExport.objects.filter(status__in=[S.EXPIRED, S.FAILED], finished_at__lte=cutoff) \
        .exclude(filters__who="").exclude(filters__who=None).delete()
    stalled = LedgerExport.objects.filter(status=S.RUNNING, beat_at__lte=now - STALL).update(
        status=S.FAILED, error=rules.ERR_STALLED, finished_at=now)
    lost = list(LedgerExport.objects.filter(status=S.QUEUED, created_at__lte=now - REQUEUE)
                .values_list("id", flat=True))
    for job_id in lost:
        queue.enqueue(TASK, job_id)
    return {"expired": expired, "stalled": stalled, "requeued": len(lost)}
