"""``{% load webmap %}``: what the web map (static/web/map.js) is told by the page."""
from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def tile_url() -> str:
    """The intranet tile layer's URL template (``GONGZHI_TILE_URL``, e.g. a 天地图 mirror's
    ``http://tiles.intranet/{z}/{x}/{y}.png``); empty: the map draws the grids on a plain ground."""
    return getattr(settings, "GONGZHI_TILE_URL", "")
