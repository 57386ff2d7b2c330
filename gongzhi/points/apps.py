from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "gongzhi.points"
    label = "points"
    verbose_name = "积分超市"

    def ready(self) -> None:
        # One chain for the whole ledger: chain-verify and /chains/ walk it with every other chain.
        from gongzhi.core import chain

        from . import ledger
        from .models import CHAIN

        chain.register("points", "积分流水", lambda: [CHAIN], ledger.chain_rows)
        from .told import register
        register()        # who is told what (notify, issue 17)
