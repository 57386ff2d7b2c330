"""Confidentiality scan (issue 13, acceptance b): known secrets, every surface, every role.

A 举报, an anonymous report, a normal report, a report reclassified to 举报, 12345 orders (a
complaint, a 举报, a 求助, a 矛盾纠纷), a mediation case and a legal-aid application are created
with greppable names, phone and ID numbers, internal notes and public answers.  Then every demo
role and the public walk every surface (API, pages, the Excel export, the .docx documents, Open311,
hotline feedback, the SMS outbox, the admin for a back-office user); each response body is kept as
text per (role, surface) and checked against the privacy contract written out below — not against
what the code happens to do.  One failure lists every (role, surface, secret) that leaked and every
broken rule, grouped by cause, so one run shows the whole picture.

The contract:
1. 举报 (or reclassified to 举报): the reporter's name, phone, ID number and username reach nobody
   but the reporter.  Staff read "举报人" (also as the timeline's first actor).  Only a supervisor
   may unmask, logged; community, township and county staff get 403 and no unmask button.
2. Anonymous: the reporter's name, phone, ID number and username reach nobody but the reporter;
   staff read "匿名群众".
3. Normal: staff in scope read masked forms only (first character of the name, 139****3333, ID
   first 3 + last 4), on the timeline too; the full values only in a logged unmask's response;
   staff out of scope read nothing of the event.
4. The reporter, other residents and the public never read internal notes, staff names or internal
   countdowns; the reporter reads the public rows and the answer.  Open311 and hotline feedback
   publish public rows only, no reporter, no 举报/矛盾纠纷/求助, locations generalised (~150 m), no
   house number.
5. Mediation and legal aid: parties in full only to the handling organisation/office, the assigned
   lawyer and the applicant; SMS notices carry no ID number and no other person's phone.
"""
from __future__ import annotations

import html
import io
import json
import math
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.test import Client

from tests.conftest import point_in
from tests.security.conftest import once_per_suite

pytestmark = once_per_suite()


# ---- the secrets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    key: str
    secrecy: str             # tip_off | anonymous | normal | case
    name: str
    phone: str
    id_number: str = ""
    username: str = ""       # the account the person reports from ("" for a 12345 caller, a party)

    def secrets(self) -> dict[str, str]:
        out = {"name": self.name, "phone": self.phone}
        if self.id_number:
            out["id"] = self.id_number
            out["id-middle"] = self.id_number[3:-4]      # what the mask must hide
        if self.username:
            out["username"] = self.username
        return out


PEOPLE = {p.key: p for p in [
    Person("T", "tip_off", "隐秘甲某", "13900001111", "350602199001011234", "gz_scan_tipster"),
    Person("A", "anonymous", "匿名乙某", "13900002222", "350602199102021237", "gz_scan_anonymous"),
    Person("N", "normal", "普通丙某", "13900003333", "350602199203031230", "gz_scan_normal"),
    Person("R", "tip_off", "改类丁某", "13900004444", "350602199304041233", "gz_scan_reclassified"),
    Person("H1", "normal", "热线戊某", "13900005555"),          # a 12345 caller, complaint
    Person("H2", "tip_off", "热线己某", "13900006666"),         # a 12345 caller, 举报
    Person("M1", "case", "调解庚某", "13900007777", "35060219850505123X", "gz_scan_applicant"),
    Person("M2", "case", "调解辛某", "13900008888", "350602198606061239"),   # the other party
    Person("L", "case", "援助壬某", "13900009999", "350602198707071231", "gz_scan_aid_applicant"),
]}
# A case's applicant account is known to the office anyway: its username is not a secret there.
CASE_SECRET_FIELDS = ("name", "phone", "id", "id-middle")

# event key → the person who reported it (hotline orders: the caller; P and D carry no secrets)
EVENTS = ["T", "A", "N", "R", "H1", "H2", "P", "D"]
REPORTER = {"T": "T", "A": "A", "N": "N", "R": "R", "H1": "H1", "H2": "H2"}
SECRET_EVENTS = {"T", "R", "H2"}                       # 举报 (R from its reclassification on)
NEVER_PUBLISHED = {"T", "R", "H2", "P", "D"}           # 举报, 求助, 矛盾纠纷
# The 12345 system reads back the orders it sent us (it must answer its own 举报 and 求助 callers),
# never anyone else's, never a reporter's data and never staff's internal words.
HOTLINE_ORDERS = {"H1", "H2", "P", "D"}
HOUSE = {"T": "瑞京路915号", "A": "瑞京路916号", "N": "瑞京路917号", "R": "瑞京路918号", "H1": "瑞京路919号",
         "H2": "瑞京路920号", "P": "瑞京路921号", "D": "瑞京路922号"}
ANSWER = {e: f"答复公开-{e}：已安排清运，感谢您的反映" for e in ("T", "A", "N", "H1")}


def internal_markers(e: str) -> list[str]:
    """The words of an event's internal rows: a dispatch note, a handling record, the handler's
    result.  The scan looks for these words, not for the whole note: a surface that masks the
    phone in a note has still published the note."""
    return [f"内部备注-{e}-XYZ", f"办理记录内部-{e}", f"办结结果内部-{e}"]


def dispatch_note(e: str) -> str:
    return f"{internal_markers(e)[0]} 13700002222"       # a complainant's phone typed into a note


def description(e: str) -> str:
    return f"扫描{e}号事件：小区门口垃圾堆积多日无人清运"


STAFF_NAME = re.compile(r"职员[A-Za-z0-9_]+号")       # every staff account is renamed to this shape
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# ---- who may see what ----------------------------------------------------------------------------

# role → username (the reporters are the accounts created below)
ROLES = {
    "rT": "gz_scan_tipster", "rA": "gz_scan_anonymous", "rN": "gz_scan_normal", "rR": "gz_scan_reclassified",
    "rM": "gz_scan_applicant", "rL": "gz_scan_aid_applicant", "resident2": "resident2",
    "grid111": "grid111", "grid112": "grid112", "comm11": "comm11", "comm12": "comm12",
    "town1": "town1", "town2": "town2", "county": "county", "dept_cg": "dept_cg", "dept_yj": "dept_yj",
    "supervisor": "supervisor", "med11": "med11", "med12": "med12", "aid2": "aid2", "aid": "aid",
    "lawyer1": "lawyer1", "backoffice": "gz_scan_backoffice", "admin": "admin", "public": None,
}
RESIDENTS = {"rT", "rA", "rN", "rR", "rM", "rL", "resident2", "public"}
OWN = {"rT": "T", "rA": "A", "rN": "N", "rR": "R", "rM": "M1", "rL": "L"}   # role → the person it is
# Every event lies in grid 1 of community 1 of township 1; A is handled by the 城管 department, D
# by community 1's mediation committee.
IN_AREA = {"grid111", "comm11", "town1", "county", "supervisor", "admin"}
SCOPE = {"T": IN_AREA | {"rT"}, "A": IN_AREA | {"rA", "dept_cg"}, "N": IN_AREA | {"rN"}, "R": IN_AREA | {"rR"},
         "H1": IN_AREA, "H2": IN_AREA, "P": IN_AREA, "D": IN_AREA | {"med11"}}
# Parties in full: the handling organisation and the applicant; the office, lawyer and applicant.
CASE_FULL = {"M1": {"med11", "rM"}, "M2": {"med11", "rM"}, "L": {"aid2", "lawyer1", "rL"}}
REFUSE_UNMASK_403 = {"comm11", "town1", "county"}     # named by the contract for 举报


# ---- collecting ----------------------------------------------------------------------------------

@dataclass
class Body:
    role: str
    surface: str
    status: int
    text: str
    event: str | None = None          # the event a per-event surface is about
    feed: bool = False                # Open311, hotline feedback: public feeds
    partner: bool = False             # hotline feedback: the 12345 system's own orders
    unmask_ok: bool = False           # a successful unmask's answer
    admin_site: bool = False
    event_surface: bool = True        # staff names rule: event and feed surfaces only


@dataclass
class Scan:
    bodies: list[Body] = field(default_factory=list)
    # cause → "role · surface" → what was found there
    problems: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    requests: int = 0

    def fail(self, group: str, where: str, what: str = "") -> None:
        found = self.problems[group].setdefault(where, [])
        if what and what not in found:
            found.append(what)

    def report(self) -> list[str]:
        lines = []
        for group, cells in sorted(self.problems.items()):
            lines.append(f"\n[{group}] × {len(cells)}")
            lines += [f"  {where}" + (f": {', '.join(what)}" if what else "") for where, what in cells.items()]
        return lines

    def take(self, role: str, surface: str, response, *, echo: tuple[str, ...] = (), echo_on_error: str = "",
             **kw) -> Body:
        self.requests += 1
        status = response.status_code
        text = _text(response)
        # What the client itself sent, written back (a search box keeping the query typed, an
        # error naming the number asked for), is not a leak.
        for sent in echo:
            text = text.replace(sent, "«echo»")
        if echo_on_error and 400 <= status < 500:
            text = text.replace(echo_on_error, "«echo»")
        if status >= 500:
            self.fail("server error (5xx)", f"{role} · {surface}", str(status))
        body = Body(role, surface, status, text, **kw)
        self.bodies.append(body)
        return body


def _text(response) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    ctype = response.get("Content-Type", "")
    if raw[:4] == b"PK\x03\x04":
        return _office_text(raw)
    text = raw.decode("utf-8", "replace")
    if "json" in ctype:
        try:       # \u escapes would hide a Chinese name from a plain search
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return html.unescape(text)


def _office_text(raw: bytes) -> str:
    """The words of a .docx (word/document.xml) or an .xlsx (every cell, read by openpyxl)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = z.namelist()
        if "word/document.xml" in names:
            xml = z.read("word/document.xml").decode("utf-8")
            return html.unescape(re.sub(r"<[^>]+>", "", xml))
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(raw), read_only=True)
    return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for c in row if c is not None)


# ---- the world -----------------------------------------------------------------------------------

def _account(username: str, name: str, phone: str):
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import Profile, RoleAssignment
    from gongzhi.domain.enums import Role
    user = get_user_model().objects.create_user(username=username, password="gongzhi123")
    Profile.objects.create(user=user, display_name=name, phone=phone)
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT)
    return user


class Actor:
    """A logged-in client whose every answer is also a scanned surface: what the API gives back
    after an action (the fresh detail) is read by the person acting, like any other page."""

    def __init__(self, scan: Scan, role: str, user):
        self.scan, self.role, self.client = scan, role, _client(user)

    def post(self, path: str, data, surface: str, event: str | None = None):
        r = self.client.post(f"/api{path}", json.dumps(data), content_type="application/json")
        b = self.scan.take(self.role, surface, r, event=event, event_surface=event is not None)
        assert r.status_code in (200, 201), (self.role, surface, r.status_code, b.text[:800])
        return json.loads(b.text)


@dataclass
class World:
    district: object
    users: dict
    ev: dict            # event key → detail at creation
    ids: dict           # event key → id
    numbers: dict       # event key → number
    coords: dict        # event key → (lon, lat) as stored
    case: dict
    aid: dict
    docs: dict          # "mediation" | "legalaid" → the case's document ids


def build(world, scan: Scan) -> World:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from gongzhi.accounts.models import Profile
    from gongzhi.legalaid.models import Lawyer

    d = world
    users = {}
    # Staff are renamed "职员<username>号": a resident seeing one has read a staff name.
    for username, user in d.users.items():
        if not username.startswith("resident"):
            Profile.objects.filter(user=user).update(display_name=f"职员{username}号")
    for role, key in OWN.items():
        p = PEOPLE[key]
        users[role] = _account(ROLES[role], p.name, p.phone)
    back = get_user_model().objects.create_user(username="gz_scan_backoffice", password="x", is_staff=True)
    Profile.objects.create(user=back, display_name="职员gz_scan_backoffice号", phone="")
    back.user_permissions.add(*Permission.objects.filter(codename__in=["view_event", "view_eventaction"]))
    users["backoffice"] = back
    for role, username in ROLES.items():
        if username and role not in users:
            users[role] = d.users[username]

    actors = {}

    def api(role):
        if role not in actors:
            actors[role] = Actor(scan, role, users[role])
        return actors[role]

    lon0, lat0 = point_in(d, 0)
    coords, ev = {}, {}
    for i, e in enumerate(EVENTS):
        # six decimals, the last one never 0, a few metres apart: the exact strings are findable
        coords[e] = (float(f"{lon0 + 0.00002 * i:.5f}3"), float(f"{lat0 + 0.00001 * i:.5f}7"))

    def payload(e, **over):
        lon, lat = coords[e]
        return {"kind": "complaint", "category": "urban-appearance", "description": description(e),
                "lon": lon, "lat": lat, "address": HOUSE[e], **over}

    T, A, N, R = (PEOPLE[k] for k in "TANR")
    ev["T"] = api("rT").post("/events", payload("T", kind="tip_off", reporter_id_number=T.id_number),
                             "API report T (answer)", "T")
    ev["A"] = api("rA").post("/events", payload("A", anonymous=True, reporter_name=A.name, reporter_phone=A.phone,
                                                reporter_id_number=A.id_number), "API report A (answer)", "A")
    ev["N"] = api("rN").post("/events", payload("N", reporter_id_number=N.id_number), "API report N (answer)", "N")
    ev["R"] = api("rR").post("/events", payload("R", reporter_id_number=R.id_number), "API report R (answer)", "R")
    H1, H2 = PEOPLE["H1"], PEOPLE["H2"]

    def order(e, number, kind, category, caller=None):
        lon, lat = coords[e]
        return {"number": number, "kind": kind, "category": category, "content": description(e),
                "caller_name": caller.name if caller else "", "phone": caller.phone if caller else "",
                "address": HOUSE[e], "lon": lon, "lat": lat}
    pushed = api("county").post("/hotline/orders", [
        order("H1", "SCAN-H1", "投诉", "urban-appearance", H1), order("H2", "SCAN-H2", "举报", "urban-appearance", H2),
        order("P", "SCAN-P", "求助", "livelihood-elderly"), order("D", "SCAN-D", "dispute", "dispute-neighbour")],
        "API hotline push (answer)")
    assert [o["status"] for o in pushed] == ["created"] * 4, pushed
    from gongzhi.events.models import Event
    for e, row in zip(["H1", "H2", "P", "D"], pushed, strict=True):
        ev[e] = {"id": Event.objects.get(number=row["event_number"]).id, "number": row["event_number"]}
    ids = {e: ev[e]["id"] for e in EVENTS}
    numbers = {e: ev[e]["number"] for e in EVENTS}

    comm, grid, county, dept = api("comm11"), api("grid111"), api("county"), api("dept_cg")

    def run(e, who, path, body=None):
        return who.post(f"/events/{ids[e]}/{path}", body or {}, f"API {path} {e} (answer)", e)

    # 更正分类 to 举报 before any work: R is confidential from here on.
    run("R", comm, "reclassify", {"kind": "tip_off", "note": "核实为举报"})
    for e in ("T", "N", "R", "H1", "H2", "A"):
        run(e, comm, "accept", {"note": "已受理，将尽快处理"})
    for e in ("T", "N", "R", "H1", "H2"):
        run(e, comm, "dispatch", {"area": d.grids[0].code, "note": dispatch_note(e)})
    run("A", comm, "dispatch", {"department": d.departments["cg"].code, "note": dispatch_note("A")})
    for e, handler, centre in (("T", grid, comm), ("N", grid, comm), ("H1", grid, comm), ("A", dept, county)):
        run(e, handler, "sign")
        run(e, handler, "notes", {"note": internal_markers(e)[1]})
        run(e, handler, "resolve", {"result": internal_markers(e)[2]})
        run(e, centre, "verify", {"passed": True})
        run(e, centre, "answer", {"answer": ANSWER[e]})

    # a mediation case applied for online, accepted (受理通知书), scheduled, agreed (协议书)
    M1, M2, L = PEOPLE["M1"], PEOPLE["M2"], PEOPLE["L"]
    case = api("rM").post("/mediation", {
        "dispute_type": "neighbour", "area": d.grids[0].code, "relation": "楼上楼下邻居",
        # Free text naming the parties (names, phones, an ID number): what those who see the
        # parties masked read of it must be redacted like the fields.
        "facts": f"楼上住户{M2.name}（电话{M2.phone}）长期深夜噪音扰民，{M1.name}多次协商无果",
        "claim": f"{M2.name}停止深夜噪音，{M1.name}联系电话{M1.phone}",
        "parties": [{"role": "applicant", "name": M1.name, "phone": M1.phone, "id_number": M1.id_number,
                     "address": "瑞京路923号"},
                    {"role": "respondent", "name": M2.name, "phone": M2.phone, "id_number": M2.id_number,
                     "address": "瑞京路924号"}]}, "API mediation apply (answer)")
    assert case["organisation"] == f"{d.communities[0].name}人民调解委员会", case["organisation"]
    med = api("med11")
    cid = case["id"]
    med.post(f"/mediation/{cid}/accept", {}, "API mediation accept (answer)")
    med.post(f"/mediation/{cid}/schedule", {"scheduled_at": "2026-11-04T09:30:00+08:00", "mode": "in_person",
                                            "place": "瑞京社区调解室"}, "API mediation schedule (answer)")
    med.post(f"/mediation/{cid}/record", {"attendees": f"{M1.name}、{M2.name}", "record": "双方陈述意见，同意各让一步"},
             "API mediation record (answer)")
    case = med.post(f"/mediation/{cid}/succeed", {
        "agreement_terms": f"一、{M2.name}（身份证号{M2.id_number}）每晚22时后不再制造噪音；二、{M1.name}不再追究。",
        "performance_terms": f"{M2.name}自签订之日起履行，{M1.name}（{M1.id_number}）监督"},
                    "API mediation succeed (answer)")
    # legal aid applied for online, approved, assigned to lawyer1 (陈志明)
    aid = api("rL").post("/legalaid", {
        "applicant_name": L.name, "id_number": L.id_number, "phone": L.phone, "address": "瑞京路925号",
        "area": d.grids[0].code, "household_size": 3, "monthly_income": "1500", "pledge": True, "matter": "civil",
        "specialty": "labour", "summary": f"{L.name}（电话{L.phone}，身份证{L.id_number}）在某建筑工地务工八个月，"
                                          f"被拖欠工资三万二千元", "opposing_party": "某建筑公司",
        "claim_amount": "32000"}, "API legal-aid apply (answer)")
    station = api("aid2")
    station.post(f"/legalaid/{aid['id']}/approve", {}, "API legal-aid approve (answer)")
    aid = station.post(f"/legalaid/{aid['id']}/assign", {"lawyer": Lawyer.objects.get(user=users["lawyer1"]).id},
                       "API legal-aid assign (answer)")
    from gongzhi.casework.models import Document
    docs = {"mediation": list(Document.objects.filter(kind="mediation", case_id=cid).values_list("id", flat=True)),
            "legalaid": list(Document.objects.filter(kind="legalaid", case_id=aid["id"])
                             .values_list("id", flat=True))}
    assert len(docs["mediation"]) >= 2 and len(docs["legalaid"]) >= 2, docs
    return World(d, users, ev, ids, numbers, coords, case, aid, docs)


def _check_stored(w: World) -> None:
    """The secrets were really stored: otherwise an absent string proves nothing."""
    from gongzhi.events.models import Event
    got = {e: Event.objects.get(pk=w.ids[e]) for e in ("T", "N", "R", "H1", "H2")}
    for e in ("T", "N", "R", "H1", "H2"):
        p = PEOPLE[REPORTER[e]]
        assert (got[e].reporter_name, got[e].reporter_phone) == (p.name, p.phone), e
    assert got["T"].reporter_id_number == PEOPLE["T"].id_number
    assert Event.objects.get(pk=w.ids["A"]).reporter_id == w.users["rA"].id


# ---- walking -------------------------------------------------------------------------------------

def _client(user) -> Client:
    c = Client(raise_request_exception=False)     # a 500 is a finding, not the end of the scan
    if user is not None:
        c.force_login(user)
    return c


def _unmask(scan: Scan, w: World, role: str, c: Client) -> dict:
    """POST unmask on every event with a reporter; the statuses, and the rows it logged."""
    from gongzhi.core.models import AccessLog
    out = {}
    reason = "核实情况需要联系"
    calls = [(e, f"API unmask {e}", lambda e: c.post(f"/api/events/{w.ids[e]}/unmask", json.dumps({"reason": reason}),
                                                     content_type="application/json"))
             for e in ("T", "A", "N", "R", "H1", "H2")]
    calls += [(e, f"page unmask {e}", lambda e: c.post(f"/e/{w.ids[e]}/unmask", {"reason": reason}))
              for e in ("T", "N")]
    for e, surface, call in calls:
        before = AccessLog.objects.filter(kind="event", case_id=w.ids[e]).count()
        r = call(e)
        body = scan.take(role, surface, r, event=e, unmask_ok=r.status_code == 200)
        logged = AccessLog.objects.filter(kind="event", case_id=w.ids[e]).count() - before
        out.setdefault(e, r.status_code)
        if r.status_code == 200:
            if logged != 1:
                scan.fail("unmask not logged (AccessLog)", f"{role} · {surface}", f"{logged} rows")
            p = PEOPLE[REPORTER[e]]
            if p.secrecy == "normal" and p.phone not in body.text:
                scan.fail("unmask answer lacks the full values", f"{role} · {surface}")
        elif logged:
            scan.fail("refused unmask still logged a read", f"{role} · {surface}")
    return out


# what a search is tried with: each of a 举报 reporter's identifiers, and a name or phone of the others
SEARCH_TERMS = ["T.name", "T.phone", "T.id", "T.username", "A.name", "A.phone", "A.username", "R.name", "R.phone",
                "N.name", "N.phone", "H2.phone"]


def walk(scan: Scan, w: World, role: str) -> dict:
    """Every surface as ``role``: bodies into the scan; returns the unmask statuses."""
    user = w.users.get(role)
    c = _client(user)
    unmask = _unmask(scan, w, role, c) if user is not None else {}
    def get(surface, url, **kw):
        return scan.take(role, surface, c.get(url), **kw)

    # the API: list, search, detail, timeline, duplicates
    get("API list", "/api/events?limit=500")
    for label in SEARCH_TERMS:
        key, f = label.split(".")
        get(f"API search q={label}", "/api/events?" + _qs(q=PEOPLE[key].secrets()[f]))
    for e in ("T", "N"):
        get(f"API search q=number {e}", "/api/events?" + _qs(q=w.numbers[e]))
    for e in EVENTS:
        get(f"API detail {e}", f"/api/events/{w.ids[e]}", event=e)
        if e in ("T", "A", "N", "R"):
            get(f"API timeline {e}", f"/api/events/{w.ids[e]}/timeline", event=e)
        if e in ("T", "A", "N", "R"):
            get(f"API duplicates {e}", f"/api/events/{w.ids[e]}/duplicates", event=e)
    get("API hotline feedback", "/api/hotline/feedback", feed=True, partner=True)
    # the pages
    for e in REPORTER:      # P and D have no person in them: their API detail is enough
        get(f"page event {e}", f"/e/{w.ids[e]}/", event=e)
    for surface, url in [("page desk", "/desk/"), ("page queue", "/queue/"), ("page map", "/map/"),
                         ("page mine", "/mine/"), ("page stats", "/stats/"), ("page big screen", "/stats/screen/"),
                         ("page omissions", "/stats/omissions/"), ("Excel export", "/stats/export.xlsx")]:
        get(surface, url)
    for label, q in [("T.name", PEOPLE["T"].name), ("A.phone", PEOPLE["A"].phone), ("number N", w.numbers["N"])]:
        get(f"page desk q={label}", "/desk/?" + _qs(q=q), echo=_echoes(q))
    # 多元调处 and 法律援助
    cid, aid = w.case["id"], w.aid["id"]
    for surface, url in [("API mediation list", "/api/mediation"), ("API mediation detail", f"/api/mediation/{cid}"),
                         ("page mediation list", "/mediation/"), ("page mediation case", f"/mediation/{cid}/"),
                         ("API legal-aid list", "/api/legalaid"), ("API legal-aid detail", f"/api/legalaid/{aid}"),
                         ("page legal-aid list", "/legalaid/"), ("page legal-aid case", f"/legalaid/{aid}/")]:
        get(surface, url, event_surface=False)
    for kind, case_id in (("mediation", cid), ("legalaid", aid)):
        for doc in w.docs[kind]:
            get(f"API {kind} document {doc}", f"/api/{kind}/{case_id}/documents/{doc}", event_surface=False)
        last = w.docs[kind][-1]        # the page serves the same files: its own check, once per case
        get(f"page {kind} document {last}", f"/{kind}/{case_id}/documents/{last}", event_surface=False)
    # 社区矫正, 民事速裁 and 三金 (their own people only; everyone else a 404 or an empty list):
    # none of them may carry anything of the reports above either
    for surface, url in [("API corrections list", "/api/corrections"),
                         ("API corrections tasks", "/api/corrections/tasks"),
                         ("API corrections oversight", "/api/corrections/oversight"),
                         ("page corrections list", "/corrections/"), ("page corrections oversight",
                                                                      "/corrections/oversight/"),
                         ("API court list", "/api/court"), ("API court shares", "/api/court/shares"),
                         ("page court desk", "/court/"), ("API funds", "/api/funds"),
                         ("API funds deposits", "/api/funds/deposits"), ("page funds", "/funds/")]:
        get(surface, url, event_surface=False)
    for label in ("T.name", "T.phone"):
        key, f = label.split(".")
        get(f"API corrections search q={label}", "/api/corrections?" + _qs(q=PEOPLE[key].secrets()[f]),
            event_surface=False)
    if role == "backoffice":
        admin_surfaces(scan, w, role, c)
    return unmask


def admin_surfaces(scan: Scan, w: World, role: str, c: Client) -> None:
    def get(surface, url, **kw):
        return scan.take(role, surface, c.get(url), admin_site=True, **kw)
    get("admin Event list", "/admin/events/event/")
    get("admin Event search", "/admin/events/event/?" + _qs(q=PEOPLE["T"].name), echo=_echoes(PEOPLE["T"].name))
    get("admin EventAction list", "/admin/events/eventaction/")
    for e in ("T", "A", "N", "R", "H1", "H2"):
        get(f"admin Event page {e}", f"/admin/events/event/{w.ids[e]}/change/")


def feeds(scan: Scan, w: World) -> None:
    """Open311 as the public and with an api_key (county's token), and the 12345 system's feedback."""
    from gongzhi.accounts.models import ApiToken
    from gongzhi.hotline import orders as hotline
    c = _client(None)
    key = ApiToken.issue(w.users["county"], "scan")
    for who, extra in (("public", {}), ("api_key", {"api_key": key})):
        for fmt in ("json", "xml"):
            scan.take(who, f"Open311 requests.{fmt}", c.get(f"/open311/v2/requests.{fmt}", extra), feed=True)
            scan.take(who, f"Open311 servicerequestupdates.{fmt}",
                      c.get(f"/open311/v2/servicerequestupdates.{fmt}", extra), feed=True)
    for e in EVENTS:
        scan.take("public", f"Open311 request {e}", c.get(f"/open311/v2/requests/{w.numbers[e]}.json"), feed=True,
                  event=e, echo_on_error=w.numbers[e])
    token = ApiToken.issue(hotline.system_user(), "scan")
    r = Client(raise_request_exception=False).get("/api/hotline/feedback", HTTP_AUTHORIZATION=f"Bearer {token}")
    scan.take("12345 system", "API hotline feedback (token)", r, feed=True, partner=True)


def _echoes(q: str) -> tuple[str, ...]:
    """How a page writes a query back: the search box's value, the query string kept for paging."""
    from urllib.parse import quote_plus
    return (f'value="{q}"', f"q={quote_plus(q)}")


def _qs(**params) -> str:
    from urllib.parse import urlencode
    return urlencode(params)


# ---- judging -------------------------------------------------------------------------------------

def judge_secrets(scan: Scan, w: World) -> int:
    """Every body against every secret; returns the number of (body, secret) cells checked."""
    checked = 0
    for b in scan.bodies:
        forbidden: list[tuple[str, str, str]] = []      # (cause, what, the string that must not appear)
        for p in PEOPLE.values():
            fields = p.secrets().items() if p.secrecy != "case" else \
                [(f, v) for f, v in p.secrets().items() if f in CASE_SECRET_FIELDS]
            if _may_read_person(b, p):
                continue
            cause = {"tip_off": "举报 reporter", "anonymous": "anonymous reporter", "normal": "reporter in full",
                     "case": "case party in full"}[p.secrecy]
            forbidden += [(f"{cause} ({p.key})", f, v) for f, v in fields]
        for e in EVENTS:
            if not _may_read_internal(b, e):
                forbidden += [(f"internal note ({e})", what, m) for what, m in
                              zip(("dispatch note", "handling record", "result"), internal_markers(e), strict=True)]
            if not _may_read_event(b, e):
                cause = "feed names a never-published event" if b.feed else "out of scope sees the event"
                forbidden += [(f"{cause} ({e})", "number", w.numbers[e]),
                              (f"{cause} ({e})", "description", description(e))]
            if b.feed:
                lon, lat = w.coords[e]
                forbidden += [(f"feed: exact coordinate ({e})", t, t) for t in (f"{lon:.6f}", f"{lat:.6f}")]
                forbidden += [(f"feed: house number ({e})", HOUSE[e], HOUSE[e])]
        for cause, what, token in forbidden:
            checked += 1
            if token and token in b.text:
                scan.fail(cause, f"{b.role} · {b.surface}", what)
        if (b.role in RESIDENTS or b.feed) and b.event_surface:
            checked += 1
            found = sorted(set(STAFF_NAME.findall(b.text)))
            if found:
                scan.fail("staff name shown to a resident/public", f"{b.role} · {b.surface}", ", ".join(found[:3]))
    return checked


def _may_read_person(b: Body, p: Person) -> bool:
    if b.feed:
        return False
    if OWN.get(b.role) == p.key:                         # the reporter, the applicant themself
        return True
    if p.secrecy == "case":
        return b.role in CASE_FULL[p.key]
    if b.unmask_ok and b.event is not None and REPORTER.get(b.event) == p.key:
        # the answer to a logged unmask: for a 举报 only a supervisor's; an anonymous one never
        return p.secrecy == "normal" or (p.secrecy == "tip_off" and b.role == "supervisor")
    return False


def _may_read_internal(b: Body, e: str) -> bool:
    if b.feed or b.role in RESIDENTS:
        return False
    return b.admin_site or b.role in SCOPE[e]


def _may_read_event(b: Body, e: str) -> bool:
    if b.partner:
        return e in HOTLINE_ORDERS
    if b.feed:
        return e not in NEVER_PUBLISHED
    return b.admin_site or b.role in SCOPE[e]


def judge_structure(scan: Scan, w: World, unmask: dict[str, dict]) -> None:
    """What the contract says staff and residents read in place of the secrets."""
    by = {(b.role, b.surface): b for b in scan.bodies}
    staff = [r for r in ROLES if r not in RESIDENTS and r != "backoffice"]
    initial = PEOPLE["N"].name[0]

    def masked_name(text: str) -> bool:
        return text.startswith(initial) and "*" in text

    for role in staff:
        for e in ("T", "A", "N", "R", "H1", "H2"):
            if role not in SCOPE[e]:
                continue
            b = by[(role, f"API detail {e}")]
            where = f"{role} · {e}"
            if b.status != 200:
                scan.fail("in-scope staff cannot read the event", where, str(b.status))
                continue
            detail = json.loads(b.text)
            reporter = detail.get("reporter") or {}
            name = reporter.get("name") or ""
            first = (detail.get("timeline") or [{}])[0].get("actor", "")
            page = by[(role, f"page event {e}")]
            if e in SECRET_EVENTS:
                if "举报人" not in name:
                    scan.fail("举报 reporter not shown as 举报人", f"{where} API detail", repr(name))
                if "举报人" not in page.text:
                    scan.fail("举报 reporter not shown as 举报人", f"{where} page")
                if first != "举报人":
                    scan.fail("timeline first actor of a 举报 is not 举报人", where, repr(first))
            elif e == "A":
                if "匿名群众" not in name:
                    scan.fail("anonymous reporter not shown as 匿名群众", f"{where} API detail", repr(name))
                if "匿名群众" not in page.text:
                    scan.fail("anonymous reporter not shown as 匿名群众", f"{where} page")
                if first != "匿名群众":
                    scan.fail("timeline first actor of an anonymous report is not 匿名群众", where, repr(first))
            elif e == "N":
                want = {"phone": "139****3333", "id_number": "350***********1230"}
                got = {k: reporter.get(k) for k in want}
                if got != want or not masked_name(name):
                    scan.fail("normal reporter not masked as the contract says", f"{where} API detail",
                              f"{name!r} {got}")
                if first != "报告人" and not masked_name(first):
                    scan.fail("timeline first actor of a normal report is not masked/报告人", where, repr(first))
            # the page offers unmask exactly to those the service lets unmask (A: there is nothing to show)
            if e != "A" and page.status == 200:
                offered = f"/e/{w.ids[e]}/unmask" in page.text
                if offered != (unmask[role].get(e) == 200):
                    scan.fail("unmask button and service disagree", where,
                              f"button {'shown' if offered else 'absent'}, service {unmask[role].get(e)}")
    for e in ("T", "R", "H2"):
        for role in staff:
            st = unmask[role].get(e)
            if role == "supervisor":
                if st != 200:
                    scan.fail("supervisor cannot unmask a 举报", f"{role} · {e}", str(st))
            elif role in REFUSE_UNMASK_403 and st != 403:
                scan.fail("举报 unmask not refused with 403", f"{role} · {e}", str(st))
            elif st == 200:
                scan.fail("举报 unmasked by someone other than a supervisor", f"{role} · {e}")
    # confidential at once: the very answer to the reclassification hides the reporter
    b = by[("comm11", "API reclassify R (answer)")]
    name = (json.loads(b.text).get("reporter") or {}).get("name") or ""
    if "举报人" not in name:
        scan.fail("举报 reporter not shown as 举报人", "comm11 · API reclassify R (answer)", repr(name))
    # searching by a hidden reporter's name, phone, ID number or username must not find the report
    for b in scan.bodies:
        m = re.match(r"(?:API search|page desk) q=(T|A|R|H2)\.", b.surface)
        if m and OWN.get(b.role) != m.group(1) and w.numbers[m.group(1)] in b.text:
            scan.fail("search by a hidden reporter's identity finds the report", f"{b.role} · {b.surface}")
    # the reporter: the public rows and the answer, never an internal row or a countdown
    # 派遣, 签收 and 办结 are public progress rows (label, time and status only, the actor "工作人员":
    # domain.privacy.EVENT_ROW_VISIBILITY); their words are checked as internal markers above.
    internal_actions = {"note", "verify", "verify_fail", "return", "escalate", "whistle", "supervise",
                        "request_extension", "reclassify", "unmask"}
    for role, e in (("rT", "T"), ("rA", "A"), ("rN", "N"), ("rR", "R")):
        b = by[(role, f"API detail {e}")]
        if b.status != 200:
            scan.fail("reporter cannot read their own report", f"{role} · {e}", str(b.status))
            continue
        detail = json.loads(b.text)
        actions = [t.get("action") for t in detail.get("timeline") or []]
        if set(actions) & internal_actions:
            scan.fail("internal timeline rows shown to the reporter", f"{role} · {e}",
                      ", ".join(sorted(set(actions) & internal_actions)))
        if "report" not in actions or "accept" not in actions:
            scan.fail("public rows missing for the reporter", f"{role} · {e}", ", ".join(map(str, actions)))
        for surface in (f"API detail {e}", f"page event {e}") if e in ANSWER else ():
            if ANSWER[e] not in by[(role, surface)].text:
                scan.fail("reporter does not read the answer", f"{role} · {surface}")
        if detail.get("remaining"):
            scan.fail("internal countdown shown to a resident", f"{role} · API detail {e}")
    for b in scan.bodies:
        if b.role in RESIDENTS and 'class="countdown' in b.text:
            scan.fail("internal countdown shown to a resident", f"{b.role} · {b.surface}")
    # the documents are really read by their handlers (else their scan above proves nothing)
    for role, kind, number in (("med11", "mediation", w.case["number"]), ("aid2", "legalaid", w.aid["number"])):
        for doc in w.docs[kind]:
            for surface in (f"API {kind} document {doc}", f"page {kind} document {doc}"):
                if (role, surface) not in by:
                    continue
                b = by[(role, surface)]
                if b.status != 200 or number not in b.text:
                    scan.fail("handler cannot download the case's .docx (its scan is vacuous)", f"{role} · {surface}",
                              str(b.status))
    # Open311: N is published (市容环境), its point generalised to within ~150 m of the stored one
    lon, lat = w.coords["N"]
    b = by[("public", "Open311 requests.json")]
    rows = [r for r in (json.loads(b.text) if b.status == 200 else []) if r.get("service_request_id") == w.numbers["N"]]
    if not rows:
        scan.fail("Open311 does not publish the normal report (generalisation unchecked)", "public · requests.json")
    elif rows[0].get("long") is not None and rows[0].get("lat") is not None:
        plon, plat = float(rows[0]["long"]), float(rows[0]["lat"])
        d = _metres(lon, lat, plon, plat)
        if (plon, plat) == (lon, lat) or d > 150:
            scan.fail("Open311 point not generalised to ~150 m", "public · requests.json", f"{plon},{plat} ({d:.0f} m)")


def judge_notices(scan: Scan) -> int:
    """The SMS outbox: no ID number, no phone but the recipient's own."""
    from gongzhi.casework.models import Notice
    rows = list(Notice.objects.all())
    assert rows, "no notices were queued: the scan of the outbox would prove nothing"
    for n in rows:
        where = f"notice #{n.id} {n.subject} → {n.recipient}"
        if ID_NUMBER.search(n.text):
            scan.fail("SMS notice carries an ID number", where)
        others = [m for m in MOBILE.findall(n.text) if m != n.phone]
        if others:
            scan.fail("SMS notice carries another person's phone", where, ", ".join(others))
    return len(rows)


def _metres(lon1, lat1, lon2, lat2) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# ---- the test ------------------------------------------------------------------------------------

def test_confidentiality_scan(world, caplog):
    import logging
    caplog.set_level(logging.ERROR, logger="django.request")     # thousands of expected 403/404s
    scan = Scan()
    w = build(world, scan)
    _check_stored(w)
    unmask = {role: walk(scan, w, role) for role in ROLES}
    feeds(scan, w)
    cells = judge_secrets(scan, w)
    judge_structure(scan, w, unmask)
    notices = judge_notices(scan)
    surfaces = {b.surface for b in scan.bodies}
    roles = {b.role for b in scan.bodies}
    summary = (f"scan: {len(roles)} roles × {len(surfaces)} surfaces = {len(scan.bodies)} bodies "
               f"({scan.requests} requests), {cells} (body, secret) cells, {notices} notices")
    if scan.problems:
        lines = [summary, f"{sum(len(v) for v in scan.problems.values())} failing (role · surface) cells in "
                          f"{len(scan.problems)} groups:", *scan.report()]
        pytest.fail("\n".join(lines), pytrace=False)
