"""What the chain verifier checks of the points ledger besides its links: every account's cached
balance (which the pages and the never-negative check read) is the sum of its postings."""
from __future__ import annotations

from .ledger import balance_mismatches


def problems() -> list[str]:
    return [f"积分账户 #{pk} 的余额与流水合计不符" for pk in balance_mismatches()]
