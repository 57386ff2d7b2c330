"""WSGI entry point.

A request to ``/api/`` that carries a bearer token and no cookie (an app, an integration, the
hotline system) cannot use a session, CSRF, flash messages, htmx or frame headers; it goes through
a lean handler with only the middleware it needs and an API-only URL table.  Everything else —
pages, the admin, API calls made from a logged-in browser — takes the full stack.  Intake is the
one path hit at volume; the lean path takes half the full stack's instructions per report and
sends the same response headers (ADR 0005, ADR 0022).
Both answer a database that is away with a 503 (gongzhi.core.resilience, first in each chain).
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# This process serves requests: settings give its database connections the web's statement
# timeout (GONGZHI_DB_STATEMENT_TIMEOUT_MS), not the commands' (config/settings.py).
os.environ["GONGZHI_WEB_PROCESS"] = "1"
full_stack = get_wsgi_application()

from gongzhi.api.lean import TokenHandler, wants_lean  # noqa: E402  (needs Django set up)

lean = TokenHandler()

# Load both URL tables (and with them every view module and the ninja schemas) now, while the
# worker starts, not in its first request: that import took 2–5 s, so after a deploy every
# worker's first callers waited that long.
# No database is touched here, so a database that is away still gives its 503 later.
from django.urls import get_resolver  # noqa: E402

for _urlconf in (None, "config.urls_api"):
    len(get_resolver(_urlconf).url_patterns)


def application(environ, start_response):
    return (lean if wants_lean(environ) else full_stack)(environ, start_response)
