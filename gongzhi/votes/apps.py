from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "gongzhi.votes"
    label = "votes"
    verbose_name = "出卷票决"

    def ready(self):
        # One verifier checks every chain (core.chain.verify_all): the ballots of each vote are one.
        from gongzhi.core import chain

        from .models import Ballot, Proposal, chain_name

        def chains():
            return [chain_name(pk) for pk in Proposal.objects.filter(roll_size__gt=0).order_by("pk")
                    .values_list("pk", flat=True)]

        def rows(name: str):
            return Ballot.objects.filter(proposal_id=int(name.split(":", 1)[1])).order_by("seq")

        chain.register("ballots", "电子票决选票", chains, rows)
        from .told import register
        register()        # who is told what (notify, issue 17)
