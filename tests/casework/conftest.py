import pytest


@pytest.fixture
def world(district):
    """The district with its mediation committees, mediators, legal-aid offices and lawyers."""
    from gongzhi.demo.casework import build_casework
    build_casework(district)
    return district


@pytest.fixture
def dispute_event(world, as_user):
    """A 矛盾纠纷 report in the first grid, accepted and dispatched to the grid (handling)."""
    from tests.conftest import report_payload
    resident = as_user("resident1")
    st, ev = resident.post("/events", report_payload(
        world, kind="dispute", category="dispute-neighbour",
        description="楼上住户长期深夜噪音扰民，多次协商无果，双方发生争吵",
        reporter_name="张三", reporter_phone="13812345678"))
    assert st == 201, ev
    return ev
