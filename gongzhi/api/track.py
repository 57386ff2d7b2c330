"""The public tracking lookup over JSON (POST /api/track, no sign-in): the same service as the page
(core.tracking.track): the record's public view, one 404 for every miss, 429 past the limit."""
from dataclasses import asdict

from ninja import Router

from gongzhi.accounts.lockout import client_ip
from gongzhi.core import tracking
from gongzhi.events import tracking as _event_lookup  # noqa: F401  (the pillars' lookups register)
from gongzhi.legalaid import tracking as _aid_lookup  # noqa: F401
from gongzhi.mediation import tracking as _mediation_lookup  # noqa: F401

from . import schemas as s

track = Router(tags=["进度查询"])


@track.post("", auth=None, response={200: dict, 404: s.ErrorOut, 422: s.ErrorOut, 429: s.ErrorOut},
            summary="按编号和手机尾号查询办理进度（公开信息）")
def track_lookup(request, body: tracking.TrackIn):
    found = tracking.track(number=body.number, phone_last4=body.last4, client=client_ip(request) or "unknown")
    return asdict(found)
