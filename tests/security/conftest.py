"""Fixtures these tests share with tests/casework.  Re-exported here rather than imported into each
test module: an imported fixture and the test parameter of the same name read to a linter as a
redefinition (pyflakes F811)."""
from tests.casework.conftest import dispute_event, world  # noqa: F401  (the district with its committees, offices, lawyers)


def once_per_suite():
    """A skip marker: the whole-surface scans (the scope matrix, the confidentiality scan: ~100 s
    of the suite) run once, on the production database when there is one (GONGZHI_SCANS_ON, set
    by scripts/test.sh) — they check what each role is shown, and PostgreSQL is the stricter of
    the two.  Run directly, they run on whatever database is configured.  A module mark, so the
    module's data is not built for a pass that skips it."""
    import os

    import pytest
    from django.conf import settings
    wanted = os.environ.get("GONGZHI_SCANS_ON")
    engine = settings.DATABASES["default"]["ENGINE"]
    vendor = "postgresql" if "postgresql" in engine else "sqlite"
    return pytest.mark.skipif(bool(wanted) and vendor != wanted,
                              reason=f"the whole-surface scans run on {wanted} in this suite")
