"""The engine every pillar shares, directly above gongzhi.domain: errors, actor naming, scope,
files served through checks, logs, the worker loop and the error answers (docs/architecture.md).
It imports django, gongzhi.domain and the accounts/areas models only (tests/test_layers.py)."""
