"""A signed-in browser left alone is signed out: GONGZHI_SESSION_IDLE_MINUTES after its last request.

Desks are shared PCs; a session that lives two weeks (Django's default) is a colleague's, or a
visitor's, for the asking.  The session's life is SESSION_COOKIE_AGE = the idle time, counted by
Django from the session's last save (the database row's expire_date; an expired row reads as
signed out), and its cookie ends with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE).

What keeps an active session alive is saving it again.  SESSION_SAVE_EVERY_REQUEST would do that
with one UPDATE (and a Set-Cookie) on every request of every signed-in browser; here the session is
saved at most once per REFRESH_SECONDS, by writing the time of the request into it when the last
one written is older than that.  Price: the sign-out comes between idle − 1 minute and idle after
the last request, instead of exactly at idle.  Token calls have no session and are not touched.
"""
from __future__ import annotations

import time

from django.contrib.auth import SESSION_KEY

from gongzhi.core.logs import user_id

SEEN = "gongzhi_seen"     # seconds since the epoch of the request that last saved the session
REFRESH_SECONDS = 60


def idle_timeout(get_response):
    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request has read anyway, successfully (its user is known): checking
        # one it did not read would cost the query the refresh is meant to save, and one that
        # failed to load (the database away) would be tried again.  Not on a 5xx: the database
        # may be the reason, and the session is saved next time.
        if (session is not None and session.accessed and response.status_code < 500
                and user_id(request) is not None and SESSION_KEY in session):
            now = int(time.time())
            if now - session.get(SEEN, 0) >= REFRESH_SECONDS:
                session[SEEN] = now        # modified: SessionMiddleware saves it on the way out
        return response
    return middleware
