import pytest

from gongzhi.domain.coords import BadCoordinates, from_wgs84, to_wgs84
from gongzhi.domain.enums import CoordSystem, Level
from gongzhi.domain.privacy import mask_id_number, mask_name, mask_phone
from gongzhi.domain.routing import EscalationError, Facts, Rule, RuleMode, escalation_target, route, skip_target

RULES = [
    Rule(12, 10, Level.COMMUNITY, "社区调委会", target_department_id=7, kind="dispute",
         category_path="/dispute/neighbour/", category_label="邻里纠纷"),
    Rule(13, 20, Level.TOWNSHIP, "街道综治中心", kind="dispute"),
    Rule(14, 5, Level.COUNTY, "区应急管理局", target_department_id=9, kind="emergency", urgency="critical"),
    Rule(15, 30, Level.COMMUNITY, "社区", area_path="/c/t2/", area_label="东铺头街道"),
    Rule(16, 1, Level.COUNTY, "区综治中心", kind="hazard", urgency="critical", mode=RuleMode.SKIP),
]


def facts(kind="complaint", cat="/road/", urgency="normal", area="/c/t1/c1/g1/", channel="app"):
    return Facts(kind, cat, urgency, area, channel)


@pytest.mark.parametrize("f, level, rule_id, reason", [
    (facts("dispute", "/dispute/neighbour/"), Level.COMMUNITY, 12, "规则#12: 矛盾纠纷/邻里纠纷 → 社区调委会"),
    (facts("dispute", "/dispute/land/"), Level.TOWNSHIP, 13, "规则#13: 矛盾纠纷 → 街道综治中心"),
    (facts("emergency", "/fire/", "critical"), Level.COUNTY, 14, "规则#14: 紧急/特急 → 区应急管理局"),
    (facts("complaint", "/road/", area="/c/t2/c5/g1/"), Level.COMMUNITY, 15, "规则#15: 东铺头街道 → 社区"),
    (facts(), Level.GRID, None, "默认规则: 无匹配规则 → 属地网格"),
    # A SKIP rule is never used for routing.
    (facts("hazard", "/gas/", "critical"), Level.GRID, None, "默认规则: 无匹配规则 → 属地网格"),
])
def test_route(f, level, rule_id, reason):
    d = route(RULES, f)
    assert (d.level, d.rule_id, d.reason) == (level, rule_id, reason)


def test_escalation_one_level_and_top():
    assert escalation_target(Level.GRID) is Level.COMMUNITY
    assert escalation_target(Level.TOWNSHIP) is Level.COUNTY
    with pytest.raises(EscalationError):
        escalation_target(Level.COUNTY)


def test_skip_levels_only_by_rule():
    level, rule = skip_target(RULES, facts("hazard", "/gas/", "critical"), Level.GRID)
    assert level is Level.COUNTY and rule.id == 16
    with pytest.raises(EscalationError):
        skip_target(RULES, facts("hazard", "/gas/", "normal"), Level.GRID)
    with pytest.raises(EscalationError):  # township → county is one level: not a skip
        skip_target(RULES, facts("hazard", "/gas/", "critical"), Level.TOWNSHIP)


@pytest.mark.parametrize("system", [CoordSystem.GCJ02, CoordSystem.BD09])
def test_coordinates_round_trip(system):
    lon, lat = 117.6472, 24.5129   # 漳州芗城
    shown = from_wgs84(lon, lat, system)
    assert abs(shown[0] - lon) > 1e-3                       # the offset is real (hundreds of metres)
    back = to_wgs84(*shown, system)
    assert abs(back[0] - lon) < 1e-6 and abs(back[1] - lat) < 1e-6


def test_bad_coordinates():
    with pytest.raises(BadCoordinates):
        to_wgs84(200, 24, CoordSystem.WGS84)


@pytest.mark.parametrize("fn, raw, masked", [
    (mask_phone, "13812345678", "138****5678"),
    (mask_phone, "+86 138-1234-5678", "138****5678"),
    (mask_phone, "0596-2345678", "059****5678"),
    (mask_phone, "2345678", "***5678"),
    (mask_id_number, "350602199001011234", "350***********1234"),
    (mask_name, "张三丰", "张**"),
    (mask_phone, "", ""),
])
def test_masking(fn, raw, masked):
    assert fn(raw) == masked
