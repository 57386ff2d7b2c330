"""The fan-out from the timeline: who is told what (the table written out), once, with nothing
confidential; the notice outbox drained through SMS carrying only the number and a link."""
import json

from gongzhi.accounts.models import RoleAssignment
from gongzhi.casework.models import Notice
from gongzhi.domain.enums import Channel as ReportChannel, CoHandlerRole, EventKind, Role
from gongzhi.events import intake, services
from gongzhi.events.sweep import sla_sweep
from gongzhi.notify import registry
from gongzhi.notify.fanout import fanout
from gongzhi.notify.models import Delivery, Notification, Preference
from gongzhi.notify.send import drain

from ..conftest import point_in, sh

# (kind, action, topic) of every rule the existing pillars register: written out, not read back.
EXPECTED = sorted([
    ("event", "dispatch", "dispatch"), ("event", "escalate", "dispatch"), ("event", "skip_escalate", "dispatch"),
    ("event", "auto_escalate", "overdue"), ("event", "reopen", "returned"), ("event", "whistle", "whistle"),
    ("event", "request_extension", "extension"), ("event", "approve_extension", "extension"),
    ("event", "deny_extension", "extension"),
    ("event", "return", "returned"), ("event", "verify_fail", "returned"), ("event", "sla_yellow", "overdue"),
    ("event", "sla_red", "overdue"), ("event", "supervise", "supervise"), ("event", "answer", "answer"),
    ("event", "revisit", "revisit"), ("event", "resolve", "supervise"),
    ("mediation", "assign", "dispatch"), ("mediation", "transfer", "dispatch"),
    ("mediation", "accept", "case_notice"), ("mediation", "refuse", "case_notice"),
    ("mediation", "schedule", "session"), ("mediation", "remind", "session"),
    ("mediation", "supervise", "supervise"), ("mediation", "auto_supervise", "supervise"),
    ("mediation", "sla_yellow", "overdue"), ("mediation", "sla_red", "overdue"),
    ("legalaid", "submit", "dispatch"), ("legalaid", "transfer", "dispatch"), ("legalaid", "approve", "legal_aid"),
    ("legalaid", "deny", "legal_aid"), ("legalaid", "assign", "dispatch"), ("legalaid", "assign", "legal_aid"),
    ("legalaid", "reassign", "dispatch"), ("legalaid", "supervise", "supervise"),
    ("legalaid", "auto_supervise", "supervise"), ("legalaid", "sla_yellow", "overdue"),
    ("legalaid", "sla_red", "overdue"),
])


def test_switching_on_tells_no_one_of_the_past(district):
    _dispatched(district, sh(2026, 11, 2, 10))
    assert fanout(now=sh(2026, 11, 2, 10, 11))["notifications"] == 0      # past the lookback: history
    _dispatched(district, sh(2026, 11, 2, 10, 12))
    assert fanout(now=sh(2026, 11, 2, 10, 13))["notifications"] == 3      # from the mark on


def test_backfill_is_in_app_only(district, gateway):
    Preference.objects.create(user=district.users["grid111"], phone="13912345678", channels={"dispatch": ["sms"]})
    _dispatched(district, sh(2026, 11, 2, 10))
    made = fanout(now=sh(2026, 11, 3, 10), backfill=True)
    assert made["notifications"] == 3 and made["deliveries"] == 0 and not Delivery.objects.exists()


def test_the_mapping_table():
    mine = [r for r in registry.table() if r[0] in {"event", "mediation", "legalaid"}]
    assert mine == EXPECTED


def _report(district, *, at, kind=EventKind.COMPLAINT, **extra):
    lon, lat = point_in(district, 0)
    ev, _ = intake.event_report(actor=district.users["resident1"], at=at, data=intake.ReportInput(
        kind=kind, category="urban-appearance", description="路面塌陷出现大坑雨天危险", lon=lon, lat=lat,
        channel=ReportChannel.APP, **extra))
    return ev


def _dispatched(district, at, **extra):
    ev = _report(district, at=at, **extra)
    comm = district.users["comm11"]
    services.event_accept(actor=comm, event_id=ev.id, at=at)
    return services.event_dispatch(actor=comm, event_id=ev.id, at=at)


def _told(topic):
    return sorted(Notification.objects.filter(topic=topic).values_list("user__username", flat=True))


def test_event_day_who_is_told(district):
    at = sh(2026, 11, 2, 10)
    ev = _dispatched(district, at)
    made = fanout(now=sh(2026, 11, 2, 10, 1))
    # The grid's team is told of the new work; the centre that dispatched it is not told of its own act.
    assert _told("dispatch") == ["grid111", "nteam", "police11"]
    assert made["notifications"] == 3
    assert fanout(now=sh(2026, 11, 2, 10, 2))["notifications"] == 0          # once, however often it runs
    grid, comm = district.users["grid111"], district.users["comm11"]
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 11))
    dept = RoleAssignment.objects.get(user__username="dept_cg", role=Role.DEPARTMENT_STAFF).department
    services.event_whistle(actor=comm, event_id=ev.id, departments=[(dept.code, CoHandlerRole.ASSIST)],
                           reason="需城管协助", at=sh(2026, 11, 2, 11, 30))
    services.extension_request(actor=grid, event_id=ev.id, workdays=5, reason="需协调", at=sh(2026, 11, 2, 12))
    services.extension_decide(actor=comm, event_id=ev.id, approve=False, note="期限够用", at=sh(2026, 11, 2, 13))
    services.event_return(actor=grid, event_id=ev.id, reason="不属于本网格", at=sh(2026, 11, 2, 14))
    fanout(now=sh(2026, 11, 2, 14, 1))
    assert _told("whistle") == ["dept_cg"]
    # The dispatching centre of the request (审批延期 waits for it); the one who asked of the decision,
    # though the event has since gone back to the centre (whose act the decision was), and the grid's
    # team that held it when it was decided (the row's holder, not the centre holding it now).
    assert _told("extension") == ["comm11", "grid111", "nteam", "police11"]
    asked = Notification.objects.get(topic="extension", user__username="comm11")
    assert asked.text.endswith("（延期申请）") and asked.link == f"/e/{ev.id}/"
    assert _told("returned") == ["comm11"]


def test_overdue_from_the_sweep_rows(district):
    _dispatched(district, sh(2026, 11, 2, 10))
    sla_sweep(now=sh(2026, 11, 3, 17))                   # the sign clock turns yellow (test_sla_sweep)
    fanout(now=sh(2026, 11, 3, 17, 1))
    assert _told("overdue") == ["grid111", "nteam", "police11"]


def test_answer_reaches_the_reporter(district):
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    grid, comm = district.users["grid111"], district.users["comm11"]
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 11))
    services.event_resolve(actor=grid, event_id=ev.id, result="已清理完毕", at=sh(2026, 11, 2, 12))
    services.event_verify(actor=comm, event_id=ev.id, passed=True, at=sh(2026, 11, 2, 13))
    services.event_answer(actor=comm, event_id=ev.id, answer="已处理，感谢反映", at=sh(2026, 11, 2, 14))
    fanout(now=sh(2026, 11, 2, 14, 1))
    assert _told("answer") == ["resident1"]
    n = Notification.objects.get(topic="answer")
    assert n.text == f"我的反映有答复：{ev.number}（答复）" and n.link == f"/e/{ev.id}/"


def test_the_supervisor_hears_of_the_resolution_of_what_they_supervised(district):
    from gongzhi.domain.enums import SupervisionLevel
    watched, unwatched = _dispatched(district, sh(2026, 11, 2, 10)), _dispatched(district, sh(2026, 11, 2, 10))
    grid, sup = district.users["grid111"], district.users["supervisor"]
    services.event_supervise(actor=sup, event_id=watched.id, level=SupervisionLevel.YELLOW, note="请加快",
                             at=sh(2026, 11, 2, 10, 30))
    for ev in (watched, unwatched):
        services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 11))
        services.event_resolve(actor=grid, event_id=ev.id, result="已清理完毕", at=sh(2026, 11, 2, 12))
    fanout(now=sh(2026, 11, 2, 12, 1))
    n = Notification.objects.get(user=sup)           # the resolution of the other event is not theirs
    assert (n.topic, n.case_id, n.text) == ("supervise", watched.id, f"督办：{watched.number}（办结）")


def test_a_tip_off_never_names_its_reporter(district, gateway):
    for username in ("grid111", "police11", "nteam", "resident1"):
        Preference.objects.create(user=district.users[username], phone="13912345678",
                                  channels={t: ["sms", "wechat"] for t in ("dispatch", "answer", "overdue")},
                                  wechat_openid=f"o-{username}")
    name = "欧阳铁柱"
    ev = _dispatched(district, sh(2026, 11, 2, 10), kind=EventKind.TIP_OFF, reporter_name=name,
                     reporter_phone="13800001111", title=f"{name}举报")
    fanout(now=sh(2026, 11, 2, 10, 1))
    sla_sweep(now=sh(2026, 11, 3, 17))
    fanout(now=sh(2026, 11, 3, 17, 1))
    drain(now=sh(2026, 11, 3, 17, 2))
    assert Notification.objects.filter(case_id=ev.id).count() >= 6
    texts = list(Notification.objects.values_list("text", flat=True)) + \
        list(Delivery.objects.values_list("subject", flat=True))
    wire = json.dumps([r["body"] for r in gateway.requests], ensure_ascii=False)
    assert gateway.messages and len(gateway.requests) == Delivery.objects.count()
    for blob in [*texts, wire]:
        assert name not in blob and "欧阳" not in blob and "13800001111" not in blob


def test_sms_reaches_the_fake_gateway_with_only_number_and_link(district, gateway):
    Preference.objects.create(user=district.users["grid111"], phone="13912345678",
                              channels={"dispatch": ["sms"]})
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    fanout(now=sh(2026, 11, 2, 10, 1))
    assert drain(now=sh(2026, 11, 2, 10, 2)) == {"sent": 1}
    (req,) = gateway.requests
    body = req["body"]
    assert body["SignName"] == "共治" and body["TemplateCode"] == "GZ_NOTICE" and body["PhoneNumbers"] == "13912345678"
    assert json.loads(body["TemplateParam"]) == {"topic": "新派遣", "number": ev.number,
                                                 "link": f"https://gz.example.cn/e/{ev.id}/"}
    (msg,) = gateway.messages
    assert msg["text"] == f"【共治】您有一条新派遣：编号{ev.number}，详情 https://gz.example.cn/e/{ev.id}/"
    d = Delivery.objects.get()
    assert d.status == "sent" and d.key == f"n{d.notification_id}:sms" and d.provider_id == "biz-1"


def test_notices_to_parties_drain_through_sms(world, gateway):
    from gongzhi.mediation import services as med
    from gongzhi.mediation.inputs import ApplyIn, PartyIn
    case, _ = med.case_apply(actor=world.users["resident1"], at=sh(2026, 11, 2, 10), data=ApplyIn(
        dispute_type="neighbour", facts="楼上漏水导致楼下天花板发霉，双方协商不成", area=world.grids[0].code,
        parties=[PartyIn(role="applicant", name="王五", phone="13700001234"),
                 PartyIn(role="respondent", name="赵六", phone="13700005678")]))
    med.case_accept(actor=world.users["med11"], case_id=case.id, at=sh(2026, 11, 2, 11))
    notices = Notice.objects.filter(kind="mediation", case_id=case.id, phone__gt="")
    assert notices.exists()
    fanout(now=sh(2026, 11, 2, 11, 1))
    drain(now=sh(2026, 11, 2, 11, 2))
    case.refresh_from_db()
    sms = [m for m in gateway.messages if m["channel"] == "sms"]
    assert {m["to"] for m in sms} >= {"13700001234", "13700005678"}
    for m in sms:
        assert set(m["params"]) == {"topic", "number", "link"} and m["params"]["number"] == case.number
        assert "王五" not in m["text"] and "赵六" not in m["text"]
    assert all(n.sent_at is not None for n in notices)
    fanout(now=sh(2026, 11, 2, 11, 3))
    assert drain(now=sh(2026, 11, 2, 11, 4)) == {}                # sent once


def _told_by_row(ev) -> dict[str, list[str]]:
    """{timeline action: [usernames told of that row]} for one event."""
    from gongzhi.events.models import EventAction
    rows = dict(EventAction.objects.filter(event=ev).values_list("id", "action"))
    out: dict[str, set[str]] = {}
    for source_id, username in Notification.objects.filter(case_id=ev.id, source="events_eventaction") \
            .values_list("source_id", "user__username"):
        out.setdefault(rows[source_id], set()).add(username)
    return {k: sorted(v) for k, v in out.items()}


def test_a_late_fanout_tells_each_row_the_holder_it_was_written_for(district):
    """Dispatched to grid 111, then signed and escalated to its community before the fan-out ran: the
    派遣 reaches the grid's team (not the community holding it now), the 上报 the community."""
    fanout(now=sh(2026, 11, 2, 9))                             # the marks, before anything happens
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    grid = district.users["grid111"]
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 10, 30))
    services.event_escalate(actor=grid, event_id=ev.id, reason="超出网格处置能力", at=sh(2026, 11, 2, 10, 40))
    fanout(now=sh(2026, 11, 2, 10, 41))
    assert _told_by_row(ev) == {"dispatch": ["grid111", "nteam", "police11"], "escalate": ["comm11"]}
    assert list(ev.actions.filter(action__in=["dispatch", "escalate"]).values_list("action", "data")) == [
        ("dispatch", {"area": None, "department": None, "to_area": district.grids[0].pk, "to_department": None}),
        ("escalate", {"to_area": district.communities[0].pk, "to_department": None})]


def test_a_clock_row_read_late_is_the_holder_s_at_its_time(district):
    """The sign clock turned yellow while the grid held it; by the fan-out the grid had escalated it:
    the 超期预警 is the grid team's (the last move before the row sent it there)."""
    fanout(now=sh(2026, 11, 2, 9))
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    sla_sweep(now=sh(2026, 11, 3, 17))
    grid = district.users["grid111"]
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 3, 17, 20))
    services.event_escalate(actor=grid, event_id=ev.id, reason="需社区协调", at=sh(2026, 11, 3, 17, 30))
    fanout(now=sh(2026, 11, 3, 17, 31))
    assert _told_by_row(ev) == {"dispatch": ["grid111", "nteam", "police11"],
                                "sla_yellow": ["grid111", "nteam", "police11"], "escalate": ["comm11"]}


def test_the_sweep_s_escalation_read_late_tells_each_its_own(district):
    """Yellow, red and escalated by one sweep round (the sign deadline long past), then read: the
    warnings are the grid's, the 自动上报 the community's."""
    fanout(now=sh(2026, 11, 2, 9))
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    sla_sweep(now=sh(2026, 11, 4, 0, 0, 1))
    fanout(now=sh(2026, 11, 4, 0, 1))
    team = ["grid111", "nteam", "police11"]
    assert _told_by_row(ev) == {"dispatch": team, "sla_yellow": team, "sla_red": team, "auto_escalate": ["comm11"]}
    assert ev.actions.get(action="auto_escalate").data == {"to_area": district.communities[0].pk,
                                                           "to_department": None}
