"""倒逼 on the database: hotline orders of the matters a grid should find, checked against the
grid reports made before them (domain.crosscheck does the matching; this module feeds it rows and
keeps the verdicts as ``CrossCheck`` rows, the evidence behind the 应报未报 figure).

The grid reports are kept filed as the matcher reads them (``index``, ADR 0017): a check first
brings that index up to the timeline, then only compares.  ``run(..., rebuild=True)`` is the old
path, which reads every grid report of the period and builds the index again (kept as the
baseline the tests and bench/crosscheck.py compare against).

Which matters count is data (``GONGZHI_CROSSCHECK_TOPICS``: top-level category codes such as
市容环境, 安全隐患, 民生设施, 矛盾纠纷); a grid's neighbours are the grids whose polygons touch it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from shapely.geometry import shape
from shapely.strtree import STRtree

from gongzhi.areas.models import Area
from gongzhi.domain import crosscheck as cc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import Channel, Level, Status
from gongzhi.events.models import Event

from . import index as kept
from .models import CrossCheck


@dataclass
class Summary:
    orders: int
    matched: int
    omitted: int
    seconds: float

    def __str__(self) -> str:
        return (f"热线工单 {self.orders} 件：网格已先行上报 {self.matched} 件，"
                f"应报未报 {self.omitted} 件（{self.seconds:.1f}s）")


_topic = kept.topic
reader = kept.reader


def neighbours() -> dict[int, set[int]]:
    """Grids whose boundaries touch (a matter on a boundary road is either grid's)."""
    grids = [(g.id, shape(g.geometry)) for g in Area.objects.filter(level=Level.GRID, geometry__isnull=False)]
    if not grids:
        return {}
    tree = STRtree([s for _, s in grids])
    out: dict[int, set[int]] = {}
    for gid, s in grids:
        near = {grids[i][0] for i in tree.query(s.buffer(1e-6), predicate="intersects")} - {gid}
        out[gid] = near
    return out


def _record(e: Event) -> cc.Record:
    return cc.Record(e.id, e.area_id, _topic(e.category.path), e.reported_at.timestamp(),
                     f"{e.title} {e.description} {e.address}")


def run(start: date, end: date, *, now: datetime | None = None, rebuild: bool = False) -> Summary:
    """Check every hotline order reported in [start, end]; replaces earlier verdicts for them.
    ``rebuild``: the old path (the index built again from the reports of the period)."""
    import time as clock
    t0 = clock.perf_counter()
    now = now or timezone.now()
    topics = set(settings.GONGZHI_CROSSCHECK_TOPICS)
    lo = datetime.combine(start, time(0), SHANGHAI) - timedelta(seconds=cc.WINDOW_SECONDS)
    hi = datetime.combine(end, time(23, 59, 59), SHANGHAI)
    orders = [e for e in Event.objects.filter(channel=Channel.HOTLINE, reported_on__range=(start, end))
              .exclude(status__in=[Status.REJECTED, Status.MERGED]).select_related("category")
              if _topic(e.category.path) in topics]
    if rebuild:
        reports = (Event.objects.filter(channel=Channel.GRID_PATROL, reported_at__range=(lo, hi))
                   .select_related("category").iterator(chunk_size=5000))
        index = cc.Index((_record(e) for e in reports), neighbours(), reader())
        verdicts = [(e, cc.check(_record(e), index)) for e in orders]
    else:
        kept.refresh()
        found = kept.verdicts([_record(e) for e in orders], neighbours(), reader())
        verdicts = list(zip(orders, found, strict=True))
    with transaction.atomic():
        CrossCheck.objects.filter(order_id__in=[e.id for e in orders]).delete()
        CrossCheck.objects.bulk_create([
            CrossCheck(order=e, grid_id=e.area_id, reported_on=e.reported_on, matched_id=v.matched_id,
                       nearest_id=v.nearest_id, score=v.score, candidates=v.candidates, reason=v.reason[:200],
                       checked_at=now) for e, v in verdicts], batch_size=2000)
    matched = sum(1 for _, v in verdicts if v.matched_id)
    return Summary(len(orders), matched, len(orders) - matched, clock.perf_counter() - t0)


def omissions(area: Area, start: date, end: date):
    """应报未报 of an area in a period, with the order, its grid and the nearest grid report."""
    return (CrossCheck.objects.filter(matched__isnull=True, reported_on__range=(start, end),
                                      grid__path__startswith=area.path)
            .select_related("order", "order__category", "grid", "nearest").order_by("-reported_on", "grid__path"))


def omission_counts(area: Area, start: date, end: date) -> dict:
    agg = CrossCheck.objects.filter(reported_on__range=(start, end), grid__path__startswith=area.path).aggregate(
        checked=Count("id"), omitted=Count("id", filter=Q(matched__isnull=True)))
    checked, omitted = agg["checked"], agg["omitted"]
    return {"checked": checked, "omitted": omitted, "matched": checked - omitted,
            "rate": round(100 * omitted / checked, 1) if checked else None}


def grid_teams(grid_ids: list[int]) -> dict[int, list[str]]:
    """The grid workers an omission counts against (the grid's 网格员 and 网格警员)."""
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.domain.enums import Role
    out: dict[int, list[str]] = {}
    for area_id, name, username in (RoleAssignment.objects.filter(area_id__in=grid_ids,
                                                                   role__in=[Role.GRID_WORKER, Role.POLICE])
                                    .values_list("area_id", "user__profile__display_name", "user__username")):
        out.setdefault(area_id, []).append(name or username)
    return out
