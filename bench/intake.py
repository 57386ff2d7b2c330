"""Intake through HTTP on PostgreSQL, served by granian WSGI, next to pgbench's insert TPS.

    .venv/bin/python bench/intake.py [--seconds 15] [--clients 16] [--workers 2]

1. Fresh database with the demo district; an API token for a resident.
2. pgbench: single-row INSERT TPS on the same server (the ceiling for one-row writes).
3. granian WSGI serving gongzhi; client processes POST /api/events (each a new report with its
   own idempotency key: locate grid, route, validate, insert event + timeline row).
Prints events/s, latency percentiles, the ratio to pgbench, and errors (must be 0).
"""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import subprocess
import sys
import tempfile
import time

from _pg import DB, ROOT, build_district, fresh_database

PORT = 8123


def client(token, points, seconds, threads, out):
    import threading
    lat, errors, ok = [], [], [0]
    lock = threading.Lock()
    deadline = time.time() + seconds

    def run(tid):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        rnd = random.Random(os.getpid() * 100 + tid)
        n = 0
        while time.time() < deadline:
            lon, lat_ = rnd.choice(points)
            body = json.dumps({"kind": "complaint", "category": "urban-appearance", "lon": lon, "lat": lat_,
                               "description": "小区门口垃圾堆积多日无人清运", "client_key": f"{os.getpid()}-{tid}-{n}"})
            n += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/events", body, {"Content-Type": "application/json",
                                                           "Authorization": f"Bearer {token}"})
                r = conn.getresponse()
                r.read()
                status = r.status
            except (OSError, http.client.HTTPException) as exc:
                status = repr(exc)
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            dt = time.perf_counter() - t0
            with lock:
                if status == 201:
                    ok[0] += 1
                    lat.append(dt)
                else:
                    errors.append(status)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((ok[0], lat, errors[:5], len(errors)))


def pgbench_tps(seconds: int) -> float:
    import psycopg
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DB}", autocommit=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_insert (id bigserial primary key, payload text, at timestamptz)")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("INSERT INTO bench_insert (payload, at) VALUES ('基准', now());\n")
    r = subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", "8", "-j", "2", "-T",
                        str(seconds), "-f", f.name, DB], capture_output=True, text=True, check=True)
    return float(re.search(r"tps = ([\d.]+)", r.stdout).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--clients", type=int, default=2, help="client processes")
    ap.add_argument("--threads", type=int, default=8, help="threads per client process")
    ap.add_argument("--workers", type=int, default=2, help="granian worker processes")
    args = ap.parse_args()
    url = fresh_database()
    d = build_district()
    from shapely.geometry import shape

    from gongzhi.accounts.models import ApiToken
    token = ApiToken.issue(d.users["resident1"], "bench")
    points = [tuple(shape(g.geometry).representative_point().coords[0]) for g in d.grids]

    tps = pgbench_tps(args.seconds)
    print(f"pgbench single-row INSERT: {tps:,.0f} tps (8 clients)")

    env = {**os.environ, "GONGZHI_DATABASE_URL": url, "GONGZHI_DEBUG": "0", "GONGZHI_SECRET_KEY": "bench",
           "GONGZHI_ALLOWED_HOSTS": "127.0.0.1", "GONGZHI_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                               "--port", str(PORT), "--workers", str(args.workers), "--blocking-threads", "4",
                               "--log-level", "warning", "config.wsgi:application"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                c.request("GET", "/api/openapi.json")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        # Warm-up: every worker loads its grid index and rule caches.
        q = mp.Queue()
        warm = mp.Process(target=client, args=(token, points, 2, 4, q))
        warm.start()
        q.get()
        warm.join()
        q = mp.Queue()
        procs = [mp.Process(target=client, args=(token, points, args.seconds, args.threads, q))
                 for _ in range(args.clients)]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        elapsed = time.perf_counter() - t0
        for p in procs:
            p.join()
    finally:
        server.terminate()
        server.wait(10)
    ok = sum(r[0] for r in results)
    lat = sorted(x for r in results for x in r[1])
    nerr = sum(r[3] for r in results)
    rate = ok / args.seconds
    print(f"intake over HTTP:          {rate:,.0f} events/s ({ok:,} events in {args.seconds}s, "
          f"{args.clients}×{args.threads} client threads, {args.workers} granian workers)")
    if lat:
        pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
        print(f"latency:                   p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms")
    print(f"ratio intake/pgbench:      {rate / tps:.3f}  (each intake writes 2 rows and does ~10 queries)")
    print(f"errors:                    {nerr} {[r[2] for r in results if r[2]]}")
    print(f"target ≥ 800 events/s:     {'MET' if rate >= 800 else 'NOT MET'}")
    print(f"(elapsed incl. start-up {elapsed:.1f}s)")


if __name__ == "__main__":
    main()
