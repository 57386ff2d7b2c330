#!/usr/bin/env bash
# Install everything gongzhi needs on a fresh Debian machine: Debian packages, a venv, the locked
# Python packages and gongzhi itself. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
need_apt=()
for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg"); done
command -v npm >/dev/null 2>&1 || need_apt+=(npm)      # frontend/: the pages' browser libraries
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  # Another apt or dpkg (unattended-upgrades, cloud-init, a second terminal) may hold the lock:
  # wait for it up to 10 minutes instead of failing at once.  DPkg::Lock::Timeout covers dpkg's
  # locks; `apt-get update` takes the package lists lock too, which some apt releases do not wait
  # for, so a lock refusal there is retried until the same deadline.
  lock_wait=600
  APT=(apt-get -o "DPkg::Lock::Timeout=$lock_wait")
  deadline=$((SECONDS + lock_wait))
  until err=$($SUDO "${APT[@]}" update -qq 2>&1 >/dev/null); do
    if [[ $err != *"Could not get lock"* && $err != *"Unable to lock"* ]] || [ "$SECONDS" -ge "$deadline" ]; then
      echo "$err" >&2; exit 1
    fi
    echo "waiting for another package manager to release the apt lock..."; sleep 5
  done
  [ -z "$err" ] || echo "$err" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq "${need_apt[@]}" >/dev/null
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
# Leaflet, its marker clusters and ECharts: pinned by frontend/package-lock.json, installed from the
# npm registry here and served from gongzhi/web/static/vendor/ (no CDN, no network when pages run).
vendor_stamp=gongzhi/web/static/vendor/.installed-$(sha256sum frontend/package-lock.json frontend/vendor.sh | sha256sum | cut -c1-16)
if [ ! -f "$vendor_stamp" ]; then
  bash frontend/vendor.sh
  touch "$vendor_stamp"
fi
