"""The classifier inside gongzhi: trained from confirmed events, loaded once per process,
asked for suggestions by the report form, the desk and the API.

"Confirmed" means a centre accepted the event (so its kind, category and urgency are what staff
settled on, after any 更正分类); rejected and merged events teach nothing.
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import joblib
from django.conf import settings
from django.utils import timezone

from gongzhi.domain.enums import EventKind, Urgency

from .model import TextModel, train

HEADS = ("kind", "category", "urgency")
_lock = threading.Lock()
_cache: dict = {"mtime": None, "model": None}


def model_path() -> Path:
    return Path(settings.GONGZHI_CLASSIFIER_PATH)


def current() -> TextModel | None:
    """The trained model, reloaded when ``train-classifier`` replaced the file; None before any."""
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        if _cache["mtime"] != mtime:
            _cache["model"], _cache["mtime"] = joblib.load(path), mtime
        return _cache["model"]


def retrain(examples, source: str = "confirmed events", min_per_head: int = 20) -> TextModel:
    """Train and replace the model file atomically (other processes pick it up on their next call).
    ``examples``: (title, text, {head: label}), e.g. gongzhi.events.classify.training_examples()."""
    model = train(examples, source=source, now=timezone.now(), min_per_head=min_per_head)
    if not model.heads:
        raise ValueError("已确认的事件太少，无法训练（每个标注至少需要 20 条）")
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    joblib.dump(model, tmp)
    os.replace(tmp, path)
    return model


def _label(head: str, code: str, names: dict[str, str]) -> str:
    if head == "kind":
        return EventKind(code).label if code in EventKind._value2member_map_ else code
    if head == "urgency":
        return Urgency(code).label if code in Urgency._value2member_map_ else code
    return names.get(code, code)


def suggest(title: str, text: str, top: int = 3,
            category_names: Callable[[list[str]], dict[str, str]] | None = None) -> dict | None:
    """{"kind": [{"code", "label", "confidence"}], "category": [...], "urgency": [...], "model": {...}}

    ``category_names``: code → name of the suggested categories (the events' table, given by
    gongzhi.events.classify: this package imports no pillar); without it a category shows its code."""
    model = current()
    if model is None or not (text or title).strip():
        return None
    raw = model.suggest(title, text, top=top)
    codes = [s.label for s in raw.get("category", [])]
    names = category_names(codes) if category_names else {}
    out = {head: [{"code": s.label, "label": _label(head, s.label, names), "confidence": s.confidence}
                  for s in suggestions] for head, suggestions in raw.items()}
    out["model"] = model.describe()
    return out
