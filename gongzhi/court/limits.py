"""The installation's 民事速裁 numbers: domain.court.Limits with GONGZHI_COURT (a JSON setting) applied,
checked at start-up against the law (domain.court.limit_problems)."""
from functools import cache

from django.conf import settings
from django.core import checks

from gongzhi.domain.court import Limits, limit_problems, limits_from


@cache
def limits() -> Limits:
    return limits_from(getattr(settings, "GONGZHI_COURT", None))


def legal_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Error(p, id="gongzhi.court.E001", hint="调整 GONGZHI_COURT 后重新启动")
            for p in limit_problems(limits())]
