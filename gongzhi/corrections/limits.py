"""The installation's 社区矫正 numbers: domain.corrections.Limits with GONGZHI_CORRECTIONS applied."""
from functools import cache

from django.conf import settings

from gongzhi.domain.corrections import Limits, limits_from


@cache
def limits() -> Limits:
    return limits_from(getattr(settings, "GONGZHI_CORRECTIONS", None))
