"""Two app nodes and two SLA sweep workers — four real processes — on one PostgreSQL database.

The topology of docs/deployment.md in small: two ``granian`` processes serving
``config.wsgi:application`` on two ports, two ``gongzhi sla-sweep --loop`` workers, all given the
same GONGZHI_DATABASE_URL (this test's database) and the same secret key.  The test commits its
data (transaction=True) so the other processes see it.

The sweep command takes no ``--at`` and a granian worker cannot be time-travelled, so instead of
moving "now" the test moves the stored deadlines: once every process is up, each event's sign and
handle clocks and each case's clock are set to turn yellow and red a second or a few from now,
staggered, while the apps sign, note and resolve the same events head-on from both nodes (two
handlers, one per node, swapping nodes per event).  Then it checks, row by row:

- no double flip: per clock run (the stretch of timeline between two actions that restart the
  clock) at most one 黄灯 and one 红灯 row, never early, none for a flag the run started with,
  and exactly the ones due for the last run (a final sweep afterwards has nothing left to do);
  each auto-escalation closes a run that went red, once;
- no lost action, no phantom: every 2xx answer has its timeline row exactly once (notes and
  results carry a unique marker, signs their user), every refusal left none, at most one sign
  and one 办结 per event;
- the statuses chain from row to row and each event's version is its starting version plus one
  per action row; the workers' own counts equal the rows written.

Real wall-clock time is used (no time travel): a working year the calendar package does not know
gets an empty CalendarYear row first, so the escalations' fresh deadlines can be computed in any
year the suite runs.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.casework.models import CaseLog
from gongzhi.core.models import CalendarYear
from gongzhi.events import rules
from gongzhi.events.models import Event, EventAction
from gongzhi.legalaid.models import Application
from gongzhi.mediation.models import Case

from ..casework.test_clocks import accepted_case
from ..casework.test_clocks_concurrency import _copies
from ..casework.test_legalaid import apply
from ..events.test_sweep_concurrency import _due_events

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
N_EVENTS, N_CASES = 32, 12
USERS = ("grid111", "police11")        # both handle grid 1's events
FLIPS = ("sla_yellow", "sla_red")
# Every action but these restarts the running clock (sign → 办理, 办结 → 核查, auto-escalation → 签收).
SAME_RUN = {"note", *FLIPS}
LEAD = 0.5                              # seconds from T0 to the plan's time 0 (the deadlines being written)
WORKERS_STOP = LEAD + 4.6               # seconds after T0: every deadline below has passed
REFUSALS = {403, 404, 409, 422}


@pytest.fixture(autouse=True)
def _monday_morning():
    """Overrides tests/conftest.py: the other processes run on the real clock, so this one does too."""
    yield


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("several processes writing one database at once: PostgreSQL's test "
                    "(SQLite allows one writer and is the single-machine setup)")


# ---- the processes -------------------------------------------------------------------------------

class Proc:
    """A child process in its own process group, its output in files (a full pipe would block it)."""

    def __init__(self, name: str, argv: list[str], env: dict, tmp: Path):
        self.name = name
        self.out_path, self.err_path = tmp / f"{name}.out", tmp / f"{name}.err"
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def errors(self) -> str:
        return self.err_path.read_text(errors="replace")

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM to its group (a sweep worker finishes its round; granian stops its worker), then
        SIGKILL if it does not go."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        return self.proc.returncode

    def report(self) -> str:
        return f"--- {self.name} (exit {self.proc.poll()}) stderr:\n{self.errors()[-3000:]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    d = connection.settings_dict          # the test database pytest-django made
    auth = quote(d["USER"]) + (f":{quote(d['PASSWORD'])}" if d["PASSWORD"] else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{quote(d['NAME'])}"


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATABASE_URL=_database_url(), GONGZHI_SECRET_KEY=secrets.token_urlsafe(50),
               GONGZHI_VAR_DIR=str(tmp / "var"), GONGZHI_MEDIA_ROOT=str(tmp / "media"),
               GONGZHI_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
    return env


def call(port: int, key: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, f"/api{path}", body=None if body is None else json.dumps(body).encode(),
                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data and r.getheader("Content-Type", "").startswith(
            "application/json") else None
    finally:
        conn.close()


def _wait_ready(procs: list[Proc], apps: dict[str, int], key: str, workers: list[Proc], limit: float = 30) -> None:
    """Each app answers a token call (the database behind it included) and each worker has swept once."""
    deadline = time.monotonic() + limit
    pending_apps, pending_workers = dict(apps), list(workers)
    while pending_apps or pending_workers:
        dead = [p for p in procs if p.proc.poll() is not None]
        assert not dead, "a process died while starting:\n" + "\n".join(p.report() for p in dead)
        assert time.monotonic() < deadline, ("not ready in time: " + ", ".join([*pending_apps, *(
            w.name for w in pending_workers)]) + "\n" + "\n".join(p.report() for p in procs))
        for name, port in list(pending_apps.items()):
            try:
                if call(port, key, "GET", "/me")[0] == 200:
                    del pending_apps[name]
            except OSError:
                pass
        pending_workers = [w for w in pending_workers if not _rounds(w)]
        time.sleep(0.1)


_ROUND = [re.compile(r"^yellow=(\d+) red=(\d+) escalated=(\d+) failed=(\d+)"),
          re.compile(r"mediation: yellow=(\d+) red=(\d+)"), re.compile(r"legal_aid: yellow=(\d+) red=(\d+)")]


def _rounds(worker: Proc) -> list[tuple[int, ...]]:
    """One tuple per round the worker printed (``sla-sweep``'s line): events (yellow, red,
    escalated, failed), mediation (yellow, red), legal aid (yellow, red)."""
    out = []
    for line in worker.output().splitlines():
        found = [p.search(line) for p in _ROUND]
        if all(found):
            out.append(tuple(int(x) for m in found for x in m.groups()))
    return out


def _two_more_rounds(workers: list[Proc], limit: float = 20) -> None:
    seen = {w.name: len(_rounds(w)) for w in workers}
    deadline = time.monotonic() + limit
    while any(len(_rounds(w)) < seen[w.name] + 2 for w in workers):
        assert time.monotonic() < deadline, "\n".join(w.report() for w in workers)
        time.sleep(0.05)


def _warm_up(ports: list[int], keys: list[str], event_id: int) -> None:
    """Each node's threads open their database connection and load the event detail's code once,
    so the first head-on actions are not late by a cold start."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda k: call(ports[k % 2], keys[k // 2 % 2], "GET", f"/events/{event_id}")[0],
                            range(16)))
    assert set(got) == {200}, got


# ---- the data ------------------------------------------------------------------------------------

def _known_years() -> None:
    """The escalations compute fresh deadlines on today's real date: make sure its year is known."""
    cal = rules.calendar()
    for year in {timezone.localdate().year, timezone.localdate().year + 1}:
        if not cal.knows(year):
            CalendarYear.objects.create(year=year, holidays=[], workdays=[], notice="test: a plain year")
    rules.invalidate()          # this process's copy; the others read the table after the commit


def _park(model, later: datetime) -> None:
    """Deadlines out of the way while the processes start (the rows' real ones are long past)."""
    model.objects.update(warn_at=later, due_at=later, sla_flag="green")


def _stagger(t0: datetime, x: float, start: float) -> tuple[datetime, datetime]:
    """A clock that turns yellow ``start`` + 1.2·x seconds after T0 (x in [0, 1)) and red 0.6 s later."""
    warn = t0 + timedelta(seconds=LEAD + start + 1.2 * x)
    return warn, warn + timedelta(seconds=0.6)


class Plan:
    """What the app nodes do, by event group, in seconds after T0 + LEAD, x = i/n (deadlines: the sign
    clock yellow at 0.6 + 1.2x, red 0.6 s later; the handle clock yellow at 2.0 + 1.2x, red 0.6 s
    later):

    0  nothing: yellow, red and auto-escalation by the workers alone;
    1  sign head-on at once; then, from both handlers at the same instant, a note while the
       handle clock is green, one while it is yellow and one as it goes red and the workers
       escalate (simultaneous notes collide: one of the two is a 409);
    2  sign head-on at once, 办结 head-on before the handle clock warns;
    3  sign head-on around the moment the sign clock goes red (−120 … +40 ms), against the
       workers' flip and escalation; then a note each.
    """

    def __init__(self, ids: list[int]):
        self.ids = ids
        self.n = len(ids)
        self.deadlines: dict[int, dict[str, tuple[datetime, datetime]]] = {}
        self.jobs: list[tuple[float, str, int, int]] = []        # (t, kind, event, handler 0/1)

    def build(self, t0: datetime) -> None:
        for i, ev in enumerate(self.ids):
            x = i / self.n
            sign, handle = _stagger(t0, x, 0.6), _stagger(t0, x, 2.0)
            self.deadlines[ev] = {"sign": sign, "handle": handle}
            red = (sign[1] - t0).total_seconds() - LEAD
            g = i % 4
            if g == 1:
                self._both(0.2 + 0.3 * x, "sign", ev)
                for t in (1.2 + 1.4 * x, 2.2 + 1.4 * x, 2.8 + 1.4 * x):
                    self._both(t, "note", ev)
            elif g == 2:
                self._both(0.1 + 0.3 * x, "sign", ev)
                self._both(1.0 + 0.8 * x, "resolve", ev)
            elif g == 3:
                self._both(red - 0.12 + 0.16 * ((i // 4) % 4) / 3, "sign", ev)
                self._both(red + 0.5, "note", ev)
        self.jobs.sort()

    def _both(self, t: float, kind: str, ev: int) -> None:
        for who in (0, 1):
            self.jobs.append((LEAD + t, kind, ev, who))


def _drive(plan: Plan, t0_mono: float, nodes: list[int], keys: list[str]) -> list[dict]:
    """Fire the plan's jobs at their times; handler k of event i goes through node (i + k) % 2."""
    answers: list[dict] = []
    lock = threading.Lock()
    seq = Counter()

    def job(kind: str, ev: int, who: int, marker: str) -> None:
        port, key = nodes[(ev + who) % 2], keys[who]
        rec = {"kind": kind, "event": ev, "user": USERS[who], "node": (ev + who) % 2, "marker": marker}
        try:
            if kind == "note":
                rec["status"], body = call(port, key, "POST", f"/events/{ev}/notes", {"note": marker})
            else:
                got, read = call(port, key, "GET", f"/events/{ev}")
                if got != 200:
                    rec["status"], body = None, read       # could not even read it: no action sent
                    rec["read"] = got
                else:
                    payload = {"version": read["version"]}
                    if kind == "resolve":
                        payload["result"] = marker
                    rec["status"], body = call(port, key, "POST", f"/events/{ev}/{kind}", payload)
            rec["code"] = (body or {}).get("code")
        except Exception as exc:      # noqa: BLE001 — recorded, fails the test below with its context
            rec["status"], rec["error"] = None, repr(exc)
        with lock:
            answers.append(rec)

    with ThreadPoolExecutor(max_workers=16) as pool:
        for t, kind, ev, who in plan.jobs:
            seq[(kind, ev, who)] += 1
            marker = f"{kind}-{USERS[who]}-{ev}-{seq[(kind, ev, who)]}"
            delay = t0_mono + t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(job, kind, ev, who, marker)
    return answers


# ---- the checks ----------------------------------------------------------------------------------

def _flag_when(at: datetime, warn: datetime, due: datetime) -> str:
    """The flag a clock has at ``at``, written out from the rule: red once past due, yellow from warn."""
    return "red" if at > due else "yellow" if at >= warn else "green"


def _runs(rows: list[dict]) -> list[tuple[dict | None, list[dict]]]:
    """Split one event's new timeline rows into clock runs: (the row that started the run or None
    for the run in progress at T0, the notes and flips inside it)."""
    runs: list[tuple[dict | None, list[dict]]] = [(None, [])]
    for r in rows:
        if r["action"] in SAME_RUN:
            runs[-1][1].append(r)
        else:
            runs.append((r, []))
    return runs


def _check_event(ev: Event, rows: list[dict], deadlines: dict, t0: datetime, end: datetime) -> list[str]:
    problems = []
    say = problems.append
    # Statuses chain and versions count the actions.
    status = "dispatched"
    for r in rows:
        if r["from_status"] != status:
            say(f"row {r['id']} {r['action']} from {r['from_status']}, but the event was {status}")
        if r["action"] in FLIPS and r["from_status"] != r["to_status"]:
            say(f"flip {r['id']} changed the status")
        status = r["to_status"]
    if ev.status != status:
        say(f"event is {ev.status}, its timeline ends in {status}")
    actions = sum(1 for r in rows if r["action"] not in FLIPS)
    if ev.version != 3 + actions:
        say(f"version {ev.version} after {actions} actions from version 3")
    runs = _runs(rows)
    escalated = False
    for k, (start, inside) in enumerate(runs):
        last = k == len(runs) - 1
        if start is None:
            (warn, due), began, flag = deadlines["sign"], t0, "green"
        elif start["action"] == "sign" and not escalated:
            (warn, due), began = deadlines["handle"], start["at"]
            flag = _flag_when(began, warn, due)
        elif last:       # a fresh clock from the time-limit table (escalation restarts them all): the row holds it
            warn, due, began = ev.warn_at, ev.due_at, start["at"]
            flag = _flag_when(began, warn, due) if warn else "green"
        else:
            warn = due = None
            began, flag = start["at"], None
        escalated = escalated or bool(start and start["action"] == "auto_escalate")
        name = f"run {k} ({start['action'] if start else 'at T0'})"
        flips = Counter(r["action"] for r in inside if r["action"] in FLIPS)
        if flips["sla_yellow"] > 1 or flips["sla_red"] > 1:
            say(f"{name}: double flip {dict(flips)}")
        order = [r["action"] for r in inside if r["action"] in FLIPS]
        if order == ["sla_red", "sla_yellow"]:
            say(f"{name}: red before yellow")
        if warn is not None:
            for r in inside:
                if r["action"] == "sla_yellow" and r["at"] < warn:
                    say(f"{name}: yellow at {r['at']} before warn {warn}")
                if r["action"] == "sla_red" and r["at"] <= due:
                    say(f"{name}: red at {r['at']} not past due {due}")
        if flag == "yellow" and flips["sla_yellow"]:
            say(f"{name}: started yellow, got a yellow row")
        if flag == "red" and (flips["sla_yellow"] or flips["sla_red"]):
            say(f"{name}: started red, got a flip row")
        if last and warn is not None:
            expected = Counter({"sla_yellow": int(flag == "green" and warn <= end),
                                "sla_red": int(flag != "red" and due < end)})
            if +expected != flips:
                say(f"{name}: flips {dict(flips)}, due by the end: {dict(+expected)}")
        nxt = runs[k + 1][0] if not last else None
        if nxt is not None and nxt["action"] == "auto_escalate" and flips["sla_red"] + (flag == "red") != 1:
            say(f"{name}: escalated without (exactly one) red in the run")
    return problems


def _world(district, as_user) -> tuple[list[int], dict[str, list[int]], list[str]]:
    """The events (dispatched to grid 1, version 3), the cases, two handlers' API keys."""
    from gongzhi.demo.casework import build_casework
    build_casework(district)
    _known_years()
    ids = _due_events(district, N_EVENTS, grids=[0])
    _copies(Case, Case.objects.get(pk=accepted_case(district, as_user)["id"]), N_CASES)
    st, app = apply(as_user, district)
    assert st == 201, app
    _copies(Application, Application.objects.get(pk=app["id"]), N_CASES)
    case_ids = {"mediation": sorted(Case.objects.values_list("id", flat=True)),
                "legalaid": sorted(Application.objects.values_list("id", flat=True))}
    later = timezone.now() + timedelta(days=1)
    for model in (Event, Case, Application):      # the dispute event behind the case too
        _park(model, later)
    return ids, case_ids, [ApiToken.issue(district.users[u], "multinode") for u in USERS]


def _start_clocks(plan: Plan, case_ids: dict[str, list[int]], t0: datetime) -> dict:
    for ev, d in plan.deadlines.items():
        (warn, due), (hwarn, hdue) = d["sign"], d["handle"]
        Event.objects.filter(pk=ev).update(warn_at=warn, due_at=due, handle_warn_at=hwarn, handle_due_at=hdue)
    case_deadlines = {}
    for kind, model in (("mediation", Case), ("legalaid", Application)):
        for i, pk in enumerate(case_ids[kind]):
            warn, due = case_deadlines[(kind, pk)] = _stagger(t0, i / len(case_ids[kind]), 0.6)
            model.objects.filter(pk=pk).update(warn_at=warn, due_at=due)
    return case_deadlines


def test_two_app_nodes_and_two_sweep_workers_double_flip_nothing_and_lose_nothing(district, as_user, tmp_path):
    env, ports, procs = _env(tmp_path), [_free_port(), _free_port()], []
    try:
        # Started first: they take seconds to import, while this process writes the data.
        workers = [Proc(f"sweep{k}", [str(BIN / "gongzhi"), "sla-sweep", "--loop", "0.05", "--batch", "5",
                                          "--skip-checks"],
                        env, tmp_path) for k in (1, 2)]
        apps = [Proc(f"app{k}", [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                                 "--port", str(port), "--workers", "1", "--blocking-threads", "4",
                                 "--log-level", "warning", "config.wsgi:application"], env, tmp_path)
                for k, port in enumerate(ports, 1)]
        procs += workers + apps
        # One transaction: the workers see the rows only once their deadlines are parked (the
        # rows are made on past dates and would be overdue at once).
        with transaction.atomic():
            ids, case_ids, keys = _world(district, as_user)
        setup_rows = EventAction.objects.order_by("-id").values_list("id", flat=True).first() or 0
        setup_logs = CaseLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
        _wait_ready(procs, {a.name: p for a, p in zip(apps, ports, strict=True)}, keys[0], workers)
        _warm_up(ports, keys, ids[0])

        # T0: every process is up.  The clocks start now.
        t0, t0_mono = timezone.now(), time.monotonic()
        plan = Plan(ids)
        plan.build(t0)
        case_deadlines = _start_clocks(plan, case_ids, t0)
        answers = _drive(plan, t0_mono, ports, keys)
        time.sleep(max(0.0, t0_mono + WORKERS_STOP - time.monotonic()))
        _two_more_rounds(workers)      # whatever the last answers made due (on a slow machine too)
        codes = {w.name: w.stop() for w in workers}
        assert codes == {"sweep1": 0, "sweep2": 0}, "\n".join(w.report() for w in workers)
        for a in apps:
            a.stop()
        context = "\n".join(p.report() for p in procs)
    finally:
        for p in procs:
            p.stop()

    # Nothing was left for the workers: a sweep now flips and escalates nothing.
    from gongzhi.events.sweep import sla_sweep
    from gongzhi.ops.sweep import sweep_cases
    end = timezone.now()
    again = sla_sweep(now=end)
    assert (again.yellow, again.red, again.escalated, again.failed) == (0, 0, 0, []), again
    left = sweep_cases(now=end)
    assert {"mediation", "legal_aid"} <= set(left) and set(left.values()) == {(0, 0)}, left

    # ---- every answer: 2xx or a refusal with a code, never a 5xx or a dropped connection
    broken = [a for a in answers if a["status"] is None and a.get("read") not in REFUSALS]
    assert not broken, (broken[:5], context)
    sent = [a for a in answers if a["status"] is not None]
    assert {a["status"] for a in sent} <= {200} | REFUSALS, (Counter(a["status"] for a in sent), context)
    assert all(a["code"] for a in sent if a["status"] != 200), [a for a in sent if a["status"] != 200 and
                                                                  not a["code"]][:5]
    won = [a for a in sent if a["status"] == 200]
    lost = [a for a in sent if a["status"] != 200]
    races = Counter(a["code"] for a in lost if a["status"] == 409)
    # The races really happened: head-on signs and colliding notes lost with a 409.
    assert races["stale_version"] + races["concurrent_update"] >= 3, (Counter((a["status"], a["code"])
                                                                              for a in lost), context)
    assert any(a["kind"] == "sign" for a in won), Counter(a["kind"] for a in won)

    rows = defaultdict(list)
    for r in (EventAction.objects.filter(id__gt=setup_rows).order_by("id")
              .values("id", "event_id", "action", "actor__username", "note", "at", "from_status", "to_status")):
        rows[r["event_id"]].append(r)
    assert set(rows) <= set(ids)

    # ---- no lost action, no phantom
    by_marker = Counter(r["note"] for rs in rows.values() for r in rs if r["action"] in ("note", "resolve"))
    for a in (x for x in sent if x["kind"] in ("note", "resolve")):
        want = 1 if a["status"] == 200 else 0
        assert by_marker[a["marker"]] == want, (a, by_marker[a["marker"]])
    assert sum(by_marker.values()) == sum(1 for a in won if a["kind"] in ("note", "resolve"))
    for kind in ("sign", "resolve"):
        done = Counter((r["event_id"], r["actor__username"]) for rs in rows.values() for r in rs if r["action"] == kind)
        assert done == Counter((a["event"], a["user"]) for a in won if a["kind"] == kind), kind
        assert max(Counter(e for e, _ in done.elements()).values(), default=0) <= 1, f"two {kind}s on one event"
    assert not [r for rs in rows.values() for r in rs if r["action"] not in {
        "sign", "note", "resolve", "auto_escalate", *FLIPS}]

    # ---- no double flip, versions and statuses consistent, per event
    events = Event.objects.in_bulk(ids)
    problems = {ev: p for ev in ids if (p := _check_event(events[ev], rows[ev], plan.deadlines[ev], t0, end))}
    assert not problems, problems
    # The workers ran side by side and each did part of it; their counts are the rows written.
    rounds = {w.name: _rounds(w) for w in workers}
    per_worker = {n: [sum(r[i] for r in rs) for i in range(8)] for n, rs in rounds.items()}
    assert all(sum(c[:3]) + sum(c[4:]) for c in per_worker.values()), per_worker
    total = [sum(c[i] for c in per_worker.values()) for i in range(8)]
    written = Counter(r["action"] for rs in rows.values() for r in rs)
    assert total[:4] == [written["sla_yellow"], written["sla_red"], written["auto_escalate"], 0], (total, written)
    assert written["auto_escalate"] >= N_EVENTS // 4           # group 0 at least, all by the workers

    # ---- the cases: one yellow and one red each, never early, flipped by the workers
    logs = defaultdict(list)
    for r in (CaseLog.objects.filter(id__gt=setup_logs, action__in=FLIPS).order_by("id")
              .values("kind", "case_id", "action", "at")):
        logs[(r["kind"], r["case_id"])].append(r)
    assert set(logs) == set(case_deadlines)
    for key, got in logs.items():
        warn, due = case_deadlines[key]
        assert [r["action"] for r in got] == ["sla_yellow", "sla_red"], (key, got)
        assert got[0]["at"] >= warn and got[1]["at"] > due, (key, got, warn, due)
    assert total[4:] == [N_CASES, N_CASES, N_CASES, N_CASES], total
    assert set(Case.objects.values_list("sla_flag", flat=True)) == {"red"}
    assert set(Application.objects.values_list("sla_flag", flat=True)) == {"red"}
