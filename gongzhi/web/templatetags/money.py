"""Money on the pages: ``{{ fen|yuan }}`` → ¥12,345.67 (domain.ledger.yuan; amounts are 分)."""
from django import template

from gongzhi.domain import ledger

register = template.Library()


@register.filter
def yuan(fen):
    """¥ from 分; an empty value (no amount) stays empty rather than reading as ¥0.00."""
    if fen is None or fen == "":
        return ""
    return ledger.yuan(int(fen))
