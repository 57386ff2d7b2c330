"""Who is told what about a proposal (出卷票决, issue 17): registered with notify from VotesConfig.ready.

The proposal's timeline rows are casework.CaseLog rows (kind ``proposal``, written by
``casework.acts.act``), so the fan-out reads them as it reads every case's.  A ballot writes no row
(a row per vote would time the votes, ADR 0019), so nothing here is told of a vote cast.

- 发布征求意见: the residents of the area (their registry record with an account) may comment;
- 开始投票: the voters on the roll fixed at that moment (a household's vote: its members with an
  account), and the area's grid teams, who help (代投, paper ballots);
- 计票 (通过 / 未通过): the roll's voters, and the organisers (the centres over the area) — the sweep
  counts when the window closes, and they publish the notice;
- 撤回 of a published proposal: the area's residents.

Every link is the proposal's page, which residents of the area and its staff read.  A message
carries the topic, the proposal's number and the action's label — never its title, a name or a
choice."""
from __future__ import annotations

from django.db.models import Q

from gongzhi import notify
from gongzhi.accounts.models import RoleAssignment
from gongzhi.domain.enums import CENTRE_ROLES, GRID_TEAM_ROLES, CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.votes import ProposalAction as A, ProposalStatus as S
from gongzhi.registry.models import Person
from gongzhi.registry.selectors import residents_of_area

from .models import Proposal, Voter


def residents(p: Proposal, row) -> list[int]:
    return list(residents_of_area(p.area).filter(user__isnull=False).values_list("user_id", flat=True).distinct())


def voters(p: Proposal, row) -> list[int]:
    """The roll's voters with an account: the person, or the members of the household."""
    roll = Voter.objects.filter(proposal=p)
    who = Person.objects.filter(Q(pk__in=roll.filter(person__isnull=False).values("person_id"))
                                | Q(household_id__in=roll.filter(household__isnull=False).values("household_id")),
                                user__isnull=False)
    return list(who.values_list("user_id", flat=True).distinct())


def helpers(p: Proposal, row) -> list[int]:
    """The grid teams of the grids inside the proposal's area (votes.scope: HELPER)."""
    return list(RoleAssignment.objects.filter(role__in=[str(r) for r in GRID_TEAM_ROLES],
                                              area__path__startswith=p.area.path)
                .values_list("user_id", flat=True).distinct())


def organisers(p: Proposal, row) -> list[int]:
    """The centres whose area holds the proposal's (votes.scope: ORGANISER)."""
    codes = [c for c in p.area.path.split("/") if c]
    above = ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]
    return list(RoleAssignment.objects.filter(role__in=[str(r) for r in CENTRE_ROLES], area__path__in=above)
                .values_list("user_id", flat=True).distinct())


def _published(p: Proposal, row) -> bool:
    return row.from_status != S.DRAFT


RULES = {
    A.OPEN_OPINION: notify.Rule(T.VOTE, residents),
    A.OPEN_VOTING: [notify.Rule(T.VOTE, voters), notify.Rule(T.VOTE, helpers)],
    A.PASS: [notify.Rule(T.VOTE, voters), notify.Rule(T.VOTE, organisers)],
    A.FAIL: [notify.Rule(T.VOTE, voters), notify.Rule(T.VOTE, organisers)],
    A.WITHDRAW: notify.Rule(T.VOTE, residents, when=_published),
}


def register() -> None:
    notify.register(CaseKind.PROPOSAL, rules=RULES,
                    cases=lambda ids: Proposal.objects.select_related("area").in_bulk(ids),
                    number=lambda p: p.number or "", link=lambda p: f"/votes/{p.pk}/")
