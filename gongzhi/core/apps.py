from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The engine under the pillars; as an app it holds the one access log and the working-day
    calendar every kind counts in (core.models)."""

    name = "gongzhi.core"
    label = "core"
    verbose_name = "平台核心"
