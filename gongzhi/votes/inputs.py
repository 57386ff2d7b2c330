"""The inputs of 出卷票决, once for the API and the pages (control characters refused by Input)."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from gongzhi.core.inputs import Input
from gongzhi.domain.votes import Basis, MoveRule, OptionRole, Preset

KEY = Field(None, min_length=8, max_length=64, title="提交编号", description="客户端生成的幂等键，重试时不变")


class OptionIn(Input):
    label: str = Field(min_length=1, max_length=100, title="选项")
    role: OptionRole = Field(OptionRole.FOR, title="选项类别")


class ProposalIn(Input):
    area_id: int = Field(title="表决范围（社区、网格或楼栋）")
    title: str = Field(min_length=2, max_length=100, title="议题")
    summary: str = Field(min_length=2, max_length=5000, title="方案说明")
    options: list[OptionIn] = Field(min_length=2, max_length=10, title="选项")
    preset: Preset = Field(Preset.ORDINARY, title="表决规则")
    # Only for the custom rule: the fractions and whether each bound includes itself (以上).
    turnout_num: int = Field(2, ge=0, le=100)
    turnout_den: int = Field(3, ge=1, le=100)
    turnout_inclusive: bool = True
    approval_num: int = Field(1, ge=0, le=100)
    approval_den: int = Field(2, ge=1, le=100)
    approval_inclusive: bool = False
    basis: Basis = Field(Basis.HOUSEHOLD, title="表决权")
    move_rule: MoveRule = Field(MoveRule.KEEPS, title="投票期间迁出")
    opinion_until: datetime | None = Field(None, title="征求意见截止")
    vote_opens_at: datetime = Field(title="投票开始")
    vote_closes_at: datetime = Field(title="投票截止")
    client_key: str | None = KEY


class CommentIn(Input):
    text: str = Field(min_length=2, max_length=1000, title="意见")
    client_key: str | None = KEY


class ReplyIn(Input):
    text: str = Field(min_length=2, max_length=1000, title="答复")


class ReasonIn(Input):
    reason: str = Field(min_length=2, max_length=200, title="原因")
    version: int | None = None


class VersionIn(Input):
    version: int | None = None


class BallotIn(Input):
    option: str = Field(min_length=1, max_length=8, title="选项")
    client_key: str = Field(min_length=8, max_length=64, title="提交编号",
                            description="客户端生成的幂等键：网络重试时不变，同一键返回同一回执")


class ProxyIn(BallotIn):
    person_id: int = Field(title="被代投居民")
    consent: str = Field(min_length=2, max_length=200, title="本人同意记录",
                         description="如：本人当面口头同意，由其子女在场见证")


class SignInIn(Input):
    person_id: int = Field(title="领取纸质票的居民")


class PaperIn(Input):
    batch: str = Field(min_length=1, max_length=40, title="批次（票箱）")
    counts: dict[str, int] = Field(title="各选项票数")


class ReceiptIn(Input):
    receipt: str = Field(min_length=4, max_length=20, title="回执码")
