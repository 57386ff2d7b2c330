"""Demo patrols: a month of walks by the grid workers of several grids, through the services (start,
fixes in batches as the phone sends them — some in GCJ-02 as an AMap-based phone reports them — and
the end), so every track is stored, converted and measured as a real one; one patrol of grid111's
is running now, and one forgotten walk was ended by the sweep."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone
from shapely.geometry import Point, shape

from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.coords import from_wgs84
from gongzhi.domain.enums import CoordSystem
from gongzhi.patrols import services
from gongzhi.patrols.inputs import FixIn, PatrolEndIn, PatrolStartIn, PointsIn

from .district import District

GRIDS = 6            # the first grids are walked most days; every other grid a few times a month
STEP_S = 20          # a fix every 20 s


def _walk(grid, rng: random.Random, minutes: int) -> list[tuple[float, float]]:
    """A lawn-mower walk across the grid's bounds with a little GPS wobble, kept inside the polygon:
    lanes ~80 m apart, as a worker walks the streets of a block."""
    poly = shape(grid.geometry)
    minx, miny, maxx, maxy = poly.bounds
    lanes = max(2, int((maxy - miny) / 0.0008))
    n = minutes * 60 // STEP_S
    out, start = [], rng.random()
    for i in range(n):
        s = (start + i / n * rng.uniform(0.5, 1.0)) % 1.0
        lane = int(s * lanes)
        frac = s * lanes - lane
        x = minx + (frac if lane % 2 == 0 else 1 - frac) * (maxx - minx)
        y = miny + (lane + 0.5) / lanes * (maxy - miny)
        p = (x + rng.gauss(0, 0.00004), y + rng.gauss(0, 0.00004))
        if poly.contains(Point(p)):
            out.append(p)
    return out


def _patrol(user, grid, rng: random.Random, started: datetime, minutes: int, end: bool, n: int) -> None:
    key = f"demo-patrol-{grid.code}-{n:03d}"
    services.patrol_start(actor=user, data=PatrolStartIn(client_key=key, grid=grid.code, at=started), now=started)
    system = CoordSystem.GCJ02 if n % 3 == 0 else CoordSystem.WGS84
    fixes = []
    for i, (lon, lat) in enumerate(_walk(grid, rng, minutes)):
        if system is CoordSystem.GCJ02:
            lon, lat = from_wgs84(lon, lat, system)
        fixes.append(FixIn(lon=round(lon, 7), lat=round(lat, 7), at=started + timedelta(seconds=STEP_S * i),
                           accuracy=rng.choice([5, 8, 12, 20])))
    last = started + timedelta(minutes=minutes)
    for b in range(0, len(fixes), 120):          # the phone sends a batch every ~40 minutes of walking
        services.patrol_points(actor=user, data=PointsIn(patrol_key=key, coord_system=system, fixes=fixes[b:b + 120]),
                               now=min(last, fixes[min(b + 119, len(fixes) - 1)].at + timedelta(seconds=30)))
    if end:
        services.patrol_end(actor=user, data=PatrolEndIn(patrol_key=key, at=last), now=last + timedelta(minutes=1))


def build_patrols(d: District, *, seed: int = 20, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    rng = random.Random(seed)
    made = 0
    today = timezone.localtime(now, SHANGHAI).date()
    for gi, grid in enumerate(d.grids):
        busy = gi < GRIDS
        comm = grid.parent
        t, c, g = d.townships.index(comm.parent) + 1, int(comm.code[-3:]), int(grid.code[-2:])
        user = d.users[f"grid{t}{c}{g}"]
        n = 0
        for back in range(30, 0, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5 or rng.random() < (0.3 if busy else 0.75):
                continue
            started = datetime(day.year, day.month, day.day, rng.choice([8, 9, 14, 15]), rng.randrange(60),
                               tzinfo=SHANGHAI)
            n += 1
            _patrol(user, grid, rng, started, rng.randint(25, 70) if busy else rng.randint(15, 30), True, n)
            made += 1
        if gi == 1:
            # A walk the worker forgot to end 2 days ago: the sweep ended it at its last fix.
            started = now - timedelta(days=2, hours=3)
            n += 1
            _patrol(user, grid, rng, started, 40, False, n)
            services.patrols_auto_end(now=started + timedelta(hours=9))
            made += 1
        if gi == 0:
            started = now - timedelta(minutes=50)
            n += 1
            _patrol(user, grid, rng, started, 45, False, n)      # grid111 is on patrol now
            made += 1
    from gongzhi.patrols.coverage import refresh
    refresh(today)          # this month's coverage per grid, as the worker keeps it
    return {"patrols": made}
