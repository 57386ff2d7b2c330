from django.apps import AppConfig
from django.core import checks


class CourtConfig(AppConfig):
    name = "gongzhi.court"
    label = "court"
    verbose_name = "民事速裁"

    def ready(self) -> None:
        from gongzhi.core.audit import keep_logged
        from gongzhi.domain.enums import CaseKind

        from .limits import legal_limits
        from .models import CivilCase
        checks.register(legal_limits)
        keep_logged(CivilCase, CaseKind.CIVIL)
        from .told import register
        register()        # who is told what (notify, issue 17)
