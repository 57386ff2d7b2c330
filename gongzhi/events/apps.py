from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "gongzhi.events"
    verbose_name = "事件与工单"

    def ready(self):
        # An event whose reads are logged (core.models.AccessLog, by kind and id) cannot be
        # deleted: the log must keep pointing at the matter it was read for.
        from gongzhi.core.audit import keep_logged
        from gongzhi.domain.enums import CaseKind
        keep_logged(self.get_model("Event"), CaseKind.EVENT)
        from .told import register
        register()        # who is told what (notify, issue 17)
