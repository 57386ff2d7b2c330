"""Who is told what about a 社区矫正 file (issue 17): registered with notify from
CorrectionsConfig.ready, one registration per kind on the file's timeline (the file, a leave, a
sanction, a positioning, a 检察监督).

The 司法所 does the daily work, so it hears of what falls due (报到, reports, documents) and of what
the county decided on its proposals; the county agency of what it must decide (a long leave, a
sanction, a 检察建议 to answer) and the head of a positioning to approve; the prosecutor of the
answer to their 检察建议; the receiving agency of a 变更执行地.  Every link is the file's page, which
only these people may open (ADR 0016).  The subject has no account and is never told here; their
name, phone and ID number are masked in any text (``people``), and a message carries no more than
the topic, the file's number and the action's label (domain.notify.headline) — never the crime.
"""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain import corrections as dc
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import users

from .models import Agency, Leave, Monitor, Oversight, Sanction, Subject
from .scope import is_corrections_staff

A, LA, SA, MA, OA = dc.SubjAction, dc.LeaveAction, dc.SanctionAction, dc.MonitorAction, dc.OversightAction


def _staff(agency: Agency | None) -> list[int]:
    # An agency switched off reads no file (corrections.scope): its staff are told nothing of one.
    return [u.pk for u in agency.staff.all()] if agency is not None and agency.active else []


def township(subject: Subject) -> list[int]:
    return _staff(subject.township)


def county(subject: Subject) -> list[int]:
    return _staff(subject.county)


def _transferring(subject: Subject, row) -> bool:
    """A 变更执行地 waits for its answer: as the row found the file (a clock's row carries the status
    it flipped in), while the file still points at the receiving agency."""
    return row.to_status == dc.SubjStatus.TRANSFERRING and subject.transfer_to_id is not None


# ---- the file --------------------------------------------------------------------------------

def file_township(subject: Subject, row) -> list[int]:
    return township(subject)


def file_both(subject: Subject, row) -> list[int]:
    return township(subject) + county(subject)


def file_clock(subject: Subject, row) -> list[int]:
    """A running clock of the file: the 司法所's (报到, 宣告, 脱管查找), but the receiving agency's
    while a 变更执行地 waits for its answer; a red one reaches the county agency too."""
    if row.to_status == dc.SubjStatus.TRANSFERRING:
        return _staff(subject.transfer_to)
    red = row.action == A.SLA_RED
    return township(subject) + (county(subject) if red else [])


def receiving(subject: Subject, row) -> list[int]:
    return _staff(subject.transfer_to) if _transferring(subject, row) else []


# ---- leave, sanction, positioning: the child rows of a file --------------------------------

def leave_approver(leave: Leave, row) -> list[int]:
    """Who decides: the 司法所 up to 7 days, the county agency beyond (domain.corrections.leave_authority)."""
    s = leave.subject
    return township(s) if leave.authority == dc.Authority.TOWNSHIP else county(s)


def leave_clock(leave: Leave, row) -> list[int]:
    """The decision waits (its approver), or the subject is away and must 销假 (the 司法所): by the
    status the clock flipped in, not the leave's now."""
    return leave_approver(leave, row) if row.to_status == dc.LeaveStatus.SUBMITTED else township(leave.subject)


def child_township(child, row) -> list[int]:
    return township(child.subject)


def child_county(child, row) -> list[int]:
    return county(child.subject)


def head(monitor: Monitor, row) -> list[int]:
    """The county agency's head approves a positioning (社区矫正法 第29条)."""
    return users(monitor.subject.county.head_id)


def monitor_clock(monitor: Monitor, row) -> list[int]:
    return sorted(set(county(monitor.subject) + head(monitor, row)))


# ---- 检察监督 -----------------------------------------------------------------------------------

def addressed(ov: Oversight, row) -> list[int]:
    """The county agency the 检察建议 / 纠正违法通知书 is addressed to (it answers in writing)."""
    return _staff(ov.county)


def prosecutor(ov: Oversight, row) -> list[int]:
    return users(ov.issued_by_id)


# ---- loading ---------------------------------------------------------------------------------

_STAFF = ("township__staff", "county__staff", "transfer_to__staff")


def _subjects(ids: list[int]) -> dict[int, Subject]:
    return Subject.objects.select_related("township", "county", "transfer_to").prefetch_related(*_STAFF).in_bulk(ids)


def _children(model):
    def load(ids: list[int]):
        return (model.objects.select_related("subject__township", "subject__county", "subject__transfer_to")
                .prefetch_related(*(f"subject__{p}" for p in _STAFF)).in_bulk(ids))
    return load


def _oversights(ids: list[int]) -> dict[int, Oversight]:
    return Oversight.objects.select_related("subject", "county").prefetch_related("county__staff").in_bulk(ids)


def _person(subject: Subject) -> list[Person]:
    return [Person(subject.name, subject.phone, subject.id_number)]


def _file(subject_id: int) -> str:
    return f"/corrections/{subject_id}/"


SUBJECT_RULES = {
    A.RECEIVE: notify.Rule(T.DISPATCH, file_township),           # a subject to expect for 报到
    A.DOCUMENTS_LATE: notify.Rule(T.OVERDUE, file_township),
    A.CHECKIN_MISSED: notify.Rule(T.OVERDUE, file_township),
    A.SLA_YELLOW: notify.Rule(T.OVERDUE, file_clock),
    A.SLA_RED: notify.Rule(T.OVERDUE, file_clock),
    A.LEVEL: notify.Rule(T.CASE_NOTICE, file_township),          # the county changed the level
    A.TRANSFER_OUT: notify.Rule(T.DISPATCH, receiving),          # the new county is to answer
    A.TRANSFER_IN: notify.Rule(T.DISPATCH, file_township),       # the 司法所 it was handed to
    A.TRANSFER_REFUSE: notify.Rule(T.RETURNED, file_both),       # back to the old agency
    A.RELEASE: notify.Rule(T.CASE_NOTICE, file_township),
    A.TERMINATE: notify.Rule(T.CASE_NOTICE, file_township),
}
LEAVE_RULES = {
    LA.APPLY: notify.Rule(T.DISPATCH, leave_approver),
    LA.APPROVE: notify.Rule(T.CASE_NOTICE, child_township),
    LA.REFUSE: notify.Rule(T.CASE_NOTICE, child_township),
    LA.SLA_YELLOW: notify.Rule(T.OVERDUE, leave_clock),
    LA.SLA_RED: notify.Rule(T.OVERDUE, leave_clock),
}
SANCTION_RULES = {
    SA.PROPOSE: notify.Rule(T.DISPATCH, child_county),           # the county decides a proposal
    SA.DECIDE: notify.Rule(T.CASE_NOTICE, child_township),
    SA.SUBMIT: notify.Rule(T.CASE_NOTICE, child_township),
    SA.REJECT: notify.Rule(T.CASE_NOTICE, child_township),
    SA.ADOPT: notify.Rule(T.CASE_NOTICE, child_township),
    SA.DECLINE: notify.Rule(T.CASE_NOTICE, child_township),
    SA.SLA_YELLOW: notify.Rule(T.OVERDUE, child_county),
    SA.SLA_RED: notify.Rule(T.OVERDUE, child_county),
}
MONITOR_RULES = {
    MA.PROPOSE: notify.Rule(T.DISPATCH, head),
    MA.APPROVE: notify.Rule(T.CASE_NOTICE, child_township),
    MA.REFUSE: notify.Rule(T.CASE_NOTICE, child_township),
    MA.SLA_YELLOW: notify.Rule(T.OVERDUE, monitor_clock),        # the period runs out: renew or end
    MA.SLA_RED: notify.Rule(T.OVERDUE, monitor_clock),
}
OVERSIGHT_RULES = {
    OA.ISSUE: notify.Rule(T.SUPERVISE, addressed),
    OA.REOPEN: notify.Rule(T.SUPERVISE, addressed),
    OA.ANSWER: notify.Rule(T.CASE_NOTICE, prosecutor),
    OA.ACCEPT: notify.Rule(T.CASE_NOTICE, addressed),
    OA.SLA_YELLOW: notify.Rule(T.OVERDUE, addressed),
    OA.SLA_RED: notify.Rule(T.OVERDUE, addressed),
}


def register() -> None:
    notify.register(CaseKind.CORRECTION, rules=SUBJECT_RULES, cases=_subjects, number=lambda s: s.number or "",
                    link=lambda s: _file(s.pk), people=_person, staff=is_corrections_staff)
    for kind, rules, model in ((CaseKind.CORR_LEAVE, LEAVE_RULES, Leave),
                               (CaseKind.CORR_SANCTION, SANCTION_RULES, Sanction),
                               (CaseKind.CORR_MONITOR, MONITOR_RULES, Monitor)):
        notify.register(kind, rules=rules, cases=_children(model), number=lambda r: r.number or "",
                        link=lambda r: _file(r.subject_id), people=lambda r: _person(r.subject),
                        staff=is_corrections_staff)
    notify.register(CaseKind.CORR_OVERSIGHT, rules=OVERSIGHT_RULES, cases=_oversights,
                    number=lambda r: r.number or "", link=lambda r: _file(r.subject_id),
                    people=lambda r: _person(r.subject), staff=is_corrections_staff)
