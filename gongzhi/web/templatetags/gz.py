from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``{{ errors|get:"reason" }}``: a dict entry by a computed key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def days(remaining):
    """A countdown in words: 剩 2 个工作日 / 超期 3 个工作日 / 剩 5.5 小时."""
    if not remaining:
        return ""
    if remaining["overdue"]:
        wd = remaining["workdays"]
        return f"已超期 {-wd} 个工作日" if wd else f"已超期 {-remaining['hours']} 小时"
    if remaining["workdays"]:
        return f"剩 {remaining['workdays']} 个工作日（{remaining['hours']} 小时）"
    return f"剩 {remaining['hours']} 小时"


@register.filter
def status_label(code):
    """An event status by its code, in the reader's language."""
    from django.utils.translation import gettext

    from gongzhi.domain.enums import Status
    try:
        return gettext(Status(code).label)
    except ValueError:
        return code or ""
