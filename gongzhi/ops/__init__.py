"""Platform-wide commands (gongzhi demo, sla-sweep, crosscheck, calendar, import-hotline,
train-classifier): an installed app of management commands only, at the top of the layers, so
the pillars they drive need not import each other (tests/test_layers.py)."""
