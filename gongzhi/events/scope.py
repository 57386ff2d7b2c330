"""Who may see an event, and in which capacities a user acts on it.

Everything is derived from the user's role assignments (gongzhi.core.scope reads them once):
- area roles (grid team, centres, supervisors) see events located in their area or below;
- department staff see events their department handles or was called in on (吹哨);
- residents see their own reports; admins see everything.
"""
from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scope import Scope, scope_of
from gongzhi.domain.enums import CENTRE_ROLES, Role, Status
from gongzhi.domain.privacy import Secrecy, Viewer, secrecy_of
from gongzhi.domain.workflow import Capacity

from .models import CoHandler, Event


def visible_q(scope: Scope) -> Q:
    """The filter every event query of a user goes through."""
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.is_admin:
        return Q()
    q = Q(reporter_id=scope.user_id)
    for _, area_id, path, _ in scope.areas:
        q |= Q(area_path__startswith=path) | Q(handler_area_id=area_id)
    if scope.departments:
        q |= Q(handler_department_id__in=scope.departments)
        # Called in by 吹哨: the events' ids, read first.  A join repeats rows (and the DISTINCT
        # that undid it made a department's desk count every column of its events: 4.8 s at 10M);
        # a sub-select inside the OR keeps PostgreSQL from the indexes (it read all 10M rows).
        # A department is called in on few events; a list of ids is an index lookup (ADR 0021).
        called = list(CoHandler.objects.filter(department_id__in=scope.departments)
                      .values_list("event_id", flat=True).distinct())
        if called:
            q |= Q(pk__in=called)
    return q


def visible_events(user):
    return Event.objects.filter(visible_q(scope_of(user)))


def capacities(user, event: Event) -> set[Capacity]:
    s = scope_of(user)
    caps: set[Capacity] = set()
    if s.user_id is None:
        return caps
    if event.reporter_id == s.user_id:
        caps.add(Capacity.REPORTER)
    if s.is_admin:
        return caps | {Capacity.CENTRE, Capacity.SUPERVISOR}
    if event.handler_department_id:
        if event.handler_department_id in s.departments:
            caps.add(Capacity.HANDLER)
    for role, area_id, path, level in s.areas:
        inside = event.area_path.startswith(path)
        if not event.handler_department_id and area_id == event.handler_area_id and role != Role.SUPERVISOR:
            caps.add(Capacity.HANDLER)
        if role in CENTRE_ROLES and inside and (event.status == Status.REPORTED or level <= event.handler_level):
            caps.add(Capacity.CENTRE)
        if role == Role.SUPERVISOR and inside:
            caps.add(Capacity.SUPERVISOR)
    if s.departments and _called_in(event, s.departments):
        caps.add(Capacity.CO_HANDLER)
    return caps


def _called_in(event: Event, departments: set[int]) -> bool:
    """Whether one of these departments was whistled in.  Prefetched rows are read as they are:
    a new event carries a plain empty list there (intake), which has no ``.filter`` — a 500 for
    every department staff member who reported."""
    cached = getattr(event, "_prefetched_objects_cache", {}).get("co_handlers")
    if cached is not None:
        return any(c.department_id in departments for c in cached)
    return event.co_handlers.filter(department_id__in=departments).exists()


WORKING_CAPACITIES = frozenset({Capacity.HANDLER, Capacity.CENTRE, Capacity.CO_HANDLER})


def viewer_of(user, event: Event, caps: set[Capacity] | None = None) -> Viewer:
    """What the user is to this event, for the privacy policy (domain.privacy).

    Staff capacities come first: a grid worker who reported on patrol reads the internal
    timeline of the case they work; :func:`is_subject` still shows them their own data in full."""
    caps = capacities(user, event) if caps is None else caps
    s = scope_of(user)
    # A system administrator acts with centre and supervisor capacities but is no 督查: they read
    # a 举报 reporter as handlers do and cannot unmask one.
    if Capacity.SUPERVISOR in caps and any(role == Role.SUPERVISOR and event.area_path.startswith(path)
                                           for role, _, path, _ in s.areas):
        return Viewer.SUPERVISOR
    if caps & WORKING_CAPACITIES:
        return Viewer.HANDLER
    if reads_as_staff(s, event):
        return Viewer.STAFF
    if Capacity.REPORTER in caps:
        return Viewer.SELF
    return Viewer.PUBLIC


def reads_as_staff(s: Scope, event: Event) -> bool:
    """Staff whose own area or department covers the event read it as staff (a grid worker's
    patrol report after it went up a level); staff reporting elsewhere read it as a resident."""
    if s.is_admin:
        return True
    if any(event.area_path.startswith(path) for _, _, path, _ in s.areas):
        return True
    return bool(s.departments) and event.handler_department_id in s.departments


def is_subject(user, event: Event) -> bool:
    return event.reporter_id is not None and user is not None and event.reporter_id == user.pk


def secrecy(event: Event) -> Secrecy:
    return secrecy_of(event.kind, anonymous=event.anonymous, confidential=event.confidential)
