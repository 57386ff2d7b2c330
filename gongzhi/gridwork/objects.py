"""A duty's object set, read from the base registry (人/房/物): who and what is in it, and since
when (domain.duties.Member), and how a task names its object.

特殊人群: a person while a mark of theirs runs (PersonMark.since … until), not after they moved
out.  出租屋: a house while the registry says it is 出租 — the registry keeps the current use, not
its history, so a house becomes vacant for the tasks on the day the generation next runs
(gridwork.services.generate withdraws its open tasks from then on).  场所单位: every unit of the
grid (of the duty's kinds).  The grid itself for a patrol."""
from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from gongzhi.domain import privacy
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.duties import Member, ObjectKind
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import HouseUse, SpecialGroup, Target, UnitKind, visible_groups
from gongzhi.registry.models import Change, House, Person, PersonMark, Unit

ALWAYS = date(1900, 1, 1)


def members(kind: ObjectKind, grid_ids: list[int], role: str = "") -> list[Member]:
    """The duty's object set in these grids, each with its dates.  ``role``: the duty's role —
    a special-group person is in a duty's set only for the groups that role may read
    (domain.registry.MARK_READERS: a grid worker is not told of a 社区矫正对象)."""
    if kind is ObjectKind.SPECIAL_PERSON:
        readable = {str(g) for g in visible_groups([role])} if role else {str(g) for g in SpecialGroup}
        out = []
        for pid, grid, group, since, until, moved in (
                PersonMark.objects.filter(person__grid_id__in=grid_ids, group__in=readable)
                .values_list("person_id", "person__grid_id", "group", "since", "until", "person__moved_out_on")):
            # Moved out on a day: not there that day.
            ends = [d for d in (until, moved - timedelta(days=1) if moved else None) if d is not None]
            out.append(Member(kind, pid, grid, since, min(ends) if ends else None, group))
        return out
    if kind is ObjectKind.RENTED_HOUSE:
        return rented_spans(grid_ids)
    if kind is ObjectKind.UNIT:
        return [Member(kind, pk, grid, ALWAYS, group=k) for pk, grid, k in
                Unit.objects.filter(grid_id__in=grid_ids).values_list("id", "grid_id", "kind")]
    return []


def rented_spans(grid_ids: list[int]) -> list[Member]:
    """Each house's spans as 出租, from its change history (registry.Change rows of ``use``): a
    house let since a day is in the set from that day, one no longer let from the day it changed
    is out of it from then.  A house whose use never changed is what it is, all along."""
    houses = dict(House.objects.filter(grid_id__in=grid_ids).values_list("id", "grid_id"))
    current = dict(House.objects.filter(grid_id__in=grid_ids).values_list("id", "use"))
    changes: dict[int, list[tuple[date, str, str]]] = {}
    for hid, at, old, new in (Change.objects.filter(target=Target.HOUSE, field="use", target_id__in=list(houses))
                              .order_by("target_id", "at", "id").values_list("target_id", "at", "old", "new")):
        changes.setdefault(hid, []).append((timezone.localtime(at, SHANGHAI).date(), old, new))
    rented = str(HouseUse.RENTED)
    out = []
    for hid, grid in houses.items():
        rows = changes.get(hid)
        if not rows:
            if current[hid] == rented:
                out.append(Member(ObjectKind.RENTED_HOUSE, hid, grid, ALWAYS))
            continue
        since = ALWAYS if rows[0][1] == rented else None
        for day, old, new in rows:
            if new == rented and since is None:
                since = day
            elif old == rented and new != rented and since is not None:
                if day > since:
                    out.append(Member(ObjectKind.RENTED_HOUSE, hid, grid, since, day - timedelta(days=1)))
                since = None
        if since is not None:
            out.append(Member(ObjectKind.RENTED_HOUSE, hid, grid, since))
    return out


def link(actor, kind: ObjectKind, object_id: int, event_id: int) -> None:
    """A finding's event linked to the registered object it is about (a hazard at this 出租屋), as
    the registry links cases; a link it refuses (an object outside the actor's reach) is skipped:
    the report stands without it."""
    target = {ObjectKind.RENTED_HOUSE: Target.HOUSE, ObjectKind.UNIT: Target.UNIT}.get(kind)
    if target is None:
        return              # a special-group person is not named on an event; a grid is the event's own
    from gongzhi.core.errors import ServiceError
    from gongzhi.registry.inputs import LinkIn
    from gongzhi.registry.services import link_case
    try:
        link_case(actor=actor, data=LinkIn(case_kind=CaseKind.EVENT, case_id=event_id, target=target,
                                           target_id=object_id, note="清单任务中发现"))
    except ServiceError:
        pass


def left_reason(kind: ObjectKind) -> str:
    return {ObjectKind.SPECIAL_PERSON: "对象已不在特殊人群名单（标记终止或已迁出）",
            ObjectKind.RENTED_HOUSE: "房屋已不再出租（如已空置），不再检查",
            ObjectKind.UNIT: "场所已不在登记名单",
            ObjectKind.GRID: "网格已无人负责"}[kind]


def _groups_of(person_id: int, roles) -> list[str]:
    """The person's running marks the viewer's roles may read (domain.registry.visible_groups)."""
    readable = visible_groups(roles)
    return [SpecialGroup(g).label for g in PersonMark.objects.filter(person_id=person_id)
            .filter(Q(until__isnull=True) | Q(until__gte=timezone.localdate())).values_list("group", flat=True)
            if SpecialGroup(g) in readable]


def label(kind: ObjectKind, object_id: int, *, full: bool, roles=()) -> str:
    """What a task is about, as a page shows it.  ``full``: the task's own worker (who visits the
    person) or a manager reading it; otherwise a special-group person's name is masked
    (domain.privacy.mask_name).  The groups are named only as far as ``roles`` (the viewer's area
    roles) may read them (domain.registry.visible_groups) — the group is the sensitive part."""
    if kind is ObjectKind.SPECIAL_PERSON:
        p = Person.objects.filter(pk=object_id).values_list("name", flat=True).first() or "（已删除）"
        if not full:
            return f"走访对象 {privacy.mask_name(p)}"
        groups = "、".join(_groups_of(object_id, roles))
        return f"{p}（{groups}）" if groups else p
    if kind is ObjectKind.RENTED_HOUSE:
        return House.objects.filter(pk=object_id).values_list("address", flat=True).first() or "（已删除的房屋）"
    if kind is ObjectKind.UNIT:
        row = Unit.objects.filter(pk=object_id).values_list("name", "kind").first()
        return f"{row[0]}（{UnitKind(row[1]).label}）" if row else "（已删除的场所）"
    from gongzhi.areas.models import Area
    return Area.objects.filter(pk=object_id).values_list("name", flat=True).first() or ""


def labels(rows: list[tuple[str, int]], *, full: bool) -> dict[tuple[str, int], str]:
    """label() for many (kind, id) at once: one query per kind, for a list page."""
    out: dict[tuple[str, int], str] = {}
    by: dict[str, list[int]] = {}
    for k, i in rows:
        by.setdefault(str(k), []).append(i)
    people = dict(Person.objects.filter(pk__in=by.get(ObjectKind.SPECIAL_PERSON, [])).values_list("id", "name"))
    houses = dict(House.objects.filter(pk__in=by.get(ObjectKind.RENTED_HOUSE, [])).values_list("id", "address"))
    units = {i: f"{n}（{UnitKind(k).label}）" for i, n, k in
             Unit.objects.filter(pk__in=by.get(ObjectKind.UNIT, [])).values_list("id", "name", "kind")}
    from gongzhi.areas.models import Area
    grids = dict(Area.objects.filter(pk__in=by.get(ObjectKind.GRID, [])).values_list("id", "name"))
    for k, i in rows:
        if k == ObjectKind.SPECIAL_PERSON:
            name = people.get(i, "（已删除）")
            out[(k, i)] = name if full else f"走访对象 {privacy.mask_name(name)}"
        else:
            out[(k, i)] = {ObjectKind.RENTED_HOUSE: houses, ObjectKind.UNIT: units, ObjectKind.GRID: grids}[
                ObjectKind(k)].get(i, "")
    return out


def address(kind: ObjectKind, object_id: int, grid) -> str:
    """Where a finding happened, for its report: the house's (a person's house), the unit's, or the grid."""
    if kind is ObjectKind.RENTED_HOUSE:
        return House.objects.filter(pk=object_id).values_list("address", flat=True).first() or grid.name
    if kind is ObjectKind.UNIT:
        row = Unit.objects.filter(pk=object_id).values_list("address", "house__address").first()
        return (row[0] or row[1] or grid.name) if row else grid.name
    if kind is ObjectKind.SPECIAL_PERSON:
        # A person's home is not written on an event others read: the grid names the place.
        return grid.name
    return grid.name
