from django.apps import AppConfig


class LegalaidConfig(AppConfig):
    name = "gongzhi.legalaid"
    verbose_name = "法律援助"

    def ready(self):
        from gongzhi.casework.models import CaseKind, keep_logged
        keep_logged(self.get_model("Application"), CaseKind.LEGAL_AID)   # no case whose reads are logged can be deleted
