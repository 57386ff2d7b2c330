"""Start-up check: the configured 三金 limits make sense (domain.ledger.limit_problems)."""
from django.core import checks

from gongzhi.domain.ledger import limit_problems

from .limits import limits


def sane_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Error(problem, id="gongzhi.funds.E001", hint="调整 GONGZHI_FUNDS 后重新启动")
            for problem in limit_problems(limits())]
