"""The built-in list of dispute types (about 24, as on 解纷芜忧) and their limits: seeded by a data
migration, then edited by admins."""

# (code, name, working-day limit).  People's mediation is generally within 30 days; simple
# neighbourhood and family matters are expected faster locally.
DISPUTE_TYPES = [
    ("marriage", "婚姻家庭纠纷", 15), ("neighbour", "邻里纠纷", 15), ("homestead", "房屋宅基地纠纷", 30),
    ("contract", "合同纠纷", 30), ("business", "生产经营纠纷", 30), ("damage", "损害赔偿纠纷", 30),
    ("labour", "劳动争议纠纷", 30), ("wages", "拖欠农民工工资纠纷", 15), ("land", "山林土地纠纷", 30),
    ("demolition", "征地拆迁纠纷", 30), ("environment", "环境污染纠纷", 30), ("medical", "医疗纠纷", 30),
    ("property", "物业纠纷", 30), ("traffic", "道路交通事故纠纷", 30), ("consumer", "消费纠纷", 15),
    ("tourism", "旅游纠纷", 15), ("ip", "知识产权纠纷", 30), ("village", "村务管理纠纷", 30),
    ("ecommerce", "电子商务纠纷", 30), ("finance", "金融借贷纠纷", 30), ("insurance", "保险纠纷", 30),
    ("campus", "校园纠纷", 15), ("betrothal", "婚约彩礼纠纷", 15), ("other", "其他纠纷", 30),
]


def ensure_dispute_types(model=None) -> None:
    """Create the built-in types that are missing (the data migration, and test databases that
    were flushed after it ran)."""
    if model is None:
        from .models import DisputeType as model
    for order, (code, name, days) in enumerate(DISPUTE_TYPES):
        model.objects.get_or_create(code=code, defaults={"name": name, "limit_workdays": days, "order": order})
