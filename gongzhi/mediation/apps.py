from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    verbose_name = "多元调处"

    def ready(self):
        from gongzhi.core.audit import keep_logged
        from gongzhi.domain.enums import CaseKind
        keep_logged(self.get_model("Case"), CaseKind.MEDIATION)   # no case whose reads are logged can be deleted
        from .told import register
        register()        # who is told what (notify, issue 17)
