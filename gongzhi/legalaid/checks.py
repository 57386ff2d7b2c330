"""Start-up check: the configured legal-aid limits within the law (法律援助法 art. 43).

Registered by the app (legalaid.apps): ``migrate``, the sweep and every other command refuse to
run with an unlawful limit instead of counting clocks against it.  A web process does not run
the checks; the decision clock is held to the law's 7 there too (domain.legalaid.decision_workdays).
"""
from django.conf import settings
from django.core import checks

from gongzhi.domain.legalaid import limit_problems


def legal_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Error(problem, id="gongzhi.legalaid.E001",
                         hint="调整环境变量后重新启动（泉州承诺 2 个工作日为缺省值）")
            for problem in limit_problems(settings.GONGZHI_LEGALAID_DECISION_WORKDAYS,
                                          settings.GONGZHI_LEGALAID_ASSIGN_WORKDAYS)]
