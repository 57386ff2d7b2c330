"""The 社区矫正 documents: built-in wordings (an admin's DocumentTemplate row overrides each) and
issuing them onto the subject's file, where every one is listed and downloaded through the
file's scope check (casework.acts.document_for: staff and the county's prosecutors, logged)."""
from __future__ import annotations

from datetime import datetime

from gongzhi.casework import documents as casework_documents
from gongzhi.casework.models import CaseKind, DocKind, Document

_HEAD = """编号：{{ s.number }}
社区矫正对象：{{ s.name }}，{{ s.gender }}，身份证号码 {{ s.id_number }}，住址 {{ s.address }}
矫正类别：{{ kind_label }}；罪名：{{ s.crime }}；矫正期限：{{ term }}
"""
_SIGN = """| | {{ county.name }}（盖章）
| | {{ today }}"""

WORDINGS: dict[DocKind, tuple[str, str]] = {
    DocKind.CORR_NOTICE: ("入矫告知书", _HEAD + """# 告知事项
你于{{ decided_on }}经{{ s.decision_body }}{{ s.decision_no }}判决（裁定、决定）依法实行社区矫正，由{{ township.name }}负责日常监督管理。
在社区矫正期间，你应当遵守法律、行政法规，履行判决、裁定、暂予监外执行决定等法律文书确定的义务，遵守国务院司法行政部门关于报告、会客、外出、迁居、保外就医等监督管理规定，服从社区矫正机构的管理。
{% if s.prohibition %}人民法院禁止令：{{ s.prohibition }}
{% endif %}违反监督管理规定的，将视情节依法给予训诫、警告、提请公安机关予以治安管理处罚，或者提请撤销缓刑、假释，对暂予监外执行的提请收监执行。
| 社区矫正对象（签名）：{{ s.name }} | 宣告人：{{ township.name }}
""" + _SIGN),
    DocKind.CORR_PLAN: ("社区矫正方案", _HEAD + """# 矫正方案
{{ s.plan }}
""" + _SIGN),
    DocKind.CORR_PRAISE: ("表扬决定书", _HEAD + """# 表扬事由
{{ sanction.facts }}
根据《中华人民共和国社区矫正法实施办法》第三十三条，决定给予表扬。
""" + _SIGN),
    DocKind.CORR_ADMONISH: ("训诫决定书", _HEAD + """# 违反监督管理规定的事实
{{ sanction.facts }}
{% if sanction.evidence %}证据：{{ sanction.evidence }}
{% endif %}根据《中华人民共和国社区矫正法》第二十八条、《中华人民共和国社区矫正法实施办法》第三十四条，决定给予训诫。
你应当深刻认识错误，严格遵守监督管理规定。如不服本决定，可以向本机构提出申辩。
""" + _SIGN),
    DocKind.CORR_WARN: ("警告决定书", _HEAD + """# 违反监督管理规定的事实
{{ sanction.facts }}
{% if sanction.evidence %}证据：{{ sanction.evidence }}
{% endif %}根据《中华人民共和国社区矫正法》第二十八条、《中华人民共和国社区矫正法实施办法》第三十五条，决定给予警告。
受到两次警告仍不改正的，将依法提请撤销缓刑、假释或者收监执行。
""" + _SIGN),
    DocKind.CORR_PROPOSAL: ("提请建议书", _HEAD + """# 提请事项
{{ step }}
# 事实与依据
{{ sanction.facts }}
{% if sanction.evidence %}证据：{{ sanction.evidence }}
{% endif %}此致
{{ s.decision_body }}
同时抄送同级人民检察院。
""" + _SIGN),
    DocKind.CORR_RELEASE: ("解除社区矫正证明书", _HEAD + """社区矫正对象 {{ s.name }} 的社区矫正期限已于{{ term_end }}届满，依照《中华人民共和国社区矫正法》第四十四条，自{{ today }}起解除社区矫正，特此证明。
""" + _SIGN),
    DocKind.CORR_ANSWER: ("检察建议回复函", """编号：{{ oversight.number }}
人民检察院：
贵院就社区矫正对象 {{ s.name }}（{{ s.number }}）制发的{{ oversight_kind }}收悉。
# 贵院指出的问题
{{ oversight.facts }}
# 整改情况
{{ oversight.answer }}
特此回复。
""" + _SIGN),
}
# The casework documents read their wording from one table; this pillar's rows join it here.
casework_documents.BUILTIN.update(WORDINGS)


def issue(subject, doc: DocKind, context: dict, at: datetime, actor=None) -> Document:
    return casework_documents.issue(CaseKind.CORRECTION, subject.pk, doc, context, at, actor)
