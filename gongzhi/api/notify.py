"""Notifications over JSON: one's inbox and unread count, marking read, preferences (channels per
topic, quiet hours, addresses), and for admins the dead-letter list and its retry."""
from ninja import Router
from pydantic import Field

from gongzhi.core.inputs import Input
from gongzhi.notify import services as svc
from gongzhi.notify.services import PreferenceIn

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 422: s.ErrorOut}
notify = Router(tags=["消息通知"])


class RetryIn(Input):
    ids: list[int] = Field(min_length=1, max_length=500, title="要重发的投递编号")


@notify.get("", response={200: dict}, summary="我的消息（每页 30 条）")
def inbox(request, page: int = 1, unread: bool = False):
    return svc.inbox(user=request.user, page=page, unread=unread)


@notify.get("/unread", response={200: dict}, summary="未读消息数")
def unread(request):
    return {"unread": svc.unread_count(user=request.user)}


@notify.post("/{notification_id}/read", response={200: dict, **ERRORS}, summary="标为已读")
def read(request, notification_id: int):
    return svc.mark_read(user=request.user, notification_id=notification_id)


@notify.post("/read-all", response={200: dict}, summary="全部标为已读")
def read_all(request):
    return {"marked": svc.mark_all_read(user=request.user)}


@notify.get("/preferences", response={200: dict}, summary="我的通知偏好")
def preferences(request):
    return svc.preferences(user=request.user)


@notify.put("/preferences", response={200: dict, **ERRORS}, summary="设置通知渠道与免打扰时段")
def save_preferences(request, payload: PreferenceIn):
    return svc.save_preferences(user=request.user, data=payload)


@notify.get("/dead", response={200: dict, **ERRORS}, summary="发送失败的消息（管理员）")
def dead(request, page: int = 1):
    return svc.dead_letters(user=request.user, page=page)


@notify.post("/dead/retry", response={200: dict, **ERRORS}, summary="重发失败的消息（管理员）")
def retry(request, payload: RetryIn):
    return {"requeued": svc.retry_dead(user=request.user, delivery_ids=payload.ids)}
