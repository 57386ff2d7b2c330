"""Word documents from templates: 调解协议书, 司法确认申请书, notices and decisions.

The wording is data (``DocumentTemplate`` rows override the built-in text below); python-docx
writes the file so it opens in WPS and Word on any government desktop, no service needed.
"""
from __future__ import annotations

import hashlib
import io
from datetime import datetime

from django.core.files.base import ContentFile
from django.template import Context, Template
from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from gongzhi.domain.text import sanitize

from .models import CaseKind, DocKind, Document, DocumentTemplate

FONT = "宋体"

# Built-in wording (the dispute types are named with their 纠纷 already: "邻里纠纷").  Lines: "# " heading, "| a | b" a two-column row (signatures), else a paragraph.
BUILTIN: dict[DocKind, tuple[str, str]] = {
    DocKind.AGREEMENT: ("人民调解协议书", """编号：{{ case.number }}
{% for p in parties %}{{ p.role_label }}：{{ p.name }}{% if p.gender %}，{{ p.gender }}{% endif %}{% if p.id_number %}，身份证号码 {{ p.id_number }}{% endif %}{% if p.address %}，住址 {{ p.address }}{% endif %}{% if p.phone %}，联系电话 {{ p.phone }}{% endif %}
{% endfor %}# 纠纷主要事实、争议事项
{{ case.facts }}
{% if case.claim %}申请人请求：{{ case.claim }}
{% endif %}# 经调解，自愿达成如下协议
{{ case.agreement_terms }}
{% if case.amount %}涉及金额：人民币 {{ case.amount }} 元。
{% endif %}# 履行方式、时限
{{ case.performance_terms|default:"按上述协议约定履行。" }}
本协议一式{{ copies }}份，当事人各执一份，{{ org.name }}留存一份。本协议经各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。当事人可自协议生效之日起三十日内共同向人民法院申请司法确认。
{% for p in parties %}| {{ p.role_label }}（签名）：{{ p.name }} | 日期：{{ signed_on }}
{% endfor %}| 人民调解员（签名）：{{ mediator.name }} | {{ org.name }}（盖章）
| 调解地点：{{ place }} | 日期：{{ today }}"""),
    DocKind.CONFIRMATION: ("司法确认申请书", """{% for p in parties %}申请人：{{ p.name }}{% if p.id_number %}，身份证号码 {{ p.id_number }}{% endif %}{% if p.address %}，住址 {{ p.address }}{% endif %}{% if p.phone %}，联系电话 {{ p.phone }}{% endif %}
{% endfor %}# 请求事项
请求人民法院依法确认申请人于 {{ signed_on }} 经 {{ org.name }} 主持调解达成的人民调解协议（编号 {{ case.number }}）有效。
# 事实与理由
申请人之间因{{ case.type_name }}，经 {{ org.name }} 调解员 {{ mediator.name }} 主持调解，于 {{ signed_on }} 自愿达成调解协议。协议内容：{{ case.agreement_terms }}
申请人出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为；如因虚假调解协议导致他人合法权益受损，愿承担相应的法律责任。
此致
{{ court }}
{% for p in parties %}| 申请人（签名）：{{ p.name }} | {{ today }}
{% endfor %}附：人民调解协议书一份"""),
    DocKind.ACCEPTANCE: ("人民调解受理通知书", """编号：{{ case.number }}
{{ applicant.name }}：
你（单位）与{{ respondent.name|default:"对方当事人" }}之间的{{ case.type_name }}调解申请，本委员会已于 {{ today }} 受理，指派调解员 {{ mediator.name|default:"（待指派）" }} 主持调解，预计于 {{ due }} 前调解终结。
当事人依法享有选择或者接受调解员、要求调解公开或不公开进行、自主表达意愿、自愿达成调解协议的权利；调解员与本案有利害关系的，可以申请回避。
| | {{ org.name }}
| | {{ today }}"""),
    DocKind.REFUSAL: ("不予受理通知书", """编号：{{ case.number }}
{{ applicant.name }}：
你（单位）于 {{ applied_on }} 提出的调解申请，经审查，本委员会决定不予受理。理由：{{ reason }}
你可以依法通过其他途径解决该纠纷（诉讼、仲裁或向有关行政机关申请处理）。
| | {{ org.name }}
| | {{ today }}"""),
    DocKind.TERMINATION: ("调解终止告知书", """编号：{{ case.number }}
{% for p in parties %}{{ p.name }}{% if not forloop.last %}、{% endif %}{% endfor %}：
你们之间的{{ case.type_name }}，经调解未能达成协议，本委员会终止调解。理由：{{ reason }}
你们可以依法通过以下途径解决：{{ referral }}{% if referral_to %}（{{ referral_to }}）{% endif %}。
| | {{ org.name }}
| | {{ today }}"""),
    DocKind.AID_APPROVAL: ("给予法律援助决定书", """编号：{{ app.number }}
{{ app.applicant_name }}：
你于 {{ submitted_on }} 提出的法律援助申请（{{ app.matter_label }}：{{ app.summary_short }}），经审查符合法律援助条件（{{ app.eligibility_basis }}），本中心决定给予法律援助，将指派律师为你提供法律援助服务。
你应当如实提供案件相关情况和材料；以欺骗手段获得法律援助的，将终止法律援助并依法追偿。
| | {{ office.name }}
| | {{ today }}"""),
    DocKind.AID_DENIAL: ("不予法律援助决定书", """编号：{{ app.number }}
{{ app.applicant_name }}：
你于 {{ submitted_on }} 提出的法律援助申请，经审查，本中心决定不予法律援助。理由：{{ reason }}
对本决定有异议的，可以自收到本决定书之日起十五日内向 {{ office.supervisor }} 提出异议。
| | {{ office.name }}
| | {{ today }}"""),
    DocKind.AID_ASSIGNMENT: ("指派通知书", """编号：{{ app.number }}
{{ lawyer.firm }}：
根据《中华人民共和国法律援助法》，本中心决定指派 {{ lawyer.name }} 律师承办受援人 {{ app.applicant_name }} 的法律援助事项（{{ app.matter_label }}），请于三个工作日内与受援人签订委托协议，及时开展法律援助工作。
指派方式：{{ basis }}
| | {{ office.name }}
| | {{ today }}"""),
}


def wording(doc: DocKind) -> tuple[str, str]:
    row = DocumentTemplate.objects.filter(doc=doc).first()
    return (row.title, row.body) if row else BUILTIN[doc]


def render_docx(title: str, text: str) -> bytes:
    """Title centred in 小二 bold, paragraphs in 四号 宋体 with first-line indent, signature rows.

    A .docx is XML 1.0: a control character in stored text (a case's facts pasted from Word with
    a vertical tab) made python-docx refuse the whole document, on every retry.  Whatever the text
    holds, it is mended first (gongzhi.domain.text.sanitize): the document is always issued."""
    title, text = sanitize(title), sanitize(text)
    d = Docx()
    style = d.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    head = d.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold, run.font.size = True, Pt(18)
    rows = []
    for line in text.splitlines():
        line = line.rstrip()
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip("|").split("|")][:2])
            continue
        _flush(d, rows)
        if not line.strip():
            continue
        if line.startswith("# "):
            p = d.add_paragraph()
            p.add_run(line[2:]).bold = True
        else:
            p = d.add_paragraph(line)
            p.paragraph_format.first_line_indent = Pt(28)
    _flush(d, rows)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _flush(d, rows: list[list[str]]) -> None:
    if not rows:
        return
    table = d.add_table(rows=len(rows), cols=2)
    for r, cells in zip(table.rows, rows, strict=True):
        for cell, value in zip(r.cells, cells + [""] * (2 - len(cells)), strict=False):   # extra cells dropped
            cell.text = value
    rows.clear()


def issue(kind: CaseKind, case_id: int, doc: DocKind, context: dict, at: datetime, actor=None,
          suffix: str = "") -> Document:
    """Render the document with ``context`` and keep the file as issued (``suffix`` marks a draft)."""
    title, body = wording(doc)
    # The title is also the download's file name (a header): mended like the text.
    title = sanitize(title + suffix)
    text = Template(body).render(Context(context, autoescape=False))
    content = render_docx(title, text)
    row = Document(kind=kind, case_id=case_id, doc=doc, title=title, created_at=at, created_by=actor,
                   sha256=hashlib.sha256(content).hexdigest())
    row.file.save(f"{kind}-{case_id}-{doc}.docx", ContentFile(content), save=False)
    row.save()
    return row


def text_of(path_or_bytes) -> str:
    """All paragraph and table text of a .docx (for previews and tests)."""
    d = Docx(io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes)
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)
