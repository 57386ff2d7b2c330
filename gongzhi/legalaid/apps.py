from django.apps import AppConfig


class LegalaidConfig(AppConfig):
    name = "gongzhi.legalaid"
    verbose_name = "法律援助"

    def ready(self):
        from django.core import checks

        from gongzhi.core.audit import keep_logged
        from gongzhi.domain.enums import CaseKind

        from .checks import legal_limits
        checks.register(legal_limits)     # a decision limit above the law's 7 working days is refused
        keep_logged(self.get_model("Application"), CaseKind.LEGAL_AID)   # no case whose reads are logged can be deleted
        from .told import register
        register()        # who is told what (notify, issue 17)
