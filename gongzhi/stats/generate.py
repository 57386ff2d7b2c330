"""A year of a city's events in bulk, for dashboards and benchmarks (``gongzhi simulate --events N``).

Unlike demo/simulate.py (which walks every event through the services with timelines), this writes
finished event rows directly — millions per run — with the shapes a real year has:
- seasonality: monthly factors (summer peaks, the Spring Festival trough) and quieter weekends;
- a category mix and, per category, a kind, a channel mix and a handling level;
- grid skew: a Zipf-like weight per grid (a few grids near markets and old estates report most);
- late handling: a share of events signed or resolved late, a tail still open and overdue;
- satisfaction mostly 4–5 with a tail of 1–3; some returns and reopens.
Every derived column the KPIs read (report day, on-time flags, working days to close) is filled
with the same calendar the services use, so the rollup over generated rows is meaningful.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from itertools import pairwise

import numpy as np
from django.db import connection
from shapely.geometry import shape

from gongzhi.areas.models import Area
from gongzhi.domain.calendar import SHANGHAI, WorkCalendar, YearSpec
from gongzhi.domain.enums import EventKind, Level, SlaFlag, Status
from gongzhi.domain.sla import Deadline, flag_at, workday_deadline
from gongzhi.events import rules
from gongzhi.events.models import Category, Event

HANDLE_LIMITS = [3, 5, 10, 15]                                                  # working days
MONTH = [0.55, 0.75, 1.0, 1.05, 1.1, 1.25, 1.35, 1.3, 1.1, 0.95, 1.0, 0.9]       # Jan..Dec
WEEKDAY = [1.15, 1.1, 1.05, 1.05, 1.0, 0.75, 0.7]                               # Mon..Sun
# category code → (weight, kind, level)
MIX = {
    "urban-appearance": (22, "complaint", Level.GRID), "urban-stall": (8, "complaint", Level.GRID),
    "urban-build": (6, "tip_off", Level.TOWNSHIP), "urban-noise": (10, "complaint", Level.COMMUNITY),
    "dispute-neighbour": (7, "dispute", Level.COMMUNITY), "dispute-family": (3, "dispute", Level.COMMUNITY),
    "dispute-labour": (4, "dispute", Level.COMMUNITY), "dispute-property": (4, "dispute", Level.COMMUNITY),
    "dispute-traffic": (2, "dispute", Level.COMMUNITY), "safety-fire": (4, "hazard", Level.GRID),
    "safety-gas": (2, "hazard", Level.GRID), "livelihood-water": (5, "help", Level.COMMUNITY),
    "livelihood-road": (7, "complaint", Level.COMMUNITY), "livelihood-elderly": (4, "help", Level.COMMUNITY),
    "order": (2, "tip_off", Level.TOWNSHIP), "policy": (9, "consult", Level.COMMUNITY),
    "suggestion": (3, "suggestion", Level.COMMUNITY),
}
CHANNELS = (["app", "grid_patrol", "hotline", "walk_in", "police_110"], [0.3, 0.35, 0.25, 0.07, 0.03])
COLUMNS = ["number", "kind", "category_id", "urgency", "channel", "title", "description", "fields", "address",
           "lon", "lat", "orig_system", "area_id", "area_path", "reporter_name", "reporter_phone",
           "reporter_id_number", "anonymous", "confidential", "status", "version", "handler_level",
           "handler_area_id", "route_reason", "clock", "due_at", "warn_at", "sla_flag", "sign_due_at",
           "handle_started_at", "handle_due_at", "extension_workdays", "signed_on_time", "resolved_on_time",
           "reported_at", "reported_on", "accepted_at", "dispatched_at", "signed_at", "resolved_at", "verified_at",
           "answered_at", "closed_at", "closed_workdays", "updated_at", "result", "answer", "satisfaction",
           "supervision", "escalations", "returns", "reopens", "payload_hash"]


def _calendar(first: date, last: date) -> WorkCalendar:
    """The services' calendar (events.rules), and for a simulated date in a year nobody entered
    yet a year without holidays (Monday to Friday): benchmark rows, never a real deadline, and the
    same counting rules (WorkCalendar) either way."""
    cal = rules.calendar()
    years = {y: YearSpec(y) for y in range(first.year, last.year + 1) if not cal.knows(y)}
    return WorkCalendar(years={**cal.years, **years}, special_days=cal.special_days, tz=cal.tz)


class Workdays:
    """The calendar's answers over the simulated span, by day offset, so a chunk of rows needs no
    calendar walk of its own: the due day of an N-working-day limit started on each day, the
    working days counted since the first day, and each clock's due and yellow points — all from
    domain.calendar and domain.sla.workday_deadline, the maths the services use (yellow at 70 %)."""

    def __init__(self, first: date, last: date, limits: set[int]):
        self.cal, self.rule = _calendar(first, last + timedelta(days=60)), rules.deadline_rule()
        self.first, self.size = first, (last - first).days + 1
        days = [first + timedelta(days=i) for i in range(self.size)]
        # cum[i]: working days in (first, first + i] (WorkCalendar.workdays_between, day by day)
        self.cum = np.cumsum([0] + [self.cal.workdays_between(a, b) for a, b in pairwise(days)])
        noon = [datetime.combine(d, time(12), SHANGHAI) for d in days]
        self.due_day = {n: np.array([(self.cal.due_at(t, n, self.rule).date() - first).days for t in noon])
                        for n in limits}
        self._deadlines: dict = {}

    def due(self, offset: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Offset of the due day of an ``n``-working-day limit started on ``offset`` (clipped)."""
        offset = np.minimum(offset, self.size - 1)
        out = np.empty_like(offset)
        for k in np.unique(n):
            pick = n == k
            out[pick] = self.due_day[int(k)][offset[pick]]
        return np.minimum(out, self.size - 1)

    def between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.cum[np.minimum(b, self.size - 1)] - self.cum[a]

    def deadline(self, start: datetime, n: int) -> Deadline:
        """The stored due and warn points of a clock started at ``start`` (domain.sla); the receipt
        day decides them unless the receipt day itself counts, hence the cache key."""
        key = (start if self.rule.receipt_day_counts else start.astimezone(SHANGHAI).date(), n)
        if key not in self._deadlines:
            self._deadlines[key] = workday_deadline(self.cal, start, n, self.rule)
        return self._deadlines[key]


def generate(n: int, *, end: date, days: int = 365, seed: int = 1, chunk: int = 200_000, progress=None) -> int:
    """Write ``n`` events reported over the ``days`` days up to ``end``; returns rows written."""
    rng = np.random.default_rng(seed)
    grids = list(Area.objects.filter(level=Level.GRID).order_by("id"))
    if not grids:
        raise RuntimeError("没有网格：先运行 gongzhi demo --no-serve 或导入网格")
    by_code = {a.code: a for a in Area.objects.all()}
    ancestors = [[by_code[c] for c in g.path.split("/") if c] for g in grids]
    centres = [shape(g.geometry).representative_point().coords[0] if g.geometry else (None, None) for g in grids]
    cats = {c.code: c for c in Category.objects.filter(code__in=MIX)}
    mix = [(cats[k], *v) for k, v in MIX.items() if k in cats]
    cat_w = np.array([m[1] for m in mix], dtype=float)
    cat_w /= cat_w.sum()
    grid_w = 1.0 / np.arange(1, len(grids) + 1) ** 0.8
    rng.shuffle(grid_w)
    grid_w /= grid_w.sum()
    first = end - timedelta(days=days - 1)
    span = [first + timedelta(days=i) for i in range(days)]
    day_w = np.array([MONTH[d.month - 1] * WEEKDAY[d.weekday()] for d in span])
    wd = Workdays(first, end + timedelta(days=120), {1, 2, *HANDLE_LIMITS})
    # The Spring Festival week: people report little.
    day_w *= np.array([0.4 if d.month in (1, 2) and not wd.cal.is_workday(d) else 1.0 for d in span])
    day_w /= day_w.sum()
    now = datetime.combine(end, time(23, 0), SHANGHAI)
    tz = SHANGHAI
    written = 0
    number_base = Event.objects.count()
    with connection.cursor() as cur:
        raw = cur.connection
        # Rows go in in report order, as a live system stores them (issue 18: in random day
        # order the raw GROUP BY the dashboard bench compares with read ~10× the pages).
        all_days = np.sort(rng.choice(days, size=n, p=day_w))
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            day = all_days[start:start + m]
            secs = (rng.beta(2.2, 2.0, size=m) * 86_399).astype(int)         # daytime-heavy
            secs = secs[np.lexsort((secs, day))]                             # in time order within a day
            g = rng.choice(len(grids), size=m, p=grid_w)
            c = rng.choice(len(mix), size=m, p=cat_w)
            ch = rng.choice(len(CHANNELS[0]), size=m, p=CHANNELS[1])
            sign_n = np.ones(m, dtype=int)
            handle_n = rng.choice(HANDLE_LIMITS, size=m, p=[0.2, 0.3, 0.4, 0.1])
            late_sign = rng.random(m) < 0.06
            late_handle = rng.random(m) < 0.09
            sign_limit = wd.due(day, sign_n)
            sign_off = np.where(late_sign, wd.due(day, sign_n + 1), np.minimum(day + rng.integers(0, 2, m), sign_limit))
            handle_limit = wd.due(sign_off, handle_n)
            resolve_off = np.where(late_handle, handle_limit + rng.integers(1, 8, m),
                                   sign_off + (rng.random(m) * (handle_limit - sign_off + 1)).astype(int))
            verify_off = resolve_off + rng.integers(0, 3, m)
            answer_off = verify_off + rng.integers(0, 2, m)
            revisit_off = answer_off + rng.integers(1, 4, m)
            rejected = rng.random(m) < 0.02
            sat = rng.choice([5, 4, 3, 2, 1], size=m, p=[0.62, 0.27, 0.06, 0.03, 0.02])
            returns = (rng.random(m) < 0.05).astype(int)
            reopens = (rng.random(m) < 0.02).astype(int)
            today_off = days - 1
            rows = []
            for i in range(m):
                cat, _, kind, level = mix[c[i]]
                grid = grids[g[i]]
                chain = ancestors[g[i]]
                handler = next((a for a in chain if a.level == level), grid)
                d0 = first + timedelta(days=int(day[i]))
                reported = datetime.combine(d0, time(), tz) + timedelta(seconds=int(secs[i]))

                def at(off, hour=10):
                    return datetime.combine(first + timedelta(days=int(off)), time(hour), tz)
                status, running = "closed", None
                fields = dict(accepted_at=reported + timedelta(minutes=20), dispatched_at=reported + timedelta(hours=1),
                              signed_at=None, resolved_at=None, verified_at=None, answered_at=None, closed_at=None,
                              handle_started_at=None, signed_on_time=None, resolved_on_time=None, satisfaction=None,
                              closed_workdays=None, due_at=None, warn_at=None, clock="")
                # The clocks as the services start them: 签收 at 受理, 办理 at 签收 (domain.sla).
                sign = wd.deadline(fields["accepted_at"], int(sign_n[i]))
                sign_due, handle_due = sign.due_at, None
                if rejected[i]:
                    status = "rejected"
                    fields.update(accepted_at=None, dispatched_at=None)
                elif sign_off[i] > today_off:
                    status, running = "dispatched", ("sign", sign)
                else:
                    fields.update(signed_at=max(at(sign_off[i], 9), reported + timedelta(hours=2)),
                                  handle_started_at=max(at(sign_off[i], 9), reported + timedelta(hours=2)))
                    fields["signed_on_time"] = bool(fields["signed_at"] <= sign_due)
                    handle = wd.deadline(fields["handle_started_at"], int(handle_n[i]))
                    handle_due = handle.due_at
                    if resolve_off[i] > today_off:
                        status, running = "handling", ("handle", handle)
                    else:
                        fields["resolved_at"] = max(at(resolve_off[i], 16), fields["signed_at"])
                        fields["resolved_on_time"] = bool(fields["resolved_at"] <= handle_due)
                        if verify_off[i] > today_off:
                            status = "resolved"
                        else:
                            fields["verified_at"] = max(at(verify_off[i], 11), fields["resolved_at"])
                            fields["closed_workdays"] = int(wd.between(day[i:i + 1], verify_off[i:i + 1])[0])
                            status = "verified"
                            if answer_off[i] <= today_off:
                                fields["answered_at"] = max(at(answer_off[i], 15), fields["verified_at"])
                                status = "answered"
                                if revisit_off[i] <= today_off:
                                    fields["satisfaction"] = int(sat[i])
                                    status = "revisited"
                                    if revisit_off[i] + 2 <= today_off:
                                        fields["closed_at"] = at(revisit_off[i] + 2, 17)
                                        status = "closed"
                flag = SlaFlag.GREEN
                if running is not None:       # the flag the sweep would have set by now
                    fields["clock"], deadline = running
                    fields["due_at"], fields["warn_at"] = deadline.due_at, deadline.warn_at
                    flag = flag_at(now, deadline)
                lon, lat = centres[g[i]]
                rows.append((
                    f"S{number_base + start + i:011d}", kind, cat.id, "normal", CHANNELS[0][ch[i]],
                    cat.name + "问题", f"{cat.name}：模拟数据", "{}", "", lon, lat, "", grid.id, grid.path, "", "", "",
                    False, kind == EventKind.TIP_OFF, status, 1, int(handler.level), handler.id,
                    f"模拟：{handler.name}",
                    fields["clock"], fields["due_at"], fields["warn_at"], flag.value, sign_due,
                    fields["handle_started_at"], handle_due, 0,
                    fields["signed_on_time"], fields["resolved_on_time"], reported, d0, fields["accepted_at"],
                    fields["dispatched_at"], fields["signed_at"], fields["resolved_at"], fields["verified_at"],
                    fields["answered_at"], fields["closed_at"], fields["closed_workdays"], now, "", "",
                    fields["satisfaction"], "", 0, int(returns[i]),
                    int(reopens[i]) if status != Status.REJECTED else 0, ""))
            _write(cur, raw, rows)
            written += m
            if progress:
                progress(m)
    return written


def _write(cur, raw, rows) -> None:
    if connection.vendor == "postgresql":
        with raw.cursor().copy(f"COPY events_event ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
    else:
        marks = ", ".join(["%s"] * len(COLUMNS))
        cur.executemany(f"INSERT INTO events_event ({', '.join(COLUMNS)}) VALUES ({marks})",
                        [tuple(json.dumps(v) if isinstance(v, dict) else v for v in r) for r in rows])
