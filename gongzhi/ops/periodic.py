"""The background loops on the one scheduler (issue 17, ADR 0020): what ``gongzhi sla-sweep
--loop 60``, ``stats-refresh --loop 60`` and ``crosscheck --loop 60`` did, as periodic tasks of
the task queue that ``gongzhi worker`` runs.  The commands still work alone; both call the same
functions.  Imported by the worker before it starts (registration: notify.queue.periodic)."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from gongzhi.events import exports  # registers the desk's background 台账 export task before the queue is made
from gongzhi.notify.queue import periodic

log = logging.getLogger("gongzhi.worker")


def _sweep(full: bool) -> str:
    from gongzhi.events.sweep import sla_sweep
    from gongzhi.mediation.services import remind_sessions

    from .sweep import sweep_cases
    result = sla_sweep(full=full)
    cases = sweep_cases(full=full)
    reminded = remind_sessions()
    flips = " ".join(f"{k}: yellow={y} red={r}" for k, (y, r) in cases.items())
    line = f"{result}, {flips}, reminded={reminded}"
    log.info("sla-sweep%s: %s", " (full)" if full else "", line)
    return line


@periodic("sla-sweep", minutes=1)
def sla_sweep_round() -> str:
    """The rounds between full ones read only what fell since the last (core.sweep)."""
    return _sweep(full=False)


@periodic("sla-sweep-full", minutes=max(1, int(settings.GONGZHI_SWEEP_FULL_EVERY // 60)))
def sla_sweep_full() -> str:
    return _sweep(full=True)


@periodic("stats-refresh", minutes=1, single=True)
def stats_refresh() -> str:
    from gongzhi.stats.rollup import refresh
    res = refresh(full=False)
    return f"{res.days} days, {res.actions} actions"


@periodic("crosscheck-index", minutes=1, single=True)
def crosscheck_index() -> str:
    """The 倒逼 index folded in as grid reports arrive (ADR 0017), on its own minute: folding is
    milliseconds, the check below can take minutes at a province's scale, and a fold that waited
    for the check fell ten minutes behind in the province-day bench (issue 18)."""
    from gongzhi.hotline.index import refresh
    res = refresh()
    return f"{res.filed} filed from {res.actions} actions"


@periodic("crosscheck", minutes=10, single=True)     # docs/deployment.md: every 10 minutes
def crosscheck() -> str:
    from gongzhi.hotline.crosscheck import run
    last = timezone.localdate()
    return str(run(last - timedelta(days=29), last))


@periodic("patrol-coverage", minutes=10, single=True)
def patrol_coverage() -> str:
    """This month's coverage per grid for /stats/ and the big screen (uniting tracks is too slow
    to do per view: patrols.coverage)."""
    from gongzhi.patrols.coverage import refresh
    return f"{refresh()} grids"


@periodic("ledger-exports", minutes=5)
def ledger_exports() -> str:
    """The desk's background 台账 exports: files past their time deleted, jobs whose worker died
    failed (their owners retry them), jobs whose queue message was lost sent again."""
    return ", ".join(f"{k}={v}" for k, v in exports.sweep().items())
