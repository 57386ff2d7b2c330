"""{% notify_bell %}: the header's bell with the unread count (one indexed COUNT per page)."""
from django import template

from gongzhi.notify.services import unread_count

register = template.Library()


@register.inclusion_tag("notify/_bell.html", takes_context=True)
def notify_bell(context):
    user = context.get("user")
    return {"unread": unread_count(user=user) if user is not None else 0}
