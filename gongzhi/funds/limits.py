"""The installation's 三金 numbers: domain.ledger.Limits with GONGZHI_FUNDS applied."""
from functools import cache

from django.conf import settings

from gongzhi.domain.ledger import Limits, limits_from


@cache
def limits() -> Limits:
    return limits_from(getattr(settings, "GONGZHI_FUNDS", None))
