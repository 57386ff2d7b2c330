"""The operations primitives every case kind builds its table from: the shared inputs (version,
note, reason), an Operation row (input, label, the service it calls) and the Chinese field errors
of a failed validation.  The tables themselves live with their kind (events/operations.py,
mediation/operations.py, legalaid/operations.py); the API and the pages are built from them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from gongzhi.domain.enums import Action

from .inputs import ERROR_TYPE, Input


class VersionIn(Input):
    version: int | None = Field(None, description="读取时的版本号；不一致则 409")


class NoteIn(VersionIn):
    note: str = Field("", max_length=2000, title="说明")


class ReasonIn(VersionIn):
    reason: str = Field(max_length=2000, title="理由")


@dataclass(frozen=True)
class Operation:
    path: str                      # the URL segment: /api/events/{id}/<path>, /e/{id}/do/<path>
    label: str
    schema: type[BaseModel]
    call: Callable[[object, int, BaseModel], object]   # (actor, case id, input) → the case
    actions: tuple[Action, ...]    # the workflow actions it performs (shown when one is allowed)
    style: str = ""                # pages: "primary" for the main step, "danger" for refusals

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.schema.model_fields)


def operation(path, label, schema, actions, call, style="") -> Operation:
    return Operation(path, label, schema, call, tuple(actions), style)


# Pydantic's error types in the words users read.
MESSAGES = {
    "missing": "必填", "string_too_long": "内容过长", "string_too_short": "内容过短", "enum": "取值无效",
    "greater_than_equal": "数值过小", "less_than_equal": "数值过大", "greater_than": "数值过小",
    "less_than": "数值过大", "int_parsing": "必须是整数", "float_parsing": "必须是数字",
    "bool_parsing": "必须是布尔值", "json_invalid": "JSON 格式不正确", "dict_type": "必须是对象",
    "list_type": "必须是数组", "string_type": "必须是文本", "int_type": "必须是整数",
    "float_type": "必须是数字", "datetime_parsing": "时间格式不正确", "model_attributes_type": "必须是对象",
    "too_short": "至少选择一项", "int_from_float": "必须是整数", "decimal_parsing": "必须是数字",
    "decimal_type": "必须是数字", "decimal_max_places": "最多两位小数", "string_pattern_mismatch": "取值无效",
    "datetime_type": "时间格式不正确", "datetime_from_date_parsing": "时间格式不正确", "too_long": "数量过多",
}
_WRAPPERS = {"body", "payload", "query", "path", "form"}


def field_errors(errors: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """{"field.sub": "中文说明"} from pydantic's (or ninja's) error list."""
    out: dict[str, str] = {}
    for err in errors:
        name = ".".join(str(p) for p in err.get("loc", ()) if p not in _WRAPPERS) or "body"
        kind = err.get("type", "")
        msg = MESSAGES.get(kind, "格式不正确")
        if kind == "string_too_short" and (err.get("ctx") or {}).get("min_length"):
            msg = f"至少 {err['ctx']['min_length']} 个字"
        elif kind == "value_error":      # our own validators speak Chinese already
            msg = str(err.get("msg", "")).removeprefix("Value error, ")
        elif kind == ERROR_TYPE:         # a control character: the message names it
            msg = str(err.get("msg", ""))
        out.setdefault(name, msg)
    return out


def summary(errors: Sequence[Mapping[str, Any]]) -> str:
    """The one-line message of a failed validation.  A control character is invisible, so when
    one is the cause the message itself names it (as the NUL guard at the door does); the field
    it is in is in ``fields``."""
    for err in errors:
        if err.get("type") == ERROR_TYPE:
            return "提交的文字中" + str(err.get("msg", ""))
    return "提交的数据有误，请检查标出的字段"


def validate(schema: type[BaseModel], data: dict) -> BaseModel:
    """Validate page input with the API's model; raise Invalid with Chinese field messages."""
    from .errors import Invalid
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise Invalid(summary(exc.errors()), fields=field_errors(exc.errors())) from exc
