from django.apps import AppConfig
from django.core import checks


class CreditConfig(AppConfig):
    name = "gongzhi.credit"
    label = "credit"
    verbose_name = "信用档案"

    def ready(self) -> None:
        from gongzhi.core import chain
        from gongzhi.core.audit import keep_logged
        from gongzhi.core.models import ChainHead
        from gongzhi.domain.enums import CaseKind

        from .checks import sane_rules
        from .models import Entry, File
        checks.register(sane_rules)           # levels out of order, a base outside [floor, ceiling]
        keep_logged(File, CaseKind.CREDIT_FILE)

        def chains():
            return ChainHead.objects.filter(name__startswith="credit:").order_by("name").values_list("name", flat=True)

        def rows(name: str):
            return Entry.objects.filter(community_id=int(name.split(":", 1)[1])).order_by("seq")
        chain.register("credit", "信用档案记录", chains, rows)
        from .told import register
        register()        # who is told what (notify, issue 17)
