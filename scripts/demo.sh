#!/usr/bin/env bash
# README command one: the demo district on embedded SQLite, served on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/gongzhi demo "$@"
