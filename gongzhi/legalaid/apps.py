from django.apps import AppConfig


class LegalaidConfig(AppConfig):
    name = "gongzhi.legalaid"
    verbose_name = "法律援助"
