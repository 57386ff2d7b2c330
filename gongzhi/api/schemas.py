"""The API's answers, and the inputs only the API takes.  The report's body is the service's own
input, gongzhi.events.intake.ReportInput (declared once; the report page is built from it too)."""
from datetime import datetime
from functools import cache
from types import UnionType
from typing import Union, get_args, get_origin

from pydantic import BaseModel, Field
from pydantic_core import PydanticUndefined

from gongzhi.core.inputs import Input


class Out(BaseModel):
    """Responses are built as dicts by the selectors: plain pydantic validates them in C, where
    ninja's Schema reads every field through its Django attribute getter (a third of a report's
    Python time went there)."""


class ErrorOut(Out):
    code: str
    message: str
    fields: dict[str, str] = {}


class EventSummaryOut(Out):
    id: int
    number: str
    title: str
    kind: str
    kind_label: str
    category: str
    category_name: str
    urgency: str
    status: str
    status_label: str
    channel: str
    grid: str
    grid_name: str
    address: str
    lon: float | None
    lat: float | None
    handler_level: int
    handler_level_label: str
    handler_area: str
    handler_department: str | None
    sla_flag: str | None          # None on the reporter's public view (domain.privacy)
    sla_label: str
    clock: str | None
    due_at: datetime | None
    reported_at: datetime
    version: int
    supervision: str | None


class QueueRowOut(EventSummaryOut):
    """A work-queue row: ``called_as`` is the unit's 吹哨 role (lead 主办 / assist 协办), or None."""
    called_as: str | None
    called_as_label: str
    check_in_due_at: datetime | None
    checked_in_at: datetime | None


class TimelineOut(Out):
    action: str
    label: str
    actor: str
    at: datetime
    from_status: str | None
    to_status: str | None
    note: str
    reason: str
    data: dict


class EventDetailOut(EventSummaryOut):
    description: str
    fields: dict
    orig_lon: float | None
    orig_lat: float | None
    orig_system: str | None
    reporter: dict
    confidential: bool
    anonymous: bool
    route_reason: str
    result: str
    answer: str
    satisfaction: int | None
    remaining: dict | None
    sign_due_at: datetime | None
    handle_due_at: datetime | None
    extension_workdays: int
    signed_on_time: bool | None
    resolved_on_time: bool | None
    escalations: int
    returns: int
    reopens: int
    merged_into: str | None = None
    split_from: str | None = None
    co_handlers: list[dict]
    extensions: list[dict]
    attachments: list[dict]
    capacities: list[str]
    actions: list[str]
    timeline: list[TimelineOut]


def as_declared(schema: type[Out], data: dict) -> dict:
    """A selector's answer cut to ``schema``: its fields, in its order, nested answers likewise —
    what ``schema.model_validate(data).model_dump()`` gives for a dict whose values already have
    the declared types, as the selectors' do (a test compares the two on details of every shape).
    The intake's 201 leaves this way: validating our own answer and dumping it again was a tenth
    of a report's instructions, and checked nothing the tests do not."""
    names, defaults, nested = _plan(schema)
    try:
        out = {name: data[name] for name in names}
    except KeyError:
        out = {name: data[name] if name in data or name not in defaults else defaults[name] for name in names}
    for name, model, many in nested:
        value = out[name]
        if value is not None:
            out[name] = [as_declared(model, v) for v in value] if many else as_declared(model, value)
    return out


@cache
def _plan(schema: type[Out]) -> tuple[tuple[str, ...], dict, tuple]:
    """The schema's field names (in order), the defaults of those that have one, and the fields
    holding nested answers: (name, model, whether a list of them)."""
    names, defaults, nested = [], {}, []
    for name, info in schema.model_fields.items():
        ann = info.annotation
        if get_origin(ann) in (Union, UnionType) and type(None) in get_args(ann) and len(get_args(ann)) == 2:
            ann = next(a for a in get_args(ann) if a is not type(None))      # X | None: None is kept as is
        if _is_model(ann):
            nested.append((name, ann, False))
        elif get_origin(ann) is list and _is_model(get_args(ann)[0]):
            nested.append((name, get_args(ann)[0], True))
        elif _mentions_model(ann):
            raise TypeError(f"as_declared cannot cut {schema.__name__}.{name}: {ann}")
        if info.alias or info.default_factory is not None:
            raise TypeError(f"as_declared does not handle {schema.__name__}.{name}'s alias or default factory")
        names.append(name)
        if info.default is not PydanticUndefined:
            defaults[name] = info.default
    return tuple(names), defaults, tuple(nested)


def _is_model(ann) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _mentions_model(ann) -> bool:
    return _is_model(ann) or any(_mentions_model(a) for a in get_args(ann))


class UnmaskIn(Input):
    reason: str = Field(max_length=500)


class AreaOut(Out):
    code: str
    name: str
    level: int
    grid_kind: str
    parent: str | None
    geometry: dict | None = None


class ClassifyIn(Input):
    title: str = Field("", max_length=200)
    text: str = Field(min_length=2, max_length=5000)
