from django.apps import AppConfig
from django.core import checks


class CorrectionsConfig(AppConfig):
    name = "gongzhi.corrections"
    label = "corrections"
    verbose_name = "社区矫正"

    def ready(self) -> None:
        from gongzhi.core.audit import keep_logged
        from gongzhi.domain.enums import CaseKind

        from .checks import legal_limits
        from .models import Subject
        checks.register(legal_limits)     # an unlawful limit (报到 > 10 days, 定位 > 3 months) is refused
        keep_logged(Subject, CaseKind.CORRECTION)
        from .told import register
        register()        # who is told what (notify, issue 17)
