"""The 表决结果公告 (.docx, python-docx through casework.documents.render_docx): made from the
stored result on each download, so it always says what the count said — with the ballot chain's
head, by which anyone holding the published receipt list can check the notice against the log."""
from __future__ import annotations

from fractions import Fraction

from django.utils import timezone

from gongzhi.casework.documents import render_docx
from gongzhi.domain import votes as dv

from .models import Proposal


def result_notice(p: Proposal) -> bytes:
    options = list(p.options.all())
    participants = p.participants or 0
    lines = [f"编号：{p.number}",
             f"{p.area.name}就「{p.title}」于 {timezone.localtime(p.vote_opens_at):%Y年%m月%d日 %H:%M} 至 "
             f"{timezone.localtime(p.vote_closes_at):%Y年%m月%d日 %H:%M} 组织居民表决，现将结果公告如下：",
             "# 表决规则",
             f"{dv.Basis(p.basis).label}；名册以 {p.roll_as_of:%Y年%m月%d日} 实有人口为准，"
             f"共 {p.roll_size} 个表决单位；"
             f"投票期间迁出：{dv.MoveRule(p.move_rule).label}。",
             f"参与表决须达应参与人数的 {p.rule.turnout}，通过须达参与表决人数的 {p.rule.approval}"
             "（参照《中华人民共和国民法典》第二百七十八条）。",
             "# 参与情况",
             f"应参与 {p.eligible} 个，实际参与（计入选票）{participants} 个，参与率 "
             f"{dv.percent(Fraction(participants, p.eligible)) if p.eligible else '0.00%'}。"]
    lines += [f"{o.label}：{p.counts.get(o.key, 0)} 票"
              + (f"，占参与人数 {dv.percent(Fraction(p.counts.get(o.key, 0), participants))}" if participants else "")
              for o in options]
    carried = next((o.label for o in options if o.key == p.carried), "")
    lines += ["# 表决结果",
              f"{dv.Outcome(p.outcome).label}" + (f"：{carried}" if carried else "") + "。",
              f"全部选票回执码及其选项已在本议题页面公示，居民可凭回执码核对本人选票已被计入。"
              f"选票哈希链末端：第 {p.chain_seq} 张，"
              f"{p.chain_hash[:16]}…",
              f"| | {p.area.name}",
              f"| | {timezone.localtime(p.decided_at):%Y年%m月%d日}"]
    return render_docx("表决结果公告", "\n".join(lines))
