from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "gongzhi.hotline"
    label = "hotline"
    verbose_name = "12345热线与倒逼核查"
