#!/usr/bin/env bash
# Install everything gongzhi needs on a fresh Debian machine: Debian packages, a venv, the locked
# Python packages and gongzhi itself. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
need_apt=()
for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
  rm -f .venv/.installed-*; touch "$stamp"
fi
