#!/usr/bin/env bash
# Browser libraries from the npm registry, served from gongzhi's own static files (no CDN, nothing
# fetched while a page runs): install the versions pinned in package-lock.json, then copy only the
# files the pages load into gongzhi/web/static/vendor/ (git-ignored; collectstatic picks it up).
# Run by scripts/bootstrap.sh when package-lock.json or this file changed; safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
out=../gongzhi/web/static/vendor
rm -rf "$out"
mkdir -p "$out/leaflet" "$out/markercluster" "$out/echarts"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp -r node_modules/leaflet/dist/images "$out/leaflet/"
cp node_modules/leaflet/LICENSE "$out/leaflet/"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
   node_modules/leaflet.markercluster/MIT-LICENCE.txt "$out/markercluster/"
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE "$out/echarts/"
