import pytest


@pytest.fixture
def votes_demo(district):
    """The demo's three proposals in the first community (gongzhi.demo.votes): one in its opinion
    period, one being voted, one decided; 18 registry households; residents linked to heads."""
    from gongzhi.demo.votes import build_votes
    return build_votes(district)
