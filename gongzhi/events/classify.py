"""The classifier (gongzhi.textclass) applied to events: what it learns from, and its suggestions
named with the events' categories.  textclass itself knows no pillar, so it can sit below events."""
from gongzhi.domain.enums import Status
from gongzhi.textclass import service

from .models import Category, Event


def training_examples() -> list[tuple[str, str, dict[str, str]]]:
    """Confirmed (accepted) events: what staff settled on is the label, not what was reported."""
    rows = (Event.objects.exclude(status__in=[Status.REPORTED, Status.REJECTED, Status.MERGED])
            .values_list("title", "description", "kind", "category__code", "urgency"))
    return [(t, d, {"kind": k, "category": c, "urgency": u}) for t, d, k, c, u in rows.iterator()]


def _category_names(codes: list[str]) -> dict[str, str]:
    return dict(Category.objects.filter(code__in=codes).values_list("code", "name"))


def suggest(title: str, text: str, top: int = 3) -> dict | None:
    """The trained model's suggestions (None before any model), categories by their names."""
    return service.suggest(title, text, top=top, category_names=_category_names)
