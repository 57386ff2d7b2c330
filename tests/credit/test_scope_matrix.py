"""Every 信用档案 URL (API and pages) × every role: the expected answer written out per cell, nothing
written by a refused cell, and no word of the file in any refused answer.  A URL added to the
router or the pages without a row here fails ``test_every_credit_url_is_in_the_matrix``.

Roles: xy1/xy2 the officers of file A's community (xy1 proposed what waits), xy3 an officer of the
other community, resident1 file A's person, resident2 a neighbour with a file of their own, the
community's staff (comm11) and grid worker (grid111), the system administrator, the scene
operator shanghu1 and nobody logged in.  Each cell runs in a savepoint rolled back after it."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from gongzhi.credit import services as svc
from gongzhi.credit.inputs import ProposeIn, RequestIn
from gongzhi.credit.models import Behaviour, Dispute, Entry, Scene

ROLES = ["xy1", "xy2", "xy3", "resident1", "resident2", "comm11", "grid111", "admin", "shanghu1", "anon"]
FILE_READERS = {"xy1", "xy2", "resident1"}
OFFICERS = {"xy1", "xy2"}
SECRET = ("居民甲", "13800000001", "350602198001011234", "楼道堆放杂物", "矩阵证据事实")


class Rollback(Exception):
    pass


@pytest.fixture
def world(credit, district):
    u = {**district.users, **credit["users"]}
    a, b = credit["files"][0], credit["files"][1]
    today = svc._today()
    dumping = Behaviour.objects.get(clause__community_id=a.community_id, code="dumping")
    # what waits on file A: a proposal of xy1's with evidence, an old negative entry with a repair
    p, _ = svc.propose(actor=u["xy1"], file_id=a.pk, data=ProposeIn(
        behaviour_id=dumping.pk, occurred_on=today, facts="矩阵证据事实：门前乱堆放"))
    from gongzhi.events.intake import check_attachment
    from tests.credit.test_credit import _png
    ev = svc.add_evidence(actor=u["xy1"], proposal_id=p.pk, checked=check_attachment(_png(), "m.png"))
    old, _ = svc.propose(actor=u["xy1"], file_id=a.pk, data=ProposeIn(
        behaviour_id=dumping.pk, occurred_on=today - timedelta(days=40), facts="四十天前乱倒垃圾"))
    neg = svc.approve(actor=u["xy2"], proposal_id=old.pk)
    repair, _ = svc.repair_apply(actor=a.person.user, data=RequestIn(entry_id=neg.pk, reason="已清理并道歉"))
    volunteer = Entry.objects.get(file=a, behaviour__code="volunteer")
    return {"u": u, "a": a, "b": b, "proposal": p, "evidence": ev, "entry": volunteer, "neg": neg,
            "dispute": Dispute.objects.get(file=a), "repair": repair,
            "scene": Scene.objects.get(provider="便民超市"), "community": a.community_id, "person": a.person_id}


def everyone(status, **over):
    return {**{r: status for r in ROLES if r != "anon"}, **over}


def only(readers, ok=200, other=404, **over):
    return {**{r: (ok if r in readers else other) for r in ROLES if r != "anon"}, **over}


def cells(w) -> list[tuple]:
    """(label, method, url, body, expected status per role (anon: the surface's default))."""
    a, p, e, d, r = w["a"], w["proposal"], w["entry"], w["dispute"], w["repair"]
    api = "/api/credit"
    return [
        ("covenant", "GET", f"{api}/covenant/{w['community']}", None, everyone(200)),
        ("files list", "GET", f"{api}/files", None, everyone(200)),
        ("open file", "POST", f"{api}/files", {"person_id": w["person"]}, only(OFFICERS)),
        ("queue", "GET", f"{api}/queue", None, everyone(200)),
        ("file", "GET", f"{api}/files/{a.pk}", None, only(FILE_READERS)),
        ("propose", "POST", f"{api}/files/{a.pk}/proposals",
         {"behaviour_id": p.behaviour_id, "occurred_on": "2026-11-01", "facts": "矩阵提出的事实"},
         only(OFFICERS, ok=201, resident1=403)),
        ("evidence add", "POST-FILE", f"{api}/proposals/{p.pk}/evidence", None, only({"xy1"}, ok=201, xy2=403)),
        ("evidence", "GET", f"{api}/evidence/{w['evidence'].pk}", None, only(OFFICERS)),
        ("approve", "POST", f"{api}/proposals/{p.pk}/approve", {"note": ""}, only(OFFICERS, xy1=409)),
        ("reject", "POST", f"{api}/proposals/{p.pk}/reject", {"reason": "证据不足"}, only(OFFICERS)),
        ("withdraw", "POST", f"{api}/files/{a.pk}/entries/{e.pk}/withdraw", {"reason": "登记错误"},
         only(OFFICERS, resident1=403)),
        ("me", "GET", f"{api}/me", None, only({"resident1", "resident2"})),
        ("my code", "GET", f"{api}/me/code", None, only({"resident1", "resident2"})),
        ("scene check", "POST", f"{api}/scenes/{w['scene'].pk}/check", {"code": svc.my_code(actor=a.person.user)},
         only({"shanghu1"})),
        ("dispute file", "POST", f"{api}/disputes", {"entry_id": e.pk, "reason": "我没有参加这次活动"},
         only({"resident1"}, ok=201)),
        ("dispute", "GET", f"{api}/disputes/{d.pk}", None, only(FILE_READERS)),
        ("dispute uphold", "POST", f"{api}/disputes/{d.pk}/uphold", {"reason": "核实成立"},
         only(OFFICERS, resident1=403)),
        ("dispute dismiss", "POST", f"{api}/disputes/{d.pk}/dismiss", {"reason": "核实不成立"},
         only(OFFICERS, resident1=403)),
        ("dispute retract", "POST", f"{api}/disputes/{d.pk}/retract", {}, only({"resident1"}, xy1=403, xy2=403)),
        ("repair apply", "POST", f"{api}/repairs", {"entry_id": w["neg"].pk, "reason": "再次申请修复"},
         only(set(), resident1=409)),                       # one open request per entry
        ("repair", "GET", f"{api}/repairs/{r.pk}", None, only(FILE_READERS)),
        ("repair grant", "POST", f"{api}/repairs/{r.pk}/grant", {"note": ""}, only(OFFICERS, resident1=403)),
        ("repair refuse", "POST", f"{api}/repairs/{r.pk}/refuse", {"reason": "未整改"},
         only(OFFICERS, resident1=403)),
        ("repair retract", "POST", f"{api}/repairs/{r.pk}/retract", {}, only({"resident1"}, xy1=403, xy2=403)),
        # pages: a success redirects (302), a refusal inside the scope redirects with its message
        ("page home", "GET", "/credit/", None, only(OFFICERS | {"xy3", "shanghu1"}, resident1=302, resident2=302)),
        ("page me", "GET", "/credit/me/", None, only({"resident1", "resident2"})),
        ("page file", "GET", f"/credit/files/{a.pk}/", None, only(OFFICERS)),
        ("page propose", "POST", f"/credit/files/{a.pk}/propose",
         {"behaviour_id": p.behaviour_id, "occurred_on": "2026-11-01", "facts": "矩阵页面提出"},
         only(OFFICERS, ok=302)),
        ("page withdraw", "POST", f"/credit/files/{a.pk}/entries/{e.pk}/withdraw", {"reason": "登记错误"},
         only(OFFICERS, ok=302)),
        ("page approve", "POST", f"/credit/proposals/{p.pk}/approve", {"file": a.pk}, only(OFFICERS, ok=302)),
        ("page reject", "POST", f"/credit/proposals/{p.pk}/reject", {"file": a.pk, "reason": "证据不足"},
         only(OFFICERS, ok=302)),
        ("page evidence", "GET", f"/credit/evidence/{w['evidence'].pk}", None, only(OFFICERS)),
        ("page dispute", "GET", f"/credit/disputes/{d.pk}/", None, only(FILE_READERS)),
        ("page dispute do", "POST", f"/credit/disputes/{d.pk}/do/dismiss", {"reason": "核实不成立"},
         only(FILE_READERS, ok=302)),               # the person's refusal comes back as a message
        ("page repair", "GET", f"/credit/repairs/{r.pk}/", None, only(FILE_READERS)),
        ("page repair do", "POST", f"/credit/repairs/{r.pk}/do/grant", {"note": ""}, only(FILE_READERS, ok=302)),
        ("page me dispute", "POST", "/credit/me/dispute", {"entry_id": e.pk, "reason": "我没有参加这次活动"},
         only({"resident1"}, ok=302)),                    # resident2: not their entry, a 404
        ("page me repair", "POST", "/credit/me/repair", {"entry_id": w["neg"].pk, "reason": "再次申请修复"},
         only({"resident1"}, ok=302)),
        ("page scene check", "POST", "/credit/scenes/check",
         {"scene": w["scene"].pk, "code": svc.my_code(actor=a.person.user)}, only({"shanghu1"}, ok=302)),
    ]


def _call(client: Client, method: str, url: str, body):
    if method == "GET":
        return client.get(url)
    if method == "POST-FILE":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.credit.test_credit import _png
        return client.post(url, {"file": SimpleUploadedFile("m.png", _png())})
    if url.startswith("/api/"):
        return client.post(url, json.dumps(body or {}), content_type="application/json")
    return client.post(url, body or {})


def test_the_matrix(world):
    failures = []
    counts = {}
    for label, method, url, body, expected in cells(world):
        for role in ROLES:
            client = Client()
            if role != "anon":
                client.force_login(world["u"][role])
            want = expected.get(role, 401 if url.startswith("/api/") else 302)
            entries = Entry.objects.count()
            try:
                with transaction.atomic():
                    r = _call(client, method, url, body)
                    raise Rollback
            except Rollback:
                pass
            text = r.content.decode("utf-8", "replace") if r.get("Content-Type", "").startswith(
                ("application/json", "text/")) else ""
            if r.status_code != want:
                failures.append(f"{label} {method} {url} as {role}: {r.status_code}, expected {want}")
            if r.status_code in (401, 403, 404) and any(s in text for s in SECRET):
                failures.append(f"{label} as {role}: a refusal names the file")
            if role not in FILE_READERS | {"xy3"} and role != "shanghu1" and r.status_code == 200 \
                    and any(s in text for s in SECRET):
                failures.append(f"{label} as {role}: 200 with the file's words")
            assert Entry.objects.count() == entries           # rolled back either way
            counts[r.status_code] = counts.get(r.status_code, 0) + 1
    assert failures == [], "\n".join(failures)
    assert sum(counts.values()) == len(cells(world)) * len(ROLES)


def test_scene_check_answer_has_no_entry(world):
    c = Client()
    c.force_login(world["u"]["shanghu1"])
    r = c.post(f"/api/credit/scenes/{world['scene'].pk}/check",
               json.dumps({"code": svc.my_code(actor=world["a"].person.user)}), content_type="application/json")
    assert set(json.loads(r.content)) == {"scene", "level", "level_label", "allowed"}


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if hasattr(p, "url_patterns"):
            yield from _patterns(p, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p.name


def test_every_credit_url_is_in_the_matrix(world):
    import re
    routes = {(path, name) for path, name in _patterns(get_resolver())
              if path.startswith(("api/credit", "credit/"))}
    assert len(routes) > 30      # the walk sees both surfaces
    templates = {re.sub(r"\d+", "N", url.split("?")[0].lstrip("/")) for _, _, url, _, _ in cells(world)}

    def shape(path: str) -> str:
        path = re.sub(r"<(?:int:)?\w+>", "N", path)
        return path.replace("<str:path>", "N")
    known = {re.sub(r"/(approve|reject|uphold|dismiss|retract|grant|refuse)$", "/N", t) for t in templates}
    missing = sorted(p for p, _ in routes if re.sub(r"/N$", "/N", shape(p)) not in known | templates
                     and shape(p) not in known)
    assert missing == [], "add these to cells(): " + ", ".join(missing)
