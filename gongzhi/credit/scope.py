"""Who reads a credit file (PIPL): the person themself and the credit officers of the person's
community (membership of its ``Office``), nobody else — a system administrator, the community's
other staff, its grid workers and the neighbours included.  A scene's operators read a level
through a resident's code (services.scene_check), never a file."""
from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scope import ids_once, scope_of
from gongzhi.domain.credit import Cap
from gongzhi.domain.privacy import Viewer
from gongzhi.registry.models import Person

from .models import Dispute, File, Office, Repair, Scene


def officer_communities(user) -> frozenset[int]:
    """The communities (area ids) whose credit officer this user is."""
    return ids_once(user, "_gz_credit_officer", lambda: Office.objects.filter(officers=user, active=True)
                    .values_list("community_id", flat=True))


def is_officer(user) -> bool:
    return bool(officer_communities(user))


def is_scene_operator(user) -> bool:
    return bool(ids_once(user, "_gz_credit_scenes", lambda: Scene.objects.filter(operators=user, active=True)
                         .values_list("id", flat=True)))


def own_person_id(user) -> int | None:
    if scope_of(user).user_id is None:
        return None
    cached = getattr(user, "_gz_credit_person", 0)
    if cached == 0:
        cached = Person.objects.filter(user=user).values_list("id", flat=True).first()
        user._gz_credit_person = cached
    return cached


def visible_files(user):
    if scope_of(user).user_id is None:
        return File.objects.none()
    q = Q(community_id__in=officer_communities(user))
    person = own_person_id(user)
    if person is not None:
        q |= Q(person_id=person)
    return File.objects.filter(q)


def visible_disputes(user):
    return Dispute.objects.filter(file__in=visible_files(user))


def visible_repairs(user):
    return Repair.objects.filter(file__in=visible_files(user))


def capacities(user, row) -> set[Cap]:
    """On a file, an objection or a repair request (each knows its file's community and person)."""
    caps: set[Cap] = set()
    if scope_of(user).user_id is None:
        return caps
    file = row if isinstance(row, File) else row.file
    if file.community_id in officer_communities(user):
        caps.add(Cap.OFFICER)
    if own_person_id(user) is not None and file.person_id == own_person_id(user):
        caps.add(Cap.SUBJECT)
    return caps


def viewer(user, row, caps: set) -> Viewer:
    if Cap.OFFICER in caps:
        return Viewer.HANDLER
    if Cap.SUBJECT in caps:
        return Viewer.SELF
    return Viewer.PUBLIC
