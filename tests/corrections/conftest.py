import pytest


@pytest.fixture
def corr(district):
    """The district's 社区矫正: county agency (sqjz, its head), 司法所 sfs1/sfs2, prosecutors jcg1/jcg2,
    and a few subjects in the demo's states."""
    from gongzhi.demo.corrections import build_corrections
    return build_corrections(district, subjects=16)
