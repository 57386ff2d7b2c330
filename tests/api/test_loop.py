"""Every transition of the closed loop through the API, and every forbidden one refused."""
import pytest

from gongzhi.domain.enums import Action
from gongzhi.events.models import CoHandler, Event, Supervision

from ..conftest import report_payload
from ..domain.test_tables_pinned import EVENTS, parse

# The path endpoint for each user-facing action (system actions have none).
ENDPOINT = {
    Action.ACCEPT: ("accept", {}), Action.REJECT: ("reject", {"reason": "x"}),
    Action.DISPATCH: ("dispatch", {}), Action.SIGN: ("sign", {}), Action.RETURN: ("return", {"reason": "x"}),
    Action.RESOLVE: ("resolve", {"result": "已处理"}), Action.VERIFY: ("verify", {"passed": True}),
    Action.VERIFY_FAIL: ("verify", {"passed": False, "note": "x"}), Action.ANSWER: ("answer", {"answer": "已答复"}),
    Action.REVISIT: ("revisit", {"satisfaction": 5}), Action.REOPEN: ("reopen", {"reason": "x"}),
    Action.CLOSE: ("close", {}), Action.ESCALATE: ("escalate", {"reason": "x"}),
}


@pytest.fixture
def reported(district, as_user):
    _, ev = as_user("resident1").post("/events", report_payload(district, 0))
    return ev["id"]


def test_full_loop_with_named_actors(district, as_user, reported):
    comm, grid, resident = as_user("comm11"), as_user("grid111"), as_user("resident1")
    i = reported
    s, ev = comm.post(f"/events/{i}/accept", {"note": "受理"})
    assert s == 200 and ev["status"] == "accepted" and ev["clock"] == "sign"
    s, ev = comm.post(f"/events/{i}/dispatch", {})
    assert s == 200 and ev["status"] == "dispatched" and ev["handler_area"] == district.grids[0].name
    assert ev["sign_due_at"].startswith("2026-11-03T23:59:59")   # Monday + 1 working day, Shanghai
    assert ev["handle_due_at"].startswith("2026-11-16T23:59:59")  # 投诉: 10 working days
    # The dispatching centre is no handler of the grid: it may not sign its own dispatch.
    assert ev["capacities"] == ["centre"] and "sign" not in ev["actions"]
    s, ev = grid.post(f"/events/{i}/sign", {"version": ev["version"]})
    assert s == 200 and ev["status"] == "handling" and ev["signed_on_time"] is True and ev["clock"] == "handle"
    s, ev = grid.post(f"/events/{i}/notes", {"note": "已联系物业"})
    assert s == 200 and ev["timeline"][-1]["note"] == "已联系物业"
    s, ev = grid.post(f"/events/{i}/resolve", {"result": "垃圾已清运"})
    assert s == 200 and ev["status"] == "resolved" and ev["resolved_on_time"] is True
    s, ev = comm.post(f"/events/{i}/verify", {"passed": True, "note": "现场核查"})
    assert s == 200 and ev["status"] == "verified"
    s, ev = comm.post(f"/events/{i}/answer", {"answer": "已清运，感谢反映"})
    assert s == 200 and ev["status"] == "answered" and ev["clock"] == "revisit"
    s, ev = resident.get(f"/events/{i}")
    assert ev["answer"] == "已清运，感谢反映" and "revisit" in ev["actions"] and "reopen" in ev["actions"]
    s, ev = resident.post(f"/events/{i}/revisit", {"satisfaction": 5, "note": "满意"})
    assert s == 200 and ev["status"] == "revisited" and ev["satisfaction"] == 5
    s, ev = comm.post(f"/events/{i}/close", {})
    assert s == 200 and ev["status"] == "closed" and ev["clock"] is None and ev["actions"] == []
    steps = [(t["action"], t["from_status"], t["to_status"]) for t in ev["timeline"]]
    assert steps == [
        ("report", None, "reported"), ("accept", "reported", "accepted"), ("dispatch", "accepted", "dispatched"),
        ("sign", "dispatched", "handling"), ("note", "handling", "handling"), ("resolve", "handling", "resolved"),
        ("verify", "resolved", "verified"), ("answer", "verified", "answered"), ("revisit", "answered", "revisited"),
        ("close", "revisited", "closed")]
    assert [t["actor"] for t in ev["timeline"]][1] == district.users["comm11"].profile.display_name


def _walk_to(status, i, as_user):
    """Drive event ``i`` to ``status`` by the normal path."""
    path = [("accept", "comm11", {}), ("dispatch", "comm11", {}), ("sign", "grid111", {}),
            ("resolve", "grid111", {"result": "已处理"}), ("verify", "comm11", {"passed": True}),
            ("answer", "comm11", {"answer": "已答复"}), ("revisit", "comm11", {"satisfaction": 4}),
            ("close", "comm11", {})]
    order = ["reported", "accepted", "dispatched", "handling", "resolved", "verified", "answered", "revisited",
             "closed"]
    for name, who, body in path[:order.index(status)]:
        s, ev = as_user(who).post(f"/events/{i}/{name}", body)
        assert s == 200, ev


@pytest.mark.parametrize("status", ["reported", "accepted", "dispatched", "handling", "resolved", "verified",
                                    "answered", "revisited", "closed"])
def test_every_forbidden_transition_is_a_409(district, as_user, reported, status):
    _walk_to(status, reported, as_user)
    admin = as_user("admin")
    version = Event.objects.get(pk=reported).version
    for action, (path, body) in ENDPOINT.items():
        if status in parse(EVENTS)[action][0]:       # the table written out, not the one under test
            continue
        s, err = admin.post(f"/events/{reported}/{path}", body)
        assert s == 409, (status, action, err)
        assert err["code"] == "transition_not_allowed" and "不允许" in err["message"]
    assert Event.objects.get(pk=reported).version == version   # nothing changed


def test_wrong_capacity_is_403_and_missing_reason_422(district, as_user, reported):
    s, err = as_user("grid111").post(f"/events/{reported}/accept", {})
    assert s == 403 and "无权" in err["message"]
    s, err = as_user("comm11").post(f"/events/{reported}/reject", {"reason": "  "})
    assert s == 422 and err["fields"] == {"reason": "必须填写原因"}
    s, err = as_user("comm11").post(f"/events/{reported}/reject", {})
    assert s == 422 and err["fields"]["reason"] == "必填"


def test_reject_with_reason_ends_the_event(district, as_user, reported):
    s, ev = as_user("comm11").post(f"/events/{reported}/reject", {"reason": "不属于受理范围"})
    assert s == 200 and ev["status"] == "rejected" and ev["timeline"][-1]["reason"] == "不属于受理范围"


def test_return_goes_back_to_the_dispatcher(district, as_user, reported):
    _walk_to("dispatched", reported, as_user)
    s, ev = as_user("grid111").post(f"/events/{reported}/return", {"reason": "不属本网格"})
    assert s == 200 and ev["status"] == "accepted" and ev["returns"] == 1
    assert ev["handler_area"] == district.communities[0].name and ev["clock"] == "sign"
    s, ev = as_user("comm11").post(f"/events/{reported}/dispatch", {"area": district.grids[1].code})
    assert s == 422 and "区域" in ev["message"]    # the event is not in grid 2
    s, ev = as_user("comm11").post(f"/events/{reported}/dispatch", {"department": "350602-cg"})
    assert s == 200 and ev["handler_department"] == "区城市管理局"
    s, ev = as_user("dept_cg").post(f"/events/{reported}/sign", {})
    assert s == 200 and ev["status"] == "handling"


def test_extension_request_approve_and_deny(district, as_user, reported):
    _walk_to("handling", reported, as_user)
    grid, comm = as_user("grid111"), as_user("comm11")
    before = Event.objects.get(pk=reported).handle_due_at
    s, ev = grid.post(f"/events/{reported}/extensions", {"workdays": 5, "reason": "需协调多个部门"})
    assert s == 200 and ev["extensions"][0]["state"] == "pending"
    s, err = grid.post(f"/events/{reported}/extensions", {"workdays": 2, "reason": "再次申请"})
    assert s == 409 and err["code"] == "extension_pending"
    s, err = grid.post(f"/events/{reported}/extensions/decide", {"approve": True})
    assert s == 403                                  # the handler cannot approve its own request
    s, ev = comm.post(f"/events/{reported}/extensions/decide", {"approve": True, "note": "同意"})
    assert s == 200 and ev["extension_workdays"] == 5
    after = Event.objects.get(pk=reported).handle_due_at
    assert ev["handle_due_at"].startswith("2026-11-23T23:59:59") and after > before
    s, ev = grid.post(f"/events/{reported}/extensions", {"workdays": 3, "reason": "仍需时间"})
    s, ev = comm.post(f"/events/{reported}/extensions/decide", {"approve": False, "note": "不予延期"})
    assert s == 200 and ev["extension_workdays"] == 5 and ev["extensions"][1]["state"] == "denied"
    s, err = comm.post(f"/events/{reported}/extensions/decide", {"approve": True})
    assert s == 409 and err["code"] == "no_pending_extension"


def test_escalate_one_level_then_township_handles(district, as_user, reported):
    _walk_to("handling", reported, as_user)
    s, ev = as_user("grid111").post(f"/events/{reported}/escalate", {"reason": "超出网格处置能力"})
    assert s == 200 and ev["status"] == "dispatched" and ev["handler_level"] == 4 and ev["escalations"] == 1
    s, ev = as_user("comm11").post(f"/events/{reported}/escalate", {"reason": "需街道协调"})
    assert s == 200 and ev["handler_level"] == 3 and ev["handler_area"] == district.townships[0].name
    s, err = as_user("grid111").post(f"/events/{reported}/sign", {})
    assert s == 403                           # no longer the grid's
    s, ev = as_user("town1").post(f"/events/{reported}/sign", {})
    assert s == 200 and ev["status"] == "handling"
    s, ev = as_user("town1").post(f"/events/{reported}/escalate", {"reason": "需区级"})
    s, err = as_user("county").post(f"/events/{reported}/escalate", {"reason": "再上报"})
    assert s == 409 and err["code"] == "escalation_not_possible"


def test_skip_levels_only_where_a_rule_allows(district, as_user):
    grid = as_user("grid111")
    _, hazard = grid.post("/events", report_payload(district, kind="hazard", category="safety-gas",
                                                    urgency="critical", channel="grid_patrol",
                                                    description="楼道里燃气味道很浓"))
    _, plain = grid.post("/events", report_payload(district, channel="grid_patrol"))
    for i in (hazard["id"], plain["id"]):
        _walk_to("dispatched", i, as_user)
    s, ev = grid.post(f"/events/{hazard['id']}/skip-escalate", {"reason": "情况危急"})
    assert s == 200 and ev["handler_level"] == 2
    assert ev["timeline"][-1]["data"]["rule"].endswith("→ 区应急管理局")
    s, err = grid.post(f"/events/{plain['id']}/skip-escalate", {"reason": "想越级"})
    assert s == 409 and "逐级上报" in err["message"]


def test_whistle_check_in_and_supervise(district, as_user, reported):
    _walk_to("handling", reported, as_user)
    s, ev = as_user("grid111").post(f"/events/{reported}/whistle", {
        "reason": "需城管与应急联合处置",
        "departments": [{"department": "350602-cg", "role": "lead"}, {"department": "350602-yj"}]})
    assert s == 200 and {c["code"] for c in ev["co_handlers"]} == {"350602-cg", "350602-yj"}
    assert all(c["check_in_due_at"] for c in ev["co_handlers"])
    s, err = as_user("grid111").post(f"/events/{reported}/whistle", {
        "reason": "x", "departments": [{"department": "350602-cg", "role": "lead"},
                                       {"department": "350602-yj", "role": "lead"}]})
    assert s == 422 and "主办" in err["message"]
    # The called department now sees the event and checks in, once.
    s, ev = as_user("dept_cg").post(f"/events/{reported}/check-in", {"note": "已到场"})
    assert s == 200 and CoHandler.objects.get(department__code="350602-cg").checked_in_at is not None
    s, err = as_user("dept_cg").post(f"/events/{reported}/check-in", {})
    assert s == 409
    s, ev = as_user("supervisor").post(f"/events/{reported}/supervise", {"level": "yellow", "note": "请限期办结"})
    assert s == 200 and ev["supervision"] == "yellow"
    s, ev = as_user("supervisor").post(f"/events/{reported}/supervise", {"level": "normal", "note": "跟进"})
    assert ev["supervision"] == "yellow" and Supervision.objects.count() == 2   # never downgraded
    s, err = as_user("grid111").post(f"/events/{reported}/supervise", {"level": "red", "note": "x"})
    assert s == 403


def test_verify_fail_and_reopen(district, as_user, reported):
    _walk_to("resolved", reported, as_user)
    s, ev = as_user("comm11").post(f"/events/{reported}/verify", {"passed": False, "note": "现场未整改"})
    assert s == 200 and ev["status"] == "handling" and ev["clock"] == "handle"
    _walk_to_answered = [("resolve", "grid111", {"result": "已整改"}), ("verify", "comm11", {"passed": True}),
                         ("answer", "comm11", {"answer": "已整改完毕"})]
    for name, who, body in _walk_to_answered:
        assert as_user(who).post(f"/events/{reported}/{name}", body)[0] == 200
    s, ev = as_user("resident1").post(f"/events/{reported}/revisit", {"satisfaction": 2, "note": "不满意"})
    s, ev = as_user("resident1").post(f"/events/{reported}/reopen", {"reason": "垃圾又堆起来了"})
    assert s == 200 and ev["status"] == "dispatched" and ev["reopens"] == 1 and ev["satisfaction"] is None
    assert ev["handler_area"] == district.grids[0].name
    s, err = as_user("resident1").post(f"/events/{reported}/revisit", {"satisfaction": 9})
    assert s == 422 and err["fields"]["satisfaction"] == "数值过大"


def test_stale_version_is_a_409(district, as_user, reported):
    _walk_to("dispatched", reported, as_user)
    s, err = as_user("grid111").post(f"/events/{reported}/sign", {"version": 1})
    assert s == 409 and err["code"] == "stale_version"
