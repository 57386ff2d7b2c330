from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "gongzhi.events"
    verbose_name = "事件与工单"
