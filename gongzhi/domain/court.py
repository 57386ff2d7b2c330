"""民事速裁 繁简分流: the triage of civil cases into tracks, 要素式 element forms and their checks,
series cases (类案同判) and the 速裁 team's limits — pure Python.

After 《中华人民共和国民事诉讼法》(2021/2023 numbering):
- 第164条: a case in 简易程序 is concluded within three months of filing (立案);
- 第165条: a money claim of a simple case up to 50 % of the province's prior-year average annual wage
  of the employed is tried as a 小额诉讼 (一审终审); from 50 % up to 200 % the parties may agree to it;
- 第166条: no 小额诉讼 for 人身关系/财产确权, 涉外, cases needing 评估/鉴定 or a party's whereabouts
  unknown (公告送达), counterclaims, and other unsuitable cases;
- 第168条: a 小额诉讼 is concluded within two months of filing;
- 第85条: a period's last day that is a day off moves to the next working day (an adjusted working
  Saturday, 调休, is a working day).
The 速裁 team's own limits (hearing length, judgment after the hearing, the 速裁 period) are the
court's local rules: every number is a field of :class:`Limits`, configurable.

Money is in 分 (integers); a rate is an annual percentage (Decimal); dates are dates.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from .calendar import SHANGHAI, DeadlineRule, WorkCalendar
from .enums import LabelledEnum
from .sla import YELLOW_FRACTION, Deadline, workday_deadline
from .workflow import rule

# ---- configuration ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    small_claims_pct: int = 50        # 民诉法 第165条: 50 % of the prior-year average wage
    agreed_max_pct: int = 200         # 第165条第二款: up to 200 % by the parties' agreement
    small_claims_months: int = 2      # 第168条
    simple_months: int = 3            # 第164条 (简易程序)
    ordinary_months: int = 6          # 第152条 (普通程序)
    fast_days: int = 30               # local rule: a 速裁 case concluded within 30 days of filing
    pre_mediation_days: int = 30      # local rule: 诉前调解 within 30 days (民诉法解释 第142条 practice)
    hearing_minutes: int = 40         # local rule: a 速裁 hearing within 40 minutes
    judgment_workdays: int = 10       # local rule: judgment on the spot or within 10 working days
    fast_max_fen: int = 50_000_000    # local rule: the 速裁 team takes money claims up to ¥500,000
    many_parties: int = 10            # 10 parties or more: 普通程序 (共同诉讼人数众多)
    lpr_multiple: int = 4             # 民间借贷司法解释 第25条: 4 × the one-year LPR at the contract's formation


def limits_from(overrides: dict | None) -> Limits:
    known = {k: v for k, v in (overrides or {}).items() if k in Limits.__dataclass_fields__}
    return Limits(**known)


def limit_problems(lim: Limits) -> list[str]:
    out = []
    if lim.small_claims_pct != 50:
        out.append(f"small_claims_pct = {lim.small_claims_pct}："
                   "小额诉讼标准为上年度平均工资的百分之五十（民诉法第一百六十五条）")
    if not 50 <= lim.agreed_max_pct <= 200:
        out.append(f"agreed_max_pct = {lim.agreed_max_pct}：约定适用小额诉讼不得超过百分之二百（第一百六十五条）")
    if not 1 <= lim.small_claims_months <= 2:
        out.append("small_claims_months：小额诉讼审理期限不得超过两个月（第一百六十八条）")
    if not 1 <= lim.simple_months <= 3:
        out.append("simple_months：简易程序审理期限不得超过三个月（第一百六十四条）")
    if lim.fast_days > 92:
        out.append("fast_days：速裁期限不得超过简易程序的三个月")
    return out


# ---- the tracks --------------------------------------------------------------------------------

class Track(LabelledEnum):
    PRE_MEDIATION = "pre_mediation", "诉前调解"
    SMALL_CLAIMS = "small_claims", "小额速裁"
    FAST = "fast", "速裁（简易程序）"
    ORDINARY = "ordinary", "普通程序"


class Cause(LabelledEnum):
    """案由 (the common ones the 速裁 team receives; 民事案件案由规定)."""

    DIVORCE = "divorce", "离婚纠纷"
    TRAFFIC = "traffic", "机动车交通事故责任纠纷"
    LOAN = "loan", "民间借贷纠纷"
    PROPERTY_SERVICE = "property_service", "物业服务合同纠纷"
    LABOUR = "labour", "劳动争议"
    SALE = "sale", "买卖合同纠纷"
    TENANCY = "tenancy", "房屋租赁合同纠纷"
    OWNERSHIP = "ownership", "所有权确认纠纷"
    OTHER = "other", "其他民事纠纷"


# 第166条(一): 人身关系、财产确权 are never 小额.
PERSONAL_OR_TITLE = frozenset({Cause.DIVORCE, Cause.OWNERSHIP})
# Disputes the court first offers 诉前调解 (neighbours' and everyday money disputes), unless a
# mediation already failed on them (诉调对接) or a party refused it.
MEDIATE_FIRST = frozenset({Cause.PROPERTY_SERVICE, Cause.TENANCY, Cause.SALE})
ELEMENT_CAUSES = frozenset({Cause.DIVORCE, Cause.TRAFFIC, Cause.LOAN})


@dataclass(frozen=True)
class Facts:
    cause: Cause
    amount_fen: int | None = None     # the money claimed; None: no money claim
    parties: int = 2
    foreign: bool = False             # 涉外 (涉港澳台 too)
    counterclaim: bool = False
    appraisal: bool = False           # needs 评估/鉴定
    public_notice: bool = False       # a party's whereabouts unknown: 公告送达
    mediated: bool = False            # a mediation already failed (诉调对接) or a party refused it
    agreed_pct: int | None = None     # the parties agreed to 小额 up to this % of the average wage


@dataclass(frozen=True)
class Line:
    """The province's prior-year average annual wage of the employed (a court setting)."""

    avg_wage_fen: int
    year: int


def small_claims_line(line: Line, pct: int) -> int:
    """The 小额 line in 分 at ``pct`` % of the average wage (rounded down: a claim over the
    exact line by one 分 is over it)."""
    return line.avg_wage_fen * pct // 100


@dataclass(frozen=True)
class TriageRule:
    """One row of the triage table: every condition given must hold; the first row that matches wins.

    ``amount``: "line" (≤ the 50 % line), "agreed" (≤ the agreed % line, the parties agreed),
    "fast" (≤ the 速裁 team's maximum), "over" (above it)."""

    track: Track
    reason: str
    foreign: bool | None = None
    public_notice: bool | None = None
    appraisal: bool | None = None
    many_parties: bool | None = None
    counterclaim: bool | None = None
    causes: frozenset | None = None
    mediated: bool | None = None
    money: bool | None = None
    amount: str | None = None


RULES: tuple[TriageRule, ...] = (
    TriageRule(Track.ORDINARY, "涉外民事案件不适用小额诉讼程序（民诉法第一百六十六条），由普通程序审理", foreign=True),
    TriageRule(Track.ORDINARY, "一方当事人下落不明、需公告送达，不适用简易程序（民诉法解释第二百五十七条）",
               public_notice=True),
    TriageRule(Track.ORDINARY, "需要评估、鉴定，不适用小额诉讼程序（第一百六十六条），审理周期长，转普通程序",
               appraisal=True),
    TriageRule(Track.ORDINARY, "当事人人数众多（{parties} 人），转普通程序", many_parties=True),
    TriageRule(Track.PRE_MEDIATION, "{cause}适宜先行调解，且尚未经调解：诉前调解",
               causes=MEDIATE_FIRST, mediated=False),
    TriageRule(Track.FAST, "有反诉，不适用小额诉讼程序（第一百六十六条），由速裁团队适用简易程序审理",
               counterclaim=True, amount="fast"),
    TriageRule(Track.FAST, "{cause}属人身关系或财产确权案件，不适用小额诉讼程序（第一百六十六条），"
               "由速裁团队适用简易程序审理",
               causes=PERSONAL_OR_TITLE),
    TriageRule(Track.FAST, "非金钱给付案件，由速裁团队适用简易程序审理", money=False),
    TriageRule(Track.SMALL_CLAIMS, "标的额 {amount} 元，不超过小额诉讼标准 {line} 元"
               "（{year} 年度平均工资 {wage} 元的百分之五十，"
               "民诉法第一百六十五条）：小额速裁，一审终审", amount="line"),
    TriageRule(Track.SMALL_CLAIMS, "标的额 {amount} 元，超过小额诉讼标准但在约定上限 {agreed_line} 元（平均工资的百分之"
               "{agreed_pct}）以内，当事人约定适用小额诉讼程序（第一百六十五条第二款）", amount="agreed"),
    TriageRule(Track.FAST, "标的额 {amount} 元，超过小额诉讼标准 {line} 元，"
               "在速裁上限 {fast_max} 元以内：速裁（简易程序）",
               amount="fast"),
    TriageRule(Track.ORDINARY, "标的额 {amount} 元，超过速裁上限 {fast_max} 元，转普通程序", amount="over"),
    TriageRule(Track.FAST, "其他简单民事案件，由速裁团队适用简易程序审理"),
)


def yuan(fen: int) -> str:
    """12345 分 → "123.45"."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


@dataclass(frozen=True)
class Triage:
    track: Track
    reason: str
    rule_index: int


def _amount_ok(kind: str, f: Facts, line: Line, lim: Limits) -> bool:
    if f.amount_fen is None:
        return False
    small = small_claims_line(line, lim.small_claims_pct)
    if kind == "line":
        return f.amount_fen <= small
    if kind == "agreed":
        pct = f.agreed_pct
        return pct is not None and lim.small_claims_pct <= pct <= lim.agreed_max_pct \
            and f.amount_fen <= small_claims_line(line, pct)
    if kind == "fast":
        return f.amount_fen <= lim.fast_max_fen
    return f.amount_fen > lim.fast_max_fen


def _matches(r: TriageRule, f: Facts, line: Line, lim: Limits) -> bool:
    checks = [
        (r.foreign, f.foreign), (r.public_notice, f.public_notice), (r.appraisal, f.appraisal),
        (r.many_parties, f.parties >= lim.many_parties), (r.counterclaim, f.counterclaim),
        (r.mediated, f.mediated), (r.money, f.amount_fen is not None),
    ]
    if any(want is not None and want != have for want, have in checks):
        return False
    if r.causes is not None and f.cause not in r.causes:
        return False
    if r.amount is not None and f.amount_fen is not None and not _amount_ok(r.amount, f, line, lim):
        return False
    if r.amount is not None and f.amount_fen is None and r.amount != "fast":
        return False
    return True


def triage(f: Facts, line: Line, lim: Limits = Limits(), rules: tuple[TriageRule, ...] = RULES) -> Triage:
    """The track of a case and why, in words: the first rule of ``rules`` that matches."""
    words = {"cause": f.cause.label, "parties": f.parties, "year": line.year, "wage": yuan(line.avg_wage_fen),
             "line": yuan(small_claims_line(line, lim.small_claims_pct)), "fast_max": yuan(lim.fast_max_fen),
             "amount": yuan(f.amount_fen or 0), "agreed_pct": f.agreed_pct or 0,
             "agreed_line": yuan(small_claims_line(line, f.agreed_pct or 0))}
    for i, r in enumerate(rules):
        if _matches(r, f, line, lim):
            return Triage(r.track, r.reason.format(**words), i)
    raise ValueError("no triage rule matched: the table must end with a catch-all row")


def small_claims_barred(f: Facts) -> list[str]:
    """Why this case may not be a 小额诉讼 whatever a judge decides (民诉法 第166条), in words."""
    out = []
    if f.cause in PERSONAL_OR_TITLE:
        out.append("人身关系、财产确权案件")
    if f.foreign:
        out.append("涉外案件")
    if f.appraisal:
        out.append("需要评估、鉴定的案件")
    if f.public_notice:
        out.append("一方当事人下落不明的案件")
    if f.counterclaim:
        out.append("当事人提出反诉的案件")
    if f.amount_fen is None:
        out.append("非金钱给付案件")
    return out


class OverrideRefused(ValueError):
    pass


def check_override(f: Facts, current: Track, target: Track, reason: str) -> None:
    """A judge's override of the triage: with a reason, to another track, never into 小额 where
    第166条 bars it."""
    if not reason.strip():
        raise OverrideRefused("变更程序须说明理由")
    if target == current:
        raise OverrideRefused("程序未变化")
    if target == Track.SMALL_CLAIMS:
        barred = small_claims_barred(f)
        if barred:
            raise OverrideRefused("不得适用小额诉讼程序（民诉法第一百六十六条）：" + "、".join(barred))


# ---- element forms (要素式) ----------------------------------------------------------------------

class FieldKind(LabelledEnum):
    TEXT = "text", "文字"
    MONEY = "money", "金额（元）"
    DATE = "date", "日期"
    PERCENT = "percent", "百分比"
    INT = "int", "整数"
    CHOICE = "choice", "选项"
    ROWS = "rows", "明细"


class Guarantee(LabelledEnum):
    NONE = "none", "无担保"
    SURETY = "surety", "保证"
    MORTGAGE = "mortgage", "抵押"
    PLEDGE = "pledge", "质押"


class Side(LabelledEnum):
    PLAINTIFF = "plaintiff", "原告"
    DEFENDANT = "defendant", "被告"
    SHARED = "shared", "共有/分割"


class Litigant(LabelledEnum):
    PLAINTIFF = "plaintiff", "原告"
    DEFENDANT = "defendant", "被告"
    THIRD = "third", "第三人"


@dataclass(frozen=True)
class Element:
    key: str
    label: str
    kind: FieldKind
    required: bool = True
    choices: tuple = ()                      # a CHOICE's enum members
    columns: tuple[Element, ...] = ()      # a ROWS field's columns


E, K = Element, FieldKind
FORMS: dict[Cause, tuple[Element, ...]] = {
    Cause.LOAN: (
        E("lender", "出借人", K.TEXT), E("borrower", "借款人", K.TEXT),
        E("principal", "借款本金", K.MONEY), E("lent_on", "出借日期", K.DATE),
        E("due_on", "约定还款日期", K.DATE, required=False),
        E("rate", "约定年利率（%）", K.PERCENT, required=False),
        E("repayments", "已还款明细", K.ROWS, required=False,
          columns=(E("on", "还款日期", K.DATE), E("amount", "还款金额", K.MONEY))),
        E("guarantee", "担保方式", K.CHOICE, choices=tuple(Guarantee)),
        E("guarantor", "担保人", K.TEXT, required=False),
        E("evidence", "借款凭证", K.TEXT, required=False),
    ),
    Cause.TRAFFIC: (
        E("accident_on", "事故日期", K.DATE), E("place", "事故地点", K.TEXT),
        E("liability", "责任认定（各方责任比例）", K.ROWS,
          columns=(E("party", "当事人", K.TEXT), E("share", "责任比例（%）", K.PERCENT))),
        E("insurer", "交强险/商业险保险公司", K.TEXT, required=False),
        E("medical", "医疗费", K.MONEY, required=False), E("lost_income", "误工费", K.MONEY, required=False),
        E("nursing", "护理费", K.MONEY, required=False), E("property_loss", "财产损失", K.MONEY, required=False),
        E("paid", "已垫付金额", K.MONEY, required=False), E("claimed", "诉请赔偿总额", K.MONEY),
    ),
    Cause.DIVORCE: (
        E("married_on", "结婚登记日期", K.DATE), E("separated_on", "分居起始日期", K.DATE, required=False),
        E("children_count", "婚生子女人数", K.INT),
        E("children", "子女及抚养", K.ROWS, required=False,
          columns=(E("name", "子女姓名", K.TEXT), E("born_on", "出生日期", K.DATE),
                   E("custody", "随哪方生活", K.CHOICE, choices=(Side.PLAINTIFF, Side.DEFENDANT)))),
        E("support", "每月抚养费", K.MONEY, required=False),
        E("property", "夫妻共同财产", K.ROWS, required=False,
          columns=(E("item", "财产", K.TEXT), E("value", "价值", K.MONEY),
                   E("to", "归属", K.CHOICE, choices=tuple(Side)))),
        E("debts", "共同债务", K.MONEY, required=False),
    ),
}


class Check(LabelledEnum):
    MISSING = "missing", "必填要素未填"
    INVALID = "invalid", "要素格式不正确"
    RATE_ABOVE_CAP = "rate_above_cap", "利率超过法定上限"
    REPAID_TOO_MUCH = "repaid_too_much", "还款超过本息合计"
    DATES_ORDER = "dates_order", "日期先后矛盾"
    GUARANTOR_MISSING = "guarantor_missing", "有担保但未列担保人"
    SHARES_NOT_100 = "shares_not_100", "责任比例合计不为100%"
    CLAIM_EXCEEDS_ITEMS = "claim_exceeds_items", "诉请总额超过各项损失之和"
    CHILDREN_COUNT = "children_count", "子女人数与明细不符"
    SUPPORT_WITHOUT_CHILD = "support_without_child", "无子女却主张抚养费"
    CUSTODY_MISSING = "custody_missing", "子女抚养归属未填"


@dataclass(frozen=True)
class Finding:
    check: Check
    key: str          # the element it is about
    message: str


def parse_money(s) -> int:
    """"1,234.5" → 123450 分 (exactly; more than two decimals is refused)."""
    if isinstance(s, int):
        return s
    text = str(s).replace(",", "").replace("，", "").strip()
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", text):
        raise ValueError(f"金额格式不正确：{s}")
    return int((Decimal(text) * 100).to_integral_value())


def parse_value(el: Element, raw):
    """A stored value (JSON) read as its kind; ValueError in words when it is not one."""
    if el.kind == K.MONEY:
        return parse_money(raw)
    if el.kind == K.DATE:
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(f"日期格式不正确（应为 年-月-日，如 2026-03-01）：{raw}") from None
    if el.kind == K.PERCENT:
        try:
            d = Decimal(str(raw).strip().rstrip("%"))
        except ArithmeticError:       # decimal.InvalidOperation: its text is Python's, not the user's
            raise ValueError(f"百分比格式不正确：{raw}") from None
        if not d.is_finite() or d < 0 or d > 1000:
            raise ValueError("百分比超出范围")
        return d
    if el.kind == K.INT:
        try:
            n = int(str(raw).strip())
        except ValueError:
            raise ValueError(f"应为整数：{raw}") from None
        if n < 0:
            raise ValueError("不能为负数")
        return n
    if el.kind == K.CHOICE:
        allowed = {c.value for c in el.choices}
        if str(raw) not in allowed:
            raise ValueError("选项无效")
        return str(raw)
    if el.kind == K.ROWS:
        if not isinstance(raw, list):
            raise ValueError("明细应为列表")
        out = []
        for i, row in enumerate(raw, 1):
            if not isinstance(row, dict):
                raise ValueError(f"第{i}行格式不正确")
            parsed = {}
            for c in el.columns:
                try:
                    parsed[c.key] = parse_value(c, row.get(c.key))
                except ValueError as exc:
                    raise ValueError(f"第{i}行{c.label}：{exc}") from None
            out.append(parsed)
        return out
    return str(raw).strip()


def _empty(v) -> bool:
    return v is None or v == "" or v == []


def read_values(cause: Cause, values: dict) -> tuple[dict, list[Finding]]:
    """The form's values parsed (missing or malformed elements as findings)."""
    out, findings = {}, []
    for el in FORMS.get(cause, ()):
        raw = values.get(el.key)
        if _empty(raw):
            if el.required:
                findings.append(Finding(Check.MISSING, el.key, f"{el.label}：必填"))
            continue
        try:
            out[el.key] = parse_value(el, raw)
        except ValueError as exc:       # parse_value's own words
            findings.append(Finding(Check.INVALID, el.key, f"{el.label}：{exc}"))
        except (TypeError, ArithmeticError, AttributeError):     # never Python's text in a finding
            findings.append(Finding(Check.INVALID, el.key, f"{el.label}：格式不正确"))
    return out, findings


def interest_fen(principal: int, rate_pct: Decimal, start: date, end: date) -> int:
    """Simple interest at an annual rate for the days in (start, end] (365-day year), rounded down."""
    days = max((end - start).days, 0)
    return int(Decimal(principal) * rate_pct * days / Decimal(36500))


def rate_cap(lpr_pct: Decimal, lim: Limits = Limits()) -> Decimal:
    """民间借贷司法解释 第25条: 4 × the one-year LPR (of the day :func:`lpr_day` gives)."""
    return lpr_pct * lim.lpr_multiple


# 法释〔2020〕17号 (the 2020 amendment of the 民间借贷 interpretation) took effect on this day.
NEW_LOAN_RULES = date(2020, 8, 20)


def lpr_day(lent_on: date | None, filed_on: date) -> date:
    """Whose LPR caps the rate: 第25条 — the one-year LPR at the contract's formation (the day lent
    stands for it) for a loan from 2020-08-20; 第31条 — a loan made before it (or of unknown date) is
    capped, for the time since, by the LPR at filing."""
    return lent_on if lent_on is not None and lent_on >= NEW_LOAN_RULES else filed_on


LprOf = Callable[[date], "Decimal | None"]


def check_elements(cause: Cause, values: dict, *, filed_on: date, lpr_pct: Decimal | None = None,
                   lpr_of: LprOf | None = None, lim: Limits = Limits()) -> list[Finding]:
    """Every inconsistency of a case's element values, in words (an empty list: consistent).
    ``lpr_of(day)``: the one-year LPR in force that day (the court's table); ``lpr_pct``: one rate
    for every day (a caller without a table)."""
    v, out = read_values(cause, values)
    if cause == Cause.LOAN:
        out += _loan(v, filed_on, lpr_of or (lambda day: lpr_pct), lim)
    elif cause == Cause.TRAFFIC:
        out += _traffic(v, filed_on)
    elif cause == Cause.DIVORCE:
        out += _divorce(v, filed_on, {f.key for f in out})
    return out


def _loan(v: dict, filed_on: date, lpr_of: LprOf, lim: Limits) -> list[Finding]:
    out = []
    lent, due = v.get("lent_on"), v.get("due_on")
    if lent and lent > filed_on:
        out.append(Finding(Check.DATES_ORDER, "lent_on", "出借日期晚于立案日期"))
    if lent and due and due < lent:
        out.append(Finding(Check.DATES_ORDER, "due_on", "约定还款日期早于出借日期"))
    for r in v.get("repayments", []):
        if lent and r["on"] < lent:
            out.append(Finding(Check.DATES_ORDER, "repayments", f"还款日期 {r['on']} 早于出借日期"))
        if r["on"] > filed_on:
            out.append(Finding(Check.DATES_ORDER, "repayments", f"还款日期 {r['on']} 晚于立案日期"))
    rate = v.get("rate")
    day = lpr_day(lent, filed_on)
    lpr_pct = lpr_of(day)
    cap = rate_cap(lpr_pct, lim) if lpr_pct is not None else None
    if rate is not None and cap is not None and rate > cap:
        new_rules = lent is not None and lent >= NEW_LOAN_RULES
        when = f"{'合同成立时' if new_rules else '起诉时'}（{day.isoformat()}）一年期LPR"
        basis = "民间借贷司法解释第二十五条" if new_rules else "民间借贷司法解释第二十五条、第三十一条"
        out.append(Finding(Check.RATE_ABOVE_CAP, "rate",
                           f"约定年利率 {rate}% 超过{when} {lpr_pct}% 的四倍（{cap}%），超过部分不予支持（{basis}）"))
    principal = v.get("principal")
    if principal is not None and lent:
        usable = min(rate or Decimal(0), cap) if cap is not None else (rate or Decimal(0))
        due_total = principal + interest_fen(principal, usable, lent, filed_on)
        paid = sum(r["amount"] for r in v.get("repayments", []))
        if paid > due_total:
            out.append(Finding(Check.REPAID_TOO_MUCH, "repayments",
                               f"已还款 {yuan(paid)} 元超过本金及法定上限内利息合计 {yuan(due_total)} 元"))
    if v.get("guarantee", Guarantee.NONE) != Guarantee.NONE and not v.get("guarantor"):
        out.append(Finding(Check.GUARANTOR_MISSING, "guarantor", "已选担保方式，请填写担保人"))
    return out


def _traffic(v: dict, filed_on: date) -> list[Finding]:
    out = []
    if v.get("accident_on") and v["accident_on"] > filed_on:
        out.append(Finding(Check.DATES_ORDER, "accident_on", "事故日期晚于立案日期"))
    shares = v.get("liability")
    if shares is not None:
        total = sum(r["share"] for r in shares)
        if total != 100:
            out.append(Finding(Check.SHARES_NOT_100, "liability", f"各方责任比例合计 {total}%，应为100%"))
    items = [v[k] for k in ("medical", "lost_income", "nursing", "property_loss") if k in v]
    if items and "claimed" in v and v["claimed"] > sum(items):
        out.append(Finding(Check.CLAIM_EXCEEDS_ITEMS, "claimed",
                           f"诉请总额 {yuan(v['claimed'])} 元超过各项损失之和 {yuan(sum(items))} 元"))
    return out


def _divorce(v: dict, filed_on: date, bad: set) -> list[Finding]:
    out = []
    married, separated = v.get("married_on"), v.get("separated_on")
    if married and married > filed_on:
        out.append(Finding(Check.DATES_ORDER, "married_on", "结婚登记日期晚于立案日期"))
    if married and separated and separated < married:
        out.append(Finding(Check.DATES_ORDER, "separated_on", "分居日期早于结婚登记日期"))
    children = v.get("children", [])
    count = v.get("children_count")
    if count is not None and "children" not in bad and count != len(children):
        out.append(Finding(Check.CHILDREN_COUNT, "children", f"子女人数填 {count} 人，明细列 {len(children)} 人"))
    if not children and not count and v.get("support"):
        out.append(Finding(Check.SUPPORT_WITHOUT_CHILD, "support", "无婚生子女，不应主张抚养费"))
    for c in children:
        if c.get("born_on") and c["born_on"] > filed_on:
            out.append(Finding(Check.DATES_ORDER, "children", f"{c['name']} 的出生日期晚于立案日期"))
    return out


# ---- series cases (类案) ------------------------------------------------------------------------

SIMILAR_AT = 88     # rapidfuzz ratio (0–100) from which two respondents are taken for one


def normalise(name: str) -> str:
    """"漳州市 XX物业管理有限公司（芗城分公司）" → "XX物业管理有限公司芗城分公司": spaces, brackets
    and the city prefix do not make another respondent."""
    s = re.sub(r"[\s()（）【】\[\]·.,，、]", "", name)
    return re.sub(r"^(福建省)?(漳州市)?", "", s)


def similarity(a: str, b: str) -> float:
    from rapidfuzz import fuzz
    return fuzz.ratio(normalise(a), normalise(b))


@dataclass(frozen=True)
class SeriesCandidate:
    case_id: int
    cause: Cause
    respondent: str


def suggest_series(cases: list[SeriesCandidate], at: float = SIMILAR_AT) -> list[list[int]]:
    """Groups of two or more cases with the same cause against (nearly) the same respondent, in
    the order given; a clerk confirms each (a suggestion, never a decision)."""
    groups: list[tuple[SeriesCandidate, list[int]]] = []
    for c in cases:
        for head, members in groups:
            if head.cause == c.cause and similarity(head.respondent, c.respondent) >= at:
                members.append(c.case_id)
                break
        else:
            groups.append((c, [c.case_id]))
    return [m for _, m in groups if len(m) > 1]


class Outcome(LabelledEnum):
    JUDGMENT = "judgment", "判决"
    MEDIATED = "mediated", "调解结案"
    WITHDRAWN = "withdrawn", "撤诉"
    TRANSFERRED = "transferred", "转普通程序"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    claimed_fen: int | None
    awarded_fen: int | None
    terms: str


def follow(lead: Decision, claimed_fen: int | None) -> Decision:
    """A follower's draft from its lead case's outcome (类案同判): the same outcome and terms, the
    award in the lead's proportion of the claim (rounded down to the 分)."""
    awarded = None
    if claimed_fen is not None and lead.claimed_fen and lead.awarded_fen is not None:
        awarded = claimed_fen * lead.awarded_fen // lead.claimed_fen
    return replace(lead, claimed_fen=claimed_fen, awarded_fen=awarded)


# ---- hearings ---------------------------------------------------------------------------------

def clashes(booked: list[tuple[datetime, datetime]], start: datetime, minutes: int) -> bool:
    """Whether a hearing of ``minutes`` from ``start`` overlaps one already booked (back to back is fine)."""
    end = start + timedelta(minutes=minutes)
    return any(s < end and start < e for s, e in booked)


# ---- the case and its clocks ------------------------------------------------------------------

class CivilStatus(LabelledEnum):
    REGISTERED = "registered", "已登记·待分流"
    PRE_MEDIATION = "pre_mediation", "诉前调解中"
    FILED = "filed", "已立案·待排期"
    SCHEDULED = "scheduled", "已排期·待开庭"
    HEARD = "heard", "已开庭·待宣判"
    CLOSED = "closed", "已结案"
    TRANSFERRED = "transferred", "已转普通程序"


OPEN = frozenset({CivilStatus.REGISTERED, CivilStatus.PRE_MEDIATION, CivilStatus.FILED, CivilStatus.SCHEDULED,
                  CivilStatus.HEARD})


class CivilAction(LabelledEnum):
    REGISTER = "register", "登记"
    INTAKE = "intake", "诉调对接转入"
    TRIAGE_MEDIATE = "triage_mediate", "繁简分流·诉前调解"
    TRIAGE_FILE = "triage_file", "繁简分流·立案速裁"
    TRIAGE_TRANSFER = "triage_transfer", "繁简分流·转普通程序"
    OVERRIDE = "override", "法官变更程序"
    OVERRIDE_FILE = "override_file", "法官变更程序·立案审理"
    OVERRIDE_MEDIATE = "override_mediate", "法官变更程序·诉前调解"
    OVERRIDE_TRANSFER = "override_transfer", "法官变更程序·转普通程序"
    MEDIATION_FAILED = "mediation_failed", "诉前调解不成·立案"
    MEDIATE = "mediate", "调解结案"
    ELEMENTS = "elements", "录入要素"
    BOOK = "book", "排期开庭"
    HEAR = "hear", "开庭"
    JUDGE = "judge", "宣判"
    WITHDRAW = "withdraw", "撤诉"
    SERIES = "series", "类案串案"
    FOLLOW = "follow", "参照示范案件起草"
    NOTE = "note", "工作记录"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class CivilClock(LabelledEnum):
    PRE_MEDIATION = "pre_mediation", "诉前调解期限"
    TRIAL = "trial", "审理期限"
    JUDGMENT = "judgment", "宣判期限"


class Cap(LabelledEnum):
    JUDGE = "judge", "速裁法官"
    CLERK = "clerk", "书记员"
    SYSTEM = "system", "系统"


S, A, C = CivilStatus, CivilAction, Cap
_STAFF = (C.JUDGE, C.CLERK)
_TRIED = {S.FILED, S.SCHEDULED, S.HEARD}

TRANSITIONS = {
    # REGISTER and INTAKE create the case (court.services), they are no step of this table.
    # Triage lands the case in its track's status; one action per landing, so each starts its clock.
    A.TRIAGE_MEDIATE: rule({S.REGISTERED}, S.PRE_MEDIATION, *_STAFF),
    A.TRIAGE_FILE: rule({S.REGISTERED}, S.FILED, *_STAFF),
    A.TRIAGE_TRANSFER: rule({S.REGISTERED}, S.TRANSFERRED, *_STAFF),
    # A judge's override, with a reason: between 小额 and 速裁 (the trial clock restarts on the new
    # track's period), out of 诉前调解 into trial, back into 诉前调解, or out to 普通程序.
    A.OVERRIDE: rule({S.FILED, S.SCHEDULED}, None, C.JUDGE, reason=True),
    A.OVERRIDE_FILE: rule({S.PRE_MEDIATION}, S.FILED, C.JUDGE, reason=True),
    A.OVERRIDE_MEDIATE: rule({S.FILED}, S.PRE_MEDIATION, C.JUDGE, reason=True),
    A.OVERRIDE_TRANSFER: rule({S.PRE_MEDIATION, S.FILED, S.SCHEDULED}, S.TRANSFERRED, C.JUDGE, reason=True),
    A.MEDIATION_FAILED: rule({S.PRE_MEDIATION}, S.FILED, *_STAFF),
    A.MEDIATE: rule({S.PRE_MEDIATION} | _TRIED, S.CLOSED, *_STAFF),
    A.ELEMENTS: rule({S.REGISTERED, S.PRE_MEDIATION} | _TRIED, None, *_STAFF),
    A.BOOK: rule({S.FILED, S.SCHEDULED}, S.SCHEDULED, *_STAFF),
    A.HEAR: rule({S.SCHEDULED}, S.HEARD, C.JUDGE),
    # 当庭宣判 (from SCHEDULED: heard and judged at once) or within the judgment limit (HEARD).
    A.JUDGE: rule({S.SCHEDULED, S.HEARD}, S.CLOSED, C.JUDGE),
    A.WITHDRAW: rule({S.PRE_MEDIATION} | _TRIED, S.CLOSED, *_STAFF, reason=True),
    A.SERIES: rule(OPEN | {S.CLOSED}, None, *_STAFF),
    A.FOLLOW: rule(_TRIED, None, *_STAFF),
    A.NOTE: rule(OPEN, None, *_STAFF),
    A.SLA_YELLOW: rule({S.PRE_MEDIATION} | _TRIED, None, C.SYSTEM),
    A.SLA_RED: rule({S.PRE_MEDIATION} | _TRIED, None, C.SYSTEM),
}

CLOCK_RUNS_IN = {
    CivilClock.PRE_MEDIATION: frozenset({S.PRE_MEDIATION}),
    CivilClock.TRIAL: frozenset({S.FILED, S.SCHEDULED}),
    CivilClock.JUDGMENT: frozenset({S.HEARD}),
}
CLOCK_EFFECTS = {
    A.TRIAGE_MEDIATE: CivilClock.PRE_MEDIATION, A.TRIAGE_FILE: CivilClock.TRIAL, A.TRIAGE_TRANSFER: None,
    A.OVERRIDE: CivilClock.TRIAL, A.OVERRIDE_FILE: CivilClock.TRIAL,
    A.OVERRIDE_MEDIATE: CivilClock.PRE_MEDIATION, A.OVERRIDE_TRANSFER: None,
    A.MEDIATION_FAILED: CivilClock.TRIAL,
    A.HEAR: CivilClock.JUDGMENT,
    A.JUDGE: None, A.MEDIATE: None, A.WITHDRAW: None,
}
ROWS: dict = {}     # every row internal to the court (a committee reads only the outcome)


def triage_action(track: Track) -> CivilAction:
    """The triage step that lands a case in ``track``."""
    return {Track.PRE_MEDIATION: A.TRIAGE_MEDIATE, Track.ORDINARY: A.TRIAGE_TRANSFER}.get(track, A.TRIAGE_FILE)


def override_action(status: CivilStatus, target: Track) -> CivilAction:
    """The override step from ``status`` into ``target`` (the table then says whether it is allowed)."""
    if target == Track.ORDINARY:
        return A.OVERRIDE_TRANSFER
    if target == Track.PRE_MEDIATION:
        return A.OVERRIDE_MEDIATE
    return A.OVERRIDE_FILE if status == S.PRE_MEDIATION else A.OVERRIDE


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has none: 31 Aug + 1 → 30 Sep)."""
    y, m = divmod(d.month - 1 + months, 12)
    for day in (d.day, 30, 29, 28):
        try:
            return date(d.year + y, m + 1, day)
        except ValueError:
            continue
    raise ValueError(d)


def period_last_day(cal: WorkCalendar, last: date) -> date:
    """民诉法 第85条: a period whose last day is a day off ends on the next working day."""
    while not cal.is_workday(last):
        last += timedelta(days=1)
    return last


def trial_last_day(cal: WorkCalendar, track: Track, filed_on: date, lim: Limits = Limits()) -> date:
    """The last day of the trial period counted from filing: 小额 2 months (第168条), 速裁 the
    local rule's days (within 简易's 3 months, 第164条), 普通 6 months (第152条)."""
    if track == Track.SMALL_CLAIMS:
        last = add_months(filed_on, lim.small_claims_months)
    elif track == Track.FAST:
        last = min(filed_on + timedelta(days=lim.fast_days), add_months(filed_on, lim.simple_months))
    elif track == Track.ORDINARY:
        last = add_months(filed_on, lim.ordinary_months)
    else:
        last = filed_on + timedelta(days=lim.pre_mediation_days)
    return period_last_day(cal, last)


def days_clock(start: datetime, last: date, rule: DeadlineRule = DeadlineRule()) -> Deadline:
    """Due at the end of ``last``; yellow at 70 % of the wall-clock time from ``start``."""
    due = datetime.combine(last, rule.end_of_day, SHANGHAI)
    warn = start + (due - start) * YELLOW_FRACTION if due > start else due
    return Deadline(due, warn, 0)


def judgment_clock(cal: WorkCalendar, heard_at: datetime, trial_due: datetime | None, lim: Limits = Limits(),
                   rule: DeadlineRule = DeadlineRule()) -> Deadline:
    """宣判: within ``judgment_workdays`` working days of the hearing, never past the trial period."""
    d = workday_deadline(cal, heard_at, lim.judgment_workdays, rule)
    if trial_due is not None and trial_due < d.due_at:
        warn = heard_at + (trial_due - heard_at) * YELLOW_FRACTION if trial_due > heard_at else trial_due
        return Deadline(trial_due, warn, 0)
    return d


@dataclass(frozen=True)
class Share:
    track: Track
    cases: int
    closed: int
    outcomes: dict = field(default_factory=dict)

    @property
    def closed_pct(self) -> int:
        return round(100 * self.closed / self.cases) if self.cases else 0


def shares(rows: list[tuple[str, str, str]]) -> list[tuple[Share, int]]:
    """(track, status, outcome) per case → per track the cases, the closed ones and their outcomes,
    with the track's share of all cases in %."""
    total = len(rows)
    out = []
    for t in Track:
        mine = [r for r in rows if r[0] == t]
        outcomes: dict[str, int] = {}
        for _, _, o in mine:
            if o:
                outcomes[o] = outcomes.get(o, 0) + 1
        closed = sum(1 for _, s, _ in mine if s in (S.CLOSED, S.TRANSFERRED))
        out.append((Share(t, len(mine), closed, outcomes), round(100 * len(mine) / total) if total else 0))
    return out

