"""The installation's 积分超市 numbers: domain.points.Limits with GONGZHI_POINTS applied."""
from functools import cache

from django.conf import settings

from gongzhi.domain.points import Limits, limits_from


@cache
def limits() -> Limits:
    return limits_from(getattr(settings, "GONGZHI_POINTS", None))
