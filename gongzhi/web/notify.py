"""The notification centre: one's messages (all / unread, paged), opening one (marks it read and
goes to the case), marking read one by one (htmx) or all at once, the settings page (channels per
topic, quiet hours, addresses) and, for admins, the dead-letter list with its retry."""
from __future__ import annotations

from datetime import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from gongzhi.core.errors import Forbidden, NotFound
from gongzhi.domain.notify import Channel
from gongzhi.domain.privacy import mask_phone
from gongzhi.notify import services as svc
from gongzhi.notify.models import Notification
from gongzhi.notify.services import PreferenceIn


def _page(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _is_admin(user) -> bool:
    try:
        svc._admin(user)
    except Forbidden:
        return False
    return True


@login_required
def notifications(request):
    unread_only = request.GET.get("unread") == "1"
    inbox = svc.inbox(user=request.user, page=_page(request), unread=unread_only)
    inbox["total_all"] = inbox["total"] if not unread_only else Notification.objects.filter(user=request.user).count()
    return render(request, "notify/list.html", {"inbox": inbox, "unread_only": unread_only,
                                                "is_admin": _is_admin(request.user)})


@login_required
def bell(request):
    return render(request, "notify/_bell.html", {"unread": svc.unread_count(user=request.user)})


@login_required
@require_POST
def read(request, notification_id: int):
    try:
        n = svc.mark_read(user=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if request.htmx:
        # The item, and the bell out of band so the count drops at once.
        item = render(request, "notify/_item.html", {"n": n}).content.decode()
        count = svc.unread_count(user=request.user)
        bell_html = render(request, "notify/_bell.html", {"unread": count}).content.decode()
        return HttpResponse(item + bell_html.replace('id="notify-bell"', 'id="notify-bell" hx-swap-oob="true"', 1))
    return redirect("web:notifications")


@login_required
def open_one(request, notification_id: int):
    """Follow a notification: marked read, then to its case (a path inside the site only)."""
    try:
        n = svc.mark_read(user=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    link = n["link"] or "/notifications/"
    if not link.startswith("/") or not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        link = "/notifications/"
    return redirect(link)


@login_required
@require_POST
def read_all(request):
    n = svc.mark_all_read(user=request.user)
    messages.success(request, ngettext("已将 %(n)s 条消息标为已读", "已将 %(n)s 条消息标为已读", n) % {"n": n})
    return redirect("web:notifications")


def _parse_time(text: str, default: time) -> time:
    try:
        h, m = text.split(":")[:2]
        return time(int(h), int(m))
    except (ValueError, TypeError):
        return default


@login_required
def settings_page(request):
    errors: list[str] = []
    # Only the topics this user can be told of (notify.services.topics): the API's list too.
    mine = svc.topics(user=request.user)
    if request.method == "POST":
        chosen = {t.value: [c for c in request.POST.getlist(f"ch_{t.value}") if c in Channel._value2member_map_]
                  for t in mine}
        try:
            data = PreferenceIn(channels=chosen,
                                quiet_start=request.POST.get("quiet_start", "22:00"),
                                quiet_end=request.POST.get("quiet_end", "07:00"),
                                phone=request.POST.get("phone", ""),
                                wechat_openid=request.POST.get("wechat_openid", ""),
                                email=request.POST.get("email", ""))
        except ValidationError as exc:
            errors = [gettext(str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()]
        else:
            svc.save_preferences(user=request.user, data=data)
            messages.success(request, gettext("通知设置已保存"))
            return redirect("web:notification_settings")
    pref = svc.preferences(user=request.user)
    topics = [(t.value, t.label, pref["channels"][t.value]) for t in mine]
    # An empty number sends to the account's (notify.fanout): the page says which, masked.
    profile = getattr(request.user, "profile", None)
    account_phone = mask_phone(profile.phone) if profile and profile.phone else ""
    return render(request, "notify/settings.html", {"pref": pref, "topics": topics, "channels": Channel.choices(),
                                                    "account_phone": account_phone, "errors": errors},
                  status=400 if errors else 200)


@login_required
def dead(request):
    try:
        if request.method == "POST":
            ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            n = svc.retry_dead(user=request.user, delivery_ids=ids)
            messages.success(request, gettext("已重新排队 %(n)s 条") % {"n": n})
            return redirect("web:notification_dead")
        data = svc.dead_letters(user=request.user, page=_page(request))
    except Forbidden as exc:
        raise Http404("页面不存在") from exc
    return render(request, "notify/dead.html", {"dead": data})
