#!/usr/bin/env bash
# README command two: the whole test suite on SQLite and, when it answers, on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
# Browser tests drive Debian's Chromium; CJK fonts so screenshots show Chinese.
bash scripts/bootstrap.sh chromium fonts-wqy-microhei
# Lint and type check before the suite (a second or two each): a finding fails the run at once.
# Rules and scope live in pyproject.toml ([tool.ruff], [tool.mypy]).
echo "== ruff =="
.venv/bin/ruff check gongzhi tests bench config
echo "== mypy =="
.venv/bin/mypy gongzhi/domain gongzhi/core
PG_URL=${GONGZHI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
export GONGZHI_VAR_DIR=${GONGZHI_VAR_DIR:-$(mktemp -d)}
if .venv/bin/python - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname=u.path.lstrip("/"), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable ({exc}); the suite runs on SQLite only"); sys.exit(1)
PY
then PG=1; else PG=0; fi
# The API fuzz (tests/api/test_fuzz.py, ~50 s) runs once, on the production database when there
# is one: PostgreSQL is the stricter of the two (NUL characters, time-zone offsets).
export GONGZHI_FUZZ_ON=$([ $PG = 1 ] && echo postgresql || echo sqlite)
# The whole-surface scans (the scope matrix and the confidentiality scan, ~100 s) run once, on
# PostgreSQL when there is one: what each role is shown, on the production database.
export GONGZHI_SCANS_ON=$([ $PG = 1 ] && echo postgresql || echo sqlite)
# The browser walks (~35 s) run once too, in the SQLite pass: the demo's database, pages not SQL.
export GONGZHI_BROWSER_ON=sqlite
echo "== SQLite =="
# --durations: the slowest tests of each pass are printed, where the suite's time goes.
GONGZHI_DATABASE_URL="sqlite:///$GONGZHI_VAR_DIR/test.sqlite3" .venv/bin/python -m pytest -n 2 -p no:cacheprovider --durations=25 "$@"
if [ $PG = 1 ]; then
  echo "== PostgreSQL =="
  GONGZHI_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -n 2 -p no:cacheprovider --durations=25 "$@"
fi
