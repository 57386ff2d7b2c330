import pytest


@pytest.fixture
def sanjin(district):
    """The demo's three funds: maker sanjin1, checkers sanjin2/sanjin3, committee sjtj1, deposits in
    every state, donations and a paid grant (gongzhi.demo.funds)."""
    from gongzhi.demo.funds import build_funds
    return build_funds(district)
