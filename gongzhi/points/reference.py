"""The default earning rules (德化's 积分超市 as the model), ensured by the demo and the tests after a
flush; migration 0002 seeds the same rows in a new database (its copy is frozen history)."""
from gongzhi.domain.points import RuleUnit, Source

from .models import EarnRule

DEFAULT_RULES = [
    # code (= source), name, unit, points per unit, daily cap, valid years
    (Source.VOLUNTEER, "志愿服务时长", RuleUnit.HOUR, 10, 80, 1),
    (Source.MEDIATION, "参与矛盾调解时长", RuleUnit.HOUR, 15, 90, 1),
    (Source.REPORT, "有效报事", RuleUnit.TIME, 5, 20, 1),
    (Source.PATROL, "参与网格巡查", RuleUnit.TIME, 5, 10, 1),
    (Source.VOTE, "参与社区票决", RuleUnit.TIME, 3, 9, 1),
]


def ensure_rules() -> None:
    for source, name, unit, ppu, cap, years in DEFAULT_RULES:
        EarnRule.objects.get_or_create(code=source.value, defaults={
            "name": name, "source": source, "unit": unit, "points_per_unit": ppu, "daily_cap": cap,
            "expires_after_years": years})
