from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "gongzhi.ops"
    verbose_name = "运维命令"
