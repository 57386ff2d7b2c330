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


# ---- 分拨依据 after an escalation (issue 17 walk: it still read 属地网格 on the township's desk) ------

def _reason(ev_id: int) -> tuple[str, int | None]:
    ev = Event.objects.get(pk=ev_id)
    return ev.route_reason, ev.route_rule_id


def _english(text: str) -> str:
    from django.utils import translation

    from gongzhi.core.wording import translated
    with translation.override("en"):
        return translated(text)


def test_each_escalation_rewrites_the_reason_with_its_level(district):
    ev = _accepted(district)
    grid, comm = district.users["grid111"], district.users["comm11"]
    services.event_dispatch(actor=comm, event_id=ev.id, at=sh(2026, 11, 2, 10))
    assert _reason(ev.id) == ("默认规则: 无匹配规则 → 属地网格", None)
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 11))
    services.event_escalate(actor=grid, event_id=ev.id, reason="超出网格处置能力", at=sh(2026, 11, 2, 12))
    assert _reason(ev.id) == ("逐级上报 → 瑞京社区（社区/村）", None)
    assert _english("逐级上报 → 瑞京社区（社区/村）") == "Escalated one level up → 瑞京社区 (Community/village)"
    services.event_escalate(actor=comm, event_id=ev.id, reason="需街道协调", at=sh(2026, 11, 2, 13))
    assert _reason(ev.id) == ("逐级上报 → 东铺头街道（乡镇/街道）", None)


def test_the_sweep_s_escalation_says_it_was_overdue(district):
    from gongzhi.events.sweep import sla_sweep
    ev = _accepted(district)
    services.event_dispatch(actor=district.users["comm11"], event_id=ev.id, at=sh(2026, 11, 2, 10))
    sla_sweep(now=sh(2026, 11, 4, 0, 0, 1))                   # the sign deadline (Tue 23:59:59) passed
    assert _reason(ev.id) == ("超期自动上报 → 瑞京社区（社区/村）", None)
    assert _english("超期自动上报 → 瑞京社区（社区/村）") == \
        "Escalated automatically (overdue) → 瑞京社区 (Community/village)"


def test_a_skip_escalation_names_the_rule_that_allowed_it(district):
    from gongzhi.domain.enums import Urgency
    from gongzhi.domain.routing import RuleMode
    from gongzhi.events.models import RoutingRule
    lon, lat = point_in(district, 0)
    grid = district.users["grid111"]
    ev, _ = intake.event_report(actor=grid, at=sh(2026, 11, 2, 9), data=intake.ReportInput(
        kind=EventKind.HAZARD, category="safety-gas", urgency=Urgency.CRITICAL, description="楼道里燃气味道很浓",
        lon=lon, lat=lat, channel=Channel.GRID_PATROL))
    comm = district.users["comm11"]
    services.event_accept(actor=comm, event_id=ev.id, at=sh(2026, 11, 2, 9))
    services.event_dispatch(actor=comm, event_id=ev.id, at=sh(2026, 11, 2, 9))
    services.event_skip_escalate(actor=grid, event_id=ev.id, reason="情况危急", at=sh(2026, 11, 2, 9, 10))
    rule = RoutingRule.objects.get(mode=RuleMode.SKIP)          # the demo's: critical hazards to the county
    assert _reason(ev.id) == (f"越级上报 → 芗城区（区/县），依据规则#{rule.pk}", rule.pk)
    assert _english(f"越级上报 → 芗城区（区/县），依据规则#{rule.pk}") == \
        f"Escalated past a level → 芗城区 (District/county), allowed by rule #{rule.pk}"
