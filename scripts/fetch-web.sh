#!/usr/bin/env bash
# Fetches the browser libraries in web/ (Chart.js) with `npm ci` when web/package.json or web/package-lock.json changed
# since the last fetch. Several projects embed them and may build at once: a lock makes one fetch and the others wait.
set -euo pipefail
web="$(cd "$(dirname "$0")/../web" && pwd)"
stamp="$web/node_modules/.berth-npm-ci.stamp"
exec 9>"$web/.fetch.lock"
flock 9
if [ -f "$stamp" ] && [ "$stamp" -nt "$web/package.json" ] && [ "$stamp" -nt "$web/package-lock.json" ] && [ -f "$web/node_modules/chart.js/dist/chart.umd.min.js" ]; then
  exit 0
fi
bash "$(dirname "$0")/ensure-npm.sh"
(cd "$web" && npm ci --ignore-scripts --no-audit --no-fund)
touch "$stamp"
