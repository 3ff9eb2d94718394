#!/usr/bin/env bash
# Quick start: installs what is missing, builds (Release) and runs the coordinator on
# conf/coordinator.ini, its SQLite file under data/. Extra arguments go to the coordinator,
# e.g. scripts/run.sh --coordinator.port=0
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec build/release/bin/coordinator --config-file=conf/coordinator.ini "$@"
