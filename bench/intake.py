"""Intake through HTTP on PostgreSQL, served by granian WSGI, next to pgbench's insert TPS.

    .venv/bin/python bench/intake.py [--seconds 15] [--connections 16] [--workers 2] [--threads 2]

1. Fresh database with the demo district; an API token for a resident.
2. pgbench: single-row INSERT TPS on the same server (the ceiling for one-row writes).
3. granian WSGI serving gongzhi; wrk (bench/intake.lua) POSTs /api/events, each a new report with
   its own idempotency key: authenticate, locate the grid, route, validate, insert event + timeline
   row, answer 201 with the event's detail. The rows stored are counted against the 201 answers.
4. The bare ceiling (bench/bare_intake.py): the same granian, wrk and statement with no Django and
   no domain work, so the host's own limit is measured in the same minutes; ours and the bare
   ceiling take turns for ``--rounds`` rounds, on a table pre-filled with ``--rows`` events.
Prints events/s, latency percentiles, the ratios to the bare ceiling and to pgbench, errors (must
be 0), and the CPU each report cost the server and PostgreSQL (from /proc, so the figure holds
whatever else the shared host is doing) with the rate that CPU budget allows on this machine's cores.
"""
import argparse
import http.client
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from _pg import DB, ROOT, build_district, fresh_database

PORT = 8123
LUA = ROOT / "bench" / "intake.lua"


def cpu_by_program() -> dict[str, float]:
    """CPU seconds used so far by the server's processes (granian) and PostgreSQL's (backends,
    WAL writer, checkpointer...), read from /proc: where a report's time goes, independent of
    how busy the shared host is."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"granian": 0.0, "postgres": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        rest = stat[stat.rindex(")") + 2:].split()
        seconds = (int(rest[11]) + int(rest[12])) / tick
        if comm == "postgres":
            used["postgres"] += seconds
        elif b"granian" in cmdline and (b"config.wsgi" in cmdline or b"bare_intake" in cmdline):
            used["granian"] += seconds
    return used


def wrk(seconds: int, connections: int, env: dict) -> dict:
    """Drive the server with wrk (C, event loop): the load generator takes little of the 2 cores."""
    env = {**env, "GZ_RUN": f"r{time.time_ns()}"}
    r = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                        "-s", str(LUA), f"http://127.0.0.1:{PORT}"], capture_output=True, text=True, env=env,
                       check=True)
    line = next(x for x in r.stdout.splitlines() if x.startswith("GZ_RESULT"))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def pgbench_tps(seconds: int) -> float:
    import psycopg
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DB}", autocommit=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_insert (id bigserial primary key, payload text, at timestamptz)")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("INSERT INTO bench_insert (payload, at) VALUES ('基准', now());\n")
    r = subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", "8", "-j", "2", "-T",
                        str(seconds), "-f", f.name, DB], capture_output=True, text=True, check=True)
    return float(re.search(r"tps = ([\d.]+)", r.stdout).group(1))


def intake_statement(user, lon: float, lat: float) -> dict:
    """The intake's own INSERT (event + first timeline row) and its two JSON rows, made by
    gongzhi's code from one real report; the event's number is left as @N@."""
    from django.utils import timezone

    from gongzhi.core import rows
    from gongzhi.events import intake, writes
    data = intake.ReportInput(kind="complaint", category="urban-appearance", description="小区门口垃圾堆积多日无人清运",
                              lon=lon, lat=lat)
    event, action = intake._prepare(user, data, data.digest(), timezone.now())
    event.number = "@N@"
    return {"sql": writes._sql("postgresql")[0], "event": rows.row_json(event).decode(),
            "action": rows.row_json(action, skip=frozenset({"event_id"})).decode()}


def pgbench_intake_statement(seconds: int, stmt: dict) -> float:
    """The intake statement, prepared, straight from pgbench: what PostgreSQL alone could take on
    this machine if no Python ran at all."""
    def literal(text):
        # pgbench reads every ":word" as a variable: the JSON gets spaced separators, and a colon
        # inside a value (a time of day) is written as its JSON escape.
        text = json.dumps(json.loads(text), ensure_ascii=False, separators=(", ", ": "))
        return re.sub(r":(?=\w)", r"\\u003a", text).replace("'", "''")

    row = literal(stmt["event"]).replace('"@N@"', "\"' || :n || '\"")
    script = "\\set n random(1, 999999999999)\n" + stmt["sql"].replace("%s::json", f"('{row}')::json", 1).replace(
        "%s::json", f"('{literal(stmt['action'])}')::json", 1) + ";\n"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    r = subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", "8", "-j", "2", "-T",
                        str(seconds), "-M", "prepared", "-f", f.name, DB], capture_output=True, text=True, check=True)
    return float(re.search(r"tps = ([\d.]+)", r.stdout).group(1))


def serve_and_drive(app: str, env: dict, args) -> tuple[dict, dict, int]:
    """Serve `app` with granian, warm it up, drive it with wrk: (wrk's figures, CPU ms per 201 by
    program, rows stored)."""
    from gongzhi.events.models import Event
    # granian binds with SO_REUSEPORT: a server left from an interrupted run would silently share
    # the port and take half the connections (that run's database is gone, so they hang).
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            sys.exit(f"port {PORT} is in use (a server left from an interrupted run?): stop it first")
    server = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                               "--port", str(PORT), "--workers", str(args.workers),
                               "--blocking-threads", str(args.threads), "--backpressure", str(args.threads * 4),
                               "--log-level", "warning", *args.granian.split(), app],
                              cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                # One patient probe: a 2 s timeout abandoned and re-sent the schema build (2–10 s of
                # CPU each before it was cached) until the workers did nothing else.
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                c.request("GET", "/api/openapi.json")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        wrk(2, 4, env)            # warm-up: every worker loads its grid index and rule caches
        before = Event.objects.count()
        cpu0, wrk0 = cpu_by_program(), resource.getrusage(resource.RUSAGE_CHILDREN)
        res = wrk(args.seconds, args.connections, env)
        cpu1, wrk1 = cpu_by_program(), resource.getrusage(resource.RUSAGE_CHILDREN)
        stored = Event.objects.count() - before
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:      # a loaded host: do not lose the run's figures to a slow exit
            server.kill()
            server.wait(10)
    n = max(res["created"], 1)
    ms = {k: 1000 * (cpu1[k] - cpu0[k]) / n for k in cpu0}
    ms["wrk"] = 1000 * (wrk1.ru_utime + wrk1.ru_stime - wrk0.ru_utime - wrk0.ru_stime) / n
    return res, ms, stored


def cpu_line(ms: dict, rate: float) -> str:
    total = sum(ms.values())
    return (f"granian {ms['granian']:.2f} ms + PostgreSQL {ms['postgres']:.2f} ms + wrk {ms['wrk']:.2f} ms = "
            f"{total:.2f} ms; busy {total * rate / 1000:.2f} of {os.cpu_count()} cores"
            f" → {os.cpu_count() * 1000 / total:,.0f} reports/s if all were ours")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=16, help="wrk connections")
    ap.add_argument("--workers", type=int, default=2, help="granian worker processes")
    ap.add_argument("--threads", type=int, default=2, help="granian blocking threads per worker")
    ap.add_argument("--granian", default="", help="extra granian options, e.g. '--runtime-mode st'")
    ap.add_argument("--rounds", type=int, default=3, help="ours and the bare ceiling, taking turns")
    ap.add_argument("--rows", type=int, default=1_000_000, help="events stored before the first round")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    url = fresh_database()
    d = build_district()
    from shapely.geometry import shape

    from gongzhi.accounts.models import ApiToken
    token = ApiToken.issue(d.users["resident1"], "bench")
    points = ";".join("{:.6f},{:.6f}".format(*shape(g.geometry).representative_point().coords[0]) for g in d.grids)

    tps = pgbench_tps(args.seconds)
    print(f"pgbench single-row INSERT: {tps:,.0f} tps (8 clients)")
    first = shape(d.grids[0].geometry).representative_point()
    stmt = intake_statement(d.users["resident1"], first.x, first.y)
    own = pgbench_intake_statement(args.seconds, stmt)
    print(f"pgbench intake statement:  {own:,.0f} tps (8 clients, prepared: PostgreSQL alone, no Python)")

    env = {**os.environ, "GONGZHI_DATABASE_URL": url, "GONGZHI_DEBUG": "0", "GONGZHI_SECRET_KEY": "bench",
           "GONGZHI_ALLOWED_HOSTS": "127.0.0.1", "GONGZHI_LOG_LEVEL": "WARNING",
           "GZ_TOKEN": token, "GZ_POINTS": points}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(stmt, f)
    bare_env = {**env, "GZ_BARE": f.name, "PYTHONPATH": str(ROOT / "bench")}
    if args.rows:
        from django.utils import timezone

        from gongzhi.stats.generate import generate
        generate(args.rows, end=timezone.localdate(), days=365, seed=11)
        print(f"table pre-filled with {args.rows:,} generated events (in report order)")
    # Ours and the bare ceiling take turns (issue 18): a shared host's slow minute then falls on
    # both, and the ratio is the median of the rounds' ratios.
    ratios = []
    for k in range(args.rounds):
        res, ms, stored = serve_and_drive("config.wsgi:application", env, args)
        bare, bare_ms, _ = serve_and_drive("bare_intake:application", bare_env, args)
        ratios.append(res["created"] / max(bare["created"], 1))
        print(f"round {k + 1}: ours {res['created'] / args.seconds:,.0f}/s, "
              f"bare {bare['created'] / args.seconds:,.0f}/s, ratio {ratios[-1]:.3f}")
    rate = res["created"] / args.seconds
    bare_rate = bare["created"] / args.seconds

    print(f"intake over HTTP:          {rate:,.0f} events/s ({int(res['created']):,} events in {args.seconds}s, "
          f"wrk {args.connections} connections, {args.workers} granian workers × {args.threads} threads)")
    print(f"latency:                   p50 {res['p50']:.1f} ms, p95 {res['p95']:.1f} ms, p99 {res['p99']:.1f} ms")
    print(f"rows stored / 201 answers: {stored:,} / {int(res['created']):,}")
    print(f"CPU per report:            {cpu_line(ms, rate)}")
    print(f"errors:                    {int(res['other'])} non-201, {int(res['errors'])} socket errors")
    print(f"bare ceiling over HTTP:    {bare_rate:,.0f} events/s (bench/bare_intake.py: granian + psycopg + the same "
          f"statement; no Django, no validation, no routing; {int(bare['other'] + bare['errors'])} errors)")
    print(f"  its CPU per report:      {cpu_line(bare_ms, bare_rate)}")
    print(f"ratio intake/bare ceiling: {rate / bare_rate:.3f} in the last round, median of {len(ratios)} interleaved "
          f"rounds {statistics.median(ratios):.3f}  (the share of the bare rate left once gongzhi's own Python runs; "
          "target ≥ 0.6)")
    print(f"ratio intake/own statement: {rate / own:.3f}  (the statement alone in pgbench, no HTTP or Python)")
    print(f"ratio intake/pgbench:      {rate / tps:.3f}  (each intake: one prepared statement writing 2 rows, "
          "up to 19 index entries, 8 foreign-key checks)")
    print(f"target ≥ 800 events/s:     {'MET' if rate >= 800 else 'NOT MET'}"
          f"{'' if bare_rate >= 800 else f' (the bare ceiling itself is {bare_rate:,.0f}/s here)'}")


if __name__ == "__main__":
    main()
