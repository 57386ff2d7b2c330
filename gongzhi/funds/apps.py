from django.apps import AppConfig
from django.core import checks


class FundsConfig(AppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = "三金"

    def ready(self) -> None:
        from .checks import sane_limits
        checks.register(sane_limits)     # a grant limit ≤ 0, a single-approval release: refused at start-up
