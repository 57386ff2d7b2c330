"""消息通知 demo: every role lands with its notifications of the simulated month (in-app only: a
backfill sends nothing), and two users who chose more channels (grid111: SMS for new work and
overdue; comm11: email for returns) so the worker's deliveries reach the fake gateways."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.domain.notify import Channel, Topic
from gongzhi.notify import services
from gongzhi.notify.fanout import fanout


def build_notify() -> dict[str, int]:
    users = get_user_model().objects.in_bulk(field_name="username")
    for username, channels in (("grid111", {Topic.DISPATCH: [Channel.SMS], Topic.OVERDUE: [Channel.SMS]}),
                               ("comm11", {Topic.RETURNED: [Channel.EMAIL]})):
        if username in users:
            services.save_preferences(user=users[username], data=services.PreferenceIn(
                channels=channels, email=f"{username}@demo.gongzhi.local"))
    made = fanout(now=timezone.now(), backfill=True)
    return {"notifications": made["notifications"]}
