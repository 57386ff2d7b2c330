"""The ``gongzhi`` console script.

gongzhi demo                      build the demo district on SQLite and serve it
gongzhi calendar due --start ... --workdays N
gongzhi sla-sweep [--loop SECONDS]
gongzhi import-grids FILE.geojson
gongzhi crosscheck [--days 30] [--loop S]  倒逼: hotline orders the grid had not reported (应报未报)
gongzhi train-classifier          retrain kind/category/urgency suggestions from confirmed events
gongzhi <any Django manage command>
"""
import os
import sys

ALIASES = {"sla-sweep": "sla_sweep", "import-grids": "import_grids", "stats-refresh": "stats_refresh",
           "import-hotline": "import_hotline", "train-classifier": "train_classifier", "stats-check": "stats_check"}
ALIASES.update({"chain-verify": "chain_verify", "points-sweep": "points_sweep"})   # issue 19
# (``gongzhi crosscheck [--days N]`` needs no alias: the command is spelled the same)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        argv = argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if argv:
        argv[0] = ALIASES.get(argv[0], argv[0])
    from django.core.management import execute_from_command_line
    execute_from_command_line(["gongzhi", *argv])


if __name__ == "__main__":
    main()
