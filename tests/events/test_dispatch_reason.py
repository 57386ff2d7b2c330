"""分拨依据 follows a dispatch made by hand (issue 17, "also found"): it named the rule that no longer applied."""
from gongzhi.domain.enums import Channel, EventKind
from gongzhi.events import intake, services
from gongzhi.events.models import Event

from ..conftest import point_in, sh


def _accepted(district):
    lon, lat = point_in(district, 0)
    ev, _ = intake.event_report(actor=district.users["resident1"], at=sh(2026, 11, 2, 9), data=intake.ReportInput(
        kind=EventKind.COMPLAINT, category="urban-appearance", description="路面塌陷出现大坑雨天危险", lon=lon,
        lat=lat, channel=Channel.APP))
    services.event_accept(actor=district.users["comm11"], event_id=ev.id, at=sh(2026, 11, 2, 9))
    return ev


def test_a_dispatch_by_hand_rewrites_the_reason(district):
    ev = _accepted(district)
    routed = Event.objects.get(pk=ev.id).route_reason
    services.event_dispatch(actor=district.users["comm11"], event_id=ev.id, department_code="350602-cg",
                            note="占道经营归城管", at=sh(2026, 11, 2, 10))
    ev = Event.objects.get(pk=ev.id)
    assert ev.route_reason == "人工分拨 → 区城市管理局：占道经营归城管" != routed
    assert ev.route_rule_id is None


def test_a_dispatch_by_the_rules_keeps_the_rules_reason(district):
    ev = _accepted(district)
    routed = Event.objects.get(pk=ev.id).route_reason
    services.event_dispatch(actor=district.users["comm11"], event_id=ev.id, at=sh(2026, 11, 2, 10))
    assert Event.objects.get(pk=ev.id).route_reason == routed


def test_the_extension_decision_is_offered_only_while_a_request_waits(district):
    from gongzhi.events import selectors
    ev = _accepted(district)
    grid, comm = district.users["grid111"], district.users["comm11"]
    services.event_dispatch(actor=comm, event_id=ev.id, at=sh(2026, 11, 2, 10))
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 11))

    def offered():
        actions = selectors.event_detail(comm, Event.objects.get(pk=ev.id))["actions"]
        return {"approve_extension", "deny_extension"} & set(actions)
    assert offered() == set()
    services.extension_request(actor=grid, event_id=ev.id, workdays=5, reason="需协调", at=sh(2026, 11, 3, 9))
    assert offered() == {"approve_extension", "deny_extension"}
    services.extension_decide(actor=comm, event_id=ev.id, approve=True, at=sh(2026, 11, 3, 10))
    assert offered() == set()
