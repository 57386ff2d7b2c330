from django.apps import AppConfig
from django.core import checks


class FundsConfig(AppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = "三金"

    def ready(self) -> None:
        from .checks import sane_limits
        checks.register(sane_limits)     # a grant limit ≤ 0, a single-approval release: refused at start-up
        from .told import register
        register()        # who is told what (notify, issue 17)
        from gongzhi.core import chain

        from . import ledger
        from .models import Fund, Posting

        def check(code: str) -> tuple[int, int | None]:
            fund = Fund.objects.get(code=code)
            return Posting.objects.filter(fund=fund).count(), ledger.verify(fund)
        # One verifier page and command for every chain (core.chain); each fund's ledger is its own
        # chain with its own head and invariants (ADR 0018), so it brings its own check.
        chain.register("funds", "三金专户流水", lambda: Fund.objects.order_by("code").values_list("code", flat=True),
                       lambda code: (), check)
