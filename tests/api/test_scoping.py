"""Nobody reads out of scope; 举报 reporters stay hidden; unmasking is logged."""
import pytest

from gongzhi.core.models import AccessLog

from ..conftest import report_payload

# grid index → (township, community) in the 2×2×2 test district:
# 0,1 → t1 c1 ; 2,3 → t1 c2 ; 4,5 → t2 c1 ; 6,7 → t2 c2


@pytest.fixture
def spread(district, as_user):
    """One event in each of the 8 grids, reported by resident1 (even) or resident2 (odd)."""
    ids = []
    for g in range(8):
        who = "resident1" if g % 2 == 0 else "resident2"
        s, ev = as_user(who).post("/events", report_payload(district, g, description=f"第{g}号网格的问题描述"))
        assert s == 201
        ids.append(ev["id"])
    return ids


@pytest.mark.parametrize("user, grids", [
    ("admin", range(8)),
    ("county", range(8)),
    ("supervisor", range(8)),
    ("town1", range(0, 4)),
    ("town2", range(4, 8)),
    ("comm11", [0, 1]),
    ("comm22", [6, 7]),
    ("grid111", [0]),
    ("grid222", [7]),
    ("police11", [0, 1]),        # the community officer is on both grids' team
    ("nteam", [0]),
    ("resident1", [0, 2, 4, 6]),
    ("resident3", []),
    ("dept_cg", []),             # a department sees only what it handles
    ("med11", []),
])
def test_role_by_area_matrix(district, as_user, spread, user, grids):
    api = as_user(user)
    s, page = api.get("/events", limit=100)
    assert s == 200
    assert sorted(e["id"] for e in page["items"]) == sorted(spread[g] for g in grids)
    assert page["count"] == len(list(grids))
    for g, event_id in enumerate(spread):
        status, _ = api.get(f"/events/{event_id}")
        assert status == (200 if g in grids else 404), (user, g)
        # Acting is scoped the same way: out of scope is not found, never forbidden-but-revealed.
        if g not in grids:
            assert api.post(f"/events/{event_id}/accept", {})[0] == 404


def test_department_sees_what_it_handles_and_whistled(district, as_user, spread):
    comm = as_user("comm11")
    comm.post(f"/events/{spread[0]}/accept", {})
    comm.post(f"/events/{spread[0]}/dispatch", {"department": "350602-cg"})
    s, page = as_user("dept_cg").get("/events")
    assert [e["id"] for e in page["items"]] == [spread[0]]
    assert as_user("dept_yj").get("/events")[1]["count"] == 0


def test_unauthenticated_reads_nothing(district, as_user, spread):
    assert as_user(None).get("/events")[0] == 401
    assert as_user(None).get(f"/events/{spread[0]}")[0] == 401


def test_tip_off_reporter_is_confidential(district, as_user):
    s, ev = as_user("resident1").post("/events", report_payload(
        district, 0, kind="tip_off", category="urban-build", description="隔壁楼顶违章加盖彩钢房",
        reporter_phone="13812345678", reporter_id_number="350602199001011234"))
    assert s == 201 and ev["confidential"] is True
    assert ev["reporter"]["phone"] == "13812345678"       # the reporter sees their own data
    i = ev["id"]
    as_user("comm11").post(f"/events/{i}/accept", {})
    as_user("comm11").post(f"/events/{i}/dispatch", {})
    for who in ("grid111", "comm11", "town1", "county"):
        s, seen = as_user(who).get(f"/events/{i}")
        assert s == 200 and seen["reporter"] == {"name": "举报人", "phone": "", "id_number": "", "masked": True,
                                                 "disclosure": "pseudonym", "can_unmask": False}, who
        assert "13812345678" not in str(seen) and "1234" not in seen["reporter"]["phone"]
        assert seen["timeline"][0]["actor"] == "举报人", who      # never the account name
    # Handlers and centres cannot unmask a tip-off; a supervisor can, with a logged reason.
    for who in ("grid111", "comm11"):
        assert as_user(who).post(f"/events/{i}/unmask", {"reason": "核实身份"})[0] == 403
    assert AccessLog.objects.count() == 0
    s, full = as_user("supervisor").post(f"/events/{i}/unmask", {"reason": "纪检核查需要"})
    assert s == 200 and full["reporter_phone"] == "13812345678"
    log = AccessLog.objects.get()
    assert log.user == district.users["supervisor"] and log.reason == "纪检核查需要"


def test_phone_and_id_masked_and_unmask_logged(district, as_user):
    s, ev = as_user("comm11").post("/events", report_payload(
        district, 0, channel="walk_in", reporter_name="林秀英", reporter_phone="13912345678",
        reporter_id_number="350602199001011234"))
    s, seen = as_user("grid111").get(f"/events/{ev['id']}")
    assert seen["reporter"] == {"name": "林**", "phone": "139****5678", "id_number": "350***********1234",
                                "masked": True, "disclosure": "masked", "can_unmask": True}
    s, err = as_user("grid111").post(f"/events/{ev['id']}/unmask", {"reason": ""})
    assert s == 422 and err["fields"]["reason"]
    s, full = as_user("comm11").post(f"/events/{ev['id']}/unmask", {"reason": "回访需要联系"})
    assert s == 200 and full == {"reporter_name": "林秀英", "reporter_phone": "13912345678",
                                 "reporter_id_number": "350602199001011234"}
    assert AccessLog.objects.filter(user=district.users["comm11"], kind="event", case_id=ev["id"]).count() == 1
    assert as_user("resident2").post(f"/events/{ev['id']}/unmask", {"reason": "好奇"})[0] == 404


def test_anonymous_report_keeps_no_identity(district, as_user):
    s, ev = as_user("resident1").post("/events", report_payload(district, anonymous=True,
                                                                 reporter_phone="13812345678"))
    s, seen = as_user("comm11").get(f"/events/{ev['id']}")
    assert seen["reporter"]["name"] == "匿名群众" and seen["reporter"]["phone"] == ""
    assert seen["timeline"][0]["actor"] == "匿名群众" and seen["reporter"]["can_unmask"] is False
    from gongzhi.events.models import Event
    assert Event.objects.get(pk=ev["id"]).reporter_phone == ""
