"""Reference data a new district starts from: categories, time limits, routing rules.

Figures follow the seeds and local practice (DESIGN.md): 签收 1 workday; 紧急 same day;
咨询 2–5 workdays (we take 3); 求助 5; 投诉 10; 建议 15; 矛盾纠纷 10; 安全隐患 3.
All of it is ordinary data, editable in the admin afterwards.
"""
from gongzhi.domain.enums import Clock, EventKind, Level, Urgency
from gongzhi.domain.routing import RuleMode
from gongzhi.events import rules
from gongzhi.events.models import Category, RoutingRule, TimeLimit

# code, name, parent code, default kind, template fields
CATEGORIES = [
    ("urban", "城市管理", None, EventKind.COMPLAINT, []),
    ("urban-appearance", "市容环境", "urban", EventKind.COMPLAINT, []),
    ("urban-stall", "占道经营", "urban", EventKind.COMPLAINT, []),
    ("urban-build", "违章搭建", "urban", EventKind.TIP_OFF, []),
    ("urban-noise", "噪音扰民", "urban", EventKind.COMPLAINT,
     [{"name": "period", "label": "发生时段", "type": "choice", "choices": ["白天", "夜间", "全天"],
       "required": True}]),
    ("dispute", "矛盾纠纷", None, EventKind.DISPUTE, []),
    ("dispute-neighbour", "邻里纠纷", "dispute", EventKind.DISPUTE, []),
    ("dispute-family", "婚姻家庭纠纷", "dispute", EventKind.DISPUTE, []),
    ("dispute-labour", "劳资纠纷", "dispute", EventKind.DISPUTE,
     [{"name": "amount", "label": "涉及金额(元)", "type": "number", "required": True},
      {"name": "workers", "label": "涉及人数", "type": "number"}]),
    ("dispute-property", "物业纠纷", "dispute", EventKind.DISPUTE, []),
    ("dispute-traffic", "交通事故纠纷", "dispute", EventKind.DISPUTE,
     [{"name": "plate", "label": "车牌号", "type": "text"}]),
    ("dispute-land", "土地山林纠纷", "dispute", EventKind.DISPUTE, []),
    ("safety", "安全隐患", None, EventKind.HAZARD, []),
    ("safety-fire", "消防隐患", "safety", EventKind.HAZARD,
     [{"name": "place", "label": "场所类型", "type": "choice",
       "choices": ["住宅", "商铺", "厂房", "出租屋", "其他"], "required": True}]),
    ("safety-gas", "燃气隐患", "safety", EventKind.HAZARD, []),
    ("safety-building", "危房险情", "safety", EventKind.HAZARD, []),
    ("livelihood", "民生服务", None, EventKind.HELP, []),
    ("livelihood-water", "供水供电", "livelihood", EventKind.HELP, []),
    ("livelihood-road", "道路设施", "livelihood", EventKind.COMPLAINT, []),
    ("livelihood-elderly", "帮扶救助", "livelihood", EventKind.HELP, []),
    ("order", "社会治安", None, EventKind.TIP_OFF, []),
    ("policy", "政策咨询", None, EventKind.CONSULT, []),
    ("suggestion", "意见建议", None, EventKind.SUGGESTION, []),
]

# clock, workdays, hours, kind, category code, level, note
TIME_LIMITS = [
    (Clock.SIGN, 1, None, "", None, None, "签收：1个工作日（默认）"),
    (Clock.SIGN, 0, 1, EventKind.EMERGENCY, None, None, "紧急事件1小时内签收"),
    (Clock.HANDLE, 10, None, "", None, None, "办理：10个工作日（默认）"),
    (Clock.HANDLE, 0, None, EventKind.EMERGENCY, None, None, "紧急：当日办结"),
    (Clock.HANDLE, 3, None, EventKind.CONSULT, None, None, "咨询：3个工作日"),
    (Clock.HANDLE, 5, None, EventKind.HELP, None, None, "求助：5个工作日"),
    (Clock.HANDLE, 10, None, EventKind.COMPLAINT, None, None, "投诉：10个工作日"),
    (Clock.HANDLE, 15, None, EventKind.SUGGESTION, None, None, "建议：15个工作日"),
    (Clock.HANDLE, 3, None, EventKind.HAZARD, None, None, "安全隐患：3个工作日"),
    (Clock.HANDLE, 0, 4, "", "safety-gas", None, "燃气隐患：4小时内处置"),
    (Clock.VERIFY, 2, None, "", None, None, "核查及答复：2个工作日"),
    (Clock.REVISIT, 3, None, "", None, None, "回访：3个工作日"),
]

# Categories the demo city publishes on its public feed (Open311): matters of the street, not of a
# person.  Disputes, help for the vulnerable, 治安 and tip-offs stay off (domain.privacy).
PUBLIC_CATEGORIES = {"urban", "urban-appearance", "urban-stall", "urban-noise", "safety", "safety-fire",
                     "safety-gas", "safety-building", "livelihood-road", "livelihood-water", "suggestion"}

DISPUTE_TYPES = ["dispute-neighbour", "dispute-family", "dispute-labour", "dispute-property",
                 "dispute-traffic", "dispute-land"]


def build_reference() -> None:
    cats = {}
    for code, name, parent, kind, template in CATEGORIES:
        cats[code], _ = Category.objects.update_or_create(code=code, defaults={
            "name": name, "parent": cats.get(parent), "default_kind": kind, "template": template,
            "public": code in PUBLIC_CATEGORIES})
    if not TimeLimit.objects.exists():
        TimeLimit.objects.bulk_create([
            TimeLimit(clock=c, workdays=w, hours=h, kind=k, category=cats.get(cat), level=lvl, note=note)
            for c, w, h, k, cat, lvl, note in TIME_LIMITS])
    if not RoutingRule.objects.exists():
        prio = 10
        # The six dispute types (also from 110 non-police transfers) → the community's mediation committee.
        for code in DISPUTE_TYPES:
            RoutingRule.objects.create(priority=prio, kind=EventKind.DISPUTE, category=cats[code],
                                       target_level=Level.COMMUNITY, target_department_kind="mediation",
                                       label="社区调委会")
            prio += 1
        RoutingRule.objects.create(priority=50, kind=EventKind.EMERGENCY, urgency=Urgency.CRITICAL,
                                   target_level=Level.COUNTY, label="区综治中心")
        RoutingRule.objects.create(priority=60, category=cats["urban-build"], target_level=Level.TOWNSHIP,
                                   label="乡镇（街道）综合执法")
        RoutingRule.objects.create(priority=70, kind=EventKind.CONSULT, category=cats["policy"],
                                   target_level=Level.COMMUNITY, label="社区")
        # 越级: critical hazards may jump straight to the county.
        RoutingRule.objects.create(priority=5, mode=RuleMode.SKIP, kind=EventKind.HAZARD,
                                   urgency=Urgency.CRITICAL, target_level=Level.COUNTY, label="区应急管理局")
    rules.invalidate()
