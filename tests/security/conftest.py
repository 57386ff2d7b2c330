"""Fixtures these tests share with tests/casework.  Re-exported here rather than imported into each
test module: an imported fixture and the test parameter of the same name read to a linter as a
redefinition (pyflakes F811)."""
from tests.casework.conftest import dispute_event, world  # noqa: F401  (the district with its committees, offices, lawyers)
