"""The installation's scoring rules: domain.credit.Rules with GONGZHI_CREDIT applied."""
from functools import cache

from django.conf import settings

from gongzhi.domain.credit import Rules, rules_from


@cache
def rules() -> Rules:
    return rules_from(getattr(settings, "GONGZHI_CREDIT", None))
