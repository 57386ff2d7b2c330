"""转调解 closes the loop between an event and its mediation case (issue 14).

A 矛盾纠纷 event handed to mediation waits in 转调解 with no clock running (the sweep never flags
or escalates it, however long the committee takes); the signed agreement resolves it with the
case's result and starts its 核查 clock; any other end (调解不成, 不予受理, 撤回) returns it to the
desk with a fresh 签收 clock.  The resident whose report it was is the case's applicant: their
case list shows it and its documents are theirs — a 举报 or anonymous reporter never is.
Expected deadlines are counted out by hand in the comments (the receipt day does not count).
"""
import pytest
import time_machine
from django.test import Client

from gongzhi.casework.models import Document, Notice
from gongzhi.events.models import Event, EventAction
from gongzhi.events.sweep import sla_sweep
from gongzhi.mediation.models import Case
from gongzhi.ops.sweep import sweep_cases
from tests.conftest import report_payload, sh

from .test_mediation import RESPONDENT, transfer


def login(world, name):
    c = Client()
    c.force_login(world.users[name])
    return c


def steps(ev):
    return [(t["action"], t["from_status"], t["to_status"]) for t in ev["timeline"]]


def row(ev, action):
    return next(t for t in ev["timeline"] if t["action"] == action)


def dispute(world, as_user, **over):
    st, ev = as_user("resident1").post("/events", report_payload(
        world, kind="dispute", category="dispute-neighbour", description="邻居装修噪音持续一个月，多次协商无果",
        reporter_name="张三", reporter_phone="13812345678", **over))
    assert st == 201, ev
    return ev


def mediating(as_user, case):
    """受理 and one session: the case is 调解中."""
    med = as_user("med11")
    st, case = med.post(f"/mediation/{case['id']}/accept", {})
    assert st == 200, case
    st, case = med.post(f"/mediation/{case['id']}/record", {"attendees": "张三、李四、调解员",
                                                           "record": "双方陈述意见，调解员释法明理"})
    assert st == 200 and case["status"] == "mediating", case
    return case


# ---- into mediation ------------------------------------------------------------------------------

def test_the_transfer_moves_the_event_to_mediation_and_stops_its_clock(world, as_user, dispute_event):
    i = dispute_event["id"]
    st, ev = as_user("comm11").post(f"/events/{i}/accept", {})
    assert st == 200 and ev["clock"] == "sign" and ev["due_at"] == "2026-11-03T23:59:59+08:00"
    st, case = transfer(as_user, dispute_event)
    assert st == 201, case
    st, ev = as_user("med11").get(f"/events/{i}")
    assert ev["status"] == "mediation" and ev["status_label"] == "转调解"
    assert ev["clock"] is None and ev["due_at"] is None and ev["sla_flag"] == "green" and ev["actions"] == []
    assert steps(ev)[-1] == ("to_mediation", "accepted", "mediation")
    moved = row(ev, "to_mediation")
    assert moved["note"] == f"已转人民调解：瑞京社区人民调解委员会，案件编号 {case['number']}"
    # What was running when it stopped, for the record.
    assert moved["data"] == {"case": case["number"],
                             "paused": {"clock": "sign", "due_at": "2026-11-03T15:59:59+00:00", "sla_flag": "green"}}
    # The reporter reads where their matter went: the row and its words (no party named in them).
    st, mine = as_user("resident1").get(f"/events/{i}")
    seen = row(mine, "to_mediation")
    assert seen["label"] == "转人民调解" and seen["note"] == moved["note"] and seen["data"] == {}
    assert seen["actor"] == "工作人员"


def test_the_sweep_never_flags_an_event_in_mediation(world, as_user, dispute_event):
    """A month on, the sign clock the event had would be long red and escalated; in 转调解 nothing
    runs — the case's own 调解期限 is what turns red."""
    i = dispute_event["id"]
    as_user("comm11").post(f"/events/{i}/accept", {})
    other = dispute(world, as_user)          # the same dispute, left at the desk: the sweep does see it
    as_user("comm11").post(f"/events/{other['id']}/accept", {})
    st, case = transfer(as_user, dispute_event)
    case = mediating(as_user, case)
    month_later = sh(2026, 12, 2, 9)
    result = sla_sweep(now=month_later)
    assert result.red == 1 and result.escalated == 1 and not result.failed
    assert set(EventAction.objects.filter(event_id=other["id"]).values_list("action", flat=True)) >= {
        "sla_yellow", "sla_red", "auto_escalate"}
    ev = Event.objects.get(pk=i)
    assert (ev.status, ev.clock, ev.due_at, ev.sla_flag, ev.handler_level) == ("mediation", "", None, "green", 4)
    assert not EventAction.objects.filter(event_id=i, action__in=["sla_yellow", "sla_red", "auto_escalate"]).exists()
    # 15 working days from 11-02 → 11-23: the case is the one overdue.
    assert sweep_cases(now=month_later)["mediation"] == (1, 1)
    assert Case.objects.get(pk=case["id"]).sla_flag == "red"


def test_a_stale_clock_left_on_an_event_in_mediation_is_not_flagged(world, as_user, dispute_event):
    """Whatever clock columns a row carries, 转调解 is in no clock's statuses (workflow.CLOCK_RUNS_IN)."""
    transfer(as_user, dispute_event)
    past = sh(2026, 11, 1, 9)
    Event.objects.filter(pk=dispute_event["id"]).update(clock="handle", due_at=past, warn_at=past, sla_flag="green")
    assert sla_sweep(now=sh(2026, 11, 30, 9)).red == 0
    assert Event.objects.get(pk=dispute_event["id"]).sla_flag == "green"


def test_only_one_transfer_and_only_before_it_is_resolved(world, as_user, dispute_event):
    st, case = transfer(as_user, dispute_event, client_key="k1")
    assert st == 201
    st, again = transfer(as_user, dispute_event, client_key="k1")     # a retry answers with the same case
    assert st == 200 and again["id"] == case["id"]
    st, err = transfer(as_user, dispute_event)
    assert st == 409 and err["code"] == "already_in_mediation"
    assert Case.objects.count() == 1
    assert EventAction.objects.filter(event_id=dispute_event["id"], action="to_mediation").count() == 1
    # A resolved event cannot go to mediation: the case is not made either (one transaction).
    other = dispute(world, as_user)
    Event.objects.filter(pk=other["id"]).update(status="resolved")
    notices = Notice.objects.count()
    st, err = transfer(as_user, other)
    assert st == 409 and err["code"] == "transition_not_allowed", err
    assert Case.objects.count() == 1 and Notice.objects.count() == notices
    assert Event.objects.get(pk=other["id"]).status == "resolved"


def test_a_working_handler_may_transfer_from_handling(world, as_user):
    ev = dispute(world, as_user)
    comm, grid = as_user("comm11"), as_user("grid111")
    comm.post(f"/events/{ev['id']}/accept", {})
    comm.post(f"/events/{ev['id']}/dispatch", {"area": world.grids[0].code})
    st, ev = grid.post(f"/events/{ev['id']}/sign", {})
    assert st == 200 and ev["status"] == "handling" and "to_mediation" in ev["actions"]
    st, case = transfer(as_user, ev, user="grid111")
    assert st == 201, case
    assert Event.objects.get(pk=ev["id"]).status == "mediation"


def test_only_disputes_offer_the_transfer_action(world, as_user):
    st, ev = as_user("resident1").post("/events", report_payload(world))
    st, ev = as_user("comm11").post(f"/events/{ev['id']}/accept", {})
    assert "dispatch" in ev["actions"] and "to_mediation" not in ev["actions"]
    st, ev = as_user("comm11").get(f"/events/{dispute(world, as_user)['id']}")
    assert "to_mediation" in ev["actions"]


# ---- out of mediation ----------------------------------------------------------------------------

def test_a_signed_agreement_resolves_the_event_and_the_loop_goes_on(world, as_user, dispute_event):
    i = dispute_event["id"]
    st, case = transfer(as_user, dispute_event)
    case = mediating(as_user, case)
    med = as_user("med11")
    st, case = med.post(f"/mediation/{case['id']}/succeed", {"agreement_terms": "一、李四保证每晚22时后不再制造噪音。"})
    assert st == 200
    assert Event.objects.get(pk=i).status == "mediation"       # not before the parties sign
    st, case = med.post(f"/mediation/{case['id']}/sign", {})
    assert st == 200 and case["status"] == "signed"
    st, ev = as_user("comm11").get(f"/events/{i}")
    text = f"经人民调解：调解成功，已签订人民调解协议（瑞京社区人民调解委员会，案件编号 {case['number']}）"
    assert ev["status"] == "resolved" and ev["result"] == text and ev["resolved_on_time"] is True
    # 核查及答复: 2 working days from Monday 11-02 → Wednesday 11-04.
    assert ev["clock"] == "verify" and ev["due_at"] == "2026-11-04T23:59:59+08:00"
    assert steps(ev)[-1] == ("mediation_succeeded", "mediation", "resolved")
    assert row(ev, "mediation_succeeded")["actor"] == "系统"
    assert "李四" not in str(ev["timeline"])                     # the agreement's terms stay on the case
    st, mine = as_user("resident1").get(f"/events/{i}")
    assert row(mine, "mediation_succeeded")["note"] == text
    comm = as_user("comm11")
    st, ev = comm.post(f"/events/{i}/verify", {"passed": True, "note": "电话核实协议已履行"})
    assert st == 200 and ev["status"] == "verified"
    st, ev = comm.post(f"/events/{i}/answer", {"answer": "您的纠纷已经人民调解达成协议"})
    assert st == 200 and ev["status"] == "answered" and ev["clock"] == "revisit"
    # Closing the case later leaves the resolved event alone.
    med.post(f"/mediation/{case['id']}/follow-up", {"performance": "full"})
    st, case = med.post(f"/mediation/{case['id']}/close", {})
    assert st == 200 and Event.objects.get(pk=i).status == "answered"


def test_a_failed_mediation_returns_the_event_to_the_desk(world, as_user):
    """Handled by the grid, sent to mediation, failed ten days later: back at the community desk
    with a fresh 签收 clock, and the next dispatch starts a fresh 办理 limit."""
    comm, grid = as_user("comm11"), as_user("grid111")
    ev = dispute(world, as_user)
    i = ev["id"]
    comm.post(f"/events/{i}/accept", {})
    st, ev = comm.post(f"/events/{i}/dispatch", {"area": world.grids[0].code})
    assert ev["handle_due_at"] == "2026-11-16T23:59:59+08:00"      # 10 working days from 11-02
    grid.post(f"/events/{i}/sign", {})
    st, case = transfer(as_user, ev, user="grid111")
    case = mediating(as_user, case)
    with time_machine.travel(sh(2026, 11, 12, 10), tick=False):   # Thursday
        st, case = as_user("med11").post(f"/mediation/{case['id']}/fail", {
            "reason": "李四（13900001111）拒绝任何赔偿", "referral": "litigation", "referral_to": "芗城区人民法院"})
        assert st == 200 and case["status"] == "failed"
    st, ev = comm.get(f"/events/{i}")
    assert ev["status"] == "accepted" and ev["handler_department"] is None
    assert ev["handler_area"] == world.grids[0].parent.name and ev["handler_level"] == 4
    assert ev["clock"] == "sign" and ev["due_at"] == "2026-11-13T23:59:59+08:00"   # Thursday + 1 working day
    assert ev["handle_due_at"] is None and "dispatch" in ev["actions"]
    back = row(ev, "mediation_failed")
    assert steps(ev)[-1] == ("mediation_failed", "mediation", "accepted") and back["actor"] == "系统"
    assert back["note"] == (f"人民调解未成：调解终止，引导诉讼（诉调对接）：芗城区人民法院（瑞京社区人民调解委员会，"
                            f"案件编号 {case['number']}），事件回到受理，请重新派遣")
    # Why, as the event's staff may read it: the parties masked like on the case.
    assert back["reason"] == "李*（139****1111）拒绝任何赔偿"
    st, mine = as_user("resident1").get(f"/events/{i}")
    seen = row(mine, "mediation_failed")
    assert seen["label"] == "人民调解未成" and seen["note"] == "" and seen["reason"] == ""
    with time_machine.travel(sh(2026, 11, 12, 11), tick=False):     # a fresh login: sessions idle out
        st, ev = as_user("comm11").post(f"/events/{i}/dispatch", {"area": world.grids[0].code})
    # 10 working days from Thursday 11-12 (13, 16–20, 23–26), not the 11-16 of the first dispatch.
    assert st == 200 and ev["handle_due_at"] == "2026-11-26T23:59:59+08:00" and ev["status"] == "dispatched"


@pytest.mark.parametrize("how", ["withdraw", "refuse"])
def test_a_withdrawn_or_refused_case_returns_the_event_too(world, as_user, dispute_event, how):
    i = dispute_event["id"]
    st, case = transfer(as_user, dispute_event)
    # The applicant is the reporter: they withdraw their own application.
    who, ending = {"withdraw": ("resident1", "调解申请已撤回"), "refuse": ("med11", "调解组织不予受理")}[how]
    st, case = as_user(who).post(f"/mediation/{case['id']}/{how}", {"reason": "双方已自行和解"})
    assert st == 200, case
    st, ev = as_user("comm11").get(f"/events/{i}")
    assert ev["status"] == "accepted" and ev["clock"] == "sign" and ev["due_at"] == "2026-11-03T23:59:59+08:00"
    back = row(ev, "mediation_failed")
    assert back["note"].startswith(f"人民调解未成：{ending}（") and back["reason"] == "双方已自行和解"
    # Never accepted before it went to mediation: the community desk takes it.
    event = Event.objects.get(pk=i)
    assert event.dispatcher_area_id == world.grids[0].parent_id and event.accepted_at is not None


def test_a_case_whose_event_moved_on_leaves_it_alone(world, as_user, dispute_event):
    """A case transferred before the loop existed: its event is in some working status."""
    st, case = transfer(as_user, dispute_event)
    Event.objects.filter(pk=dispute_event["id"]).update(status="handling")
    st, case = as_user("med11").post(f"/mediation/{case['id']}/refuse", {"reason": "不属于调解范围"})
    assert st == 200 and Event.objects.get(pk=dispute_event["id"]).status == "handling"
    assert not EventAction.objects.filter(event_id=dispute_event["id"], action="mediation_failed").exists()


# ---- the applicant ---------------------------------------------------------------------------------

def test_the_resident_applicant_lists_the_case_and_downloads_its_documents(world, as_user, dispute_event):
    st, case = transfer(as_user, dispute_event)
    assert Case.objects.get(pk=case["id"]).applicant_user == world.users["resident1"]
    as_user("med11").post(f"/mediation/{case['id']}/accept", {})
    doc = Document.objects.get(kind="mediation", case_id=case["id"])
    me = as_user("resident1")
    st, mine = me.get("/mediation")
    assert st == 200 and [c["number"] for c in mine["items"]] == [case["number"]]
    st, seen = me.get(f"/mediation/{case['id']}")
    assert st == 200 and [d["id"] for d in seen["documents"]] == [doc.id]
    assert seen["parties"][0]["name"] == "张三" and seen["parties"][0]["masked"] is False
    r = me.client.get(f"/api/mediation/{case['id']}/documents/{doc.id}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    page = login(world, "resident1")
    assert case["number"] in page.get("/mediation/").content.decode()
    assert page.get(f"/mediation/{case['id']}/documents/{doc.id}").status_code == 200
    event_page = page.get(f"/e/{dispute_event['id']}/").content.decode()
    assert f'href="/mediation/{case["id"]}/"' in event_page and "转调解" in event_page
    # Another resident: nothing, as if the case did not exist.
    other = as_user("resident2")
    assert other.get(f"/mediation/{case['id']}")[0] == 404
    assert other.client.get(f"/api/mediation/{case['id']}/documents/{doc.id}").status_code == 404
    assert case["number"] not in login(world, "resident2").get("/mediation/").content.decode()
    assert login(world, "resident2").get(f"/mediation/{case['id']}/documents/{doc.id}").status_code == 404


@pytest.mark.parametrize("secret", ["anonymous", "confidential"])
def test_a_secret_reporter_never_becomes_the_applicant(world, as_user, secret):
    ev = dispute(world, as_user, anonymous=secret == "anonymous")
    if secret == "confidential":       # e.g. a 举报 reclassified as a dispute stays confidential
        Event.objects.filter(pk=ev["id"]).update(confidential=True)
    st, err = transfer(as_user, ev)
    assert st == 422 and err["fields"]["parties"]         # nobody is made the applicant for them
    st, case = transfer(as_user, ev, parties=[{"role": "applicant", "name": "王五", "phone": "13700002222"},
                                              RESPONDENT])
    assert st == 201, case
    row_ = Case.objects.get(pk=case["id"])
    assert row_.applicant_user is None and [p.name for p in row_.parties.all()] == ["王五", "李四"]
    assert as_user("resident1").get(f"/mediation/{case['id']}")[0] == 404


def test_a_patrol_report_makes_no_grid_worker_an_applicant(world, as_user):
    st, ev = as_user("grid111").post("/events", report_payload(
        world, kind="dispute", category="dispute-neighbour", channel="grid_patrol",
        description="巡查发现两户邻居因楼道堆物争吵"))
    assert st == 201, ev
    st, case = transfer(as_user, ev, parties=[{"role": "applicant", "name": "王五"}, RESPONDENT])
    assert st == 201 and Case.objects.get(pk=case["id"]).applicant_user is None


# ---- the pages ------------------------------------------------------------------------------------

def test_the_event_page_shows_mediation_and_the_case_links_back(world, as_user, dispute_event):
    i = dispute_event["id"]
    st, case = transfer(as_user, dispute_event)
    page = login(world, "med11").get(f"/e/{i}/").content.decode()
    assert "转调解" in page and "调解期间暂停计时" in page
    assert f'href="/mediation/{case["id"]}/"' in page and case["number"] in page
    assert f'action="/e/{i}/mediate"' not in page                 # no second transfer offered
    assert f'href="/e/{i}/"' in login(world, "med11").get(f"/mediation/{case['id']}/").content.decode()
    # The grid worker sees the event but not the case (mediation's scope): no link to a 404.
    grid_page = login(world, "grid111").get(f"/e/{i}/")
    assert grid_page.status_code == 200 and f'href="/mediation/{case["id"]}/"' not in grid_page.content.decode()


# ---- at the same moment ---------------------------------------------------------------------------

@pytest.fixture
def postgres():
    from django.db import connection
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transfers_make_one_case(postgres, world):
    """The committee and the community centre send the same dispute at once: one case, one
    转调解 row; the loser's case is taken back with its transaction (PostgreSQL, two threads)."""
    import threading

    from django.db import connections

    from gongzhi.core.errors import Conflict
    from gongzhi.events import intake
    from gongzhi.mediation import services
    from gongzhi.mediation.inputs import FromEventIn, PartyIn
    from tests.conftest import point_in
    lon, lat = point_in(world, 0)
    ev, _ = intake.event_report(actor=world.users["resident1"], data=intake.ReportInput(
        kind="dispute", category="dispute-neighbour", description="邻居装修噪音持续一个月，多次协商无果",
        lon=lon, lat=lat))
    barrier, outcomes = threading.Barrier(2), []

    def send(username):
        try:
            barrier.wait()
            services.case_from_event(actor=world.users[username], event_id=ev.pk, data=FromEventIn(
                dispute_type="neighbour", parties=[PartyIn(role="respondent", name="李四")]))
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(u,)) for u in ("med11", "comm11")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1 and len(outcomes) == 2, outcomes
    assert Case.objects.filter(event_id=ev.pk).count() == 1
    assert EventAction.objects.filter(event_id=ev.pk, action="to_mediation").count() == 1
    event = Event.objects.get(pk=ev.pk)
    assert event.status == "mediation" and event.version == 2
