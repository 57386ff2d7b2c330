from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "gongzhi.credit"
    label = "credit"
    verbose_name = "信用档案"
