"""The built-in wording names a dispute type once (issue 17: the 受理通知书 read "邻里纠纷纠纷")."""
import pytest
from django.template import Context, Template

from gongzhi.casework.documents import BUILTIN
from gongzhi.casework.models import DocKind

CASE = {"number": "TJ2026-0001", "type_name": "邻里纠纷", "facts": "", "agreement_terms": "赔偿 500 元"}


@pytest.mark.parametrize("doc, expected", [
    (DocKind.ACCEPTANCE, "你（单位）与王五之间的邻里纠纷调解申请，本委员会已于"),
    (DocKind.TERMINATION, "你们之间的邻里纠纷，经调解未能达成协议"),
    (DocKind.CONFIRMATION, "申请人之间因邻里纠纷，经 某调委会 调解员 赵六 主持调解"),
])
def test_the_type_is_named_once(doc, expected):
    _, body = BUILTIN[doc]
    text = Template(body).render(Context({"case": CASE, "respondent": {"name": "王五"}, "org": {"name": "某调委会"},
                                          "mediator": {"name": "赵六"}, "parties": [], "applicant": {"name": "张三"}}))
    assert expected in text
    assert "纠纷纠纷" not in text
