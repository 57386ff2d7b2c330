"""Who sees 三金 money: the fund's staff (makers and checkers, as membership of a Fund) see its
deposits, grants, donations and statements; the mediation committee whose case a deposit secures
sees that deposit (and may report its agreement performed); nobody else — a system administrator
included (money and the parties' names are the fund's and the case's business only)."""
from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scope import ids_once, scope_of
from gongzhi.domain.ledger import Cap, SecuredKind
from gongzhi.mediation.models import Case
from gongzhi.mediation.scope import org_ids

from .models import Deposit, Fund, Grant


def maker_funds(user) -> frozenset[int]:
    return ids_once(user, "_gz_fund_maker", lambda: user.fund_maker_of.filter(active=True).values_list("id", flat=True))


def checker_funds(user) -> frozenset[int]:
    return ids_once(user, "_gz_fund_checker",
                    lambda: user.fund_checker_of.filter(active=True).values_list("id", flat=True))


def staff_funds(user) -> frozenset[int]:
    return maker_funds(user) | checker_funds(user)


def is_fund_staff(user) -> bool:
    return bool(staff_funds(user))


def committee_case_ids(user):
    """The mediation cases of the committees this user mediates for (a subquery)."""
    return Case.objects.filter(organisation_id__in=org_ids(user)).values("id")


def may_use(user) -> bool:
    return is_fund_staff(user) or bool(org_ids(user))


def visible_funds(user):
    if scope_of(user).user_id is None:
        return Fund.objects.none()
    return Fund.objects.filter(id__in=staff_funds(user))


def visible_deposits(user):
    if scope_of(user).user_id is None:
        return Deposit.objects.none()
    q = Q(fund_id__in=staff_funds(user))
    if org_ids(user):
        q |= Q(secured_kind=SecuredKind.MEDIATION, case_id__in=committee_case_ids(user))
    return Deposit.objects.filter(q)


def visible_grants(user):
    if scope_of(user).user_id is None:
        return Grant.objects.none()
    return Grant.objects.filter(fund_id__in=staff_funds(user))


def capacities(user, row) -> set[Cap]:
    caps: set[Cap] = set()
    if scope_of(user).user_id is None:
        return caps
    if row.fund_id in maker_funds(user):
        caps.add(Cap.MAKER)
    if row.fund_id in checker_funds(user):
        caps.add(Cap.CHECKER)
    if (isinstance(row, Deposit) and row.secured_kind == SecuredKind.MEDIATION and row.case_id
            and org_ids(user) and Case.objects.filter(pk=row.case_id, organisation_id__in=org_ids(user)).exists()):
        caps.add(Cap.COMMITTEE)
    return caps
