from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongzhi.registry"
    label = "registry"
    verbose_name = "基础信息（人房物事情组织）"
