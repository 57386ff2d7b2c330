"""The 民事速裁 documents: 要素式庭审笔录, 要素式判决书 and 民事调解书 drafts.  Built-in wordings join
casework.documents.BUILTIN; an admin's DocumentTemplate row overrides each.  The element table of
the case is written out row by row ("| 要素 | 值"), so a draft carries every value entered."""
from __future__ import annotations

import re
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
{% endfor %}{% if findings %}# 审查提示（系统校验，供法官核对，定稿前删除）
{% for f in findings %}{{ f }}
{% endfor %}{% endif %}"""
_HEARING = "开庭时间：{{ hearing_at }}；地点：{{ room }}；审判员：{{ judge }}；书记员：{{ clerk }}\n"

WORDINGS: dict[DocKind, tuple[str, str]] = {
    DocKind.CIVIL_RECORD: ("要素式庭审笔录", _HEAD + _HEARING + """# 诉讼请求
{{ c.claim }}
# 事实与理由
{{ c.facts }}
""" + _ELEMENTS + """# 庭审记录
（书记员记录审判员就上列要素逐项询问的情况及当事人的陈述，经当事人核对后签名。）
| 当事人（签名）： | 审判员：{{ judge }}
| 书记员：{{ clerk }} | {{ today }}"""),
    DocKind.CIVIL_JUDGMENT: ("要素式民事判决书", _HEAD + """# 诉讼请求
{{ c.claim }}
""" + _ELEMENTS + """# 本院认为
{{ basis }}
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


def _inert_text(text: str) -> str:
    # render_docx reads a line starting "|" as a table row and "# " as a heading: a party's text
    # must not reshape the document, so its bars become full-width and a leading "#" is pushed in
    # (every boundary str.splitlines knows, as render_docx splits there)
    return _LINE_HASH.sub(r"\1 \2", text.replace("|", "｜"))


_LINE_HASH = re.compile("(^|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])([ \t]*#)")


def inert(value):
    """Every text of a document's context made inert (see _inert_text), through lists, tuples and dicts."""
    if isinstance(value, str):
        return _inert_text(value)
    if isinstance(value, dict):
        return {k: inert(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(inert(v) for v in value)
    return value


def issue(case, doc: DocKind, context: dict, at: datetime, actor=None, draft: bool = True) -> Document:
    return casework_documents.issue(CaseKind.CIVIL, case.pk, doc, context, at, actor,
                                    suffix="（草稿）" if draft else "")
