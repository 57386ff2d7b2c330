"""Issue 17: what the server says, in English — refusals, composed sentences, counts.

The page scan (test_english_pages) reads pages reached by GET; a refusal only answers a write, and
a server-written sentence is stored in Chinese.  Here: the API's refusals in the caller's language
(Accept-Language on the lean token path and the full stack, the language cookie of a session),
the server's sentences through their patterns (gongzhi.core.wording), counts with one and two,
and a check over the source that every message a use case raises has its English.
"""
from __future__ import annotations

import ast
import io
import json
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from gongzhi.accounts.models import ApiToken
from gongzhi.api import auth

from ..conftest import report_payload, wsgi_app

ROOT = Path(__file__).resolve().parents[2] / "gongzhi"


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    auth.forget_tokens()
    yield
    auth.forget_tokens()


def lean(method, path, body=None, raw=None, **headers):
    """One request through config.wsgi (a token and no cookie: the lean handler)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(data), "wsgi.errors": io.StringIO(), "CONTENT_LENGTH": str(len(data)),
               "CONTENT_TYPE": "application/json"}
    environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"] = int(status.split()[0])

    answer = json.loads(b"".join(wsgi_app(environ, start_response)))
    return seen["status"], answer


def refusal(method, path, token, body=None, raw=None, language="en"):
    return lean(method, path, body, raw, authorization=f"Bearer {token}", accept_language=language)


def test_the_api_refuses_in_the_callers_language(district):
    resident, centre = ApiToken.issue(district.users["resident1"]), ApiToken.issue(district.users["county"])
    status, created = refusal("POST", "/api/events", resident, report_payload(district, client_key="en-1"))
    assert status == 201
    event = created["id"]

    # Each refusal: (status, code, message, fields) as an English caller reads it.
    assert refusal("GET", "/api/events/99999999", centre) == (404, {
        "code": "not_found", "message": "Event not found, or outside your area", "fields": {}})
    status, body = refusal("POST", "/api/events", resident, {**report_payload(district), "kind": "nope"})
    assert (status, body["message"], body["fields"]["kind"]) == (
        422, "Some of what you sent is not valid: check the fields marked", "Invalid value")
    assert refusal("POST", "/api/events", resident, raw=b"{not json") == (400, {
        "code": "bad_request", "message": "The request body cannot be parsed: send valid JSON", "fields": {}})
    # A stale version: the engine's sentence with the kind's noun.
    status, body = refusal("POST", f"/api/events/{event}/accept", centre, {"version": 99})
    assert (status, body["message"]) == (409, "This event has been updated by someone else: refresh and try again")
    # A transition the workflow refuses: the domain's sentence, its action and status labels translated.
    status, body = refusal("POST", f"/api/events/{event}/sign", centre, {})
    assert (status, body["code"], body["message"]) == (
        409, "transition_not_allowed", "Sign: not allowed while the status is “Awaiting acceptance”")
    # A value in a field's words ("找不到区域 {code}"), on an accepted event.
    assert refusal("POST", f"/api/events/{event}/accept", centre, {})[0] == 200
    status, body = refusal("POST", f"/api/events/{event}/dispatch", centre, {"area": "999"})
    assert (status, body["message"], body["fields"]) == (422, "Handling area not found", {"area": "No area 999"})
    # An unknown token.
    assert refusal("GET", "/api/events", "gz_nope")[0] == 401

    # The same refusals in Chinese without a language, and by Accept-Language on the full stack.
    assert refusal("GET", "/api/events/99999999", centre, language="")[1]["message"] == "事件不存在或不在您的管辖范围内"
    full = Client().get("/api/events/99999999", HTTP_AUTHORIZATION=f"Bearer {centre}", HTTP_ACCEPT_LANGUAGE="en")
    assert json.loads(full.content)["message"] == "Event not found, or outside your area"


def test_a_session_reads_refusals_in_the_language_it_chose(district):
    c = Client()
    c.force_login(district.users["county"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})     # the language cookie, as the page's switch
    assert json.loads(c.get("/api/events/99999999").content)["message"] == "Event not found, or outside your area"
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert json.loads(c.get("/api/events/99999999").content)["message"] == "事件不存在或不在您的管辖范围内"


# The server's sentences as stored (Chinese) → as an English page shows them.
SENTENCES = {
    # the sweep's automatic 督办 (casework.supervision): clock and level are labels
    "调解期限已超期，系统自动红牌督办": "Mediation due passed: Red-card supervision issued automatically",
    "超期未办，系统自动上报上一级": "Overdue: escalated one level up automatically",
    # routing: the rule's number, the data (category names), the default target's label
    "规则#3: 矛盾纠纷/劳资纠纷 → 社区调委会": "Rule #3: 矛盾纠纷/劳资纠纷 → 社区调委会",
    "默认规则: 无匹配规则 → 属地网格": "Default rule: no rule matched → local grid",
    # the court's triage, the domain's own template with amounts
    "标的额 80,000.00 元，超过小额诉讼标准 53,061.50 元，在速裁上限 500,000.00 元以内：速裁（简易程序）":
        "Amount in dispute 80,000.00 yuan, over the small-claims line of 53,061.50 yuan and within the "
        "fast-track limit of 500,000.00 yuan: fast track (simplified procedure)",
    # two values side by side: the decider is one of its labels, the rest is the body's name
    "人民法院漳州市芗城区人民法院（（2026）闽0602刑初142号），应于 2026-07-06 前报到、2026-07-06 前送达法律文书":
        "People's court 漳州市芗城区人民法院 (（2026）闽0602刑初142号); report by 2026-07-06, "
        "legal documents delivered by 2026-07-06",
    # a month and a score; numbers that count, with one and with several
    "2026年07月 考核 90 分": "2026-07 assessment 90 points",
    "每次外出不得超过7日（申请 1 日）": "A leave may not exceed 7 days (1 day asked for)",
    "已提醒 1 人": "1 person reminded",
    "已提醒 3 人": "3 people reminded",
    # stored reasons: legal aid's means test, the cross-check's verdict
    "人均月收入 1200.00 元 ≤ 低保标准 800.00 元 × 2 = 1600.00 元":
        "Monthly income per head 1200.00 yuan ≤ minimum living standard 800.00 yuan × 2 = 1600.00 yuan",
    "同一事项（地址一致 1 项，文字重合 45%）": "same matter (address agrees on 1 point, text overlap 45%)",
    # what a person typed stays as typed
    "已到现场处理完毕": "已到现场处理完毕",
}


def test_server_sentences_read_in_english_and_stay_chinese_in_chinese():
    from gongzhi.core.wording import translated
    with translation.override("en"):
        assert {s: translated(s) for s in SENTENCES} == SENTENCES
    with translation.override("zh-hans"):
        assert all(translated(s) == s for s in SENTENCES)


def test_a_reason_of_clauses_reads_clause_by_clause():
    from gongzhi.web.templatetags.gz import numbered
    with translation.override("en"):
        assert numbered("擅长该类纠纷，会讲闽南话，3级调解员，在办 2 件") == (
            "skilled in this type of dispute, speaks 闽南话, level-3 mediator, 2 open")


def test_counts_read_one_and_many():
    from gongzhi.web.templatetags.gz import days
    page = Template('{% load gz %}{{ one }} {{ one|unit:"分" }}; {{ two }} {{ two|unit:"分" }}; '
                    '{{ one }} {{ one|unit:"个工作日" }}; {{ two }} {{ two|unit:"个工作日" }}')
    with translation.override("en"):
        assert days({"overdue": True, "workdays": -1, "hours": -8}) == "1 working day overdue"
        assert days({"overdue": True, "workdays": -2, "hours": -16}) == "2 working days overdue"
        assert days({"overdue": False, "workdays": 1, "hours": 8}) == "1 working day left (8 h)"
        assert days({"overdue": False, "workdays": 2, "hours": 16}) == "2 working days left (16 h)"
        assert page.render(Context({"one": 1, "two": 2})) == "1 point; 2 points; 1 working day; 2 working days"
    with translation.override("zh-hans"):
        assert days({"overdue": True, "workdays": -1, "hours": -8}) == "已超期 1 个工作日"
        assert page.render(Context({"one": 1, "two": 2})) == "1 分; 2 分; 1 个工作日; 2 个工作日"


# ---- every message a use case raises has its English ------------------------------------------

ERRORS = {"Invalid", "NotFound", "Forbidden", "Conflict", "ServiceError", "Unavailable", "TooManyRequests",
          "HttpError"}
CJK = re.compile(r"[\u3400-\u9fff]")
NUMBER = re.compile(r"\d+")
OUT_OF_SCOPE = ("/migrations/", "/demo/", "/management/commands/")    # data, and operators' command lines


def _name(f):
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _shapes(node) -> set[str]:
    """A composed message's shape(s) with each value as {}: f"找不到区域 {code}" → "找不到区域 {}";
    a value chosen between two words gives a shape for each."""
    if isinstance(node, ast.Constant):
        return {str(node.value)}
    if isinstance(node, ast.JoinedStr):
        out = {""}
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts = {v.value}
            elif (isinstance(v.value, ast.IfExp) and isinstance(v.value.body, ast.Constant)
                  and isinstance(v.value.orelse, ast.Constant)):
                parts = {v.value.body.value, v.value.orelse.value}
            else:
                parts = {"{}"}
            out = {a + b for a in out for b in parts}
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return {a + b for a in _shapes(node.left) for b in _shapes(node.right)}
    return {"{}"}


def _messages():
    """(where, message node) for every Chinese message given to a ServiceError (and its fields) or
    raised as an exception's first argument."""
    for path in sorted(ROOT.rglob("*.py")):
        if any(part in str(path) for part in OUT_OF_SCOPE):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            calls = [node.exc] if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) else []
            if isinstance(node, ast.Call) and _name(node.func) in ERRORS:
                calls.append(node)
            for call in calls:
                args = call.args[1:] if _name(call.func) == "HttpError" else call.args
                values = args[:1] + [v for kw in call.keywords if kw.arg == "fields" and isinstance(kw.value, ast.Dict)
                                     for v in kw.value.values]
                for v in values:
                    if (v is not None and CJK.search(ast.unparse(v))
                            and not (isinstance(v, ast.Call) and "gettext" in ast.unparse(v.func))
                            and not (isinstance(v, ast.BinOp) and "gettext" in ast.unparse(v))):
                        yield f"{path.relative_to(ROOT.parent)}:{call.lineno}", v


def test_every_message_a_use_case_raises_has_its_english():
    from django.utils.translation import trans_real

    from gongzhi.core.patterns import PATTERNS
    catalogue = trans_real.translation("en")._catalog
    known = {k for k in catalogue.keys() if isinstance(k, str)}
    placeholder = re.compile(r"\{[a-z_0-9]+\}")
    composed = {placeholder.sub("{}", p) for p in PATTERNS}
    composed |= {placeholder.sub("{}", k) for k in known if "{n}" in k}     # numbers only: found by shape
    missing = []
    for where, node in _messages():
        for shape in _shapes(node):
            if not CJK.search(shape):
                continue
            # A shape with a number written in the code ("1 到 {}") is found with it as {n} too.
            ok = shape in known or shape in composed or NUMBER.sub("{}", shape) in composed
            if not ok:
                missing.append(f"{where}: {shape}")
    assert missing == [], "no English for:\n" + "\n".join(missing)


def test_a_long_typed_text_is_not_matched_against_the_patterns():
    """core.wording: a pattern's lazy groups backtrack polynomially, so text longer than a
    server sentence (a note a person typed) is left as written, never pattern-matched."""
    from gongzhi.core import wording
    typed = "至 前往：；由审批" * 250                     # 2,250 characters of the NOTES pattern's literals
    assert len(typed) > wording.PATTERN_MAX and wording.by_pattern(typed) is None
