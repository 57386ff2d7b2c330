"""A province day, scaled to this machine: reports arriving at a set rate for ten minutes over ten
million events, while staff browse their pages and every background worker runs.

    .venv/bin/python bench/province.py [--events 10000000] [--rate 50] [--minutes 10] [--staff 12]
                                       [--think 3] [--rebuild]

1. A PostgreSQL database (``GONGZHI_BENCH_DB``, default ``gongzhi_bench_province``, kept between
   runs; --rebuild makes it again): a city of 6 街道 × 8 社区 × 6 网格 and ``--events`` generated
   events over a year in report order, the rollup and the 倒逼 index built.
2. The bare ceiling in the same run: bench/bare_intake.py (granian + psycopg + the intake
   statement, no Django) driven flat out by wrk for 15 s.
3. gongzhi served by granian (2 workers), the workers the deployment runs (sla-sweep every 30 s,
   stats-refresh every 30 s, the 倒逼 index fold every 30 s, its check every 10 min) as their own processes.
4. For ``--minutes``: reports arrive open-loop at ``--rate`` per second (each one's latency counted
   from the moment it was due, so a stalled server is not hidden by the client waiting for it);
   ``--staff`` simulated staff each open a page (desk, queue, statistics, the supervision board) and
   think for an exponential ``--think`` seconds.  Every 10 s the workers' lag is sampled:
   - sweep: running clocks whose deadline fell more than 60 s ago and are not flagged red yet;
   - statistics and 倒逼 index: timeline rows past the worker's watermark, and the age of the oldest.
5. Prints report p50/p95/p99, page p95 per page, each worker's lag (median, worst, last) and
   whether it grew over the run (the last third's median above twice the first third's and above
   the worker's own period), the sustained rate ÷ the bare ceiling, and the province figure this
   stands for (50 reports/s in a typhoon) on 2 shared cores.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import psycopg
from _pg import ADMIN_URL, ROOT

DB = os.environ.get("GONGZHI_BENCH_DB", "gongzhi_bench_province")
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PORT = 8131
PROVINCE_PEAK = 50          # reports/s in a typhoon (issue 18)


def setup(events: int, rebuild: bool) -> None:
    admin = ADMIN_URL.replace("postgres://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if rebuild and exists:
            conn.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ.update(GONGZHI_DATABASE_URL=URL, DJANGO_SETTINGS_MODULE="config.settings", GONGZHI_DEBUG="0",
                      GONGZHI_SECRET_KEY="bench-only", GONGZHI_ALLOWED_HOSTS="127.0.0.1,testserver")
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.utils import timezone
    from tqdm import tqdm

    from gongzhi.areas.models import Area
    from gongzhi.events.models import Event
    from gongzhi.hotline import index
    from gongzhi.stats.generate import generate
    from gongzhi.stats.rollup import refresh
    have = Event.objects.count()
    if have >= events:
        print(f"reusing {DB}: {have:,} events")
        from gongzhi.stats.models import State
        if not State.objects.filter(key="built").exists():      # a generation stopped half-way
            print(f"rollup built in {refresh(full=True).seconds:.0f}s")
            print(f"倒逼 index: {index.refresh(full=True)}")
        return
    if not Area.objects.exists():
        from gongzhi.demo.district import build_district
        from gongzhi.demo.reference import build_reference
        build_reference()
        build_district(townships=6, communities=8, grids=6)
    t0 = time.perf_counter()
    with tqdm(total=events - have, unit="ev", desc="generate", mininterval=10) as bar:
        generate(events - have, end=timezone.localdate(), days=365, seed=have + 1, progress=bar.update)
    print(f"generated {events - have:,} events in {time.perf_counter() - t0:.0f}s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"rollup built in {refresh(full=True).seconds:.0f}s")
    print(f"倒逼 index: {index.refresh(full=True)}")


def session_cookie(user) -> str:
    """A logged-in session for a simulated staff member, made as the login view makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    # The backend that loads the user (django-axes' comes first in the list and only checks logins).
    s[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b)
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"


def staff_pages():
    """(user, [paths]) for the roles that browse all day, with the pages each opens."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.domain.enums import Role
    today = timezone.localdate()
    week = f"start={today.replace(day=1).isoformat()}&end={today.isoformat()}"       # this month so far
    users = get_user_model().objects
    out = []
    for role, pages in ((Role.COUNTY_CENTRE, ["/desk/", "/stats/?" + week, "/supervise/"]),
                        (Role.TOWNSHIP_CENTRE, ["/desk/", "/stats/?" + week]),
                        (Role.COMMUNITY_STAFF, ["/desk/", "/queue/"]),
                        (Role.GRID_WORKER, ["/queue/"]),
                        (Role.DEPARTMENT_STAFF, ["/queue/"]),
                        (Role.SUPERVISOR, ["/supervise/"])):
        ra = RoleAssignment.objects.filter(role=role).order_by("id").first()
        if ra is not None:
            out.append((users.get(pk=ra.user_id), pages))
    return out


class Load:
    """The open-loop report stream and the staff browsing, each request timed."""

    def __init__(self, token: str, points: list[tuple[float, float]], run: str):
        self.token, self.points, self.run = token, points, run
        self.report_ms: list[float] = []
        self.report_status: dict[int, int] = defaultdict(int)
        self.page_ms: dict[str, list[float]] = defaultdict(list)
        self.page_status: dict[int, int] = defaultdict(int)
        self.local = threading.local()
        self.lock = threading.Lock()

    def _conn(self) -> http.client.HTTPConnection:
        c = getattr(self.local, "conn", None)
        if c is None:
            c = self.local.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        return c

    def _request(self, method: str, path: str, body: bytes | None, headers: dict) -> int:
        for attempt in (1, 2):
            try:
                c = self._conn()
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                r.read()
                return r.status
            except (OSError, http.client.HTTPException):
                self.local.conn = None
                if attempt == 2:
                    return 0
        return 0

    def report(self, i: int, due: float) -> None:
        lon, lat = self.points[i % len(self.points)]
        body = json.dumps({"kind": "complaint", "category": "urban-appearance", "lon": lon, "lat": lat,
                           "description": "小区门口垃圾堆积多日无人清运", "client_key": f"{self.run}-{i}"}).encode()
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        status = self._request("POST", "/api/events", body, {"Content-Type": "application/json",
                                                              "Authorization": f"Bearer {self.token}"})
        ms = (time.perf_counter() - due) * 1000       # from when it was due: no coordinated omission
        with self.lock:
            self.report_ms.append(ms)
            self.report_status[status] += 1

    def browse(self, cookie: str, pages: list[str], until: float, think: float, rng: random.Random) -> None:
        while time.perf_counter() < until:
            path = rng.choice(pages)
            t0 = time.perf_counter()
            status = self._request("GET", path, None, {"Cookie": cookie})
            with self.lock:
                self.page_ms[path.split("?")[0]].append((time.perf_counter() - t0) * 1000)
                self.page_status[status] += 1
            time.sleep(min(rng.expovariate(1 / think), 5 * think))


def lags(cur) -> dict[str, float]:
    """How far behind each worker is, now (see the module docstring)."""
    cur.execute("SELECT COUNT(*), COALESCE(EXTRACT(EPOCH FROM now() - MIN(due_at)), 0) FROM events_event "
                "WHERE clock <> '' AND due_at < now() - interval '60 seconds' AND sla_flag <> 'red'")
    sweep_rows, sweep_age = cur.fetchone()
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM events_eventaction")
    top = cur.fetchone()[0]
    out = {"sweep: overdue not flagged": float(sweep_rows), "sweep: oldest (s)": float(sweep_age)}
    for name, table, key in (("stats", "stats_state", "last_action_id"), ("倒逼 index", "hotline_indexstate",
                                                                           "last_action_id")):
        cur.execute(f"SELECT value FROM {table} WHERE key = %s", [key])
        row = cur.fetchone()
        mark = row[0] if row else 0
        cur.execute("SELECT EXTRACT(EPOCH FROM now() - MIN(at)) FROM events_eventaction WHERE id > %s", [mark])
        age = cur.fetchone()[0]
        out[f"{name}: rows behind"] = float(max(0, top - mark))
        out[f"{name}: oldest (s)"] = float(age or 0)
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--rate", type=float, default=PROVINCE_PEAK, help="reports per second, open loop")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--staff", type=int, default=12, help="simulated staff browsing at once")
    ap.add_argument("--think", type=float, default=3.0, help="mean seconds between a staff member's pages")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--setup-only", action="store_true", help="build the database and stop (e.g. the day before)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    sys.path.insert(0, str(ROOT / "bench"))
    setup(args.events, args.rebuild)
    if args.setup_only:
        return
    from django.contrib.auth import get_user_model
    from django.db import connection
    from intake import intake_statement, serve_and_drive
    from shapely.geometry import shape

    from gongzhi.accounts.models import ApiToken
    from gongzhi.areas.models import Area
    from gongzhi.domain.enums import Level
    from gongzhi.events.models import Event

    grids = list(Area.objects.filter(level=Level.GRID).order_by("id"))
    points = [shape(g.geometry).representative_point().coords[0] for g in grids]
    resident = get_user_model().objects.get(username="resident1")
    token = ApiToken.issue(resident, "province-bench")
    env = {**os.environ, "GONGZHI_DATABASE_URL": URL, "GONGZHI_DEBUG": "0", "GONGZHI_SECRET_KEY": "bench-only",
           "GONGZHI_ALLOWED_HOSTS": "127.0.0.1", "GONGZHI_LOG_LEVEL": "WARNING", "GZ_TOKEN": token,
           "GZ_POINTS": ";".join(f"{x:.6f},{y:.6f}" for x, y in points)}
    print(f"events: {Event.objects.count():,} in {len(grids)} grids; {args.rate:g} reports/s for "
          f"{args.minutes:g} min; {args.staff} staff thinking {args.think:g} s; {os.cpu_count()} cores")

    # The bare ceiling, first, in this run (bench/intake.py's own driver, flat out).
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(intake_statement(resident, *points[0]), f)
    drive = SimpleNamespace(seconds=15, connections=16, workers=2, threads=2, granian="")
    bare, _, _ = serve_and_drive("bare_intake:application",
                                 {**env, "GZ_BARE": f.name, "PYTHONPATH": str(ROOT / "bench")}, drive)
    ceiling = bare["created"] / drive.seconds
    print(f"bare ceiling: {ceiling:,.0f} reports/s (granian + psycopg + the statement, wrk flat out)")
    # gongzhi's own intake flat out on the full table, the same driver (issue 18: measured with
    # millions of rows stored, not on an empty table).
    ours, _, _ = serve_and_drive("config.wsgi:application", env, drive)
    flat = ours["created"] / drive.seconds
    print(f"intake flat out: {flat:,.0f} reports/s, p95 {ours['p95']:.0f} ms = {flat / ceiling:.3f} of the bare "
          f"ceiling (target ≥ 0.6), with {Event.objects.count():,} events stored")

    manage = [sys.executable, str(ROOT / "manage.py")]
    workers = {"sweep": subprocess.Popen([*manage, "sla_sweep", "--loop", "30"], cwd=ROOT, env=env),
               "stats": subprocess.Popen([*manage, "stats_refresh", "--loop", "30"], cwd=ROOT, env=env),
               # the 倒逼 index folded every 30 s on its own; the check (minutes at this density:
               # 10M events in 288 grids is ~95 reports per grid a day) every 10 minutes, as deployed
               "倒逼 index": subprocess.Popen([*manage, "crosscheck", "--index-only", "--loop", "30"], cwd=ROOT,
                                            env=env),
               "倒逼": subprocess.Popen([*manage, "crosscheck", "--days", "1", "--loop", "600"], cwd=ROOT, env=env)}
    server = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                               "--port", str(PORT), "--workers", "2", "--blocking-threads", "4",
                               "--log-level", "warning", "config.wsgi:application"], cwd=ROOT, env=env)
    samples: list[tuple[float, dict]] = []
    try:
        for _ in range(150):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)   # one patient probe (intake.py)
                c.request("GET", "/api/openapi.json")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        load = Load(token, points, f"p{time.time_ns()}")
        cookies = [(session_cookie(u), pages) for u, pages in staff_pages()]
        for i in range(8):                              # warm-up: caches, grid index, templates
            load.report(-1 - i, time.perf_counter())
        load.report_ms.clear()
        load.report_status.clear()
        seconds = args.minutes * 60
        start = time.perf_counter()
        until = start + seconds
        stop = threading.Event()

        def sample():
            with psycopg.connect(URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
                cur = conn.cursor()
                while not stop.is_set():
                    samples.append((time.perf_counter() - start, lags(cur)))
                    stop.wait(10)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        total = int(seconds * args.rate)
        rng = random.Random(7)
        with ThreadPoolExecutor(max_workers=args.staff) as staff_pool, \
                ThreadPoolExecutor(max_workers=max(8, int(args.rate))) as report_pool:
            for k in range(args.staff):
                cookie, pages = cookies[k % len(cookies)]
                staff_pool.submit(load.browse, cookie, pages, until, args.think, random.Random(k))
            for i in range(total):
                report_pool.submit(load.report, i, start + i / args.rate + rng.random() / args.rate / 10)
        elapsed = time.perf_counter() - start
        stop.set()
        sampler.join(15)
    finally:
        server.terminate()
        for w in workers.values():
            w.terminate()
        server.wait(15)
        for w in workers.values():
            w.wait(60)

    ok = load.report_status.get(201, 0)
    print(f"\nreports: {ok:,} of {total:,} answered 201 over the {seconds:.0f}s offered ({elapsed:.0f}s until the "
          f"last answer) = {ok / seconds:.1f}/s "
          f"(offered {args.rate:g}/s); other answers: "
          f"{ {k: v for k, v in load.report_status.items() if k != 201} or 'none'}")
    print(f"report latency from when due: p50 {pct(load.report_ms, .5):.0f} ms, p95 {pct(load.report_ms, .95):.0f} "
          f"ms, p99 {pct(load.report_ms, .99):.0f} ms")
    pages = sum(len(v) for v in load.page_ms.values())
    print(f"staff pages: {pages:,} ({pages / elapsed:.1f}/s); answers {dict(load.page_status)}")
    for path, ms in sorted(load.page_ms.items()):
        print(f"  {path:12s} n={len(ms):5d}  p50 {pct(ms, .5):6.0f} ms  p95 {pct(ms, .95):6.0f} ms")
    print(f"all pages p95: {pct([x for v in load.page_ms.values() for x in v], .95):.0f} ms (target < 300 ms)")
    # A worker that keeps up is behind by at most about one period (its sleep plus a round): in
    # seconds, or in the timeline rows written meanwhile (one per report, plus the workers' own).
    periods = {"sweep": 30 + 60, "stats": 30, "倒逼 index": 30}
    print("worker lag, sampled every 10 s (median / worst / last; GREW = the last third's median is over twice "
          "the first third's and over two periods' worth):")
    third = max(1, len(samples) // 3)
    for key in samples[0][1] if samples else []:
        xs = [s[key] for _, s in samples]
        first, last = statistics.median(xs[:third]), statistics.median(xs[-third:])
        period = periods.get(key.split(":")[0], 60)
        bound = 2 * period if key.endswith("(s)") else 2 * period * args.rate + 100
        grew = last > 2 * max(first, 1) and last > bound
        print(f"  {key:32s} {statistics.median(xs):10.0f} / {max(xs):10.0f} / {xs[-1]:10.0f}   "
              f"{'GREW' if grew else 'steady'}")
    rate = ok / seconds
    headroom = f"{args.rate / flat:.3f}" if flat else "n/a (no 201 within wrk's 10 s timeout: the host is saturated)"
    print(f"\nsustained {rate:.1f}/s of {args.rate:g}/s offered = {rate / args.rate:.3f}; offered ÷ bare ceiling "
          f"{args.rate / ceiling:.3f}, offered ÷ our flat-out intake {headroom} (the headroom left "
          f"for a peak while staff and workers run)")
    with open("/proc/loadavg") as f:
        print(f"host load while measuring (1/5/15 min): {' '.join(f.read().split()[:3])} on {os.cpu_count()} cores")
    print(f"offered ÷ province typhoon peak: {args.rate / PROVINCE_PEAK:.2f} ({PROVINCE_PEAK}/s for ~40M people) on "
          f"{os.cpu_count()} shared cores, with {Event.objects.count():,} events stored")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size: {cur.fetchone()[0]}")


if __name__ == "__main__":
    main()
