"""The rollup says what the raw events say: every KPI, for random filters, both ways, and after
incremental refreshes; days and working days counted in Asia/Shanghai."""
import random
from datetime import UTC, date, timedelta

import pytest

from gongzhi.domain.enums import Level
from gongzhi.domain.kpi import MEASURES, EventFacts, add, contribution
from gongzhi.events import intake, services
from gongzhi.events.models import Event
from gongzhi.events.sweep import sla_sweep
from gongzhi.stats import rollup
from gongzhi.stats.queries import BREAKDOWNS, Filters, kpis

from ..conftest import point_in, sh


def python_measures(f: Filters, by: str | None):
    """An independent recomputation: Python over the events with domain.kpi.contribution."""
    out: dict[str, dict] = {}
    total = {m: 0 for m in MEASURES}
    qs = Event.objects.filter(reported_on__gte=f.start, reported_on__lte=f.end, area_path__startswith=f.area.path)
    for e in qs.select_related("category", "handler_department", "handler_area"):
        keys = {"category": e.category.code, "kind": e.kind, "channel": e.channel,
                "unit": f"d:{e.handler_department.code}" if e.handler_department_id else f"a:{e.handler_area.code}"}
        if f.dim and keys[f.dim] != f.key:
            continue
        c = contribution(EventFacts(e.status, e.sla_flag, e.dispatched_at is not None, e.signed_on_time,
                                    e.handle_started_at is not None, e.resolved_on_time, e.returns, e.reopens,
                                    e.answered_at is not None, e.satisfaction, e.closed_workdays))
        add(total, c)
        if by == "area":
            code = [x for x in e.area_path.split("/") if x][f.area.path.count("/") - 1]
            add(out.setdefault(code, {}), c)
        elif by == "day":
            add(out.setdefault(e.reported_on.isoformat(), {}), c)
        elif by == "week":
            add(out.setdefault((e.reported_on - timedelta(days=e.reported_on.weekday())).isoformat(), {}), c)
        elif by == "month":
            add(out.setdefault(e.reported_on.strftime("%Y-%m"), {}), c)
        elif by:
            add(out.setdefault(keys[by], {}), c)
    return total, out


@pytest.fixture
def month(district):
    from gongzhi.demo.simulate import simulate
    simulate(district, days=16, per_day=6, seed=3)
    sla_sweep()
    rollup.refresh(full=True)
    return district


def check(f, by):
    total, groups = python_measures(f, by)
    for source in ("rollup", "raw"):
        if source == "rollup" and not rollup_can(f, by):
            continue
        r = kpis(f, by=by, source=source)
        assert r.totals == total, (source, f, by)
        if by:
            got = {row["key"]: {m: row[m] for m in MEASURES} for row in r.rows}
            want = {k: {m: v.get(m, 0) for m in MEASURES} for k, v in groups.items()}
            assert got == want, (source, f, by)


def rollup_can(f, by):
    from gongzhi.stats.queries import _rollup_ok
    return _rollup_ok(f, by or "")


def test_every_kpi_matches_the_raw_events_for_random_filters(month):
    d = month
    rng = random.Random(5)
    first = Event.objects.order_by("reported_on").values_list("reported_on", flat=True).first()
    areas = [d.county, *d.townships, *d.communities, *d.grids]
    cats = list(Event.objects.values_list("category__code", flat=True).distinct())
    for _ in range(25):
        start = first + timedelta(days=rng.randrange(0, 14))
        f = Filters(start, start + timedelta(days=rng.randrange(0, 10)), rng.choice(areas))
        if rng.random() < 0.4:
            f.dim = rng.choice(["category", "kind", "channel"])
            f.key = rng.choice(cats) if f.dim == "category" else rng.choice(
                list(Event.objects.values_list(f.dim, flat=True).distinct()))
        by = rng.choice([None, *BREAKDOWNS]) if f.area.level < Level.GRID else rng.choice([None, "day", "kind"])
        check(f, by)


def test_incremental_refresh_follows_every_change(month):
    d = month
    town = d.users["town1"]
    ev, _ = intake.event_report(actor=d.users["resident1"], data=intake.ReportInput(
        kind="complaint", category="urban-appearance", description="新上报的事件用于增量统计",
        lon=point_in(d, 0)[0], lat=point_in(d, 0)[1]))
    services.event_accept(actor=town, event_id=ev.id)
    services.event_dispatch(actor=town, event_id=ev.id)
    services.event_sign(actor=d.users["grid111"], event_id=ev.id)
    old = Event.objects.filter(status="resolved").order_by("id").first()
    if old is not None:                       # an old day changes too
        services.event_verify(actor=d.users["admin"], event_id=old.id, passed=True)
    res = rollup.refresh()
    assert res.days >= 1 and not res.full
    f = Filters(ev.reported_on - timedelta(days=25), ev.reported_on, d.county)
    assert kpis(f, source="rollup").totals == kpis(f, source="raw").totals
    assert kpis(f, by="day", source="rollup").rows == kpis(f, by="day", source="raw").rows
    # Nothing new: nothing to do, and still equal.
    assert rollup.refresh().actions == 0


def test_report_day_is_the_shanghai_calendar_day(district):
    import time_machine
    lon, lat = point_in(district, 0)
    made = []
    for moment in (sh(2026, 11, 2, 23, 30), sh(2026, 11, 3, 0, 10)):
        with time_machine.travel(moment, tick=False):
            made.append(intake.event_report(actor=district.users["resident1"], data=intake.ReportInput(
                kind="consult", category="policy", description="咨询养老补贴政策", lon=lon, lat=lat))[0])
    assert [e.reported_on for e in made] == [date(2026, 11, 2), date(2026, 11, 3)]
    # 23:30 Shanghai is 15:30 UTC of the same day, 00:10 is 16:10 UTC of the day before: both were
    # reported on 2026-11-02 by UTC, so a report day taken from UTC would put both on the 2nd.
    assert [e.reported_at.astimezone(UTC).date() for e in made] == [date(2026, 11, 2)] * 2
    rollup.refresh(full=True)
    one = kpis(Filters(date(2026, 11, 2), date(2026, 11, 2), district.county), source="rollup")
    two = kpis(Filters(date(2026, 11, 3), date(2026, 11, 3), district.county), source="rollup")
    assert one.totals["reported"] == 1 and two.totals["reported"] == 1


def test_working_days_to_close_skip_the_weekend(district):
    import time_machine
    d = district
    lon, lat = point_in(d, 0)
    with time_machine.travel(sh(2026, 11, 6, 10), tick=False):      # a Friday
        ev, _ = intake.event_report(actor=d.users["resident1"], data=intake.ReportInput(
            kind="complaint", category="urban-appearance", description="周五上报下周一结案", lon=lon, lat=lat))
        town = d.users["town1"]
        services.event_accept(actor=town, event_id=ev.id)
        services.event_dispatch(actor=town, event_id=ev.id)
        services.event_sign(actor=d.users["grid111"], event_id=ev.id)
        services.event_resolve(actor=d.users["grid111"], event_id=ev.id, result="已处理")
    with time_machine.travel(sh(2026, 11, 9, 10), tick=False):      # the Monday after
        services.event_verify(actor=town, event_id=ev.id, passed=True)
    ev.refresh_from_db()
    assert ev.closed_workdays == 1
    rollup.refresh(full=True)
    r = kpis(Filters(date(2026, 11, 6), date(2026, 11, 6), d.county), source="rollup")
    assert r.totals["closed"] == 1 and r.rates["平均办结工作日"] == 1.0


def test_weeks_and_months_fold_the_days(month):
    d = month
    first = Event.objects.order_by("reported_on").values_list("reported_on", flat=True).first()
    f = Filters(first, first + timedelta(days=40), d.county)
    days = kpis(f, by="day")
    for by in ("week", "month"):
        r = kpis(f, by=by)
        assert sum(row["reported"] for row in r.rows) == days.totals["reported"] == r.totals["reported"]
        for row in r.rows:
            start = date.fromisoformat(row["key"]) if by == "week" else date.fromisoformat(row["key"] + "-01")
            span = 7 if by == "week" else 31
            in_it = [x for x in days.rows if start <= date.fromisoformat(x["key"]) < start + timedelta(days=span)
                     and (by == "week" or x["key"][:7] == row["key"])]
            assert row["closed"] == sum(x["closed"] for x in in_it)
        if by == "week":
            assert all(date.fromisoformat(row["key"]).weekday() == 0 for row in r.rows)
