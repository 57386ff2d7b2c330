"""What one report costs the server process, counted in CPU instructions (valgrind's callgrind):
a figure that stays put however busy the shared host is, unlike events/s.

    .venv/bin/python bench/intake_cost.py [--requests 100]

The WSGI application (config.wsgi, as granian calls it) is driven in process on PostgreSQL;
callgrind counts only the measured requests (instrumentation is switched on around them).
Prints instructions per request for:
  - the same token report through the full middleware stack (a cookie sends it there) and through
    the lean token path, and their ratio;
  - the floor: an authenticated POST refused by validation (Django, ninja, auth; no service);
and the share of the 201 that is the service's own work.  PostgreSQL's side is not counted here:
bench/intake.py measures it (CPU per report) and pgbench on the statement itself.
"""
import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from _pg import ROOT, build_district, fresh_database

CASES = {
    "full stack 201": ("POST", True, True),
    "lean path 201": ("POST", True, False),
    "lean path 422 (floor)": ("POST", False, False),
}


def drive(case: str, n: int, token: str, points: list) -> None:
    """Runs under callgrind: warm up, then n requests with instrumentation on."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.wsgi import application
    method, valid, cookie = CASES[case]
    run, counter = f"c{time.time_ns()}", iter(range(10**9))

    def one():
        i = next(counter)
        lon, lat = points[i % len(points)]
        payload = ({"kind": "complaint", "category": "urban-appearance", "lon": lon, "lat": lat,
                    "description": "小区门口垃圾堆积多日无人清运", "client_key": f"{run}-{i}"} if valid
                   else {"kind": "no-such-kind"})
        body = json.dumps(payload).encode()
        environ = {"REQUEST_METHOD": method, "PATH_INFO": "/api/events", "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
                   "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
                   "HTTP_AUTHORIZATION": f"Bearer {token}"}
        if cookie:
            environ["HTTP_COOKIE"] = "theme=light"     # any cookie: the full middleware stack
        status = []
        b"".join(application(environ, lambda s, h: status.append(s)))
        assert status[0][:3] == ("201" if valid else "422"), status

    for _ in range(30):
        one()
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
    for _ in range(n):
        one()
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True, check=True)


def count(case: str, n: int, env: dict) -> float:
    out = os.path.join(env["GZ_TMP"], "callgrind.out")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                        sys.executable, __file__, "--drive", case, "--requests", str(n)],
                       capture_output=True, text=True, env=env, cwd=ROOT)
    m = re.search(r"Collected : (\d+)", r.stderr)
    if r.returncode != 0 or not m:
        sys.exit(f"{case}: callgrind run failed\n{r.stderr[-2000:]}")
    return int(m.group(1)) / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--drive", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.drive:
        sys.path.insert(0, str(ROOT))
        drive(args.drive, args.requests, os.environ["GZ_TOKEN"], json.loads(os.environ["GZ_POINTS"]))
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is needed: apt-get install -y valgrind")
    url = fresh_database()
    d = build_district()
    from shapely.geometry import shape

    from gongzhi.accounts.models import ApiToken
    token = ApiToken.issue(d.users["resident1"], "bench")
    points = [list(shape(g.geometry).representative_point().coords[0]) for g in d.grids]
    env = {**os.environ, "GONGZHI_DATABASE_URL": url, "GONGZHI_DEBUG": "0", "GONGZHI_SECRET_KEY": "bench",
           "GONGZHI_ALLOWED_HOSTS": "127.0.0.1", "GONGZHI_LOG_LEVEL": "WARNING", "GZ_TOKEN": token,
           "GZ_POINTS": json.dumps(points), "GZ_TMP": tempfile.mkdtemp()}
    figures = {case: count(case, args.requests, env) for case in CASES}
    for case, instr in figures.items():
        print(f"{case:24s} {instr / 1e6:6.2f} M instructions per request")
    full, lean, floor = figures["full stack 201"], figures["lean path 201"], figures["lean path 422 (floor)"]
    print(f"lean / full stack:       {lean / full:.3f}")
    print(f"the service's share:     {(lean - floor) / lean:.0%} of a lean 201 (validate, locate, route, "
          "write, answer); the rest is HTTP→WSGI→Django→ninja→auth")


if __name__ == "__main__":
    main()
