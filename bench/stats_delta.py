"""What keeping the rollup costs per change: by differences (ADR 0015) against the former
whole-day recompute (ADR 0007), measured in the same run on the same changes.

    .venv/bin/python bench/stats_delta.py [--events 10000000] [--changes 1000] [--rebuild]

1. A PostgreSQL database (``GONGZHI_BENCH_DB``, default ``gongzhi_bench_dash_stats``; kept between
   runs, --rebuild makes it again) with the dashboard bench's city (6 街道 × 8 社区 × 6 网格) and a
   year of generated events, the rollup built by ``refresh(full=True)``.
2. For a spread of 1, 14 and 60 report days: ``--changes`` changes through the services (half
   reports dated on those days, half the 受理 of each), then
   - ours: one ``refresh()`` (the fold), its time per change;
   - the former way: the same report days deleted and grouped again from the events;
   and whether the two left the same rows (a checksum of those days' rows before and after).
3. A sweep round on the generated events (yellow/red flips and act_many's escalations, spread over
   every day with open events), folded the same way, against the former recompute of its days.
4. The sampled check over the whole rollup (``stats_check``), and the sizes.
"""
import argparse
import os
import sys
import time
from datetime import datetime, time as dtime, timedelta

import psycopg
from _pg import ADMIN_URL, ROOT

DB = os.environ.get("GONGZHI_BENCH_DB", "gongzhi_bench_dash_stats")
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"


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
    from django.db import connection
    from django.utils import timezone
    from tqdm import tqdm

    from gongzhi.areas.models import Area
    from gongzhi.events.models import Event
    from gongzhi.stats.generate import generate
    from gongzhi.stats.rollup import refresh
    have = Event.objects.count()
    if have < events:
        if not Area.objects.exists():
            from gongzhi.demo.district import build_district
            from gongzhi.demo.reference import build_reference
            build_reference()
            build_district(townships=6, communities=8, grids=6)
        t0 = time.perf_counter()
        with tqdm(total=events - have, unit="ev", desc="generate", mininterval=5) as bar:
            generate(events - have, end=timezone.localdate(), days=365, seed=have + 1, progress=bar.update)
        print(f"generated {events - have:,} events in {time.perf_counter() - t0:.0f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        print(f"reusing {DB}: {have:,} events")
    res = refresh(full=True, progress=lambda xs: tqdm(xs, desc="rebuild", unit="dimension"))
    with connection.cursor() as cur:
        cur.execute("ANALYZE stats_folded; ANALYZE stats_daily")
    print(f"full rebuild (folded rows + rollup): {res.seconds:.1f}s for {res.days} days")


def checksum(days) -> tuple:
    """The rows of these days, as values (ids aside): equal before and after means the same rollup."""
    from django.db import connection

    from gongzhi.domain.kpi import MEASURES
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), md5(string_agg(concat_ws(',', day, area_id, dim, key, {', '.join(MEASURES)}), "
                    "';' ORDER BY day, area_id, dim, key)) FROM stats_daily WHERE day = ANY(%s)", [list(days)])
        return cur.fetchone()


def former(days) -> float:
    """The former maintenance of these days (ADR 0007): DELETE + INSERT … SELECT from the events."""
    from django.db import connection, transaction

    from gongzhi.stats.rollup import DIMENSIONS, _insert_sql
    days = sorted(days)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '128MB'")
        for i in range(0, len(days), 200):
            chunk = days[i:i + 200]
            marks = f"IN ({', '.join(['%s'] * len(chunk))})"
            cur.execute(f"DELETE FROM stats_daily WHERE day {marks}", chunk)
            for dim in DIMENSIONS:
                cur.execute(_insert_sql(dim, f"e.reported_on {marks}", "events_event e"), chunk)
    return time.perf_counter() - t0


def compare(label: str, changes: int, days) -> dict:
    """Fold, then the former recompute of the same days; ms per change both ways."""
    from gongzhi.stats.rollup import refresh
    res = refresh()
    ours = res.seconds
    after_fold = checksum(days)
    old = former(days)
    same = checksum(days) == after_fold
    row = {"label": label, "changes": changes, "days": len(days), "ours_ms": ours * 1000 / changes,
           "former_ms": old * 1000 / changes, "same": same, "events": res.events, "actions": res.actions}
    print(f"{label:>14}: {changes:5d} changes on {len(days):3d} days | ours {ours * 1000:8.1f} ms = "
          f"{row['ours_ms']:6.3f} ms/change | former {old * 1000:9.1f} ms = {row['former_ms']:7.2f} ms/change | "
          f"{old / ours:6.1f}× | same rows: {'yes' if same else 'NO'}")
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--changes", type=int, default=1000, help="changes per spread (half reports, half 受理)")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    setup(args.events, args.rebuild)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from shapely.geometry import shape

    from gongzhi.areas.models import Area
    from gongzhi.domain.calendar import SHANGHAI
    from gongzhi.domain.enums import Level
    from gongzhi.events import intake, services
    from gongzhi.events.models import Event
    from gongzhi.events.sweep import sla_sweep
    from gongzhi.stats.check import check
    from gongzhi.stats.rollup import refresh

    print(f"events: {Event.objects.count():,}")
    refresh()
    User = get_user_model()
    resident, admin = User.objects.get(username="resident1"), User.objects.get(username="admin")
    grids = list(Area.objects.filter(level=Level.GRID).order_by("id"))
    points = [shape(g.geometry).representative_point().coords[0] for g in grids[::7]]
    today = timezone.localdate()
    rows = []
    for spread in (1, 14, 60):
        step = 59 // (spread - 1) if spread > 1 else 0          # spread over the last 60 days
        days = [today - timedelta(days=1 + i * step) for i in range(spread)]
        n = args.changes // 2
        t0 = time.perf_counter()
        for i in range(n):
            day = days[i % spread]
            at = datetime.combine(day, dtime(9), SHANGHAI) + timedelta(seconds=17 * i)
            lon, lat = points[i % len(points)]
            ev, _ = intake.event_report(actor=resident, at=at, data=intake.ReportInput(
                kind="complaint", category="urban-appearance", description=f"差额统计基准上报 {spread}-{i}",
                lon=lon, lat=lat))
            services.event_accept(actor=admin, event_id=ev.id, at=at + timedelta(minutes=5))
        write = time.perf_counter() - t0
        print(f"  ({2 * n} changes through the services in {write:.1f}s)")
        rows.append(compare(f"spread {spread}", 2 * n, set(days)))

    # A sweep round: flips and escalations wherever the open events are.
    t0 = time.perf_counter()
    swept = sla_sweep(now=timezone.now() + timedelta(days=1))
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(value), 0) FROM stats_state WHERE key = 'last_action_id'")
        mark = cur.fetchone()[0]
        cur.execute("SELECT DISTINCT e.reported_on FROM events_eventaction a JOIN events_event e ON e.id = a.event_id "
                    "WHERE a.id > %s", [mark])
        days = {r[0] for r in cur.fetchall()}
    print(f"  (sweep: {swept} in {time.perf_counter() - t0:.1f}s)")
    changes = swept.yellow + swept.red + swept.escalated
    if changes:
        rows.append(compare("sweep round", changes, days))

    t0 = time.perf_counter()
    res = check(sample=200, seed=1)
    print(f"stats_check --sample 200: {res.cells} cells, {len(res.drifts)} drifts, {time.perf_counter() - t0:.1f}s")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('stats_daily')), "
                    "pg_size_pretty(pg_total_relation_size('stats_folded')), "
                    "pg_size_pretty(pg_total_relation_size('events_event')), (SELECT COUNT(*) FROM stats_daily)")
        daily, folded, events, count = cur.fetchone()
        print(f"sizes: rollup {daily} ({count:,} rows), folded rows {folded}, events {events}")
    print("\n| changes | report days | ours (ms/change) | former whole-day (ms/change) | ratio | same rows |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']}: {r['changes']} | {r['days']} | {r['ours_ms']:.3f} | {r['former_ms']:.2f} | "
              f"{r['former_ms'] / r['ours_ms']:.0f}× | {'yes' if r['same'] else 'NO'} |")


if __name__ == "__main__":
    main()
