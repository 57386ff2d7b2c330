import pytest


@pytest.fixture
def credit(district):
    """The demo's 信用档案: officers xy1/xy2 (community 0) and xy3/xy4 (community 1), the scene
    operator shanghu1, files for resident1 (an objection pending), resident2 (a repair granted),
    resident3 (community 1) and two residents without accounts (gongzhi.demo.credit)."""
    from gongzhi.demo.credit import build_credit
    return build_credit(district)
