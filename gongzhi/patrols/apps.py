from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "gongzhi.patrols"
    label = "patrols"
    verbose_name = "巡查与离线"
