"""Start-up check: the configured scoring rules make sense (domain.credit.rule_problems)."""
from django.core import checks

from gongzhi.domain.credit import rule_problems

from .rules import rules


def sane_rules(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Error(problem, id="gongzhi.credit.E001", hint="调整 GONGZHI_CREDIT 后重新启动")
            for problem in rule_problems(rules())]
