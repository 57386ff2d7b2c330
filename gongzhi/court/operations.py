"""Every action on an existing civil case, once (API endpoints and page forms)."""
from __future__ import annotations

from gongzhi.core.operations import operation as _op
from gongzhi.domain import court as dc

from . import inputs as i, services as s

A = dc.CivilAction

OPERATIONS = {op.path: op for op in [
    _op("triage", "繁简分流", i.VersionIn, [A.TRIAGE_MEDIATE, A.TRIAGE_FILE, A.TRIAGE_TRANSFER],
        lambda u, c, p: s.triage(actor=u, case_id=c, version=p.version), "primary"),
    _op("override", "法官变更程序", i.OverrideIn,
        [A.OVERRIDE, A.OVERRIDE_FILE, A.OVERRIDE_MEDIATE, A.OVERRIDE_TRANSFER],
        lambda u, c, p: s.override(actor=u, case_id=c, data=p)),
    _op("mediation-failed", "诉前调解不成·立案", i.NoteIn, [A.MEDIATION_FAILED],
        lambda u, c, p: s.mediation_failed(actor=u, case_id=c, note=p.note, version=p.version)),
    _op("book", "排期开庭", i.BookIn, [A.BOOK], lambda u, c, p: s.book(actor=u, case_id=c, data=p), "primary"),
    _op("hear", "开庭", i.NoteIn, [A.HEAR], lambda u, c, p: s.hear(actor=u, case_id=c, note=p.note, version=p.version)),
    _op("judge", "宣判", i.JudgeIn, [A.JUDGE], lambda u, c, p: s.judge(actor=u, case_id=c, data=p), "primary"),
    _op("mediate", "调解结案", i.MediateIn, [A.MEDIATE], lambda u, c, p: s.mediate(actor=u, case_id=c, data=p)),
    _op("withdraw", "撤诉", i.ReasonIn, [A.WITHDRAW],
        lambda u, c, p: s.withdraw(actor=u, case_id=c, reason=p.reason, version=p.version), "danger"),
    _op("note", "工作记录", i.NoteIn, [A.NOTE], lambda u, c, p: s.note(actor=u, case_id=c, note=p.note,
                                                                  version=p.version)),
]}
