"""Who a user is to a proposal: organisers (community, township or county staff whose area holds
the proposal's), helpers (the grid team of a grid inside it: 代投 and paper entry) and residents
(a registry person, linked to the account, living in the area).  Drafts are the organisers' only;
everything else about a published proposal is the area's business, and nothing here lets anyone
— an administrator included — read how a person voted (there is no such link to read)."""
from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scope import scope_of
from gongzhi.domain.enums import CENTRE_ROLES, GRID_TEAM_ROLES
from gongzhi.domain.votes import ProposalStatus, VoteCap
from gongzhi.registry.models import Person

from .models import Proposal


def person_of(user) -> Person | None:
    """The registry person behind a resident's account (cached on the request's user)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_gz_vote_person"):
        user._gz_vote_person = (Person.objects.select_related("grid", "household", "house__grid")
                                .filter(user=user).first())
    return user._gz_vote_person


def _paths(user, roles) -> list[str]:
    return [path for role, _id, path, _lvl in scope_of(user).areas if role in roles]


def person_paths(person: Person | None) -> list[str]:
    if person is None:
        return []
    out = [person.grid.path]
    if person.house_id and person.house.grid_id != person.grid_id:
        out.append(person.house.grid.path)
    return out


def capacities(user, proposal: Proposal) -> set[VoteCap]:
    caps: set[VoteCap] = set()
    if user is None or not user.is_authenticated:
        return caps
    path = proposal.area.path
    if any(path.startswith(p) for p in _paths(user, CENTRE_ROLES)):
        caps.add(VoteCap.ORGANISER)
    if any(p.startswith(path) or path.startswith(p) for p in _paths(user, GRID_TEAM_ROLES)):
        caps.add(VoteCap.HELPER)
    if any(p.startswith(path) for p in person_paths(person_of(user))):
        caps.add(VoteCap.RESIDENT)
    return caps


def visible(user):
    """The proposals this user may see: every state over their staff areas, the published ones of
    the areas they live in or work a grid of."""
    if user is None or not user.is_authenticated:
        return Proposal.objects.none()
    q = Q(pk__in=[])
    for p in _paths(user, CENTRE_ROLES):
        q |= Q(area__path__startswith=p)
    published = Q(pk__in=[])
    for p in _paths(user, GRID_TEAM_ROLES) + person_paths(person_of(user)):
        # the grid's own proposals and those of the community or building that holds it / it holds
        published |= Q(area__path__startswith=p)
        codes = [c for c in p.split("/") if c]
        published |= Q(area__path__in=["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)])
    q |= published & ~Q(status=ProposalStatus.DRAFT)
    return Proposal.objects.filter(q)


def organiser_areas(user) -> list[str]:
    return _paths(user, CENTRE_ROLES)


def may_use(user) -> bool:
    s = scope_of(user)
    return bool(s.user_id) and (bool(s.areas) or person_of(user) is not None)
