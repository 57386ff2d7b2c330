"""The API's answers, and the inputs only the API takes.  The report's body is the service's own
input, gongzhi.events.intake.ReportInput (declared once; the report page is built from it too)."""
from datetime import datetime

from pydantic import BaseModel, Field

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
