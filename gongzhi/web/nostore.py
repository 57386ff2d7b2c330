"""No answer of ours is kept by a browser or a proxy: ``Cache-Control: private, no-store``.

Pages and API answers carry personal data (an event page, a case page, the answer to an unmask),
and the desks are shared PCs: what a browser keeps on disk, or shows again from its history after
a logout, the next person at that desk reads.  One rule at one place, rather than never_cache on
the views that show such data today: a view added tomorrow is covered without anyone
remembering, and the rule does not depend on telling which answers are "personal" (on the way out
that would mean looking the user up — a query, perhaps to the database that is failing).
Anonymous answers (the login page, error pages, the public feeds) get it too: they are small, no
shared cache stands in front of the platform, and a browser loses nothing by asking again.

Left alone: a response that set its own Cache-Control (the file views and the admin already say
no-store), and static files, which WhiteNoise answers before this middleware is reached (it
stands after WhiteNoise in MIDDLEWARE, and on the lean token path, gongzhi.api.lean).
"""
from __future__ import annotations

NO_STORE = "private, no-store"


def no_store(get_response):
    def middleware(request):
        response = get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = NO_STORE
        return response
    return middleware
