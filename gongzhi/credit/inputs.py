"""Inputs of the 信用档案 use cases (API JSON and page forms validate with the same models)."""
from __future__ import annotations

from datetime import date

from pydantic import Field

from gongzhi.core.inputs import Input
from gongzhi.core.operations import NoteIn, ReasonIn, VersionIn

__all__ = ["OpenIn", "ProposeIn", "RequestIn", "SceneCheckIn", "NoteIn", "ReasonIn", "VersionIn"]


class OpenIn(Input):
    person_id: int = Field(gt=0, title="人员")


class ProposeIn(Input):
    behaviour_id: int = Field(gt=0, title="信用行为")
    occurred_on: date = Field(title="发生日期")
    facts: str = Field(min_length=4, max_length=2000, title="事实经过")
    client_key: str | None = Field(None, max_length=64)


class RequestIn(Input):
    """An objection or a repair request: the entry and the person's reasons."""

    entry_id: int = Field(gt=0, title="信用记录")
    reason: str = Field(min_length=4, max_length=2000, title="理由")
    client_key: str | None = Field(None, max_length=64)


class SceneCheckIn(Input):
    code: str = Field(min_length=8, max_length=200, title="居民信用码")
