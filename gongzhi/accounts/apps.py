from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    verbose_name = "用户与角色"
