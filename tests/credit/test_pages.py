"""信用档案 pages: the officers' desk and a file, the person's phone page (objection, repair, code),
a scene's check, the participation statistics — and the 404s for everyone else."""
from __future__ import annotations

import io

import pytest
from django.test import Client

from gongzhi.core.models import AccessLog
from gongzhi.credit.models import Dispute, Entry, Proposal, Scene
from gongzhi.domain import credit as dc
from gongzhi.domain.enums import CaseKind


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 130, 30)).save(out, "PNG")
    return out.getvalue()


def test_officer_desk_and_file(credit):
    u, a = credit["users"], credit["files"][0]
    c = _client(u["xy2"])
    home = c.get("/credit/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "帮助独居老人" not in text and "居民甲" in text and "待处理的异议" in text
    page = c.get(f"/credit/files/{a.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "138****0001" in body and "13800000001" not in body
    assert "350602198001011234" not in body
    assert AccessLog.objects.filter(user=u["xy2"], kind=CaseKind.CREDIT_FILE, case_id=a.pk).count() == 1


def test_propose_with_evidence_then_approve_on_pages(credit):
    from django.core.files.uploadedfile import SimpleUploadedFile
    u, a = credit["users"], credit["files"][0]
    b = Entry.objects.filter(file=a).first().behaviour.clause.behaviours.first()
    r = _client(u["xy1"]).post(f"/credit/files/{a.pk}/propose", {
        "behaviour_id": b.pk, "occurred_on": "2026-11-01", "facts": "参加社区义诊志愿服务", "client_key": "pg1",
        "evidence": SimpleUploadedFile("a.png", _png(), content_type="image/png")})
    assert r.status_code == 302, r.content.decode()[:500]
    p = Proposal.objects.get(client_key="pg1")
    assert p.evidence.count() == 1
    # the proposer is not offered the approval; the other officer approves
    assert f"/credit/proposals/{p.pk}/approve" not in _client(u["xy1"]).get(f"/credit/files/{a.pk}/").content.decode()
    r = _client(u["xy1"]).post(f"/credit/proposals/{p.pk}/approve", {"file": a.pk})
    assert r.status_code == 302 and not Entry.objects.filter(proposal=p).exists()
    r = _client(u["xy2"]).post(f"/credit/proposals/{p.pk}/approve", {"file": a.pk})
    assert r.status_code == 302 and Entry.objects.filter(proposal=p).exists()


def test_bad_proposal_comes_back_with_the_message(credit):
    u, a = credit["users"], credit["files"][0]
    r = _client(u["xy1"]).post(f"/credit/files/{a.pk}/propose", {"behaviour_id": "", "occurred_on": "2026-11-01",
                                                                  "facts": "短"})
    assert r.status_code == 422
    assert "至少 4 个字" in r.content.decode()


def test_person_page_objection_and_code(credit):
    b = credit["files"][1]
    c = _client(b.person.user)
    page = c.get("/credit/me/")
    body = page.content.decode()
    assert page.status_code == 200 and "B 级（信用良好）" in body and "已修复" in body
    entry = Entry.objects.filter(file=b, behaviour__code="volunteer").first()
    r = c.post("/credit/me/dispute", {"entry_id": entry.pk, "reason": "这次活动我请假没去", "client_key": "x1"})
    assert r.status_code == 302
    assert Dispute.objects.filter(file=b, entry=entry, status=dc.DisputeStatus.FILED).exists()
    code_page = c.get("/credit/me/?code=1").content.decode()
    assert "信用码" in code_page and "<code>" in code_page


def test_scene_operator_sees_level_only(credit):
    u, a = credit["users"], credit["files"][0]
    from gongzhi.credit import services as svc
    code = svc.my_code(actor=a.person.user)
    shop = Scene.objects.get(provider="便民超市")
    c = _client(u["shanghu1"])
    r = c.post("/credit/scenes/check", {"scene": shop.pk, "code": code}, follow=True)
    body = r.content.decode()
    assert r.status_code == 200 and "可以享受" in body
    assert "乱倒垃圾" not in body and "居民甲" not in body
    assert c.get(f"/credit/files/{a.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["admin", "comm11", "grid111", "resident3"])
def test_outsiders_get_404(credit, district, who):
    a = credit["files"][0]
    c = _client(district.users[who])
    assert c.get(f"/credit/files/{a.pk}/").status_code == 404
    d = Dispute.objects.get(file=a)
    assert c.get(f"/credit/disputes/{d.pk}/").status_code == 404
    if who != "resident3":
        assert c.get("/credit/").status_code == 404


def test_participation_statistics(credit, district):
    page = _client(district.users["comm11"]).get("/stats/participation/")
    body = page.content.decode()
    assert page.status_code == 200 and "信用等级分布" in body and "瑞京社区" in body
    admin = _client(district.users["admin"]).get("/stats/participation/")
    assert admin.status_code == 200 and "信用等级分布" not in admin.content.decode()
    officer = _client(credit["users"]["xy1"]).get("/stats/participation/")
    assert officer.status_code == 200 and "信用等级分布" in officer.content.decode()
    assert _client(district.users["resident1"]).get("/stats/participation/").status_code == 404



def test_participation_figures_with_votes_and_points(district):
    """With the registry's and votes' demo data and two awards: each decided vote's turnout as its
    count recorded it (participants / eligible), and this month's points as the postings hold them."""
    from gongzhi.demo.credit import build_credit
    from gongzhi.demo.registry import build_registry
    from gongzhi.demo.votes import build_votes
    from gongzhi.domain.points import Source
    from gongzhi.points import services as ps
    from gongzhi.points.reference import ensure_rules
    from gongzhi.registry.models import Person
    from gongzhi.votes.models import Proposal
    build_registry(district)
    build_credit(district)
    build_votes(district)
    ensure_rules()
    person = Person.objects.create(name="积分居民", grid=district.grids[0])
    a1 = ps.award(person=person, rule=Source.PATROL, key="t:1", actor=None, reason="平安巡防")
    a2 = ps.award(person=person, rule=Source.REPORT, key="t:2", actor=None, reason="有效报事")
    body = _client(district.users["county"]).get("/stats/participation/").content.decode()
    decided = Proposal.objects.filter(decided_at__isnull=False)
    assert decided.exists()
    for p in decided:
        assert f"{p.participants * 100 / p.eligible:.2f}%" in body
    assert "<td>2026-11</td><td>" + str(a1.points + a2.points) + "</td><td>0</td>" in body
    assert "信用等级分布" in body
