from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    verbose_name = "多元调处"
