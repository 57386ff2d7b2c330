"""Applicants exempt from the means test (法律援助法第三十二条、第四十二条 and local rules): seeded by
a data migration, then edited by admins."""

EXEMPT_CATEGORIES = [
    ("martyr", "英雄烈士近亲属维护英雄烈士人格权益"),
    ("heroic", "因见义勇为行为主张相关民事权益"),
    ("wrongful", "再审改判无罪请求国家赔偿"),
    ("abuse", "遭受虐待、遗弃或者家庭暴力的受害人主张相关权益"),
    ("migrant_wages", "农民工请求支付劳动报酬或者工伤赔偿"),
    ("assistance", "城乡最低生活保障对象、特困供养人员"),
    ("veteran", "重点优抚对象、退役军人"),
    ("disabled_elderly", "无固定生活来源的残疾人、老年人"),
]


def ensure_exempt_categories(model=None) -> None:
    if model is None:
        from .models import ExemptCategory as model
    for order, (code, name) in enumerate(EXEMPT_CATEGORIES):
        model.objects.get_or_create(code=code, defaults={"name": name, "order": order})
