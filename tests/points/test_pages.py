"""The 积分超市 pages and API, by role: resident, manager, counter clerk, outsider."""
import json

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.domain.points import RedemptionStatus, Source
from gongzhi.points import services as s, shop as sh
from gongzhi.points.models import Account, Claim, Item, Redemption

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _api(c, method, path, data=None):
    if method == "get":
        r = c.get(f"/api/points{path}")
    else:
        r = c.post(f"/api/points{path}", json.dumps(data or {}), content_type="application/json")
    return r.status_code, json.loads(r.content) if r.content else None


def test_resident_pages_redeem_and_cancel(mini):
    s.award(person=mini.people["r1"], rule="volunteer", key="v:1", qty=7, actor=None)     # 70
    c = _client(mini.users["r1"])
    home = c.get("/points/")
    assert home.status_code == 200 and "70" in home.content.decode()
    page = c.get("/points/shop/").content.decode()
    assert "洗衣液" in page and "兑换点1" in page
    soap = mini.items["洗衣液"]
    r = c.post("/points/redeem", {"item_id": soap.pk, "counter_id": mini.counters[0].pk, "client_key": "a1"})
    assert r.status_code == 302
    row = Redemption.objects.get()
    assert row.code in c.get("/points/").content.decode()
    r = c.post("/points/redeem", {"item_id": soap.pk, "counter_id": mini.counters[0].pk})    # 10 points left
    assert r.status_code == 409 and "积分不足" in r.content.decode()
    r = c.post("/points/redeem", {"item_id": "x", "counter_id": mini.counters[0].pk})
    assert r.status_code == 422
    assert c.post(f"/points/redemptions/{row.pk}/cancel").status_code == 302
    assert Account.objects.get(person=mini.people["r1"]).balance == 70
    assert _client(mini.users["r2"]).post(f"/points/redemptions/{row.pk}/cancel").status_code == 404


def test_resident_claims_and_manager_confirms_on_the_desk(mini):
    c = _client(mini.users["r1"])
    today = timezone.localdate().isoformat()
    r = c.post("/points/claim", {"shop_id": mini.shop.pk, "rule": "volunteer", "hours": "3", "worked_on": today,
                                 "activity": "垃圾分类督导", "client_key": "k"})
    assert r.status_code == 302
    claim = Claim.objects.get()
    desk = _client(mini.users["m1"]).get("/points/desk/")
    assert desk.status_code == 200 and "垃圾分类督导" in desk.content.decode()
    r = _client(mini.users["m1"]).post(f"/points/claims/{claim.pk}/decide", {"confirm": "1"})
    assert r.status_code == 302
    assert Account.objects.get(person=mini.people["r1"]).balance == 30
    r = _client(mini.users["m2"]).post(f"/points/claims/{claim.pk}/decide", {"confirm": "1"})
    assert r.status_code == 409                              # decided already
    # a manager enters hours for a resident: the other manager confirms
    m1 = _client(mini.users["m1"])
    r = m1.post("/points/claim", {"from": "desk", "shop_id": mini.shop.pk, "person_id": mini.people["r2"].pk,
                                  "rule": "mediation", "hours": "2", "worked_on": today, "activity": "调解"})
    assert r.status_code == 302
    second = Claim.objects.exclude(pk=claim.pk).get()
    assert m1.post(f"/points/claims/{second.pk}/decide", {"confirm": "1"}).status_code == 403
    assert _client(mini.users["m2"]).post(f"/points/claims/{second.pk}/decide", {"confirm": "1"}).status_code == 302


def test_manager_reverses_and_restocks(mini):
    wrong = s.award(person=mini.people["r2"], rule=Source.PATROL, key="p:1", actor=mini.users["m1"])
    acct = Account.objects.get(person=mini.people["r2"])
    m2 = _client(mini.users["m2"])
    page = m2.get(f"/points/accounts/{acct.pk}/")
    assert page.status_code == 200 and "冲正" in page.content.decode()
    assert m2.post(f"/points/accounts/{acct.pk}/reverse/{wrong.pk}", {"reason": ""}).status_code == 422
    assert m2.post(f"/points/accounts/{acct.pk}/reverse/{wrong.pk}", {"reason": "误发"}).status_code == 302
    assert Account.objects.get(pk=acct.pk).balance == 0
    soap = mini.items["洗衣液"]
    assert m2.post(f"/points/stock/{soap.pk}", {"add": "-6"}).status_code == 409
    assert m2.post(f"/points/stock/{soap.pk}", {"add": "7"}).status_code == 302
    assert Item.objects.get(pk=soap.pk).stock == 12
    # a clerk or a resident is no manager
    for who in ("clerk1", "r1"):
        c = _client(mini.users[who])
        assert c.get("/points/desk/").status_code == 404
        assert c.get(f"/points/accounts/{acct.pk}/").status_code == 404


def test_counter_looks_up_and_hands_over(mini):
    s.award(person=mini.people["r1"], rule="volunteer", key="v:1", qty=6, actor=None)
    row, _ = sh.redeem(actor=mini.users["r1"], item_id=mini.items["洗衣液"].pk, counter_id=mini.counters[0].pk)
    clerk = _client(mini.users["clerk1"])
    page = clerk.get("/points/counter/", {"code": row.code.lower()}).content.decode()
    assert "洗衣液" in page and "王*" in page and "王一" not in page       # the resident's name masked
    assert _client(mini.users["clerk2"]).get("/points/counter/", {"code": row.code}).status_code == 404
    assert clerk.get("/points/counter/", {"code": "ZZ"}).status_code == 422
    assert clerk.post("/points/counter/hand-over", {"code": row.code}).status_code == 302
    assert Redemption.objects.get(pk=row.pk).status == RedemptionStatus.REDEEMED
    assert clerk.post("/points/counter/hand-over", {"code": row.code}).status_code == 409
    assert _client(mini.users["r1"]).get("/points/counter/").status_code == 404


def test_outsider_sees_nothing(mini):
    c = _client(mini.users["nobody"])
    for url in ("/points/", "/points/shop/", "/points/desk/", "/points/counter/"):
        assert c.get(url).status_code == 404, url
    assert Client().get("/points/").status_code == 302            # to the login page


def test_api_round_trip(mini):
    r1 = _client(mini.users["r1"])
    s.award(person=mini.people["r1"], rule="volunteer", key="v:1", qty=6, actor=None)
    status, me = _api(r1, "get", "/me")
    assert status == 200 and me["balance"] == 60 and me["postings"][0]["points"] == 60
    assert "key" not in me["postings"][0]
    status, items = _api(r1, "get", "/items")
    assert {i["name"] for i in items} == {"洗衣液", "大米", "理发"}
    body = {"item_id": mini.items["理发"].pk, "counter_id": mini.counters[1].pk, "client_key": "x1"}
    status, red = _api(r1, "post", "/redemptions", body)
    assert status == 201 and len(red["code"]) == 8
    status, again = _api(r1, "post", "/redemptions", body)
    assert status == 200 and again["code"] == red["code"]
    status, err = _api(r1, "post", "/redemptions", {**body, "qty": "2"})
    assert status == 422
    clerk2 = _client(mini.users["clerk2"])
    status, found = _api(clerk2, "post", "/counter/lookup", {"code": red["code"]})
    assert status == 200 and found["resident"] == "王*" and found["code"] is None
    status, done = _api(clerk2, "post", "/counter/hand-over", {"code": red["code"]})
    assert status == 200 and done["status"] == RedemptionStatus.REDEEMED
    status, rules = _api(r1, "get", "/rules")
    assert {r["code"] for r in rules} >= {"volunteer", "mediation", "report", "patrol", "vote"}
    status, claim = _api(r1, "post", "/claims", {"shop_id": mini.shop.pk, "rule": "volunteer", "hours": 2,
                                                 "worked_on": timezone.localdate().isoformat(), "activity": "助老"})
    assert status == 201
    status, queue = _api(_client(mini.users["m1"]), "get", "/claims")
    assert [q["id"] for q in queue] == [claim["id"]]
    status, decided = _api(_client(mini.users["m1"]), "post", f"/claims/{claim['id']}/decide", {"confirm": True})
    assert status == 200 and decided["status"] == "confirmed"
    status, _ = _api(r1, "post", f"/claims/{claim['id']}/decide", {"confirm": True})
    assert status == 403                                     # their own claim: seen, not decided
    assert Client().get("/api/points/me").status_code == 401


def test_demo_builds_with_an_intact_chain(jf):
    from gongzhi.core import chain
    from gongzhi.points.checks import problems
    f = next(f for f in chain.verify_all() if f.kind == "points")
    assert f.broken_at is None and f.rows >= 10 and problems() == []
    assert jf["pending"].status == RedemptionStatus.PENDING
    assert Redemption.objects.get(pk=jf["redeemed"].pk).status == RedemptionStatus.REDEEMED
    assert all(Account.objects.get(person=p).balance > 0 for p in jf["people"])
    c = _client(jf["users"]["dhd2"])
    assert jf["pending"].code and c.get("/points/counter/", {"code": jf["pending"].code}).status_code == 200


def test_api_staff_endpoints(mini):
    wrong = s.award(person=mini.people["r2"], rule=Source.PATROL, key="p:1", actor=mini.users["m1"])
    acct = Account.objects.get(person=mini.people["r2"])
    m2, r1 = _client(mini.users["m2"]), _client(mini.users["r1"])
    status, detail = _api(m2, "get", f"/accounts/{acct.pk}")
    assert status == 200 and detail["balance"] == 5 and detail["postings"][0]["reversible"]
    assert _api(r1, "get", f"/accounts/{acct.pk}")[0] == 404
    assert _api(m2, "post", f"/postings/{wrong.pk}/reverse", {"reason": ""})[0] == 422
    assert _api(r1, "post", f"/postings/{wrong.pk}/reverse", {"reason": "x"})[0] == 404
    status, rev = _api(m2, "post", f"/postings/{wrong.pk}/reverse", {"reason": "误发"})
    assert status == 200 and rev["points"] == -5
    status, stock = _api(m2, "get", "/stock")
    assert {i["name"] for i in stock} == {"洗衣液", "大米", "理发"}
    assert _api(r1, "get", "/stock") == (200, [])
    soap = mini.items["洗衣液"]
    assert _api(m2, "post", f"/stock/{soap.pk}", {"add": 3})[1]["stock"] == 8
    assert _api(m2, "post", f"/stock/{soap.pk}", {"add": -9})[0] == 409
    assert _api(r1, "post", f"/stock/{soap.pk}", {"add": 3})[0] == 404
    assert _api(m2, "get", "/staff")[1] == {"manager": True, "counter": False}
    assert _api(_client(mini.users["clerk1"]), "post", "/counter/lookup", {"code": "ACDEFGHJ"})[0] == 404
    assert _api(r1, "post", "/counter/lookup", {"code": "ACDEFGHJ"})[0] == 403
    s.award(person=mini.people["r1"], rule="volunteer", key="v:1", qty=6, actor=None)
    status, red = _api(r1, "post", "/redemptions", {"item_id": soap.pk, "counter_id": mini.counters[0].pk})
    assert _api(_client(mini.users["r2"]), "post", f"/redemptions/{red['id']}/cancel")[0] == 404
    status, cancelled = _api(r1, "post", f"/redemptions/{red['id']}/cancel")
    assert status == 200 and cancelled["status"] == RedemptionStatus.CANCELLED and cancelled["code"] is None
    assert _api(r1, "post", f"/redemptions/{red['id']}/cancel")[0] == 409


def test_admin_shows_postings_read_only(mini):
    from django.contrib.auth import get_user_model
    p = s.award(person=mini.people["r1"], rule=Source.PATROL, key="p:1", actor=None)
    admin = get_user_model().objects.create_superuser("root", password="x")
    c = _client(admin)
    assert c.get("/admin/points/posting/").status_code == 200
    page = c.get(f"/admin/points/posting/{p.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert c.post(f"/admin/points/posting/{p.pk}/change/", {"points": "500"}).status_code == 403
    assert c.get(f"/admin/points/posting/{p.pk}/delete/").status_code == 403
    assert c.get("/admin/points/posting/add/").status_code == 403
    assert c.get("/admin/points/earnrule/").status_code == 200


def test_control_characters_refused_on_pages_and_api(mini):
    c = _client(mini.users["r1"])
    today = timezone.localdate().isoformat()
    r = c.post("/points/claim", {"shop_id": mini.shop.pk, "rule": "volunteer", "hours": "2", "worked_on": today,
                                 "activity": "助老\x07服务"})
    assert r.status_code == 422 and not Claim.objects.exists()
    status, _ = _api(c, "post", "/claims", {"shop_id": mini.shop.pk, "rule": "volunteer", "hours": 2,
                                            "worked_on": today, "activity": "助老\x1b服务"})
    assert status == 422
    claim, _ = s.claim_hours(actor=mini.users["r1"], person_id=None, shop_id=mini.shop.pk, rule_code="volunteer",
                             hours=1, worked_on=timezone.localdate(), activity="助老")
    r = _client(mini.users["m1"]).post(f"/points/claims/{claim.pk}/decide", {"confirm": "0", "reason": "无\x00记录"})
    assert r.status_code in (400, 422) and Claim.objects.get(pk=claim.pk).status == "claimed"
