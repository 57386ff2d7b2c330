from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The engine under the pillars; as an app it holds the one access log (core.models)."""

    name = "gongzhi.core"
    label = "core"
    verbose_name = "平台核心"
