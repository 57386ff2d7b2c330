"""The 三金 documents: the 资金处置决定书 (written when the last approval executes a disposal) and
the 人民调解救助金发放决定书 (on a grant's approval).  Built-in wordings; an admin's
casework.DocumentTemplate row overrides each.  Downloaded through the deposit's / grant's scope."""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from gongzhi.casework import documents as casework_documents
from gongzhi.casework.models import CaseKind, DocKind, Document
from gongzhi.domain import ledger as dl

WORDINGS: dict[DocKind, tuple[str, str]] = {
    DocKind.FUND_RELEASE: ("资金处置决定书", """编号：{{ d.number }}
资金类别：{{ kind }}
所担保案件：{{ secured }}
缴存人：{{ d.depositor }}；被害方（权利人）：{{ d.beneficiary }}
缴存金额：{{ amount }}；代管余额：{{ held }}
# 处置依据
{{ d.decision_ref }}
# 处置决定
支付被害方（权利人）：{{ to_victim }}
退还缴存人：{{ refund }}
依决定没收：{{ forfeit }}
上述款项自本专户划转，代管账户余额为零。
# 复核
经办人：{{ maker }}
复核人：{{ checkers }}
| | {{ fund.name }}（盖章）
| | {{ today }}"""),
    DocKind.FUND_GRANT: ("人民调解救助金发放决定书", """编号：{{ g.number }}
申请人：{{ g.applicant }}；赔偿义务人：{{ g.payer }}
所涉案件：{{ secured }}
# 困难情况
{{ g.facts }}
# 审查意见
经核实，赔偿义务人确无履行能力，申请人生活困难，符合人民调解慈善救助基金的救助条件。
# 决定
给予救助金 {{ amount }}（单案累计不超过 {{ limit }}）。
经办人：{{ maker }}；审批人：{{ checker }}
| | {{ fund.name }}（盖章）
| | {{ today }}"""),
}
casework_documents.BUILTIN.update(WORDINGS)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def secured_text(row) -> str:
    if row.case_id:
        from gongzhi.mediation.models import Case
        case = Case.objects.filter(pk=row.case_id).first()
        return f"人民调解案件 {case.number if case else row.case_id}"
    if getattr(row, "secured_kind", "") == dl.SecuredKind.CRIMINAL:
        return f"刑事和解案件 {row.case_ref}"
    return row.case_ref


def issue_release(dep, split: dl.Split, checkers, at: datetime, actor=None) -> Document:
    ctx = {"d": dep, "kind": dl.DepositKind(dep.kind).label, "secured": secured_text(dep),
           "amount": dl.yuan(dep.amount),
           "held": dl.yuan(split.total), "to_victim": dl.yuan(split.to_victim), "refund": dl.yuan(split.refund),
           "forfeit": dl.yuan(split.forfeit), "maker": _name(dep.proposed_by),
           "checkers": "、".join(_name(u) for u in checkers), "fund": dep.fund,
           "today": f"{timezone.localtime(at):%Y年%m月%d日}"}
    return casework_documents.issue(CaseKind.DEPOSIT, dep.pk, DocKind.FUND_RELEASE, ctx, at, actor)


def issue_grant(g, at: datetime, actor=None) -> Document:
    from .limits import limits
    ctx = {"g": g, "secured": secured_text(g), "amount": dl.yuan(g.amount), "limit": dl.yuan(limits().grant_max_fen),
           "maker": _name(g.created_by), "checker": _name(actor), "fund": g.fund,
           "today": f"{timezone.localtime(at):%Y年%m月%d日}"}
    return casework_documents.issue(CaseKind.GRANT, g.pk, DocKind.FUND_GRANT, ctx, at, actor)
