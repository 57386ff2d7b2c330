"""Start-up check: the configured 社区矫正 limits within the law (domain.corrections.limit_problems)."""
from django.core import checks

from gongzhi.domain.corrections import limit_problems

from .limits import limits


def legal_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Error(problem, id="gongzhi.corrections.E001", hint="调整 GONGZHI_CORRECTIONS 后重新启动")
            for problem in limit_problems(limits())]
