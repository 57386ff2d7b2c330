"""The city dashboard on ten million events: rollup vs raw GROUP BY, and what the rollup costs.

    .venv/bin/python bench/dashboard.py [--events 10000000] [--rebuild] [--repeat 30]

1. A PostgreSQL database ``gongzhi_bench_dash`` with a city of 6 街道 × 8 社区 × 6 网格 and a year
   of generated events (kept between runs; --rebuild makes it again).
2. p50/p95 of the city and township statistics pages (full Django request: filters, KPIs, the
   comparison with the previous four weeks, the breakdown table, the template) on the rollup.
3. The same page data by raw GROUP BY over the events, and the ratio (goal ≥ 50×).
4. Rollup maintenance: new reports and transitions through the services, then one incremental
   refresh; its time per changed event (bench/stats_delta.py: the same against the former
   whole-day recompute, changes spread over 1, 14 and 60 report days).
"""
import argparse
import os
import statistics
import sys
import time

import psycopg
from _pg import ADMIN_URL, ROOT

DB = "gongzhi_bench_dash"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000


def timed(fn, repeat):
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def setup(events: int, rebuild: bool):
    admin = ADMIN_URL.replace("postgres://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if rebuild and exists:
            conn.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ.update(GONGZHI_DATABASE_URL=URL, DJANGO_SETTINGS_MODULE="config.settings", GONGZHI_DEBUG="0",
                      GONGZHI_SECRET_KEY="bench-only", GONGZHI_ALLOWED_HOSTS="testserver")
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from gongzhi.events.models import Event
    have = Event.objects.count()
    if have >= events:
        print(f"reusing {DB}: {have:,} events")
        return
    from gongzhi.areas.models import Area
    if not Area.objects.exists():
        from gongzhi.demo.district import build_district
        from gongzhi.demo.reference import build_reference
        build_reference()
        build_district(townships=6, communities=8, grids=6)
    from django.utils import timezone
    from tqdm import tqdm

    from gongzhi.stats.generate import generate
    from gongzhi.stats.rollup import refresh
    t0 = time.perf_counter()
    with tqdm(total=events - have, unit="ev", desc="generate", mininterval=5) as bar:
        generate(events - have, end=timezone.localdate(), days=365, seed=have + 1, progress=bar.update)
    gen = time.perf_counter() - t0
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    res = refresh(full=True, progress=lambda xs: tqdm(xs, desc="rollup", unit="dimension"))
    print(f"generated {events - have:,} events in {gen:.0f}s ({(events - have) / gen:,.0f}/s); "
          f"full rollup build {res.seconds:.0f}s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    setup(args.events, args.rebuild)

    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from gongzhi.areas.models import Area
    from gongzhi.domain.enums import Level
    from gongzhi.events.models import Event
    from gongzhi.stats.models import Daily
    from gongzhi.stats.queries import Filters, kpis, with_comparison

    print(f"events: {Event.objects.count():,}   rollup rows: {Daily.objects.count():,}")
    county = Area.objects.filter(level=Level.COUNTY).first()
    town = Area.objects.filter(level=Level.TOWNSHIP).order_by("id").first()
    admin = get_user_model().objects.get(username="admin")
    c = Client()
    c.force_login(admin)
    today = timezone.localdate()
    week = {"start": (today - timedelta(days=6)).isoformat(), "end": today.isoformat()}

    def page(area):
        r = c.get("/stats/", {**week, "area": area.code, "by": "area"})
        assert r.status_code == 200, r.status_code

    rows = []
    for name, area in (("city", county), ("township", town)):
        t = timed(lambda area=area: page(area), args.repeat)
        rows.append((name, t))
        print(f"{name:9s} page (rollup): p50 {pct(t, .5):7.1f} ms  p95 {pct(t, .95):7.1f} ms   target p95 < 300 ms")

    def data(area, source):
        f = Filters(today - timedelta(days=6), today, area)
        kpis(f, by="area", source=source)
        with_comparison(f, source=source)

    raw_repeat = max(3, args.repeat // 10)
    for name, area in (("city", county), ("township", town)):
        roll = timed(lambda area=area: data(area, "rollup"), args.repeat)
        raw = timed(lambda area=area: data(area, "raw"), raw_repeat)
        print(f"{name:9s} data: rollup p50 {pct(roll, .5):7.1f} ms   raw GROUP BY p50 {pct(raw, .5):8.1f} ms   "
              f"ratio {statistics.median(raw) / statistics.median(roll):6.0f}×   (goal ≥ 50×)")

    # Maintenance: changes through the services, then one incremental refresh.
    from shapely.geometry import shape

    from gongzhi.events import intake, services
    from gongzhi.stats.rollup import refresh
    refresh()
    grid = Area.objects.filter(level=Level.GRID, path__startswith=town.path).first()
    lon, lat = shape(grid.geometry).representative_point().coords[0]
    resident = get_user_model().objects.get(username="resident1")
    centre = admin
    n = 500
    t0 = time.perf_counter()
    for i in range(n):
        ev, _ = intake.event_report(actor=resident, data=intake.ReportInput(
            kind="complaint", category="urban-appearance", description=f"基准测试上报 {i}", lon=lon, lat=lat))
        services.event_accept(actor=centre, event_id=ev.id)
    write = time.perf_counter() - t0
    res = refresh()
    print(f"maintenance: {n} reports + {n} accepts ({write:.1f}s through the services), incremental refresh "
          f"{res.seconds * 1000:.0f} ms for {res.days} day(s) = {res.seconds * 1000 / (2 * n):.2f} ms per change "
          f"({res.seconds / write * 100:.1f}% of the write time)")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('stats_daily')), "
                    "pg_size_pretty(pg_total_relation_size('events_event'))")
        print("sizes: rollup {}, events {}".format(*cur.fetchone()))


if __name__ == "__main__":
    main()
