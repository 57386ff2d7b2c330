"""The site's own error page for a refused CSRF check; every other failed request answers through
gongzhi.core.http (config/urls.py's handlers), which both the pages and the API share."""
from __future__ import annotations

from django.http import HttpResponse
from django.template import loader

from gongzhi.core.http import Surface, answer, surface


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page is English and suggests turning DEBUG on."""
    where = surface(request.path)
    if where is Surface.PAGE:
        return HttpResponse(loader.render_to_string("403_csrf.html"), status=403)
    return answer(request, 403, where=where)
