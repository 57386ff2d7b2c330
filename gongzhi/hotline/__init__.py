"""The 12345 hotline ("网线合一") and 倒逼 (应报未报): orders in by file and push, results back out
(``orders``), and the cross-check of hotline orders against earlier grid reports (``crosscheck``,
with its verdicts in ``models.CrossCheck``; the matching rules are ``domain.crosscheck``).

Orders become events through the events intake; events know nothing of this app (issue 14)."""
