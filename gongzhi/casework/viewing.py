"""What a user is to a case (mediation, legal aid), for the privacy policy (ADR 0012).

Both pillars answer the same way; only "who works it" differs (the handling committee or
mediator; the handling office or assigned lawyer), so that is what each passes in.
"""
from __future__ import annotations

from gongzhi.core.scope import scope_of
from gongzhi.domain.privacy import Viewer


def case_viewer(user, caps: set, *, works: bool, applicant_cap) -> Viewer:
    """Those who work the case handle it; a system administrator may act on any case but is not
    its committee or office, so reads the parties masked like a supervisor; the applicant is
    themself; anyone else with read scope (a centre, the receiving office) is staff.

    The order matters: a mediator who applied for their own case still works it as a handler
    (and reads it in full either way); an administrator who is also the applicant reads as a
    supervisor — the logged full read belongs to those who work the case."""
    if works:
        return Viewer.HANDLER
    if scope_of(user).is_admin:
        return Viewer.SUPERVISOR
    if applicant_cap in caps:
        return Viewer.SELF
    return Viewer.STAFF
