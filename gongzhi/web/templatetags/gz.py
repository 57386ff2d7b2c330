from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``{{ errors|get:"reason" }}``: a dict entry by a computed key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def days(remaining):
    """A countdown in words: 剩 2 个工作日 / 超期 3 个工作日 / 剩 5.5 小时."""
    from django.utils.translation import gettext, ngettext
    if not remaining:
        return ""
    if remaining["overdue"]:
        wd = remaining["workdays"]
        return (ngettext("已超期 %(n)s 个工作日", "已超期 %(n)s 个工作日", -wd) % {"n": -wd} if wd
                else gettext("已超期 %(h)s 小时") % {"h": -remaining["hours"]})
    if remaining["workdays"]:
        wd = remaining["workdays"]
        return ngettext("剩 %(n)s 个工作日（%(h)s 小时）", "剩 %(n)s 个工作日（%(h)s 小时）", wd) % {
            "n": wd, "h": remaining["hours"]}
    return gettext("剩 %(h)s 小时") % {"h": remaining["hours"]}


@register.filter
def unit(n, word):
    """The noun after a count in the reader's language, singular or plural by the count:
    ``{{ n }} {{ n|unit:"分" }}`` → "1 point", "12 points" (entries with context "unit")."""
    from django.utils.translation import npgettext
    try:
        count = float(n)
    except (TypeError, ValueError):
        count = 0
    return npgettext("unit", word, word, 1 if count == 1 else 2)


@register.filter
def compared(comparison):
    """domain.kpi.compare's sentence in the reader's language: the domain writes it in Chinese
    (exports use it as is), an English page rebuilds it from the numbers through the catalogue."""
    from django.utils.translation import get_language, gettext
    if not comparison or comparison.get("delta") is None or (get_language() or "zh").startswith("zh"):
        return (comparison or {}).get("text", "")
    n, delta, percent = len(comparison["previous"]), comparison["delta"], comparison["percent"]
    if round(delta) == 0:
        return gettext("与前 %(n)s 期平均持平") % {"n": n}
    text = gettext("较前 %(n)s 期平均增加 %(d)s 件" if delta > 0 else "较前 %(n)s 期平均减少 %(d)s 件") % {
        "n": n, "d": abs(round(delta))}
    if percent is not None:
        text += gettext("，上升 %(p)s%%" if delta > 0 else "，下降 %(p)s%%") % {"p": f"{abs(percent):.2f}"}
    return text


@register.filter
def status_label(code):
    """An event status by its code, in the reader's language."""
    from django.utils.translation import gettext

    from gongzhi.domain.enums import Status
    try:
        return gettext(Status(code).label)
    except ValueError:
        return code or ""


@register.filter
def numbered(text):
    """A sentence the server wrote with numbers in it ("脱离监管 12 日，未超过10日"), translated by
    its pattern with the numbers as {n} ("脱离监管 {n} 日，未超过{n}日"), the numbers put back in
    order; a sentence of several clauses (an enum label after "，") clause by clause.  Chinese pages
    get the text as written."""
    from django.utils.translation import gettext

    from gongzhi.core.wording import chinese, translated
    if not text or chinese():
        return text
    whole = translated(text)
    if whole != text:
        return whole
    return gettext("，").join(translated(p) for p in text.split("，"))


@register.filter(name="translated")
def translated_filter(text):
    """A note, reason or message the server wrote (stored in Chinese, the record), shown in the
    reader's language when the catalogue knows it or its pattern (gongzhi.core.wording); what a
    person typed has no entry and is shown as typed."""
    from gongzhi.core.wording import translated
    return translated(text)
