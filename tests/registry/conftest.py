"""The small test district (2 × 2 × 2 grids) with the demo's registry on it."""
from __future__ import annotations

import pytest


@pytest.fixture
def reg(district):
    from gongzhi.demo.registry import build_registry
    build_registry(district)
    return district


@pytest.fixture
def users(reg):
    return reg.users
