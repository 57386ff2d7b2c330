from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gongzhi.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self):
        from django.db.models.signals import post_save

        from gongzhi.casework.models import CaseLog

        from . import queue, registry, tasks
        queue.periodic("notify-tick", minutes=1)(tasks.tick)
        # Every kind but events writes CaseLog: a committed row of a registered (kind, action)
        # wakes the fan-out at once (registry.register connects other timeline tables).
        post_save.connect(registry.on_row, sender=CaseLog, dispatch_uid="notify-caselog")
