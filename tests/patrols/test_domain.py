"""Patrol rules from written-out geometries and times (gongzhi.domain.patrols): coverage, the cut at
gaps, auto-end, the fixes a patrol keeps.  The expected areas are worked by hand in the comments."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from gongzhi.domain import patrols as dp
from gongzhi.domain.calendar import SHANGHAI

# Metres per degree of latitude on a sphere of radius 6,371,008.8 m (written out, not imported).
M_PER_DEG = 111_194.9266


def square(lat0: float, size_m: float = 100.0, cos_lat: float = 1.0) -> tuple[dict, callable]:
    """A size_m × size_m grid with its south-west corner at (0, lat0), and a metres → (lon, lat) map."""
    def at(x: float, y: float) -> tuple[float, float]:
        return x / (M_PER_DEG * cos_lat), lat0 + y / M_PER_DEG
    ring = [at(0, 0), at(size_m, 0), at(size_m, size_m), at(0, size_m), at(0, 0)]
    return {"type": "Polygon", "coordinates": [ring]}, at


GRID, AT = square(0.0)
HALF_DISC = math.pi * 10 ** 2 / 2          # a sight of 10 m: the round end of a piece inside the grid


def line(*xs: float, y: float = 50.0) -> list[tuple[float, float]]:
    return [AT(x, y) for x in xs]


@pytest.mark.parametrize("tracks, sight, step, expected", [
    # One street through the middle, west edge to east edge: 100 m × 20 m of 100 × 100 (the round
    # ends lie outside the grid).
    ([line(0, 50, 100)], 10, 50, 0.2),
    # The same street walked twice counts once.
    ([line(0, 50, 100), line(100, 50, 0)], 10, 50, 0.2),
    # Two parallel streets 50 m apart: 2 × 2000 m².
    ([line(0, 100, y=25), line(0, 100, y=75)], 10, 200, 0.4),
    # A lone fix in the middle: a disc of radius 10 m.
    ([[AT(50, 50)]], 10, 50, math.pi * 100 / 10_000),
    # A gap of 20 m between x=40 and x=60 with max_step 15: two pieces of 40 m, each with one round
    # end inside the grid (the ends meet at x=50 in one point): (2 × 800 + 2 × 157.08) / 10,000.
    ([line(0, 10, 20, 30, 40, 60, 70, 80, 90, 100)], 10, 15, (1600 + 2 * HALF_DISC) / 10_000),
    # The gap exactly at max_step still joins: the whole street again.
    ([line(0, 10, 20, 30, 40, 60, 70, 80, 90, 100)], 10, 20, 0.2),
    # A sight wider than the grid covers all of it, never more.
    ([line(0, 100)], 80, 200, 1.0),
    # A walk outside the grid (200 m north of it) covers nothing.
    ([line(0, 100, y=250)], 10, 200, 0.0),
    # No walk at all.
    ([], 10, 50, 0.0),
    # Along the east edge outside: half of the 20 m band lies inside (100 × 10).
    ([[AT(100, 0), AT(100, 100)]], 10, 200, 0.1),
])
def test_coverage_table(tracks, sight, step, expected):
    assert dp.coverage(GRID, tracks, sight_m=sight, max_step_m=step) == pytest.approx(expected, abs=2e-4)


def test_coverage_away_from_the_equator():
    # 漳州 lies near 24.5°N: one degree of longitude is cos(24.5°) = 0.909961 of one of latitude.
    grid, at = square(24.5, cos_lat=0.909961)
    street = [at(0, 50), at(100, 50)]
    assert dp.coverage(grid, [street], sight_m=10, max_step_m=200) == pytest.approx(0.2, abs=1e-3)


@pytest.mark.parametrize("grid", [None, {}, {"type": "Polygon", "coordinates": [[[0, 0], [0, 0], [0, 0], [0, 0]]]}])
def test_a_grid_without_an_area_is_refused(grid):
    with pytest.raises(dp.BadGeometry):
        dp.coverage(grid, [line(0, 100)], sight_m=10, max_step_m=50)


def test_pieces_and_length():
    track = line(0, 10, 20, 50, 60)
    assert [len(p) for p in dp.walked_pieces(track, 15)] == [3, 2]
    assert dp.track_length_m(track, 15) == pytest.approx(30.0, abs=0.01)   # 20 + 10; the 30 m jump not walked
    assert dp.track_length_m(track, 30) == pytest.approx(60.0, abs=0.01)    # 30 m exactly: joined


T0 = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("now, due", [
    (T0 + timedelta(hours=8), False),                  # exactly at the limit it still runs
    (T0 + timedelta(hours=8, seconds=1), True),
    (T0 + timedelta(hours=2), False),
])
def test_auto_end_due(now, due):
    assert dp.auto_end_due(T0, now, 8) is due


@pytest.mark.parametrize("last_fix, expected", [
    (T0 + timedelta(hours=2, minutes=30), T0 + timedelta(hours=2, minutes=30)),   # where the walk stopped
    (None, T0),                                                                     # never moved
    (T0 + timedelta(hours=9), T0 + timedelta(hours=8)),                            # not past the limit
])
def test_auto_end_time(last_fix, expected):
    assert dp.ends_at(T0, last_fix, T0 + timedelta(hours=10), 8) == expected


def test_usable_fixes():
    now = T0 + timedelta(hours=1)
    F = dp.Fix
    fixes = [
        F(1, 1, T0 + timedelta(minutes=5), 10),
        F(1, 1, T0 - timedelta(minutes=1), 10),            # before the start: dropped
        F(2, 2, T0 + timedelta(minutes=2), 50),            # exactly the accuracy limit: kept
        F(3, 3, T0 + timedelta(minutes=3), 50.1),          # vaguer: dropped
        F(4, 4, now + timedelta(minutes=2), None),          # phone clock 2 min ahead: kept (skew 5)
        F(5, 5, now + timedelta(minutes=6), None),          # 6 min in the future: dropped
        F(6, 6, T0 + timedelta(minutes=5), 5),              # the same moment again: dropped
    ]
    kept = dp.usable_fixes(fixes, started_at=T0, now=now, max_accuracy_m=50, clock_skew=timedelta(minutes=5))
    assert [(f.lon, f.at) for f in kept] == [(2, T0 + timedelta(minutes=2)), (1, T0 + timedelta(minutes=5)),
                                             (4, now + timedelta(minutes=2))]


def test_patrol_table():
    assert dp.PATROL_TRANSITIONS[dp.PatrolAction.END].sources == {dp.PatrolStatus.ACTIVE}
    assert dp.PATROL_TRANSITIONS[dp.PatrolAction.AUTO_END].capacities == {dp.Cap.SYSTEM}
