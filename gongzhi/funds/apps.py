from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = "三金"
