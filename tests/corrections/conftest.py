"""The `corr` fixture lives in tests/conftest.py (the statistics tests use it too)."""
