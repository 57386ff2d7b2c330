"""Page forms for case operations, derived from the same pydantic inputs the API validates:
each field becomes a widget (text, textarea, number, date-time, select, checkbox) and a form
post becomes the dict the input model validates."""
from __future__ import annotations

import types
import typing
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from gongzhi.domain.enums import LabelledEnum

LONG_TEXT = 300


def _base(annotation):
    """int | None → int; Annotated[...] → its type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base(args[0]) if args else str
    if origin is typing.Annotated:
        return _base(typing.get_args(annotation)[0])
    return annotation


def widgets(schema: type[BaseModel], choices: dict[str, list[tuple]] | None = None) -> list[dict]:
    out = []
    for name, f in schema.model_fields.items():
        if name in ("version", "client_key"):
            continue
        t = _base(f.annotation)
        w = {"name": name, "label": f.title or name, "required": f.is_required(), "choices": None}
        if choices and name in choices:
            w.update(type="select", choices=choices[name])
        elif isinstance(t, type) and issubclass(t, LabelledEnum):
            w.update(type="select", choices=t.choices(),
                     default=f.default.value if isinstance(f.default, LabelledEnum) else "")
        elif t is bool:
            w["type"] = "checkbox"
        elif t in (int, Decimal):
            w["type"] = "number"
        elif t is datetime:
            w["type"] = "datetime-local"
        elif typing.get_origin(t) is list:
            w["type"] = "lines"             # one item per line: "王教授 92 意见…"
        else:
            limit = next((m.max_length for m in f.metadata if hasattr(m, "max_length")), 0) or 0
            w["type"] = "textarea" if limit > LONG_TEXT else "text"
        out.append(w)
    return out


def payload(schema: type[BaseModel], post) -> dict:
    """A form post → the input model's dict (empty optional fields keep their defaults)."""
    data = {}
    for name, f in schema.model_fields.items():
        t = _base(f.annotation)
        if t is bool:
            data[name] = post.get(name) in ("on", "true", "1")
            continue
        if typing.get_origin(t) is list:
            data[name] = [_line(x) for x in post.get(name, "").splitlines() if x.strip()]
            continue
        value = post.get(name)
        if value is None or (value == "" and not f.is_required()):
            continue
        data[name] = value
    return data


def _line(text: str) -> dict:
    """"王教授 92 说理充分" → {"expert": "王教授", "score": "92", "comment": "说理充分"} (review scores)."""
    parts = text.split(maxsplit=2)
    return {"expert": parts[0], "score": parts[1] if len(parts) > 1 else "",
            "comment": parts[2] if len(parts) > 2 else ""}
