"""The `corr` fixture lives in tests/conftest.py (the statistics tests use it too)."""


import pytest  # noqa: E402


@pytest.fixture
def configured_limits(settings):
    """configured_limits(leave_year_days=30): GONGZHI_CORRECTIONS for this test, the cache cleared."""
    from gongzhi.corrections.limits import limits

    def apply(**values):
        settings.GONGZHI_CORRECTIONS = values
        limits.cache_clear()
    yield apply
    limits.cache_clear()
