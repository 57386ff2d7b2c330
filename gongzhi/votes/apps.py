from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "gongzhi.votes"
    label = "votes"
    verbose_name = "出卷票决"
