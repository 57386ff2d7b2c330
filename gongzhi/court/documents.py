"""The 民事速裁 documents: 要素式庭审笔录, 要素式判决书 and 民事调解书 drafts.  Built-in wordings join
casework.documents.BUILTIN; an admin's DocumentTemplate row overrides each.  The element table of
the case is written out row by row ("| 要素 | 值"), so a draft carries every value entered."""
from __future__ import annotations

from datetime import datetime

from gongzhi.casework import documents as casework_documents
from gongzhi.casework.models import CaseKind, DocKind, Document

_HEAD = """案号：{{ c.number }}
案由：{{ cause }}；适用程序：{{ track }}
{% for p in parties %}{{ p.side }}：{{ p.name }}{% if p.address %}，住址 {{ p.address }}{% endif %}
{% endfor %}"""
_ELEMENTS = """# 要素
{% for label, value in elements %}| {{ label }} | {{ value }}
{% empty %}（未录入要素）
{% endfor %}{% if findings %}# 要素审查提示
{% for f in findings %}{{ f }}
{% endfor %}{% endif %}"""
_HEARING = "开庭时间：{{ hearing_at }}；地点：{{ room }}；审判员：{{ judge }}；书记员：{{ clerk }}\n"

WORDINGS: dict[DocKind, tuple[str, str]] = {
    DocKind.CIVIL_RECORD: ("要素式庭审笔录", _HEAD + _HEARING + """# 诉讼请求
{{ c.claim }}
# 事实与理由
{{ c.facts }}
""" + _ELEMENTS + """# 庭审确认
审判员就上列要素逐项询问，当事人对无争议要素予以确认，有争议要素记录如上。
| 当事人（签名）： | 审判员：{{ judge }}
| 书记员：{{ clerk }} | {{ today }}"""),
    DocKind.CIVIL_JUDGMENT: ("要素式民事判决书", _HEAD + """# 诉讼请求
{{ c.claim }}
""" + _ELEMENTS + """# 本院认为
上述要素经庭审核实。{{ basis }}
# 判决如下
{{ terms }}
{% if awarded %}判决金额：人民币 {{ awarded }} 元。
{% endif %}{% if small_claims %}本判决为终审判决（民事诉讼法第一百六十五条）。
{% else %}如不服本判决，可以在判决书送达之日起十五日内向本院递交上诉状，上诉于漳州市中级人民法院。
{% endif %}| | 审判员 {{ judge }}
| | {{ today }}
| | 书记员 {{ clerk }}"""),
    DocKind.CIVIL_MEDIATION: ("民事调解书", _HEAD + """# 诉讼请求
{{ c.claim }}
# 案件事实
{{ c.facts }}
# 经本院主持调解，当事人自愿达成如下协议
{{ terms }}
{% if awarded %}调解金额：人民币 {{ awarded }} 元。
{% endif %}上述协议不违反法律规定，本院予以确认。本调解书经各方当事人签收后，即具有法律效力。
| | 审判员 {{ judge }}
| | {{ today }}
| | 书记员 {{ clerk }}"""),
}
casework_documents.BUILTIN.update(WORDINGS)


def issue(case, doc: DocKind, context: dict, at: datetime, actor=None, draft: bool = True) -> Document:
    return casework_documents.issue(CaseKind.CIVIL, case.pk, doc, context, at, actor,
                                    suffix="（草稿）" if draft else "")
