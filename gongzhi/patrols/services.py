"""Every patrol use case, once (the sync endpoint, the API and the demo call these).

A patrol is CaseKind.PATROL on the one engine: its start is its creation (with a START row on the
timeline), its end a guarded transition (the walker's END, the sweep's AUTO_END) — a patrol ended
twice, by the worker's queued stop and by the sweep, ends once; the other is told it moved on.

Times come from the phone: a patrol walked offline at nine and synced at eleven started at nine.
They are taken as sent within sane bounds (``_device_time``), never in the future."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.casework.acts import CaseType, act, log, number
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain import patrols as dp
from gongzhi.domain.coords import BadCoordinates, to_wgs84
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.patrols import Cap, PatrolAction as A, PatrolStatus as S
from gongzhi.domain.points import Source
from gongzhi.domain.privacy import Viewer
from gongzhi.points.scope import person_of
from gongzhi.points.services import award

from . import scope
from .inputs import PatrolEndIn, PatrolStartIn, PointsIn
from .models import Patrol, PatrolReport, TrackPoint

# A phone's clock may run a little ahead; a queued action older than this is refused rather than
# written into a month already assessed.
CLOCK_SKEW = timedelta(minutes=5)
MAX_AGE = timedelta(days=7)


def load(actor, patrol_id: int) -> Patrol:
    qs = Patrol.objects.all() if actor is None else scope.visible_patrols(actor)
    row = qs.select_related("grid").filter(pk=patrol_id).order_by().first()
    if row is None:
        raise NotFound("巡查不存在或不在您的范围内")
    return row


def _viewer(user, row, caps) -> Viewer:
    return Viewer.SELF if caps else Viewer.STAFF


PATROL = CaseType(CaseKind.PATROL, Patrol, S, dp.PATROL_TRANSITIONS, load, scope.capacities, {}, frozenset(),
                  _viewer, system_caps=frozenset({Cap.SYSTEM}))


def sight() -> dict:
    return {"sight_m": settings.GONGZHI_PATROL_SIGHT_METRES, "max_step_m": settings.GONGZHI_PATROL_MAX_STEP_METRES}


def _device_time(at: datetime | None, now: datetime, what: str) -> datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)              # a phone without an offset means local time
    if at > now + CLOCK_SKEW:
        raise Invalid(f"{what}晚于服务器时间，请校准手机时间", fields={"at": "时间在未来"})
    if at < now - MAX_AGE:
        raise Invalid(f"{what}早于 {MAX_AGE.days} 天前，不再接收", fields={"at": "时间过早"})
    return at


def of_walker(actor, patrol_key: str) -> Patrol:
    row = Patrol.objects.select_related("grid").filter(walker=actor, client_key=patrol_key).first()
    if row is None:
        raise NotFound("巡查不存在（请先同步“开始巡查”）")
    return row


def patrol_start(*, actor, data: PatrolStartIn, now: datetime | None = None) -> tuple[Patrol, bool]:
    """Start a patrol in one of the walker's grids; a retry of the key returns the first.  A patrol
    of the walker's still running ends first, at its last fix (the phone lost it, or it was
    started on another phone): one walker walks one patrol at a time."""
    now = now or timezone.now()
    existing = Patrol.objects.filter(walker=actor, client_key=data.client_key).first()
    if existing is not None:
        return existing, False
    grids = scope.walker_grids(actor)
    if not grids:
        raise Forbidden("只有网格员（网格队伍成员）可以开始巡查")
    grid = grids[0] if not data.grid else next((g for g in grids if g.code == data.grid), None)
    if grid is None:
        raise Forbidden("您不是该网格的网格队伍成员", fields={"grid": "不在您的网格"})
    started = _device_time(data.at, now, "开始时间")
    for running in Patrol.objects.filter(walker=actor, status=S.ACTIVE).exclude(client_key=data.client_key):
        _end(actor, running, min(max(running.last_fix_at or running.started_at, running.started_at), started),
             "开始新巡查时自动结束上一次巡查")
    try:
        with transaction.atomic():
            p = Patrol.objects.create(walker=actor, grid=grid, client_key=data.client_key, status=S.ACTIVE,
                                      started_at=started, updated_at=now)
            p.number = number("XC", p.pk, started)
            p.save(update_fields=["number"])
            log(CaseKind.PATROL, p.pk, A.START, actor, started, after=S.ACTIVE, note=grid.name)
    except IntegrityError:
        existing = Patrol.objects.filter(walker=actor, client_key=data.client_key).first()
        if existing is None:
            raise
        return existing, False
    return p, True


def patrol_points(*, actor, data: PointsIn, now: datetime | None = None) -> dict:
    """Add a batch of fixes (converted to WGS-84; the phone's values kept beside them).  Fixes before
    the start, after the end, in the future or too vague are dropped and counted; a fix sent
    again (a retried batch) adds nothing.  Returns {"added", "dropped", "points"}."""
    now = now or timezone.now()
    patrol = of_walker(actor, data.patrol_key)
    fixes = [dp.Fix(f.lon, f.lat, f.at if timezone.is_aware(f.at) else timezone.make_aware(f.at), f.accuracy)
             for f in data.fixes]
    kept = dp.usable_fixes(fixes, started_at=patrol.started_at, now=now,
                           max_accuracy_m=settings.GONGZHI_PATROL_MAX_ACCURACY_METRES, clock_skew=CLOCK_SKEW)
    if patrol.ended_at is not None:
        kept = [f for f in kept if f.at <= patrol.ended_at]
    rows = []
    for f in kept:
        try:
            lon, lat = to_wgs84(f.lon, f.lat, data.coord_system)
        except BadCoordinates as exc:
            raise Invalid(str(exc), fields={"fixes": "坐标无效"}) from exc
        rows.append(TrackPoint(patrol=patrol, at=f.at, lon=lon, lat=lat, accuracy_m=f.accuracy_m,
                               src_system=data.coord_system, src_lon=f.lon, src_lat=f.lat))
    with transaction.atomic():
        locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
        before = locked.points
        TrackPoint.objects.bulk_create(rows, ignore_conflicts=True)
        after = _refresh(locked)
    return {"added": after - before, "dropped": len(fixes) - len(kept), "points": after}


def _refresh(patrol: Patrol) -> int:
    """Recount the patrol's track from its stored fixes (under the caller's lock); the coverage of
    its grid once it ended.  Not a state change: the version is left alone."""
    track = list(TrackPoint.objects.filter(patrol_id=patrol.pk).order_by("at").values_list("lon", "lat", "at"))
    lonlat = [(lon, lat) for lon, lat, _ in track]
    changes = {"points": len(track), "last_fix_at": track[-1][2] if track else None,
               "length_m": round(dp.track_length_m(lonlat, settings.GONGZHI_PATROL_MAX_STEP_METRES), 1)}
    if patrol.status != S.ACTIVE:
        changes["coverage"] = _coverage_of(patrol.grid.geometry, [lonlat])
    Patrol.objects.filter(pk=patrol.pk).update(**changes)
    return changes["points"]


def _coverage_of(geometry, tracks) -> float | None:
    if not geometry:
        return None
    try:
        return round(dp.coverage(geometry, tracks, **sight()), 4)
    except dp.BadGeometry:
        return None


def _end(actor, patrol: Patrol, ended: datetime, note: str = "") -> Patrol:
    def mutate(row, now):
        return {"ended_at": ended}

    def after(row, now):
        fresh = Patrol.objects.select_for_update().select_related("grid", "walker").get(pk=row.pk)
        _refresh(fresh)
        fresh.refresh_from_db()
        award_patrol_points(fresh)
    return act(PATROL, actor, patrol.pk, A.END, at=max(ended, patrol.started_at), note=note,
               mutate=mutate, after=after)


def patrol_end(*, actor, data: PatrolEndIn, now: datetime | None = None) -> Patrol:
    """The walker ends the patrol; one the sweep ended already is a conflict (the server's end holds)."""
    now = now or timezone.now()
    patrol = of_walker(actor, data.patrol_key)
    if patrol.status != S.ACTIVE:
        raise Conflict(f"该巡查已{S(patrol.status).label}，结束时间以服务器为准", code="patrol_ended")
    ended = max(_device_time(data.at, now, "结束时间"), patrol.started_at)
    return _end(actor, patrol, ended, data.note)


def patrols_auto_end(*, now: datetime | None = None) -> list[int]:
    """The sweep: end every patrol still running GONGZHI_PATROL_MAX_HOURS after it started, at its
    last fix (domain.patrols.ends_at).  Each end is the engine's guarded write, so two sweeps (or
    the walker's own stop at the same moment) end a patrol once."""
    now = now or timezone.now()
    hours = settings.GONGZHI_PATROL_MAX_HOURS
    ended = []
    for p in Patrol.objects.filter(status=S.ACTIVE, started_at__lt=now - timedelta(hours=hours)).order_by("id"):
        if not dp.auto_end_due(p.started_at, now, hours):
            continue
        at = dp.ends_at(p.started_at, p.last_fix_at, now, hours)

        def after(row, _now):
            _refresh(Patrol.objects.select_for_update().select_related("grid").get(pk=row.pk))
        try:
            act(PATROL, None, p.pk, A.AUTO_END, at=now, note=f"超过 {hours} 小时未结束", system_caps={Cap.SYSTEM},
                mutate=lambda row, _now, at=at: {"ended_at": at}, after=after)
        except Conflict:
            continue           # ended meanwhile by the walker or another sweep
        ended.append(p.pk)
    return ended


def patrol_attach(*, actor, patrol_key: str, event, at: datetime) -> PatrolReport:
    """An event the walker reported on the way belongs to the patrol (a retry attaches nothing new)."""
    patrol = of_walker(actor, patrol_key)
    row, _ = PatrolReport.objects.get_or_create(event=event, defaults={"patrol": patrol, "at": at})
    return row


def award_patrol_points(patrol: Patrol) -> None:
    """积分 for a patrol its walker ended (参与巡查, issue 19's points): only a walker registered as a
    resident holds a points account (a volunteer patrolling with the grid team; a staff grid worker
    has none).  One award per patrol (the key); a rule switched off or the day's cap reached leaves
    the patrol ended without points (the award's own savepoint is rolled back, not the end)."""
    person = person_of(patrol.walker)
    if person is None or not patrol.points:
        return
    try:
        award(person=person, rule=Source.PATROL, key=f"patrol:{patrol.pk}", actor=patrol.walker,
              reason=f"巡查 {patrol.number}", at=patrol.ended_at)
    except (Conflict, NotFound, Invalid):
        return
