from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongzhi.registry"
    label = "registry"
    verbose_name = "基础信息（人房物事情组织）"

    def ready(self):
        # A person whose record was read in full (logged by (PERSON, id)) is never deleted: the log
        # must keep pointing at the record it was read for.  Moving out keeps the row anyway.
        from gongzhi.core.audit import keep_logged
        from gongzhi.domain.enums import CaseKind

        from .models import Person
        keep_logged(Person, CaseKind.PERSON)
