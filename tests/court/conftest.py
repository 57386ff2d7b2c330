import pytest


@pytest.fixture
def court(district):
    """The district's 民事速裁 (judge1/judge2, clerk1/clerk2, cases in every track, a 物业 series)."""
    from gongzhi.demo.court import build_court
    return build_court(district, small=True)


@pytest.fixture
def court_staff(district):
    """The court and its team only, for tests that register their own cases: the full demo court
    (eleven cases through the services, six .docx documents) costs a test most of a second."""
    from gongzhi.demo.court import build_court_staff
    return build_court_staff(district)
