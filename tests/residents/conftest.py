import pytest


@pytest.fixture
def world(district):
    """The district with its mediation committees, mediators, legal-aid offices and lawyers."""
    from gongzhi.demo.casework import build_casework
    build_casework(district)
    return district
