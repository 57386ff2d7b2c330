"""Page forms derived from input models, and turning page posts into the operations' inputs.

The report page's form is :class:`InputForm` over ``events.intake.ReportInput``: the widgets are
``casework.forms.widgets`` of the input (the builder the case pages use), with what a page adds —
the field's description as help, its length limits as maxlength/minlength, the value as posted,
the input's own Chinese error next to each field.  Nothing about a field is declared here: a field
added to the input is on the page (``rest``), a limit changed there is the page's limit."""
from __future__ import annotations

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from gongzhi.casework.forms import widgets
from gongzhi.core.errors import Invalid, ServiceError
from gongzhi.core.operations import MESSAGES, Operation, summary, validate
from gongzhi.domain.enums import Channel, CoHandlerRole

STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.WALK_IN, Channel.HOTLINE, Channel.POLICE_110,
                                                Channel.GRID_PATROL, Channel.OTHER)]
# The report input's fields that have no control on the page: a title is made from the
# description, the map gives WGS-84, the category's own fields are rendered per category (f_*),
# an ID number is taken at the API only.
REPORT_OFF_PAGE = frozenset({"title", "coord_system", "fields", "reporter_id_number"})
# The fields report.html lays out itself (the map, the htmx hooks); every other field of the
# input is drawn by _input.html in the form's ``rest``.
REPORT_PLACED = ("kind", "category", "urgency", "description", "lon", "lat", "grid", "address", "channel",
                 "anonymous", "reporter_name", "reporter_phone")
CHECKED = ("on", "true", "1")


class InputForm:
    """A form of ``schema`` for a page.  ``choices`` gives a field the options this page offers
    (a select from the database, a narrower set of an enum): a value outside them is refused like
    a bad enum value.  ``attrs`` are a widget's extra HTML attributes (htmx hooks)."""

    def __init__(self, schema: type[BaseModel], *, post=None, skip=frozenset(), placed=(),
                 choices: dict[str, list[tuple]] | None = None, initial: dict | None = None,
                 attrs: dict[str, dict] | None = None):
        self.schema, self.post, self.placed = schema, post, placed
        self.errors: list[str] = []                # the messages that belong to no field
        self.widgets: dict[str, dict] = {}
        for w in widgets(schema, choices):
            name = w["name"]
            if name in skip:
                continue
            f = schema.model_fields[name]
            w.update(id=f"id_{name}", help=f.description or "", error="", attrs=(attrs or {}).get(name, {}),
                     max_length=_limit(f, "max_length"), min_length=_limit(f, "min_length"))
            if post is None:
                value = (initial or {}).get(name, f.default)
                value = "" if value is None or value is PydanticUndefined else value
                w["value"], w["checked"] = str(getattr(value, "value", value)), value is True
            else:
                w["value"], w["checked"] = post.get(name, ""), post.get(name) in CHECKED
            self.widgets[name] = w

    def __getitem__(self, name: str) -> dict:     # {{ form.kind.label }}
        return self.widgets[name]

    @property
    def rest(self) -> list[dict]:
        return [w for name, w in self.widgets.items() if name not in self.placed]

    def payload(self) -> dict:
        """The post as the input's dict: an empty control is a value not given (the field's
        default, or 必填 when it has none), a checkbox a bool."""
        data: dict = {}
        for name, w in self.widgets.items():
            if w["type"] == "checkbox":
                data[name] = w["checked"]
            elif w["value"] != "":
                data[name] = w["value"]
        return data

    def validate(self, **extra) -> BaseModel:
        """The input, or Invalid with every field's message (the input's own, and a choice this
        page does not offer)."""
        data = {**self.payload(), **extra}
        refused = {name: MESSAGES["enum"] for name, w in self.widgets.items()
                   if w["type"] == "select" and name in data
                   and str(data[name]) not in {str(v) for v, _ in w["choices"]}}
        try:
            result = validate(self.schema, data)
        except Invalid as exc:
            raise Invalid(exc.message, fields={**refused, **exc.fields}) from exc
        if refused:
            raise Invalid(summary([]), fields=refused)
        return result

    def show(self, exc: ServiceError) -> dict[str, str]:
        """Put the failure's messages next to their fields; the ones for no field of the form are
        returned (the page places or lists them: see ``errors``)."""
        left = {}
        for key, msg in (exc.fields or {}).items():
            if key in self.widgets:
                self.widgets[key]["error"] = msg
            else:
                left[key] = msg
        if not exc.fields:
            self.errors.append(exc.message)
        return left

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(w["error"] for w in self.widgets.values())


def _limit(field, name: str) -> int | None:
    return next((getattr(m, name) for m in field.metadata if getattr(m, name, None) is not None), None)


def operation_payload(op: Operation, post) -> dict:
    """A page form post → the dict the operation's schema validates (the API gets JSON)."""
    data = {}
    for name in op.schema.model_fields:
        if name == "departments":        # 吹哨: a checkbox per department, a role select each
            data[name] = [{"department": code, "role": post.get(f"role_{code}", CoHandlerRole.ASSIST)}
                          for code in post.getlist("departments")]
        elif name in post:
            value = post.get(name)
            data[name] = None if value == "" and name in ("area", "department", "version") else value
    return data
