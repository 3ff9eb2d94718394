#!/usr/bin/env bash
# Keeps one headless dashboard (Debian's chromium, tests/browser) open on a running node, polling
# GET /api/v1/dashboard once a second like an operator's browser tab.
#   bench/dashboard_open.sh PORT ADMIN_TOKEN SECONDS   (SECONDS 0: until SIGTERM)
# Prints "dashboard open" once the page shows live data and "dashboard closed: polls=N" at the end.
set -euo pipefail
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 3 ] || { echo "usage: $0 PORT ADMIN_TOKEN SECONDS" >&2; exit 2; }
if [ ! -d "$SRC_DIR/tests/browser/node_modules/playwright-core" ]; then
  (cd "$SRC_DIR/tests/browser" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
exec node "$SRC_DIR/tests/browser/hold_dashboard.mjs" "$1" "$2" "$3"
